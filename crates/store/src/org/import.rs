//! 企业台账导入: an Excel sheet of enterprises, every row checked before any is written.

use super::*;

/// One row of an import file, already split into cells by header (see `domain::org::import`).
pub use anjian_domain::org::import::{ImportError, ImportRow};

/// Outcome of an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// 数据行 read from the file
    pub rows: usize,
    pub imported: usize,
    /// Rows with at least one error (not the number of errors)
    pub failed: usize,
    pub errors: Vec<ImportError>,
}

/// Imports enterprises. Every row is checked first. Without `partial`, any bad row means
/// nothing is written; with `partial`, each good row is written in its own transaction.
pub async fn enterprise_import(
    store: &Store,
    p: &Principal,
    rows: Vec<ImportRow>,
    partial: bool,
    mut progress: impl FnMut(usize),
) -> Result<ImportReport, StoreError> {
    let total = rows.len();
    let (good, mut errors) = check_all(store, p, &rows).await?;
    let mut imported = 0;
    if partial {
        for (row, v, pl) in &good {
            let mut tx = store.begin().await?;
            match insert_enterprise(&mut tx, &p.actor(), v, pl).await {
                Ok(_) => {
                    tx.commit().await?;
                    imported += 1;
                }
                Err(e) => errors.push(ImportError::new(*row, "统一社会信用代码", e.to_string())),
            }
            progress(imported);
        }
    } else if errors.is_empty() {
        let mut tx = store.begin().await?;
        for (row, v, pl) in &good {
            if let Err(e) = insert_enterprise(&mut tx, &p.actor(), v, pl).await {
                errors.push(ImportError::new(*row, "统一社会信用代码", e.to_string()));
                return Ok(ImportReport { rows: total, imported: 0, failed: errors.len(), errors });
            }
            imported += 1;
            progress(imported);
        }
        tx.commit().await?;
    }
    errors.sort_by_key(|e| e.row);
    let failed = errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
    Ok(ImportReport { rows: total, imported, failed, errors })
}

/// Checks one row and reports everything wrong with it at once: unreadable cells, unknown
/// jurisdiction or grid, the enterprise rules, and a credit code already registered.
/// Checks every row without writing: the good ones, and every error of the bad ones.
async fn check_all(
    store: &Store,
    p: &Principal,
    rows: &[ImportRow],
) -> Result<(Vec<(usize, ValidEnterprise, Placement)>, Vec<ImportError>), StoreError> {
    p.require(Action::ImportEnterprises)?;
    let names = JurisdictionNames::load(store, &p.scope).await?;
    let mut errors = vec![];
    let mut good = vec![];
    let mut seen_codes = std::collections::HashMap::new();
    for row in rows {
        match check_import_row(store, p, &names, row).await {
            Ok((v, pl)) => {
                if let Some(first) = seen_codes.insert(v.credit_code.to_string(), row.row) {
                    errors.push(ImportError::new(row.row, "统一社会信用代码", format!("与第{first}行重复")));
                } else {
                    good.push((row.row, v, pl));
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    Ok((good, errors))
}

/// The errors an import of `rows` would report, written nowhere (the error workbook).
pub async fn enterprise_import_errors(
    store: &Store,
    p: &Principal,
    rows: &[ImportRow],
) -> Result<Vec<ImportError>, StoreError> {
    Ok(check_all(store, p, rows).await?.1)
}

/// What the import template's dropdowns offer the importer: the streets and communities it may
/// place an enterprise in (written as the import reads them: 「街道/社区」 where a name repeats)
/// and the grids.
pub async fn import_choices(store: &Store, p: &Principal) -> Result<(Vec<String>, Vec<String>), StoreError> {
    p.require(Action::ImportEnterprises)?;
    let names = JurisdictionNames::load(store, &p.scope).await?;
    Ok((names.written(false), names.written(true)))
}

pub(super) async fn check_import_row(
    store: &Store,
    p: &Principal,
    names: &JurisdictionNames,
    row: &ImportRow,
) -> Result<(ValidEnterprise, Placement), Vec<ImportError>> {
    let (parsed, mut errors) = row.read();
    let column = anjian_domain::org::import::column_of;
    let jid = match parsed.jurisdiction.is_empty() {
        true => None,
        false => names
            .resolve(&parsed.jurisdiction, false)
            .map_err(|m| errors.push(ImportError::new(row.row, "所属辖区", m)))
            .ok(),
    };
    let gid = match parsed.grid.as_deref() {
        Some(g) => match names.resolve(g, true) {
            Ok(id) => Some(Some(id)),
            Err(m) => {
                errors.push(ImportError::new(row.row, "所属网格", m));
                None
            }
        },
        None => Some(None),
    };
    let draft = EnterpriseDraft { jurisdiction_id: jid.unwrap_or(0), grid_id: gid.flatten(), ..parsed.draft };
    let valid = match draft.validate() {
        Ok(v) => Some(v),
        Err(es) => {
            // The jurisdiction's own message stands when it was not found.
            errors.extend(
                es.into_iter()
                    .filter(|e| jid.is_some() || e.field != "jurisdiction_id")
                    .map(|e| ImportError::new(row.row, column(&e.field), e.message)),
            );
            None
        }
    };
    let mut placement = None;
    if let (Some(jid), Some(gid)) = (jid, gid) {
        match resolve_placement(store, &p.scope, jid, gid).await {
            Ok(pl) => placement = Some(pl),
            Err(StoreError::Invalid(fs)) => {
                errors.extend(fs.into_iter().map(|f| ImportError::new(row.row, column(&f.field), f.message)))
            }
            Err(other) => errors.push(ImportError::new(row.row, "", other.to_string())),
        }
    }
    if let Some(v) = &valid {
        let exists = Q::new("SELECT id FROM enterprise WHERE credit_code = ")
            .bind(v.credit_code.as_str())
            .fetch_optional(store.pool())
            .await
            .map_err(|e| vec![ImportError::new(row.row, "", e.to_string())])?;
        if exists.is_some() {
            errors.push(ImportError::new(row.row, "统一社会信用代码", "该统一社会信用代码已登记"));
        }
    }
    match (valid, placement) {
        (Some(v), Some(pl)) if errors.is_empty() => Ok((v, pl)),
        _ => Err(anjian_domain::org::import::one_per_column(errors)),
    }
}

/// Jurisdiction names visible to the importer, to turn 「春江街道/圩塘社区」 into an id.
pub(super) struct JurisdictionNames {
    nodes: Vec<(i64, Option<i64>, String, JurisdictionLevel)>,
}

impl JurisdictionNames {
    async fn load(store: &Store, scope: &Scope) -> Result<Self, StoreError> {
        let mut q = Q::new("SELECT id, parent_id, name, level FROM jurisdiction WHERE 1=1");
        push_jurisdiction_scope(&mut q, scope, "path");
        let rows = q.fetch_all(store.pool()).await?;
        let mut nodes = vec![];
        for r in rows {
            let level: String = r.try_get("level")?;
            nodes.push((
                r.try_get("id")?,
                r.try_get("parent_id")?,
                r.try_get("name")?,
                JurisdictionLevel::parse(&level).unwrap_or(JurisdictionLevel::Grid),
            ));
        }
        Ok(Self { nodes })
    }

    /// The names of the nodes (grids, or the levels above them) as an import writes them: the
    /// name, or `上级/名称` when another node of the kind has the same name.
    fn written(&self, grid: bool) -> Vec<String> {
        let kind: Vec<_> = self.nodes.iter().filter(|n| (n.3 == JurisdictionLevel::Grid) == grid).collect();
        kind.iter()
            .map(|n| {
                let twins = kind.iter().filter(|m| m.2 == n.2).count();
                let parent = n.1.and_then(|pid| self.nodes.iter().find(|m| m.0 == pid)).map(|m| m.2.as_str());
                match (twins, parent) {
                    (1, _) | (_, None) => n.2.clone(),
                    (_, Some(parent)) => format!("{parent}/{}", n.2),
                }
            })
            .collect()
    }

    /// Finds a node by its name, or by `上级/名称` when the name alone is ambiguous.
    fn resolve(&self, text: &str, grid: bool) -> Result<i64, String> {
        let parts: Vec<&str> = text.split(['/', '／']).map(str::trim).filter(|s| !s.is_empty()).collect();
        let Some(last) = parts.last() else { return Err("不能为空".into()) };
        let wanted = |lvl: JurisdictionLevel| (lvl == JurisdictionLevel::Grid) == grid;
        let mut hits: Vec<&(i64, Option<i64>, String, JurisdictionLevel)> =
            self.nodes.iter().filter(|n| n.2 == *last && wanted(n.3)).collect();
        if parts.len() > 1 {
            let parent_name = parts[parts.len() - 2];
            hits.retain(|n| {
                n.1.and_then(|pid| self.nodes.iter().find(|m| m.0 == pid)).is_some_and(|m| m.2 == parent_name)
            });
        }
        match hits.len() {
            1 => Ok(hits[0].0),
            0 => Err(format!("找不到名为「{text}」的{}（或不在您的管辖范围内）", if grid { "网格" } else { "辖区" })),
            _ => Err(format!("「{last}」有重名，请写成「上级名称/{last}」")),
        }
    }
}
