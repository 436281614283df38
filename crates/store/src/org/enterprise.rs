//! 企业: the supervised enterprises, their placement in the tree, scoped lists, writes with audit.

use super::*;

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
    /// 最近现场检查/巡查日期 (YYYY-MM-DD; none: never visited)
    pub last_visit_day: Option<String>,
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
#[serde(deny_unknown_fields)]
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
    /// 已开通账号: the enterprise has an active account (one without gets its notices through
    /// its station, and its regulators record its steps)
    pub has_account: Option<bool>,
    /// 本周巡查: not visited on site (检查, 巡查) within this many days, or never (1–366)
    #[param(minimum = 1, maximum = 366)]
    pub not_visited_days: Option<i64>,
}

/// The org area's to-dos (see `crate::todo`): for the committee and the administrator, the
/// enterprises without an account — their notices go to their station, so someone should open
/// one; for the grid inspector and the station, the enterprises not visited on site for a week
/// (本周巡查: `domain::checklist::PATROL_INTERVAL_DAYS`).
pub async fn todos(store: &Store, p: &Principal, at: jiff::Timestamp) -> Result<Vec<crate::todo::Todo>, StoreError> {
    use crate::todo::{TodoDef, Tone};
    const WITHOUT_ACCOUNT: TodoDef = TodoDef {
        key: "org.enterprises_without_account",
        label: "企业未开通账号",
        tone: Tone::Primary,
        path: "/enterprises",
        query: "has_account=false",
    };
    const NOT_VISITED: TodoDef = TodoDef {
        key: "org.not_visited",
        label: "本周待巡查企业（7天未巡查）",
        tone: Tone::Warning,
        path: "/enterprises",
        query: "not_visited_days=7",
    };
    let defs: &[TodoDef] = match p.role {
        Role::Committee | Role::Admin => &[WITHOUT_ACCOUNT],
        Role::Grid | Role::Station => &[NOT_VISITED],
        _ => &[],
    };
    let mut out = vec![];
    for def in defs {
        let f: EnterpriseFilter = def.filter()?;
        let page = enterprise_list(store, p, &f, PageReq::total_only(), at).await?;
        out.push(def.counted("组织机构", page.total, page.total_capped));
    }
    Ok(out)
}

pub(super) const ENTERPRISE_SELECT: &str = "SELECT e.*, j.name AS jurisdiction_name, g.name AS grid_name FROM enterprise e JOIN jurisdiction j ON j.id = e.jurisdiction_id LEFT JOIN jurisdiction g ON g.id = e.grid_id";

impl Keyed for Enterprise {
    fn key(&self) -> i64 {
        self.id
    }
}

pub(super) fn row_to_enterprise(r: &AnyRow, role: Role) -> Result<Enterprise, StoreError> {
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
        last_visit_day: r.try_get("last_visit_day")?,
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

/// Records on-site visits (现场检查, 巡查) of enterprises on business days: each keeps its latest,
/// one update per day visited.
pub(crate) async fn mark_visited(tx: &mut crate::Tx, visits: &[(i64, jiff::civil::Date)]) -> Result<(), StoreError> {
    // Each enterprise once, at its latest day (one row is changed by one statement only).
    let mut latest: std::collections::BTreeMap<i64, jiff::civil::Date> = Default::default();
    for (e, d) in visits {
        let day = latest.entry(*e).or_insert(*d);
        *day = (*day).max(*d);
    }
    let mut days: std::collections::BTreeMap<jiff::civil::Date, Vec<i64>> = Default::default();
    for (e, d) in latest {
        days.entry(d).or_default().push(e);
    }
    for (day, ids) in days {
        let day = day.to_string();
        let mut q = Q::new("UPDATE enterprise SET last_visit_day = ");
        q.bind(day.as_str()).push(" WHERE id IN ").bind_list(&ids);
        q.push(" AND (last_visit_day IS NULL OR last_visit_day < ").bind(day.as_str()).push(")");
        tx.write_later(q).await?;
    }
    Ok(())
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
    at: jiff::Timestamp,
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
    if let Some(has) = f.has_account {
        w.push(if has { " AND EXISTS" } else { " AND NOT EXISTS" });
        w.push(" (SELECT 1 FROM app_user u WHERE u.org_kind = 'enterprise' AND u.org_id = e.id AND u.active = 1)");
    }
    if let Some(n) = f.not_visited_days {
        if !(1..=366).contains(&n) {
            return Err(StoreError::invalid("not_visited_days", "未巡查天数应在 1 到 366 之间"));
        }
        let today = store.calendar().await?.date_of(at.into());
        let since = today.checked_sub(jiff::Span::new().days(n - 1)).map_err(|e| StoreError::Config(e.to_string()))?;
        w.push(" AND (e.last_visit_day IS NULL OR e.last_visit_day < ").bind(since.to_string()).push(")");
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
pub(super) struct Placement {
    jurisdiction: Jurisdiction,
    grid: Option<Jurisdiction>,
}

impl Placement {
    fn scope_path(&self) -> &str {
        self.grid.as_ref().map(|g| g.path.as_str()).unwrap_or(&self.jurisdiction.path)
    }
}

/// Checks that the jurisdiction and grid exist, nest, and lie inside the caller's scope.
pub(super) async fn resolve_placement(
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
pub(super) fn enterprise_of(
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
        // kept by the visits, not by the enterprise's own data
        last_visit_day: None,
        version,
        created_at,
        updated_at,
        // Set for the caller by the functions that answer it.
        allowed_actions: vec![],
        scope_path: pl.scope_path().to_string(),
    }
}

pub(super) fn enterprise_conflict(e: StoreError) -> StoreError {
    match e.unique_violation() {
        Some(m) if m.contains("credit_code") => StoreError::Duplicate {
            field: "credit_code",
            message: "统一社会信用代码已存在，该企业已登记".into(),
        },
        _ => e,
    }
}

pub(super) async fn write_sectors(tx: &mut Tx, id: i64, sectors: &[String]) -> Result<(), StoreError> {
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

pub(super) fn audit_view(e: &Enterprise) -> serde_json::Value {
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
    let valid = draft.validate_new(p.department_sectors()).map_err(StoreError::Invalid)?;
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

pub(super) async fn insert_enterprise(
    tx: &mut Tx,
    actor: &Actor,
    v: &ValidEnterprise,
    pl: &Placement,
) -> Result<Enterprise, StoreError> {
    let d = &v.draft;
    let ts = now();
    let q = Insert::into("enterprise")
        .set("name", d.name.as_str())
        .set("credit_code", v.credit_code.as_str())
        .set("address", d.address.as_str())
        .set("longitude", d.longitude)
        .set("latitude", d.latitude)
        .set("coord_system", v.coord_system.as_str())
        .set("jurisdiction_id", pl.jurisdiction.id)
        .set("grid_id", pl.grid.as_ref().map(|g| g.id))
        .set("scope_path", pl.scope_path())
        .set("sectors", serde_json::to_string(&d.sectors).unwrap_or_default())
        .set("above_scale", d.above_scale)
        .set("key_enterprise", d.key_enterprise)
        .set("employees", d.employees)
        .set("legal_representative", d.legal_representative.as_str())
        .set("safety_manager", d.safety_manager.as_str())
        .set("contact_phone", d.contact_phone.as_str())
        .stamped(&ts)
        .returning_id();
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
    let was = Supervision {
        jurisdiction_id: before.jurisdiction_id,
        grid_id: before.grid_id,
        sectors: &before.sectors,
        key_enterprise: before.key_enterprise,
        above_scale: before.above_scale,
        credit_code: &before.credit_code,
    };
    if was.moved_by(&draft.supervision()) {
        p.require(Action::UpdateEnterprisePlacement)?;
    }
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
    let after = Enterprise {
        last_visit_day: before.last_visit_day.clone(),
        ..enterprise_of(id, &v, &pl, before.version + 1, before.created_at.clone(), ts)
    };
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
