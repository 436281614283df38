//! 行业监管部门 and the sectors each supervises.

use super::*;

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

pub(super) const DEPARTMENT_SELECT: &str =
    "SELECT d.*, j.name AS jurisdiction_name, j.path AS jurisdiction_path FROM department d JOIN jurisdiction j ON j.id = d.jurisdiction_id";

pub(super) fn row_to_department(r: &AnyRow) -> Result<(Department, String), StoreError> {
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

pub(super) async fn department_get_with_path(
    store: &Store,
    p: &Principal,
    id: i64,
) -> Result<(Department, String), StoreError> {
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

pub(super) fn department_conflict(e: StoreError) -> StoreError {
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
    let q = Insert::into("department")
        .set("jurisdiction_id", j.id)
        .set("name", name.as_str())
        .set("sectors", serde_json::to_string(&sectors).unwrap_or_default())
        .stamped(&ts)
        .returning_id();
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
