//! Risk points (风险点) within scope. The enterprise's level (企业风险等级) is in `enterprise`,
//! the statistics in `stats`, the district's rules and bands in `settings`.

mod enterprise;
mod settings;
mod stats;

pub use enterprise::*;
pub use settings::*;
pub use stats::*;

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::org::{enterprise_get, push_enterprise_scope, stale};
use crate::page::{finish, Keyset, Page, PageReq};
use crate::scope::push_owned_scope;
use crate::{now, Principal, Store, StoreError};
use anjian_domain::auth::{Action, Role, RISK_POINT_ACTIONS};
use anjian_domain::risk::{effective_level, enterprise_level, BandSet, ControlMeasures, RiskLevel, RiskRules, Scores};
pub use anjian_domain::risk_point::{OverrideBody, RiskPointInput, RiskPointPatch};
use anjian_domain::risk_point::{ValidOverride, ValidRiskPoint};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// 风险点 as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskPoint {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub name: String,
    /// 场所 / 工艺 / 设备
    pub kind: String,
    pub location: String,
    /// 危险有害因素
    pub hazard_factors: String,
    /// GB 6441 事故类型
    pub accident_types: Vec<String>,
    pub measures: ControlMeasures,
    pub responsible: String,
    /// 公司 / 车间 / 班组 / 岗位
    pub control_level: String,
    pub scores: Scores,
    pub score: f64,
    /// 评价等级
    pub assessed_level: RiskLevel,
    /// 当前等级 (动态: raised by an open linked 重大 hazard)
    pub level: RiskLevel,
    pub color: String,
    pub level_reason: Option<String>,
    /// 下次评审日期
    pub next_review: String,
    pub review_overdue: bool,
    pub version: i64,
    pub updated_at: String,
    /// What the caller may do to it (the permission table, `domain::auth`)
    pub allowed_actions: Vec<Action>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskPointFilter {
    pub enterprise_id: Option<i64>,
    /// 评价等级
    pub level: Option<RiskLevel>,
    /// 评审逾期
    pub review_overdue: Option<bool>,
    pub q: Option<String>,
}

const SELECT: &str =
    "SELECT h.*, e.name AS enterprise_name FROM risk_point h JOIN enterprise e ON e.id = h.enterprise_id";

/// Open 重大 hazards linked to each of these points (the rule of 动态风险).
async fn open_major_by_point(store: &Store, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut q = Q::new(concat!(
        "SELECT risk_point_id, number FROM hazard WHERE grade = '重大' AND state IN ",
        crate::open_states!(),
        " AND risk_point_id IN "
    ));
    q.bind_list(ids).push(" ORDER BY id");
    q.fetch_all(store.pool()).await?.iter().map(|r| Ok((r.try_get("risk_point_id")?, r.try_get("number")?))).collect()
}

fn row_to_point(
    r: &AnyRow,
    majors: &[(i64, String)],
    dynamic: bool,
    today: &str,
    role: Role,
) -> Result<RiskPoint, StoreError> {
    let id: i64 = r.try_get("id")?;
    let stored: String = r.try_get("level")?;
    let assessed =
        RiskLevel::parse(&stored).ok_or_else(|| StoreError::Config(format!("未知的风险等级「{stored}」")))?;
    let linked: Vec<String> = majors.iter().filter(|(p, _)| *p == id).map(|m| m.1.clone()).collect();
    let (level, reason) = effective_level(assessed, &linked, dynamic);
    let next_review: String = r.try_get("next_review")?;
    Ok(RiskPoint {
        id,
        enterprise_id: r.try_get("enterprise_id")?,
        enterprise_name: r.try_get("enterprise_name")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        location: r.try_get("location")?,
        hazard_factors: r.try_get("hazard_factors")?,
        accident_types: serde_json::from_str(&r.try_get::<String, _>("accident_types")?).unwrap_or_default(),
        measures: serde_json::from_str(&r.try_get::<String, _>("measures")?).unwrap_or_default(),
        responsible: r.try_get("responsible")?,
        control_level: r.try_get("control_level")?,
        scores: serde_json::from_str(&r.try_get::<String, _>("scores")?)
            .map_err(|e| StoreError::Config(e.to_string()))?,
        score: r.try_get("score")?,
        assessed_level: assessed,
        level,
        color: level.color().into(),
        level_reason: reason,
        review_overdue: next_review.as_str() < today,
        next_review,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        allowed_actions: role.allowed_of(&RISK_POINT_ACTIONS),
    })
}

async fn rows_to_points(
    store: &Store,
    p: &Principal,
    rows: &[AnyRow],
    today: &str,
) -> Result<Vec<RiskPoint>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let dynamic = rules(store).await?.dynamic_level;
    let majors = if dynamic { open_major_by_point(store, &ids).await? } else { vec![] };
    rows.iter().map(|r| row_to_point(r, &majors, dynamic, today, p.role)).collect()
}

pub async fn list(
    store: &Store,
    p: &Principal,
    f: &RiskPointFilter,
    page: PageReq,
    today: &str,
) -> Result<Page<RiskPoint>, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_owned_scope(&mut w, &p.scope);
    if let Some(e) = f.enterprise_id {
        w.push(" AND h.enterprise_id = ").bind(e);
    }
    if let Some(l) = f.level {
        w.push(" AND h.level = ").bind(l.as_str());
    }
    match f.review_overdue {
        Some(true) => {
            w.push(" AND h.next_review < ").bind(today);
        }
        Some(false) => {
            w.push(" AND h.next_review >= ").bind(today);
        }
        None => {}
    }
    if let Some(s) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.push(" AND (").push_contains("h.name", s).push(" OR ").push_contains("h.location", s).push(")");
    }
    const LIST: Keyset = Keyset { select: SELECT, count_from: "FROM risk_point h", id: "h.id", descending: false };
    // Points are read in one go per page: their dynamic level needs the open 重大 hazards of all.
    let (rows, total) = LIST.rows(store, &w, page.clone()).await?;
    Ok(finish(rows_to_points(store, p, &rows, today).await?, page, total, |p| p.id))
}

pub async fn get(store: &Store, p: &Principal, id: i64, today: &str) -> Result<RiskPoint, StoreError> {
    let mut q = Q::new(SELECT);
    q.push(" WHERE h.id = ").bind(id);
    push_owned_scope(&mut q, &p.scope);
    let row = q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    Ok(rows_to_points(store, p, &[row], today).await?.remove(0))
}

pub async fn create(store: &Store, p: &Principal, i: RiskPointInput, today: &str) -> Result<RiskPoint, StoreError> {
    p.require(Action::WriteRiskPoint)?;
    let ent = enterprise_get(store, p, i.enterprise_id)
        .await
        .map_err(|_| StoreError::invalid("enterprise_id", "企业不存在或不在您的管辖范围内"))?;
    let (bands, _) = bands_at(store, &ent.scope_path).await?;
    let v = i.validate(&bands).map_err(StoreError::Invalid)?;
    let mut tx = store.begin().await?;
    let id = insert_point(
        &mut tx,
        &p.actor(),
        (ent.id, &ent.name, &ent.scope_path, ent.sectors.first().map(String::as_str).unwrap_or("")),
        &v,
    )
    .await?;
    tx.commit().await?;
    get(store, p, id, today).await
}

/// Inserts a validated point with its audit record in the caller's transaction.
/// `ent` is (id, name, scope path, sector).
pub(crate) async fn insert_point(
    tx: &mut crate::Tx,
    actor: &crate::Actor,
    ent: (i64, &str, &str, &str),
    i: &ValidRiskPoint,
) -> Result<i64, StoreError> {
    let ts = now();
    let a = &i.assessment;
    let q = Insert::into("risk_point")
        .set("enterprise_id", ent.0)
        .set("scope_path", ent.2)
        .set("sector", ent.3)
        .set("name", i.name.as_str())
        .set("kind", i.kind.as_str())
        .set("location", i.location.as_str())
        .set("hazard_factors", i.hazard_factors.as_str())
        .set("accident_types", serde_json::to_string(&i.accident_types).unwrap_or_default())
        .set("measures", serde_json::to_string(&i.measures).unwrap_or_default())
        .set("responsible", i.responsible.as_str())
        .set("control_level", i.control_level.as_str())
        .set("method", i.scores.method())
        .set("scores", serde_json::to_string(&i.scores).unwrap_or_default())
        .set("score", Some(a.score))
        .set("level", a.level.as_str())
        .set("next_review", i.next_review.to_string())
        .stamped(&ts)
        .returning_id();
    let id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("id")?;
    audit::record(
        tx,
        actor,
        Change::created(
            "risk_point",
            id,
            ent.2,
            format!("新增风险点「{}」（{}，{}风险）", i.name, ent.1, a.level.as_str()),
        )
        .after(serde_json::json!({"name": i.name, "scores": i.scores, "score": a.score, "level": a.level})),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    store: &Store,
    p: &Principal,
    id: i64,
    patch: RiskPointPatch,
    today: &str,
) -> Result<RiskPoint, StoreError> {
    let before = get(store, p, id, today).await?;
    p.require(Action::WriteRiskPoint)?;
    let b = before.clone();
    let version = patch.version;
    let now_input = RiskPointInput {
        enterprise_id: b.enterprise_id,
        name: b.name,
        kind: b.kind,
        location: b.location,
        hazard_factors: b.hazard_factors,
        accident_types: b.accident_types,
        measures: b.measures,
        responsible: b.responsible,
        control_level: b.control_level,
        scores: b.scores,
        next_review: b.next_review,
    };
    let path: String = Q::new("SELECT scope_path FROM risk_point WHERE id = ")
        .bind(id)
        .fetch_one(store.pool())
        .await?
        .try_get("scope_path")?;
    let (bands, _) = bands_at(store, &path).await?;
    let i = patch.apply_to(now_input).validate(&bands).map_err(StoreError::Invalid)?;
    let a = &i.assessment;
    let mut tx = store.begin().await?;
    let mut q = Q::new("UPDATE risk_point SET name = ");
    q.bind(i.name.as_str()).push(", kind = ").bind(i.kind.as_str()).push(", location = ").bind(i.location.as_str());
    q.push(", hazard_factors = ").bind(i.hazard_factors.as_str());
    q.push(", accident_types = ").bind(serde_json::to_string(&i.accident_types).unwrap_or_default());
    q.push(", measures = ").bind(serde_json::to_string(&i.measures).unwrap_or_default());
    q.push(", responsible = ").bind(i.responsible.as_str()).push(", control_level = ").bind(i.control_level.as_str());
    q.push(", method = ").bind(i.scores.method());
    q.push(", scores = ")
        .bind(serde_json::to_string(&i.scores).unwrap_or_default())
        .push(", score = ")
        .bind(Some(a.score));
    q.push(", level = ").bind(a.level.as_str()).push(", next_review = ").bind(i.next_review.to_string());
    q.push(", version = version + 1, updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version);
    if q.execute(&mut *tx.tx).await? == 0 {
        return Err(stale());
    }
    let path: String = Q::new("SELECT scope_path FROM risk_point WHERE id = ")
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("scope_path")?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::updated("risk_point", id, &path, format!("修改风险点「{}」：{}→{}风险", before.name, before.assessed_level.as_str(), a.level.as_str())).before(serde_json::json!({"scores": before.scores, "level": before.assessed_level, "next_review": before.next_review})).after(serde_json::json!({"scores": i.scores, "level": a.level, "next_review": i.next_review.to_string()})),
    )
    .await?;
    tx.commit().await?;
    get(store, p, id, today).await
}

pub async fn delete(store: &Store, p: &Principal, id: i64, version: i64, today: &str) -> Result<(), StoreError> {
    let point = get(store, p, id, today).await?;
    p.require(Action::WriteRiskPoint)?;
    let mut tx = store.begin().await?;
    Q::new("UPDATE hazard SET risk_point_id = NULL WHERE risk_point_id = ").bind(id).execute(&mut *tx.tx).await?;
    crate::org::delete_versioned(&mut tx, "risk_point", id, version).await?;
    let ent = enterprise_get(store, p, point.enterprise_id).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("risk_point", id, &ent.scope_path, format!("删除风险点「{}」", point.name))
            .before(serde_json::json!({"name": point.name, "level": point.assessed_level})),
    )
    .await?;
    tx.commit().await
}

/// The risk area's to-dos on the 工作台 (see `crate::todo`): points whose review is overdue
/// (评审逾期), for the enterprise its own, for the supervising roles those in their scope.
pub async fn todos(store: &Store, p: &Principal, at: jiff::Timestamp) -> Result<Vec<crate::todo::Todo>, StoreError> {
    use crate::todo::{TodoDef, Tone};
    let label = match p.role {
        Role::Expert => return Ok(vec![]),
        Role::Enterprise => "风险点待评审（已逾期）",
        _ => "评审逾期风险点",
    };
    let def = TodoDef {
        key: "risk.review_overdue",
        label,
        tone: Tone::Warning,
        path: "/risk/points",
        query: "review_overdue=true",
    };
    let today = store.calendar().await?.date_of(at.into()).to_string();
    let f: RiskPointFilter = def.filter()?;
    let page = list(store, p, &f, PageReq::total_only(), &today).await?;
    Ok(vec![def.counted("风险分级管控", page.total, page.total_capped)])
}
