//! Major hazard sources (重大危险源): an enterprise's identification units, identified and graded
//! per GB 18218-2018 by the domain when saved; scoped like the enterprise's other records.

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::org::{delete_versioned, enterprise_get, stale};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::scope::push_owned_scope;
use crate::{now, Principal, Store, StoreError};
use anjian_domain::auth::{Action, Role, MAJOR_HAZARD_ACTIONS};
use anjian_domain::major_hazard::ValidSource;
pub use anjian_domain::major_hazard::{SourceInput, SourcePatch};
use anjian_domain::risk::{SubstanceInput, Term, UnitKind};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// 重大危险源 (or a unit that is not one) as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MajorHazardSource {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// 单元名称, e.g. 液氯储罐区
    pub name: String,
    pub unit_kind: UnitKind,
    #[schema(value_type = Vec<Object>)]
    pub substances: Vec<serde_json::Value>,
    pub exposed_people: i64,
    pub s: f64,
    pub r: f64,
    pub alpha: f64,
    pub is_major: bool,
    /// 一级…四级
    pub grade: Option<String>,
    pub terms: Vec<Term>,
    pub version: i64,
    pub updated_at: String,
    /// What the caller may do to it (the permission table, `domain::auth`)
    pub allowed_actions: Vec<Action>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceFilter {
    pub enterprise_id: Option<i64>,
    /// Only units that are major hazard sources
    pub is_major: Option<bool>,
    /// 一级 / 二级 / 三级 / 四级
    pub grade: Option<String>,
}

const SELECT: &str =
    "SELECT h.*, e.name AS enterprise_name FROM major_hazard_source h JOIN enterprise e ON e.id = h.enterprise_id";

fn row_to_source(r: &AnyRow, role: Role) -> Result<MajorHazardSource, StoreError> {
    let kind: String = r.try_get("unit_kind")?;
    Ok(MajorHazardSource {
        id: r.try_get("id")?,
        enterprise_id: r.try_get("enterprise_id")?,
        enterprise_name: r.try_get("enterprise_name")?,
        name: r.try_get("name")?,
        unit_kind: if kind == "production" { UnitKind::Production } else { UnitKind::Storage },
        substances: serde_json::from_str(&r.try_get::<String, _>("substances")?).unwrap_or_default(),
        exposed_people: r.try_get("exposed_people")?,
        s: r.try_get("s")?,
        r: r.try_get("r")?,
        alpha: r.try_get("alpha")?,
        is_major: r.try_get::<i64, _>("is_major")? != 0,
        grade: r.try_get("grade")?,
        terms: serde_json::from_str(&r.try_get::<String, _>("terms")?).unwrap_or_default(),
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        allowed_actions: role.allowed_of(&MAJOR_HAZARD_ACTIONS),
    })
}

fn kind_str(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Production => "production",
        UnitKind::Storage => "storage",
    }
}

fn substances_json(s: &[SubstanceInput]) -> String {
    serde_json::to_string(
        &s.iter().map(|x| serde_json::json!({"name": x.name, "cas": x.cas, "category": x.category, "quantity_t": x.quantity_t})).collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

pub async fn list(
    store: &Store,
    p: &Principal,
    f: &SourceFilter,
    page: PageReq,
) -> Result<Page<MajorHazardSource>, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_owned_scope(&mut w, &p.scope);
    if let Some(e) = f.enterprise_id {
        w.push(" AND h.enterprise_id = ").bind(e);
    }
    if let Some(m) = f.is_major {
        w.push(" AND h.is_major = ").bind(m);
    }
    if let Some(g) = f.grade.as_deref().filter(|g| !g.is_empty()) {
        w.push(" AND h.grade = ").bind(g);
    }
    const LIST: Keyset =
        Keyset { select: SELECT, count_from: "FROM major_hazard_source h", id: "h.id", descending: false };
    LIST.page(store, &w, page, |r| row_to_source(r, p.role)).await
}

impl Keyed for MajorHazardSource {
    fn key(&self) -> i64 {
        self.id
    }
}

pub async fn get(store: &Store, p: &Principal, id: i64) -> Result<MajorHazardSource, StoreError> {
    let mut q = Q::new(SELECT);
    q.push(" WHERE h.id = ").bind(id);
    push_owned_scope(&mut q, &p.scope);
    row_to_source(&q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?, p.role)
}

/// Writes a validated unit (insert when `id` is None) with its assessment and audit record.
pub(crate) async fn write(
    tx: &mut crate::Tx,
    actor: &crate::Actor,
    ent: (i64, &str, &str, &str),
    id_version: Option<(i64, i64)>,
    i: &ValidSource,
) -> Result<i64, StoreError> {
    let a = &i.result;
    let ts = now();
    let terms = serde_json::to_string(&a.terms).unwrap_or_default();
    let id = match id_version {
        None => {
            let q = Insert::into("major_hazard_source")
                .set("enterprise_id", ent.0)
                .set("scope_path", ent.2)
                .set("sector", ent.3)
                .set("name", i.name.as_str())
                .set("unit_kind", kind_str(i.unit_kind))
                .set("substances", substances_json(&i.substances))
                .set("exposed_people", i.exposed_people)
                .set("s", Some(a.s))
                .set("r", Some(a.r))
                .set("alpha", Some(a.alpha))
                .set("is_major", a.is_major)
                .set("grade", a.grade.clone())
                .set("terms", terms)
                .stamped(&ts)
                .returning_id();
            q.fetch_one(&mut *tx.tx).await?.try_get("id")?
        }
        Some((id, version)) => {
            let mut q = Q::new("UPDATE major_hazard_source SET name = ");
            q.bind(i.name.as_str())
                .push(", unit_kind = ")
                .bind(kind_str(i.unit_kind))
                .push(", substances = ")
                .bind(substances_json(&i.substances));
            q.push(", exposed_people = ")
                .bind(i.exposed_people)
                .push(", s = ")
                .bind(Some(a.s))
                .push(", r = ")
                .bind(Some(a.r));
            q.push(", alpha = ")
                .bind(Some(a.alpha))
                .push(", is_major = ")
                .bind(a.is_major)
                .push(", grade = ")
                .bind(a.grade.clone());
            q.push(", terms = ").bind(terms).push(", version = version + 1, updated_at = ").bind(ts.as_str());
            q.push(" WHERE id = ").bind(id).push(" AND version = ").bind(version);
            if q.execute(&mut *tx.tx).await? == 0 {
                return Err(stale());
            }
            id
        }
    };
    audit::record(
        tx,
        actor,
        Change::new(
            if id_version.is_none() { "create" } else { "update" },
            "major_hazard_source",
            Some(id),
            ent.2,
            format!(
                "{}「{}」（{}）：S={:.3}，{}",
                if id_version.is_none() { "登记辨识单元" } else { "修改辨识单元" },
                i.name.as_str(),
                ent.1,
                a.s,
                match &a.grade {
                    Some(g) => format!("构成{g}重大危险源，R={:.2}", a.r),
                    None => "不构成重大危险源".into(),
                }
            ),
        )
        .after(serde_json::json!({"s": a.s, "r": a.r, "grade": a.grade, "substances": substances_json(&i.substances)})),
    )
    .await?;
    Ok(id)
}

pub async fn create(store: &Store, p: &Principal, i: SourceInput) -> Result<MajorHazardSource, StoreError> {
    p.require(Action::WriteMajorHazard)?;
    let ent = enterprise_get(store, p, i.enterprise_id)
        .await
        .map_err(|_| StoreError::invalid("enterprise_id", "企业不存在或不在您的管辖范围内"))?;
    let i = i.validate().map_err(StoreError::Invalid)?;
    let mut tx = store.begin().await?;
    let sector = ent.sectors.first().cloned().unwrap_or_default();
    let id = write(&mut tx, &p.actor(), (ent.id, &ent.name, &ent.scope_path, &sector), None, &i).await?;
    tx.commit().await?;
    get(store, p, id).await
}

pub async fn update(
    store: &Store,
    p: &Principal,
    id: i64,
    patch: SourcePatch,
) -> Result<MajorHazardSource, StoreError> {
    let before = get(store, p, id).await?;
    p.require(Action::WriteMajorHazard)?;
    let ent = enterprise_get(store, p, before.enterprise_id).await?;
    let now_input = SourceInput {
        enterprise_id: before.enterprise_id,
        name: before.name,
        unit_kind: before.unit_kind,
        substances: serde_json::from_value(serde_json::Value::Array(before.substances)).unwrap_or_default(),
        exposed_people: before.exposed_people,
    };
    let version = patch.version;
    let i = patch.apply_to(now_input).validate().map_err(StoreError::Invalid)?;
    let mut tx = store.begin().await?;
    let sector = ent.sectors.first().cloned().unwrap_or_default();
    write(&mut tx, &p.actor(), (ent.id, &ent.name, &ent.scope_path, &sector), Some((id, version)), &i).await?;
    tx.commit().await?;
    get(store, p, id).await
}

pub async fn delete(store: &Store, p: &Principal, id: i64, version: i64) -> Result<(), StoreError> {
    let s = get(store, p, id).await?;
    p.require(Action::WriteMajorHazard)?;
    let ent = enterprise_get(store, p, s.enterprise_id).await?;
    let mut tx = store.begin().await?;
    delete_versioned(&mut tx, "major_hazard_source", id, version).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("major_hazard_source", id, &ent.scope_path, format!("删除辨识单元「{}」", s.name))
            .before(serde_json::json!({"s": s.s, "grade": s.grade})),
    )
    .await?;
    tx.commit().await
}
