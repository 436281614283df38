//! Organisation (组织机构): jurisdictions, departments and enterprises, scoped by the caller.

use crate::audit::{self, Change};
use crate::db::Q;
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::scope::push_subtree;
use crate::{now, Actor, Principal, Store, StoreError, Tx};
use anjian_domain::auth::{Action, Role, ENTERPRISE_ACTIONS};
use anjian_domain::org::{EnterpriseDraft, JurisdictionLevel, ValidEnterprise};
use anjian_domain::org_unit::{
    check_placement, JurisdictionState, ParentNode, PlacedNode, ValidDepartment, ValidJurisdiction,
};
pub use anjian_domain::org_unit::{DepartmentInput, DepartmentPatch, JurisdictionInput, JurisdictionPatch};
use anjian_domain::scope::{child_path, JurisdictionView, Scope};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

// ---------------------------------------------------------------- jurisdictions

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

fn row_to_jurisdiction(r: &AnyRow) -> Result<Jurisdiction, StoreError> {
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
fn push_jurisdiction_scope(q: &mut Q, scope: &Scope, col: &'static str) {
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
fn nest(pairs: Vec<(Option<i64>, TreeNode)>) -> Vec<TreeNode> {
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
    let mut q = Q::new("INSERT INTO jurisdiction (parent_id, level, code, name, path, boundary, timezone, created_at, updated_at) VALUES (");
    q.bind(parent_id).push(", ").bind(level.as_str()).push(", ").bind(code.clone());
    q.push(", ").bind(name.as_str()).push(", ").bind(format!("pending:{}", rand::random::<u64>()));
    q.push(", ").bind(boundary.as_ref().map(|b| b.to_string())).push(", ").bind(timezone.as_str());
    q.push(", ").bind(ts.as_str()).push(", ").bind(ts.as_str()).push(") RETURNING id");
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
fn summary_json(j: &Jurisdiction) -> serde_json::Value {
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
        .await?;
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

/// How many accounts belong to an org unit (units with accounts are not deleted).
async fn accounts_of(tx: &mut Tx, kind: &str, id: i64) -> Result<i64, StoreError> {
    let r = Q::new("SELECT COUNT(*) AS n FROM app_user WHERE org_kind = ")
        .bind(kind)
        .push(" AND org_id = ")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(r.try_get("n")?)
}

// ---------------------------------------------------------------- departments

/// 部门 — a supervising department and the sectors it is responsible for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub jurisdiction_name: String,
    pub name: String,
    /// 监管行业
    pub sectors: Vec<String>,
    pub version: i64,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentFilter {
    pub jurisdiction_id: Option<i64>,
    pub q: Option<String>,
}

const DEPARTMENT_SELECT: &str =
    "SELECT d.*, j.name AS jurisdiction_name, j.path AS jurisdiction_path FROM department d JOIN jurisdiction j ON j.id = d.jurisdiction_id";

fn row_to_department(r: &AnyRow) -> Result<(Department, String), StoreError> {
    let sectors: String = r.try_get("sectors")?;
    Ok((
        Department {
            id: r.try_get("id")?,
            jurisdiction_id: r.try_get("jurisdiction_id")?,
            jurisdiction_name: r.try_get("jurisdiction_name")?,
            name: r.try_get("name")?,
            sectors: serde_json::from_str(&sectors).unwrap_or_default(),
            version: r.try_get("version")?,
        },
        r.try_get("jurisdiction_path")?,
    ))
}

async fn department_get_with_path(store: &Store, p: &Principal, id: i64) -> Result<(Department, String), StoreError> {
    let mut q = Q::new(DEPARTMENT_SELECT);
    q.push(" WHERE d.id = ").bind(id);
    push_jurisdiction_scope(&mut q, &p.scope, "j.path");
    row_to_department(&q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?)
}

pub async fn department_get(store: &Store, p: &Principal, id: i64) -> Result<Department, StoreError> {
    Ok(department_get_with_path(store, p, id).await?.0)
}

/// Any department by id, ignoring scope (for building a department user's scope).
pub async fn department_by_id(store: &Store, id: i64) -> Result<Option<(Department, String)>, StoreError> {
    let mut q = Q::new(DEPARTMENT_SELECT);
    q.push(" WHERE d.id = ").bind(id);
    q.fetch_optional(store.pool()).await?.as_ref().map(row_to_department).transpose()
}

pub async fn department_list(
    store: &Store,
    p: &Principal,
    f: &DepartmentFilter,
    page: PageReq,
) -> Result<Page<Department>, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_jurisdiction_scope(&mut w, &p.scope, "j.path");
    if let Some(j) = f.jurisdiction_id {
        w.push(" AND d.jurisdiction_id = ").bind(j);
    }
    if let Some(s) = f.q.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND ").push_contains("d.name", s);
    }
    const LIST: Keyset = Keyset {
        select: DEPARTMENT_SELECT,
        count_from: "FROM department d JOIN jurisdiction j ON j.id = d.jurisdiction_id",
        id: "d.id",
        descending: false,
    };
    LIST.page(store, &w, page, |r| row_to_department(r).map(|(d, _)| d)).await
}

impl Keyed for Department {
    fn key(&self) -> i64 {
        self.id
    }
}

fn department_conflict(e: StoreError) -> StoreError {
    match e.unique_violation() {
        Some(_) => StoreError::Duplicate { field: "name", message: "同一辖区内已有同名部门".into() },
        None => e,
    }
}

pub async fn department_create(store: &Store, p: &Principal, input: DepartmentInput) -> Result<Department, StoreError> {
    p.require(Action::ManageDepartments)?;
    let j = jurisdiction_get(store, p, input.jurisdiction_id)
        .await
        .map_err(|_| StoreError::invalid("jurisdiction_id", "所属辖区不存在或不在管辖范围内"))?;
    department_insert(store, &p.actor(), &j, input.validate().map_err(StoreError::Invalid)?).await
}

/// Inserts a validated department under a known jurisdiction (API and demo generator).
pub async fn department_insert(
    store: &Store,
    actor: &Actor,
    j: &Jurisdiction,
    input: ValidDepartment,
) -> Result<Department, StoreError> {
    let ValidDepartment { name, sectors, .. } = input;
    let mut tx = store.begin().await?;
    let ts = now();
    let mut q = Q::new("INSERT INTO department (jurisdiction_id, name, sectors, created_at, updated_at) VALUES (");
    q.bind(j.id).push(", ").bind(name.as_str()).push(", ").bind(serde_json::to_string(&sectors).unwrap_or_default());
    q.push(", ").bind(ts.as_str()).push(", ").bind(ts.as_str()).push(") RETURNING id");
    let id: i64 = q.fetch_one(&mut *tx.tx).await.map_err(department_conflict)?.try_get("id")?;
    let d = Department { id, jurisdiction_id: j.id, jurisdiction_name: j.name.clone(), name, sectors, version: 1 };
    audit::record(
        &mut tx,
        actor,
        Change::created("department", id, &j.path, format!("新增部门「{}」", d.name))
            .after_opt(serde_json::to_value(&d).ok()),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn department_update(
    store: &Store,
    p: &Principal,
    id: i64,
    patch: DepartmentPatch,
) -> Result<Department, StoreError> {
    let (before, path) = department_get_with_path(store, p, id).await?;
    p.require(Action::ManageDepartments)?;
    let version = patch.version;
    let now_input = DepartmentInput {
        jurisdiction_id: before.jurisdiction_id,
        name: before.name.clone(),
        sectors: before.sectors.clone(),
    };
    let v = patch.apply_to(now_input).validate().map_err(StoreError::Invalid)?;
    let mut after = Department { name: v.name, sectors: v.sectors, ..before.clone() };
    let mut tx = store.begin().await?;
    let mut q = Q::new("UPDATE department SET name = ");
    q.bind(after.name.as_str()).push(", sectors = ").bind(serde_json::to_string(&after.sectors).unwrap_or_default());
    q.push(", version = version + 1, updated_at = ").bind(now()).push(" WHERE id = ").bind(id);
    q.push(" AND version = ").bind(version);
    if q.execute(&mut *tx.tx).await.map_err(department_conflict)? == 0 {
        return Err(stale());
    }
    after.version += 1;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::updated("department", id, &path, format!("修改部门「{}」", before.name))
            .before_opt(serde_json::to_value(&before).ok())
            .after_opt(serde_json::to_value(&after).ok()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn department_delete(store: &Store, p: &Principal, id: i64, version: i64) -> Result<(), StoreError> {
    let (d, path) = department_get_with_path(store, p, id).await?;
    p.require(Action::ManageDepartments)?;
    let mut tx = store.begin().await?;
    let n = accounts_of(&mut tx, "department", id).await?;
    if n > 0 {
        return Err(StoreError::Conflict(format!("部门「{}」下还有{n}个用户，不能删除", d.name)));
    }
    delete_versioned(&mut tx, "department", id, version).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("department", id, &path, format!("删除部门「{}」", d.name))
            .before_opt(serde_json::to_value(&d).ok()),
    )
    .await?;
    tx.commit().await
}

// ---------------------------------------------------------------- enterprises

/// 企业 — a supervised enterprise (市场主体).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub coord_system: String,
    pub jurisdiction_id: i64,
    pub jurisdiction_name: String,
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
    pub sectors: Vec<String>,
    pub above_scale: bool,
    pub key_enterprise: bool,
    pub employees: i64,
    pub legal_representative: String,
    pub safety_manager: String,
    pub contact_phone: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// What the caller may do to it (the permission table, `domain::auth`)
    pub allowed_actions: Vec<Action>,
    #[serde(skip)]
    pub scope_path: String,
}

/// Change to an enterprise: only the fields sent change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EnterprisePatch {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub coord_system: Option<String>,
    pub jurisdiction_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub sectors: Option<Vec<String>>,
    pub above_scale: Option<bool>,
    pub key_enterprise: Option<bool>,
    pub employees: Option<i64>,
    pub legal_representative: Option<String>,
    pub safety_manager: Option<String>,
    pub contact_phone: Option<String>,
    pub version: i64,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilter {
    /// 辖区 (includes everything below it)
    pub jurisdiction_id: Option<i64>,
    /// 行业领域
    pub sector: Option<String>,
    /// 重点企业
    pub key_enterprise: Option<bool>,
    /// 规模以上
    pub above_scale: Option<bool>,
    /// 名称（包含）或统一社会信用代码（开头）
    pub q: Option<String>,
}

const ENTERPRISE_SELECT: &str = "SELECT e.*, j.name AS jurisdiction_name, g.name AS grid_name FROM enterprise e JOIN jurisdiction j ON j.id = e.jurisdiction_id LEFT JOIN jurisdiction g ON g.id = e.grid_id";

impl Keyed for Enterprise {
    fn key(&self) -> i64 {
        self.id
    }
}

fn row_to_enterprise(r: &AnyRow, role: Role) -> Result<Enterprise, StoreError> {
    let sectors: String = r.try_get("sectors")?;
    Ok(Enterprise {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        credit_code: r.try_get("credit_code")?,
        address: r.try_get("address")?,
        longitude: r.try_get("longitude")?,
        latitude: r.try_get("latitude")?,
        coord_system: r.try_get("coord_system")?,
        jurisdiction_id: r.try_get("jurisdiction_id")?,
        jurisdiction_name: r.try_get("jurisdiction_name")?,
        grid_id: r.try_get("grid_id")?,
        grid_name: r.try_get("grid_name")?,
        sectors: serde_json::from_str(&sectors).unwrap_or_default(),
        above_scale: r.try_get::<i64, _>("above_scale")? != 0,
        key_enterprise: r.try_get::<i64, _>("key_enterprise")? != 0,
        employees: r.try_get("employees")?,
        legal_representative: r.try_get("legal_representative")?,
        safety_manager: r.try_get("safety_manager")?,
        contact_phone: r.try_get("contact_phone")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        allowed_actions: role.allowed_of(&ENTERPRISE_ACTIONS),
        scope_path: r.try_get("scope_path")?,
    })
}

/// The units a statistic breaks down into: the children of `root`, or of the top of the
/// caller's visible tree (going down single-child levels, 市 → 区, so the breakdown is useful).
pub async fn breakdown_units(
    store: &Store,
    p: &Principal,
    root: Option<i64>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let tree = jurisdiction_tree(store, p).await?;
    let root_id = match root {
        Some(r) => Some(r),
        None if tree.len() == 1 => {
            let mut n = &tree[0];
            while n.children.len() == 1 {
                n = &n.children[0];
            }
            Some(n.id)
        }
        None => None,
    };
    match root_id {
        Some(rid) => {
            let rows = Q::new("SELECT id, name FROM jurisdiction WHERE parent_id = ")
                .bind(rid)
                .push(" ORDER BY id")
                .fetch_all(store.pool())
                .await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
        }
        None => Ok(tree.iter().map(|n| (n.id, n.name.clone())).collect()),
    }
}

/// The unit of a breakdown a materialised path lies in.
pub fn unit_of(units: &[(i64, String)], path: &str) -> Option<usize> {
    let ids: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    units.iter().position(|(id, _)| ids.contains(&id.to_string().as_str()))
}

/// Appends the condition that enterprise row `e` is inside `scope` (the SQL form of
/// [`Scope::sees_enterprise`]).
pub fn push_enterprise_scope(q: &mut Q, scope: &Scope) {
    match scope {
        Scope::All => {
            q.push(" AND 1=1");
        }
        Scope::Subtree { path } => {
            q.push(" AND ");
            push_subtree(q, "e.scope_path", path);
        }
        Scope::Sectors { path, sectors } => {
            q.push(" AND ");
            push_subtree(q, "e.scope_path", path);
            if sectors.is_empty() {
                q.push(" AND 1=0");
            } else {
                q.push(
                    " AND EXISTS (SELECT 1 FROM enterprise_sector es WHERE es.enterprise_id = e.id AND es.sector IN ",
                );
                q.bind_list(sectors).push(")");
            }
        }
        Scope::Enterprise { id } => {
            q.push(" AND e.id = ").bind(*id);
        }
        Scope::Assigned { enterprise_ids } if enterprise_ids.is_empty() => {
            q.push(" AND 1=0");
        }
        Scope::Assigned { enterprise_ids } => {
            q.push(" AND e.id IN ").bind_list(enterprise_ids);
        }
    }
}

pub async fn enterprise_get(store: &Store, p: &Principal, id: i64) -> Result<Enterprise, StoreError> {
    let mut q = Q::new(ENTERPRISE_SELECT);
    q.push(" WHERE e.id = ").bind(id);
    push_enterprise_scope(&mut q, &p.scope);
    row_to_enterprise(&q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?, p.role)
}

pub async fn enterprise_list(
    store: &Store,
    p: &Principal,
    f: &EnterpriseFilter,
    page: PageReq,
) -> Result<Page<Enterprise>, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_enterprise_scope(&mut w, &p.scope);
    if let Some(jid) = f.jurisdiction_id {
        match jurisdiction_by_id(store, jid).await? {
            Some(j) => {
                w.push(" AND ");
                push_subtree(&mut w, "e.scope_path", &j.path);
            }
            None => {
                w.push(" AND 1=0");
            }
        }
    }
    if let Some(s) = f.sector.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND EXISTS (SELECT 1 FROM enterprise_sector fs WHERE fs.enterprise_id = e.id AND fs.sector = ")
            .bind(s)
            .push(")");
    }
    if let Some(k) = f.key_enterprise {
        w.push(" AND e.key_enterprise = ").bind(k);
    }
    if let Some(a) = f.above_scale {
        w.push(" AND e.above_scale = ").bind(a);
    }
    if let Some(s) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.push(" AND (").push_contains("e.name", s);
        w.push(" OR ").push_starts_with("e.credit_code", &s.to_ascii_uppercase()).push(")");
    }
    const LIST: Keyset =
        Keyset { select: ENTERPRISE_SELECT, count_from: "FROM enterprise e", id: "e.id", descending: false };
    LIST.page(store, &w, page, |r| row_to_enterprise(r, p.role)).await
}

/// Where an enterprise sits: its jurisdiction, its grid, and the path scope checks use.
struct Placement {
    jurisdiction: Jurisdiction,
    grid: Option<Jurisdiction>,
}

impl Placement {
    fn scope_path(&self) -> &str {
        self.grid.as_ref().map(|g| g.path.as_str()).unwrap_or(&self.jurisdiction.path)
    }
}

/// Checks that the jurisdiction and grid exist, nest, and lie inside the caller's scope.
async fn resolve_placement(
    store: &Store,
    scope: &Scope,
    jurisdiction_id: i64,
    grid_id: Option<i64>,
) -> Result<Placement, StoreError> {
    let j = jurisdiction_by_id(store, jurisdiction_id).await?;
    let grid = match grid_id {
        Some(gid) => jurisdiction_by_id(store, gid).await?,
        None => None,
    };
    fn node(n: &Jurisdiction) -> PlacedNode<'_> {
        PlacedNode { level: n.level, name: &n.name, path: &n.path }
    }
    check_placement(j.as_ref().map(node), grid_id, grid.as_ref().map(node)).map_err(StoreError::Invalid)?;
    let placement = Placement { jurisdiction: j.expect("checked by the domain"), grid };
    if let JurisdictionView::Subtree(root) = scope.jurisdiction_root() {
        if !placement.scope_path().starts_with(root) {
            return Err(StoreError::invalid("jurisdiction_id", "所属辖区不在您的管辖范围内"));
        }
    }
    Ok(placement)
}

/// The enterprise as written from a validated draft at a placement.
fn enterprise_of(
    id: i64,
    v: &ValidEnterprise,
    pl: &Placement,
    version: i64,
    created_at: String,
    updated_at: String,
) -> Enterprise {
    let d = &v.draft;
    Enterprise {
        id,
        name: d.name.clone(),
        credit_code: v.credit_code.to_string(),
        address: d.address.clone(),
        longitude: d.longitude,
        latitude: d.latitude,
        coord_system: v.coord_system.as_str().into(),
        jurisdiction_id: pl.jurisdiction.id,
        jurisdiction_name: pl.jurisdiction.name.clone(),
        grid_id: pl.grid.as_ref().map(|g| g.id),
        grid_name: pl.grid.as_ref().map(|g| g.name.clone()),
        sectors: d.sectors.clone(),
        above_scale: d.above_scale,
        key_enterprise: d.key_enterprise,
        employees: d.employees,
        legal_representative: d.legal_representative.clone(),
        safety_manager: d.safety_manager.clone(),
        contact_phone: d.contact_phone.clone(),
        version,
        created_at,
        updated_at,
        // Set for the caller by the functions that answer it.
        allowed_actions: vec![],
        scope_path: pl.scope_path().to_string(),
    }
}

fn enterprise_conflict(e: StoreError) -> StoreError {
    match e.unique_violation() {
        Some(m) if m.contains("credit_code") => StoreError::Duplicate {
            field: "credit_code",
            message: "统一社会信用代码已存在，该企业已登记".into(),
        },
        _ => e,
    }
}

async fn write_sectors(tx: &mut Tx, id: i64, sectors: &[String]) -> Result<(), StoreError> {
    Q::new("DELETE FROM enterprise_sector WHERE enterprise_id = ").bind(id).execute(&mut *tx.tx).await?;
    for s in sectors {
        Q::new("INSERT INTO enterprise_sector (enterprise_id, sector) VALUES (")
            .bind(id)
            .push(", ")
            .bind(s)
            .push(")")
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

fn audit_view(e: &Enterprise) -> serde_json::Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in ["created_at", "updated_at", "version", "jurisdiction_name", "grid_name", "allowed_actions"] {
            o.remove(k);
        }
    }
    v
}

/// Creates an enterprise within the caller's scope.
pub async fn enterprise_create(store: &Store, p: &Principal, draft: EnterpriseDraft) -> Result<Enterprise, StoreError> {
    p.require(Action::CreateEnterprise)?;
    let department_sectors = match &p.scope {
        Scope::Sectors { sectors, .. } => Some(sectors.as_slice()),
        _ => None,
    };
    let valid = draft.validate_new(department_sectors).map_err(StoreError::Invalid)?;
    let placement = resolve_placement(store, &p.scope, valid.draft.jurisdiction_id, valid.draft.grid_id).await?;
    let mut tx = store.begin().await?;
    let mut e = insert_enterprise(&mut tx, &p.actor(), &valid, &placement).await?;
    e.allowed_actions = p.role.allowed_of(&ENTERPRISE_ACTIONS);
    tx.commit().await?;
    Ok(e)
}

/// Inserts a validated enterprise at a jurisdiction and grid (demo generator; no scope check).
pub(crate) async fn insert_enterprise_in(
    tx: &mut Tx,
    actor: &Actor,
    v: &ValidEnterprise,
    store: &Store,
    jurisdiction_id: i64,
    grid_id: Option<i64>,
) -> Result<Enterprise, StoreError> {
    let pl = resolve_placement(store, &Scope::All, jurisdiction_id, grid_id).await?;
    insert_enterprise(tx, actor, v, &pl).await
}

async fn insert_enterprise(
    tx: &mut Tx,
    actor: &Actor,
    v: &ValidEnterprise,
    pl: &Placement,
) -> Result<Enterprise, StoreError> {
    let d = &v.draft;
    let ts = now();
    let mut q = Q::new("INSERT INTO enterprise (name, credit_code, address, longitude, latitude, coord_system, jurisdiction_id, grid_id, scope_path, sectors, above_scale, key_enterprise, employees, legal_representative, safety_manager, contact_phone, created_at, updated_at) VALUES (");
    q.bind(d.name.as_str()).push(", ").bind(v.credit_code.as_str()).push(", ").bind(d.address.as_str());
    q.push(", ").bind(d.longitude).push(", ").bind(d.latitude).push(", ").bind(v.coord_system.as_str());
    q.push(", ")
        .bind(pl.jurisdiction.id)
        .push(", ")
        .bind(pl.grid.as_ref().map(|g| g.id))
        .push(", ")
        .bind(pl.scope_path());
    q.push(", ").bind(serde_json::to_string(&d.sectors).unwrap_or_default()).push(", ").bind(d.above_scale);
    q.push(", ").bind(d.key_enterprise).push(", ").bind(d.employees).push(", ").bind(d.legal_representative.as_str());
    q.push(", ").bind(d.safety_manager.as_str()).push(", ").bind(d.contact_phone.as_str());
    q.push(", ").bind(ts.as_str()).push(", ").bind(ts.as_str()).push(") RETURNING id");
    let id: i64 = q.fetch_one(&mut *tx.tx).await.map_err(enterprise_conflict)?.try_get("id")?;
    write_sectors(tx, id, &d.sectors).await?;
    let e = enterprise_of(id, v, pl, 1, ts.clone(), ts);
    audit::record(
        tx,
        actor,
        Change::created("enterprise", id, &e.scope_path, format!("新增企业「{}」", e.name)).after(audit_view(&e)),
    )
    .await?;
    Ok(e)
}

pub async fn enterprise_update(
    store: &Store,
    p: &Principal,
    id: i64,
    patch: EnterprisePatch,
) -> Result<Enterprise, StoreError> {
    let before = enterprise_get(store, p, id).await?;
    p.require(Action::UpdateEnterprise)?;
    let moves = patch.jurisdiction_id.is_some_and(|j| j != before.jurisdiction_id)
        || patch.grid_id.is_some_and(|g| Some(g) != before.grid_id)
        || patch.key_enterprise.is_some_and(|k| k != before.key_enterprise)
        || patch.credit_code.as_ref().is_some_and(|c| c.trim() != before.credit_code);
    if moves {
        p.require(anjian_domain::auth::Action::UpdateEnterprisePlacement)?;
    }
    let b = before.clone();
    let draft = EnterpriseDraft {
        name: patch.name.unwrap_or(b.name),
        credit_code: patch.credit_code.unwrap_or(b.credit_code),
        address: patch.address.unwrap_or(b.address),
        longitude: patch.longitude.or(b.longitude),
        latitude: patch.latitude.or(b.latitude),
        coord_system: Some(patch.coord_system.unwrap_or(b.coord_system)),
        jurisdiction_id: patch.jurisdiction_id.unwrap_or(b.jurisdiction_id),
        grid_id: patch.grid_id.or(b.grid_id),
        sectors: patch.sectors.unwrap_or(b.sectors),
        above_scale: patch.above_scale.unwrap_or(b.above_scale),
        key_enterprise: patch.key_enterprise.unwrap_or(b.key_enterprise),
        employees: patch.employees.unwrap_or(b.employees),
        legal_representative: patch.legal_representative.unwrap_or(b.legal_representative),
        safety_manager: patch.safety_manager.unwrap_or(b.safety_manager),
        contact_phone: patch.contact_phone.unwrap_or(b.contact_phone),
    };
    let v = draft.validate().map_err(StoreError::Invalid)?;
    let pl = resolve_placement(store, &p.scope, v.draft.jurisdiction_id, v.draft.grid_id).await?;
    let d = &v.draft;
    let ts = now();
    let mut tx = store.begin().await?;
    let mut q = Q::new("UPDATE enterprise SET name = ");
    q.bind(d.name.as_str())
        .push(", credit_code = ")
        .bind(v.credit_code.as_str())
        .push(", address = ")
        .bind(d.address.as_str());
    q.push(", longitude = ").bind(d.longitude).push(", latitude = ").bind(d.latitude);
    q.push(", coord_system = ").bind(v.coord_system.as_str()).push(", jurisdiction_id = ").bind(pl.jurisdiction.id);
    q.push(", grid_id = ").bind(pl.grid.as_ref().map(|g| g.id)).push(", scope_path = ").bind(pl.scope_path());
    q.push(", sectors = ").bind(serde_json::to_string(&d.sectors).unwrap_or_default());
    q.push(", above_scale = ").bind(d.above_scale).push(", key_enterprise = ").bind(d.key_enterprise);
    q.push(", employees = ").bind(d.employees).push(", legal_representative = ").bind(d.legal_representative.as_str());
    q.push(", safety_manager = ")
        .bind(d.safety_manager.as_str())
        .push(", contact_phone = ")
        .bind(d.contact_phone.as_str());
    q.push(", version = version + 1, updated_at = ").bind(ts.as_str());
    q.push(" WHERE id = ").bind(id).push(" AND version = ").bind(patch.version);
    if q.execute(&mut *tx.tx).await.map_err(enterprise_conflict)? == 0 {
        return Err(stale());
    }
    write_sectors(&mut tx, id, &d.sectors).await?;
    // Its registers move with it; its records stay where they happened (scope::MOVES_WITH_ENTERPRISE).
    let sector = d.sectors.first().map(String::as_str).unwrap_or("");
    crate::scope::move_enterprise_rows(&mut tx, id, pl.scope_path(), sector).await?;
    let after = enterprise_of(id, &v, &pl, before.version + 1, before.created_at.clone(), ts);
    audit::record(
        &mut tx,
        &p.actor(),
        Change::updated("enterprise", id, &before.scope_path, format!("修改企业「{}」", before.name))
            .before(audit_view(&before))
            .after(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(Enterprise { allowed_actions: before.allowed_actions, ..after })
}

pub async fn enterprise_delete(store: &Store, p: &Principal, id: i64, version: i64) -> Result<(), StoreError> {
    let e = enterprise_get(store, p, id).await?;
    p.require(Action::DeleteEnterprise)?;
    let mut tx = store.begin().await?;
    let n = accounts_of(&mut tx, "enterprise", id).await?;
    if n > 0 {
        return Err(StoreError::Conflict(format!("企业「{}」还有{n}个用户账号，请先删除或调整账号", e.name)));
    }
    delete_versioned(&mut tx, "enterprise", id, version).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("enterprise", id, &e.scope_path, format!("删除企业「{}」", e.name)).before(audit_view(&e)),
    )
    .await?;
    tx.commit().await
}

// ---------------------------------------------------------------- import

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

async fn check_import_row(
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
struct JurisdictionNames {
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
