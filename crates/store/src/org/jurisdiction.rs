//! 行政区划/网格: the jurisdiction tree (materialised paths), scoped reads, writes with audit.

use super::*;

/// 行政区划/网格 — a node of the jurisdiction tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Jurisdiction {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: JurisdictionLevel,
    /// GB/T 2260 code (市、区县) or statistical code where known
    pub code: Option<String>,
    pub name: String,
    /// Materialised path of ids, e.g. `/1/4/17/`
    pub path: String,
    /// GeoJSON geometry of the boundary
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    /// IANA time zone of business dates and deadlines
    pub timezone: String,
    pub version: i64,
}

/// A node of the tree as the UI shows it (no boundary).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    pub id: i64,
    pub name: String,
    pub level: JurisdictionLevel,
    pub code: Option<String>,
    #[schema(no_recursion)]
    pub children: Vec<TreeNode>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JurisdictionFilter {
    pub parent_id: Option<i64>,
    pub level: Option<JurisdictionLevel>,
    /// 名称或代码
    pub q: Option<String>,
}

pub(super) fn row_to_jurisdiction(r: &AnyRow) -> Result<Jurisdiction, StoreError> {
    let level: String = r.try_get("level")?;
    let boundary: Option<String> = r.try_get("boundary")?;
    Ok(Jurisdiction {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        level: JurisdictionLevel::parse(&level).unwrap_or(JurisdictionLevel::Grid),
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        boundary: boundary.and_then(|b| serde_json::from_str(&b).ok()),
        timezone: r.try_get("timezone")?,
        version: r.try_get("version")?,
    })
}

/// Appends the condition that a jurisdiction row (`alias`.path) is inside the caller's view.
pub(super) fn push_jurisdiction_scope(q: &mut Q, scope: &Scope, col: &'static str) {
    match scope.jurisdiction_root() {
        JurisdictionView::All => {
            q.push(" AND 1=1");
        }
        JurisdictionView::Subtree(path) => {
            q.push(" AND ");
            push_subtree(q, col, path);
        }
        JurisdictionView::None => {
            q.push(" AND 1=0");
        }
    }
}

pub async fn jurisdiction_get(store: &Store, p: &Principal, id: i64) -> Result<Jurisdiction, StoreError> {
    let mut q = Q::new("SELECT * FROM jurisdiction WHERE id = ");
    q.bind(id);
    push_jurisdiction_scope(&mut q, &p.scope, "path");
    let row = q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    row_to_jurisdiction(&row)
}

/// Any node by id, ignoring scope: for the store's own lookups and the admin tools.
pub async fn jurisdiction_by_id(store: &Store, id: i64) -> Result<Option<Jurisdiction>, StoreError> {
    let row = Q::new("SELECT * FROM jurisdiction WHERE id = ").bind(id).fetch_optional(store.pool()).await?;
    row.as_ref().map(row_to_jurisdiction).transpose()
}

pub async fn jurisdiction_list(
    store: &Store,
    p: &Principal,
    f: &JurisdictionFilter,
    page: PageReq,
) -> Result<Page<Jurisdiction>, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_jurisdiction_scope(&mut w, &p.scope, "path");
    if let Some(pid) = f.parent_id {
        w.push(" AND parent_id = ").bind(pid);
    }
    if let Some(l) = f.level {
        w.push(" AND level = ").bind(l.as_str());
    }
    if let Some(s) = f.q.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND (").push_contains("name", s).push(" OR code = ").bind(s).push(")");
    }
    const LIST: Keyset =
        Keyset { select: "SELECT * FROM jurisdiction", count_from: "FROM jurisdiction", id: "id", descending: false };
    LIST.page(store, &w, page, row_to_jurisdiction).await
}

impl Keyed for Jurisdiction {
    fn key(&self) -> i64 {
        self.id
    }
}

/// The caller's visible part of the tree, nested. One query; nesting is done in memory.
pub async fn jurisdiction_tree(store: &Store, p: &Principal) -> Result<Vec<TreeNode>, StoreError> {
    let mut q = Q::new("SELECT id, parent_id, level, code, name FROM jurisdiction WHERE 1=1");
    push_jurisdiction_scope(&mut q, &p.scope, "path");
    q.push(" ORDER BY id");
    let rows = q.fetch_all(store.pool()).await?;
    let mut nodes = vec![];
    for r in &rows {
        let level: String = r.try_get("level")?;
        let parent: Option<i64> = r.try_get("parent_id")?;
        let node = TreeNode {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            level: JurisdictionLevel::parse(&level).unwrap_or(JurisdictionLevel::Grid),
            code: r.try_get("code")?,
            children: vec![],
        };
        nodes.push((parent, node));
    }
    Ok(nest(nodes))
}

/// Builds a forest from (parent, node) pairs; nodes whose parent is not in the set are roots.
pub(super) fn nest(pairs: Vec<(Option<i64>, TreeNode)>) -> Vec<TreeNode> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<i64> = pairs.iter().map(|(_, n)| n.id).collect();
    let mut children: HashMap<i64, Vec<TreeNode>> = HashMap::new();
    let mut roots = vec![];
    // Children have larger ids than their parents, so walking backwards attaches every
    // subtree before its parent is itself attached.
    for (parent, mut node) in pairs.into_iter().rev() {
        node.children = children.remove(&node.id).unwrap_or_default();
        node.children.reverse();
        match parent.filter(|p| ids.contains(p)) {
            Some(p) => children.entry(p).or_default().push(node),
            None => roots.push(node),
        }
    }
    roots.reverse();
    roots
}

/// Creates a node (admin tools and the jurisdictions API).
pub async fn jurisdiction_create(
    store: &Store,
    actor: &Actor,
    input: JurisdictionInput,
) -> Result<Jurisdiction, StoreError> {
    let parent = match input.parent_id {
        Some(pid) => jurisdiction_by_id(store, pid).await?,
        None => None,
    };
    let parent_node = parent.as_ref().map(|p| ParentNode { level: p.level, timezone: &p.timezone });
    let ValidJurisdiction { parent_id, level, code, name, boundary, timezone } =
        input.validate(parent_node).map_err(StoreError::Invalid)?;
    let mut tx = store.begin().await?;
    let ts = now();
    let q = Insert::into("jurisdiction")
        .set("parent_id", parent_id)
        .set("level", level.as_str())
        .set("code", code.clone())
        .set("name", name.as_str())
        // the real path needs the id: a unique placeholder until the update below
        .set("path", format!("pending:{}", rand::random::<u64>()))
        .set("boundary", boundary.as_ref().map(|b| b.to_string()))
        .set("timezone", timezone.as_str())
        .stamped(&ts)
        .returning_id();
    let id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("id")?;
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), id);
    Q::new("UPDATE jurisdiction SET path = ")
        .bind(path.as_str())
        .push(" WHERE id = ")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    let j = Jurisdiction { id, parent_id, level, code, name, path: path.clone(), boundary, timezone, version: 1 };
    audit::record(
        &mut tx,
        actor,
        Change::created("jurisdiction", id, &path, format!("新增{}「{}」", j.level.label(), j.name))
            .after(summary_json(&j)),
    )
    .await?;
    tx.commit().await?;
    store.forget_calendar();
    Ok(j)
}

/// Audit snapshot of a node without its (large) boundary.
pub(super) fn summary_json(j: &Jurisdiction) -> serde_json::Value {
    serde_json::json!({"name": j.name, "code": j.code, "level": j.level, "parent_id": j.parent_id, "has_boundary": j.boundary.is_some()})
}

pub async fn jurisdiction_update(
    store: &Store,
    p: &Principal,
    id: i64,
    patch: JurisdictionPatch,
) -> Result<Jurisdiction, StoreError> {
    let before = jurisdiction_get(store, p, id).await?;
    p.require(Action::ManageJurisdictions)?;
    let now_state = JurisdictionState {
        level: before.level,
        name: before.name.clone(),
        code: before.code.clone(),
        boundary: before.boundary.clone(),
    };
    let v = patch.validate(now_state).map_err(StoreError::Invalid)?;
    let version = v.version;
    let mut after = Jurisdiction { name: v.name, code: v.code, boundary: v.boundary, ..before.clone() };
    let mut tx = store.begin().await?;
    let mut q = Q::new("UPDATE jurisdiction SET name = ");
    q.bind(after.name.as_str()).push(", code = ").bind(after.code.clone());
    q.push(", boundary = ").bind(after.boundary.as_ref().map(|b| b.to_string()));
    q.push(", version = version + 1, updated_at = ").bind(now()).push(" WHERE id = ").bind(id);
    q.push(" AND version = ").bind(version);
    if q.execute(&mut *tx.tx).await? == 0 {
        return Err(stale());
    }
    after.version = version + 1;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::updated("jurisdiction", id, &before.path, format!("修改{}「{}」", before.level.label(), before.name))
            .before(summary_json(&before))
            .after(summary_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn jurisdiction_delete(store: &Store, p: &Principal, id: i64, version: i64) -> Result<(), StoreError> {
    let j = jurisdiction_get(store, p, id).await?;
    p.require(Action::ManageJurisdictions)?;
    let mut tx = store.begin().await?;
    for (sql, what) in [
        ("SELECT COUNT(*) AS n FROM jurisdiction WHERE parent_id = $1", "下级区划"),
        ("SELECT COUNT(*) AS n FROM enterprise WHERE jurisdiction_id = $1 OR grid_id = $1", "企业"),
        ("SELECT COUNT(*) AS n FROM department WHERE jurisdiction_id = $1", "部门"),
        ("SELECT COUNT(*) AS n FROM app_user WHERE org_kind = 'jurisdiction' AND org_id = $1", "用户"),
    ] {
        let n: i64 = sqlx::query(sql).bind(id).fetch_one(&mut *tx.tx).await?.try_get("n")?;
        if n > 0 {
            return Err(StoreError::Conflict(format!("「{}」下还有{n}个{what}，不能删除", j.name)));
        }
    }
    delete_versioned(&mut tx, "jurisdiction", id, version).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("jurisdiction", id, &j.path, format!("删除{}「{}」", j.level.label(), j.name))
            .before(summary_json(&j)),
    )
    .await?;
    tx.commit().await
}

pub(crate) fn stale() -> StoreError {
    StoreError::Conflict("数据已被他人修改，请刷新后重试".into())
}

/// Deletes a row if its version is still the one the caller read (optimistic locking).
pub(crate) async fn delete_versioned(
    tx: &mut Tx,
    table: &'static str,
    id: i64,
    version: i64,
) -> Result<(), StoreError> {
    let n = Q::new("DELETE FROM ")
        .push(table)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| {
            // Records that refer to the row keep it (隐患, 风险点, 下级辖区 …): a conflict, not a fault.
            if e.is_foreign_key_violation() {
                StoreError::Conflict(
                    match table {
                        "enterprise" => "该企业已有隐患、风险点、重大危险源或检查记录，不能删除",
                        "jurisdiction" => "该辖区下仍有企业、网格或下级辖区，不能删除",
                        "department" => "该部门仍有关联的记录，不能删除",
                        "risk_point" => "该风险点已关联隐患或评估记录，不能删除",
                        "major_hazard_source" => "该重大危险源已关联其他记录，不能删除",
                        "app_user" => "该用户已有业务记录，不能删除，请改为停用",
                        _ => "仍有其他记录引用它，不能删除",
                    }
                    .into(),
                )
            } else {
                e
            }
        })?;
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

/// How many accounts belong to an org unit (units with accounts are not deleted).
pub(super) async fn accounts_of(tx: &mut Tx, kind: &str, id: i64) -> Result<i64, StoreError> {
    let r = Q::new("SELECT COUNT(*) AS n FROM app_user WHERE org_kind = ")
        .bind(kind)
        .push(" AND org_id = ")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(r.try_get("n")?)
}
