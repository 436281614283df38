//! 企业台账导入: an Excel sheet of enterprises, every row checked before any is written.

use super::*;

/// One row of an import file, already split into cells by header (see `domain::org::import`).
pub use anjian_domain::org::import::{ImportError, ImportRow};

/// Outcome of an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub imported: usize,
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
    p.require(Action::ImportEnterprises)?;
    let names = JurisdictionNames::load(store, &p.scope).await?;
    let mut errors = vec![];
    let mut good = vec![];
    let mut seen_codes = std::collections::HashMap::new();
    for row in rows {
        match check_import_row(store, p, &names, &row).await {
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
                return Ok(ImportReport { imported: 0, failed: errors.len(), errors });
            }
            imported += 1;
            progress(imported);
        }
        tx.commit().await?;
    }
    errors.sort_by_key(|e| e.row);
    let failed = errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
    Ok(ImportReport { imported, failed, errors })
}

pub(super) async fn check_import_row(
    store: &Store,
    p: &Principal,
    names: &JurisdictionNames,
    row: &ImportRow,
) -> Result<(ValidEnterprise, Placement), Vec<ImportError>> {
    let parsed = row.parse()?;
    let mut errors = vec![];
    let jid =
        names.resolve(&parsed.jurisdiction, false).map_err(|m| errors.push(ImportError::new(row.row, "所属辖区", m)));
    let gid = match parsed.grid.as_deref() {
        Some(g) => names.resolve(g, true).map(Some).map_err(|m| errors.push(ImportError::new(row.row, "所属网格", m))),
        None => Ok(None),
    };
    let (Ok(jid), Ok(gid)) = (jid, gid) else { return Err(errors) };
    let draft = EnterpriseDraft { jurisdiction_id: jid, grid_id: gid, ..parsed.draft };
    let v = draft.validate().map_err(|es| {
        es.into_iter()
            .map(|e| ImportError::new(row.row, anjian_domain::org::import::column_of(&e.field), e.message))
            .collect::<Vec<_>>()
    })?;
    let pl = resolve_placement(store, &p.scope, jid, gid).await.map_err(|e| match e {
        StoreError::Invalid(fs) => fs
            .into_iter()
            .map(|f| ImportError::new(row.row, anjian_domain::org::import::column_of(&f.field), f.message))
            .collect(),
        other => vec![ImportError::new(row.row, "", other.to_string())],
    })?;
    let exists = Q::new("SELECT id FROM enterprise WHERE credit_code = ")
        .bind(v.credit_code.as_str())
        .fetch_optional(store.pool())
        .await
        .map_err(|e| vec![ImportError::new(row.row, "", e.to_string())])?;
    if exists.is_some() {
        return Err(vec![ImportError::new(row.row, "统一社会信用代码", "该统一社会信用代码已登记")]);
    }
    Ok((v, pl))
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
