//! Risk points (风险点) and the enterprise's risk level (企业风险等级), within scope.

use crate::audit::{self, Change};
use crate::db::Q;
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
    let (rows, total) = LIST.rows(store, &w, page).await?;
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
    let mut q = Q::new("INSERT INTO risk_point (enterprise_id, scope_path, sector, name, kind, location, hazard_factors, accident_types, measures, responsible, control_level, method, scores, score, level, next_review, created_at, updated_at) VALUES (");
    q.bind(ent.0).push(", ").bind(ent.2).push(", ").bind(ent.3).push(", ").bind(i.name.as_str());
    q.push(", ").bind(i.kind.as_str()).push(", ").bind(i.location.as_str()).push(", ").bind(i.hazard_factors.as_str());
    q.push(", ").bind(serde_json::to_string(&i.accident_types).unwrap_or_default());
    q.push(", ").bind(serde_json::to_string(&i.measures).unwrap_or_default()).push(", ").bind(i.responsible.as_str());
    q.push(", ").bind(i.control_level.as_str()).push(", ").bind(i.scores.method());
    q.push(", ").bind(serde_json::to_string(&i.scores).unwrap_or_default());
    q.push(", ").bind(Some(a.score)).push(", ").bind(a.level.as_str()).push(", ").bind(i.next_review.to_string());
    q.push(", ").bind(ts.as_str()).push(", ").bind(ts.as_str()).push(") RETURNING id");
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

/// 企业风险等级 and how it was reached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseRisk {
    pub enterprise_id: i64,
    /// None when the enterprise has no risk point yet
    pub level: Option<RiskLevel>,
    pub color: Option<String>,
    /// computed (highest point) or override (安委办调整)
    pub source: String,
    pub computed_level: Option<RiskLevel>,
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    /// Points per current level
    pub points: Vec<(RiskLevel, i64)>,
}

pub async fn enterprise_risk(
    store: &Store,
    p: &Principal,
    enterprise_id: i64,
    today: &str,
) -> Result<EnterpriseRisk, StoreError> {
    enterprise_get(store, p, enterprise_id).await?;
    let f = RiskPointFilter { enterprise_id: Some(enterprise_id), ..Default::default() };
    let points = list(store, p, &f, PageReq::all(), today).await?.items;
    let levels: Vec<RiskLevel> = points.iter().map(|pt| pt.level).collect();
    let computed = enterprise_level(&levels, None);
    let o = Q::new("SELECT * FROM enterprise_risk_override WHERE enterprise_id = ")
        .bind(enterprise_id)
        .fetch_optional(store.pool())
        .await?;
    let (overridden, reason, by) = match &o {
        Some(r) => {
            let l = RiskLevel::parse(&r.try_get::<String, _>("level")?);
            (l, Some(r.try_get::<String, _>("reason")?), Some(r.try_get::<String, _>("set_by")?))
        }
        None => (None, None, None),
    };
    let level = enterprise_level(&levels, overridden);
    let mut counts = vec![];
    for l in RiskLevel::ALL {
        counts.push((l, levels.iter().filter(|x| **x == l).count() as i64));
    }
    Ok(EnterpriseRisk {
        enterprise_id,
        level,
        color: level.map(|l| l.color().to_string()),
        source: if overridden.is_some() { "override" } else { "computed" }.into(),
        computed_level: computed,
        override_reason: reason,
        override_by: by,
        points: counts,
    })
}

/// The committee sets (or with a null level clears) an enterprise's level, with a reason.
pub async fn set_override(
    store: &Store,
    p: &Principal,
    enterprise_id: i64,
    body: OverrideBody,
    today: &str,
) -> Result<EnterpriseRisk, StoreError> {
    let ent = enterprise_get(store, p, enterprise_id).await?;
    p.require(Action::OverrideEnterpriseRisk)?;
    let (level, reason) = match body.validate().map_err(StoreError::Invalid)? {
        ValidOverride::Set { level, reason } => (Some(level), reason),
        ValidOverride::Clear => (None, String::new()),
    };
    let before = enterprise_risk(store, p, enterprise_id, today).await?;
    let mut tx = store.begin().await?;
    Q::new("DELETE FROM enterprise_risk_override WHERE enterprise_id = ")
        .bind(enterprise_id)
        .execute(&mut *tx.tx)
        .await?;
    if let Some(l) = level {
        let mut q =
            Q::new("INSERT INTO enterprise_risk_override (enterprise_id, level, reason, set_by, set_at) VALUES (");
        q.bind(enterprise_id)
            .push(", ")
            .bind(l.as_str())
            .push(", ")
            .bind(reason.as_str())
            .push(", ")
            .bind(p.actor().name);
        q.push(", ").bind(now()).push(")");
        q.execute(&mut *tx.tx).await?;
    }
    audit::record(
        &mut tx,
        &p.actor(),
        Change::new(
            if level.is_some() { "risk_override" } else { "risk_override_clear" },
            "enterprise",
            Some(enterprise_id),
            &ent.scope_path,
            match level {
                Some(l) => format!("调整企业「{}」风险等级为{}：{}", ent.name, l.as_str(), reason),
                None => format!("取消企业「{}」风险等级调整", ent.name),
            },
        )
        .before(serde_json::json!({"level": before.level, "source": before.source}))
        .after(serde_json::json!({"level": level, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    enterprise_risk(store, p, enterprise_id, today).await
}

// ---------------------------------------------------------------- enterprise levels, statistics

/// An enterprise with its current risk level, for the one-map and the statistics.
#[derive(Debug, Clone)]
pub struct EnterpriseLevel {
    pub id: i64,
    pub name: String,
    pub scope_path: String,
    pub sectors: Vec<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub key_enterprise: bool,
    /// None: no risk point yet (未评估)
    pub level: Option<RiskLevel>,
}

fn rank_level(rank: i64) -> Option<RiskLevel> {
    match rank {
        4 => Some(RiskLevel::Major),
        3 => Some(RiskLevel::Considerable),
        2 => Some(RiskLevel::General),
        1 => Some(RiskLevel::Low),
        _ => None,
    }
}

/// The enterprises within scope that `narrow` (conditions on `e`, each starting with " AND")
/// keeps, with their level by the rule of the enterprise's risk page: the committee's override,
/// else the highest point, raised to 重大 by an open linked 重大 hazard when the rules say so.
pub async fn enterprise_levels(
    store: &Store,
    p: &Principal,
    mut narrow: Q,
    limit: i64,
) -> Result<Vec<EnterpriseLevel>, StoreError> {
    let dynamic = rules(store).await?.dynamic_level;
    // One open 重大 hazard linked to a point of the enterprise, if any (the domain decides what it does).
    let linked = if dynamic {
        concat!("(SELECT MIN(h.number) FROM hazard h WHERE h.enterprise_id = e.id AND h.risk_point_id IS NOT NULL AND h.grade = '重大' AND h.state IN ", crate::open_states!(), ")")
    } else {
        "CAST(NULL AS TEXT)"
    };
    push_enterprise_scope(&mut narrow, &p.scope);
    let mut q = Q::new("SELECT e.id, e.name, e.scope_path, e.longitude, e.latitude, e.sectors, e.key_enterprise, \
        (SELECT o.level FROM enterprise_risk_override o WHERE o.enterprise_id = e.id) AS override_level, \
        (SELECT MAX(CASE r.level WHEN '重大' THEN 4 WHEN '较大' THEN 3 WHEN '一般' THEN 2 ELSE 1 END) FROM risk_point r WHERE r.enterprise_id = e.id) AS point_rank, ");
    q.push(linked).push(" AS linked_major FROM enterprise e WHERE 1=1").append(&narrow);
    q.push(" ORDER BY e.id LIMIT ").bind(limit);
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            // The highest point, raised by a linked open 重大 hazard, or the override: the same rules
            // (domain::risk) as the enterprise's risk page, from ranks instead of every point.
            let linked: Vec<String> = r.try_get::<Option<String>, _>("linked_major")?.into_iter().collect();
            let highest = rank_level(r.try_get::<Option<i64>, _>("point_rank")?.unwrap_or(0))
                .map(|l| effective_level(l, &linked, dynamic).0);
            let overridden = r.try_get::<Option<String>, _>("override_level")?.as_deref().and_then(RiskLevel::parse);
            Ok(EnterpriseLevel {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scope_path: r.try_get("scope_path")?,
                sectors: serde_json::from_str(&r.try_get::<String, _>("sectors")?).unwrap_or_default(),
                longitude: r.try_get("longitude")?,
                latitude: r.try_get("latitude")?,
                key_enterprise: r.try_get::<i64, _>("key_enterprise")? != 0,
                level: enterprise_level(&Vec::from_iter(highest), overridden),
            })
        })
        .collect()
}

/// How the risk statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskGroupBy {
    Jurisdiction,
    Sector,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskStatsQuery {
    /// jurisdiction (default: the units below the root) or sector (行业, the first of an enterprise's)
    #[param(inline)]
    pub group_by: Option<RiskGroupBy>,
    /// Root of the jurisdiction breakdown (default: the caller's)
    pub jurisdiction_id: Option<i64>,
}

/// Counts per level (四色).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LevelCounts {
    /// 重大 (红)
    pub major: i64,
    /// 较大 (橙)
    pub considerable: i64,
    /// 一般 (黄)
    pub general: i64,
    /// 低 (蓝)
    pub low: i64,
}

impl LevelCounts {
    fn add(&mut self, l: RiskLevel, n: i64) {
        match l {
            RiskLevel::Major => self.major += n,
            RiskLevel::Considerable => self.considerable += n,
            RiskLevel::General => self.general += n,
            RiskLevel::Low => self.low += n,
        }
    }
    fn plus(&mut self, o: &LevelCounts) {
        self.major += o.major;
        self.considerable += o.considerable;
        self.general += o.general;
        self.low += o.low;
    }
}

/// The risk figures of one group (风险统计).
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskTally {
    pub key: String,
    pub label: String,
    /// 风险点 by assessed level
    pub points: LevelCounts,
    /// 企业 by current level (override, highest point, dynamic rule)
    pub enterprises: LevelCounts,
    /// 企业 without any risk point (未评估)
    pub unassessed_enterprises: i64,
    /// 风险点 past their review date
    pub review_overdue: i64,
    /// 重大危险源 (units that are one)
    pub major_hazard_sources: i64,
}

impl RiskTally {
    fn plus(&mut self, o: &RiskTally) {
        self.points.plus(&o.points);
        self.enterprises.plus(&o.enterprises);
        self.unassessed_enterprises += o.unassessed_enterprises;
        self.review_overdue += o.review_overdue;
        self.major_hazard_sources += o.major_hazard_sources;
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RiskStats {
    pub totals: RiskTally,
    pub groups: Vec<RiskTally>,
}

/// Risk points and enterprises by level, grouped by jurisdiction or sector, within scope.
pub async fn stats(store: &Store, p: &Principal, sq: &RiskStatsQuery, today: &str) -> Result<RiskStats, StoreError> {
    p.require(Action::ReadRiskStats)?;
    let group = sq.group_by.unwrap_or(RiskGroupBy::Jurisdiction);
    let root = match sq.jurisdiction_id {
        Some(id) => Some(crate::org::jurisdiction_get(store, p, id).await?),
        None => None,
    };
    // The grouping column of the registers, read as `h`.
    let key_col = || -> &'static str {
        match group {
            RiskGroupBy::Jurisdiction => "h.scope_path",
            RiskGroupBy::Sector => "h.sector",
        }
    };
    let under_root = |q: &mut Q, col: &'static str| {
        if let Some(r) = &root {
            q.push(" AND ");
            crate::scope::push_subtree(q, col, &r.path);
        }
    };
    // Raw figures keyed by path or sector, folded into groups below.
    let mut raw: Vec<RiskTally> = vec![];
    fn slot<'a>(raw: &'a mut Vec<RiskTally>, k: &str) -> &'a mut RiskTally {
        match raw.iter().position(|t| t.key == k) {
            Some(i) => &mut raw[i],
            None => {
                raw.push(RiskTally { key: k.to_string(), ..Default::default() });
                raw.last_mut().expect("just pushed")
            }
        }
    }
    let mut q = Q::new("SELECT ");
    q.push(key_col()).push(" AS k, h.level AS level, COUNT(*) AS n, SUM(CASE WHEN h.next_review < ");
    q.bind(today).push(" THEN 1 ELSE 0 END) AS overdue FROM risk_point h WHERE 1=1");
    push_owned_scope(&mut q, &p.scope);
    under_root(&mut q, "h.scope_path");
    q.push(" GROUP BY ").push(key_col()).push(", h.level");
    for r in q.fetch_all(store.pool()).await? {
        let k: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
        let t = slot(&mut raw, &k);
        if let Some(l) = RiskLevel::parse(&r.try_get::<String, _>("level")?) {
            t.points.add(l, r.try_get("n")?);
        }
        t.review_overdue += r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0);
    }
    let mut q = Q::new("SELECT ");
    q.push(key_col()).push(" AS k, COUNT(*) AS n FROM major_hazard_source h WHERE h.is_major = 1");
    push_owned_scope(&mut q, &p.scope);
    under_root(&mut q, "h.scope_path");
    q.push(" GROUP BY ").push(key_col());
    for r in q.fetch_all(store.pool()).await? {
        let k: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
        slot(&mut raw, &k).major_hazard_sources += r.try_get::<i64, _>("n")?;
    }
    let mut narrow = Q::new("");
    under_root(&mut narrow, "e.scope_path");
    for e in enterprise_levels(store, p, narrow, i64::MAX).await? {
        let k = match group {
            RiskGroupBy::Jurisdiction => e.scope_path,
            RiskGroupBy::Sector => e.sectors.into_iter().next().unwrap_or_default(),
        };
        let t = slot(&mut raw, &k);
        match e.level {
            Some(l) => t.enterprises.add(l, 1),
            None => t.unassessed_enterprises += 1,
        }
    }
    let mut totals = RiskTally { key: "total".into(), label: "合计".into(), ..Default::default() };
    raw.iter().for_each(|t| totals.plus(t));
    let groups = match group {
        RiskGroupBy::Jurisdiction => {
            let units = crate::org::breakdown_units(store, p, root.map(|r| r.id)).await?;
            let mut out: Vec<RiskTally> = units
                .iter()
                .map(|(id, name)| RiskTally { key: id.to_string(), label: name.clone(), ..Default::default() })
                .collect();
            for t in &raw {
                if let Some(i) = crate::org::unit_of(&units, &t.key) {
                    out[i].plus(t);
                }
            }
            out
        }
        RiskGroupBy::Sector => {
            raw.sort_by(|a, b| a.key.cmp(&b.key));
            raw.into_iter()
                .map(|mut t| {
                    t.label = if t.key.is_empty() { "未分类".into() } else { t.key.clone() };
                    t
                })
                .collect()
        }
    };
    Ok(RiskStats { totals, groups })
}

// ---------------------------------------------------------------- settings

const RULES_KEY: &str = "risk_rules";

/// The district's rules of risk grading (动态风险, review reminders); defaults until set.
pub async fn rules(store: &Store) -> Result<RiskRules, StoreError> {
    crate::settings::get_or_default(store, RULES_KEY).await
}

/// Sets the rules, audited. They hold for the whole installation (unlike the bands, which are
/// per jurisdiction), so only the administrator sets them: a committee's scope is its own area.
pub async fn set_rules(store: &Store, p: &Principal, r: RiskRules) -> Result<RiskRules, StoreError> {
    p.require(Action::SetRiskRules)?;
    r.validate().map_err(StoreError::Invalid)?;
    let summary = format!(
        "设置风险管控规则：动态风险{}，评审逾期{}天提醒安监站",
        if r.dynamic_level { "启用" } else { "停用" },
        r.review_station_after_days
    );
    crate::settings::set(store, &p.actor(), RULES_KEY, &r, &summary).await?;
    Ok(r)
}

/// The bands in force at a path: those of the nearest jurisdiction above it (or at it) that set
/// its own, else the reference defaults. Returns the bands and the jurisdiction that set them.
pub async fn bands_at(store: &Store, path: &str) -> Result<(BandSet, Option<i64>), StoreError> {
    let ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() {
        return Ok((BandSet::default(), None));
    }
    let keys: Vec<String> = ids.iter().map(|id| format!("risk_bands:{id}")).collect();
    let mut q = Q::new("SELECT key, value FROM setting WHERE key IN ");
    q.bind_list(&keys);
    let rows = q.fetch_all(store.pool()).await?;
    for id in ids.iter().rev() {
        let key = format!("risk_bands:{id}");
        if let Some(r) = rows.iter().find(|r| r.try_get::<String, _>("key").ok().as_deref() == Some(key.as_str())) {
            if let Ok(b) = serde_json::from_str::<BandSet>(&r.try_get::<String, _>("value")?) {
                return Ok((b, Some(*id)));
            }
        }
    }
    Ok((BandSet::default(), None))
}

/// The path whose bands apply to a principal's own assessments (its jurisdiction or enterprise).
pub async fn principal_path(store: &Store, p: &Principal) -> Result<String, StoreError> {
    Ok(match &p.scope {
        anjian_domain::scope::Scope::Subtree { path } | anjian_domain::scope::Scope::Sectors { path, .. } => {
            path.clone()
        }
        anjian_domain::scope::Scope::Enterprise { id } => enterprise_get(store, p, *id).await?.scope_path,
        _ => "/".into(),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BandsInForce {
    pub bands: BandSet,
    /// The jurisdiction whose setting applies; null: the reference defaults
    pub set_by_jurisdiction_id: Option<i64>,
}

pub async fn bands_for(store: &Store, p: &Principal, jurisdiction_id: Option<i64>) -> Result<BandsInForce, StoreError> {
    let path = match jurisdiction_id {
        Some(id) => crate::org::jurisdiction_get(store, p, id).await?.path,
        None => principal_path(store, p).await?,
    };
    let (bands, by) = bands_at(store, &path).await?;
    Ok(BandsInForce { bands, set_by_jurisdiction_id: by })
}

/// Sets a jurisdiction's bands (admin, committee) and re-levels the points below it that they
/// govern, in one transaction, so stored levels never disagree with the bands in force.
pub async fn set_bands(
    store: &Store,
    p: &Principal,
    jurisdiction_id: i64,
    bands: BandSet,
) -> Result<usize, StoreError> {
    let j = crate::org::jurisdiction_get(store, p, jurisdiction_id).await?;
    p.require(Action::SetRiskBands)?;
    bands.validate().map_err(StoreError::Invalid)?;
    let (before, _) = bands_at(store, &j.path).await?;
    let mut tx = store.begin().await?;
    crate::settings::put_in(
        &mut tx,
        &format!("risk_bands:{jurisdiction_id}"),
        &serde_json::to_string(&bands).unwrap_or_default(),
    )
    .await?;
    // Points below that a deeper setting governs keep their bands.
    let deeper: Vec<String> = {
        let rows = Q::new("SELECT key FROM setting WHERE key LIKE 'risk_bands:%'").fetch_all(&mut *tx.tx).await?;
        let mut out = vec![];
        for r in rows {
            let k: String = r.try_get("key")?;
            if let Some(id) = k.strip_prefix("risk_bands:").and_then(|s| s.parse::<i64>().ok()) {
                if id != jurisdiction_id {
                    out.push(format!("/{id}/"));
                }
            }
        }
        out
    };
    let mut pts = Q::new("SELECT id, method, score, level, scope_path FROM risk_point WHERE ");
    crate::scope::push_subtree(&mut pts, "scope_path", &j.path);
    let rows = pts.fetch_all(&mut *tx.tx).await?;
    let mut changed = 0;
    for r in rows {
        let path: String = r.try_get("scope_path")?;
        let below = &path[j.path.len() - 1..];
        if deeper.iter().any(|d| below.contains(d.as_str())) {
            continue;
        }
        let score: f64 = r.try_get("score")?;
        let method: String = r.try_get("method")?;
        let level = if method == "LS" { bands.ls.level(score) } else { bands.lec.level(score) };
        if r.try_get::<String, _>("level")? != level.as_str() {
            Q::new("UPDATE risk_point SET level = ")
                .bind(level.as_str())
                .push(" WHERE id = ")
                .bind(r.try_get::<i64, _>("id")?)
                .execute(&mut *tx.tx)
                .await?;
            changed += 1;
        }
    }
    audit::record(
        &mut tx,
        &p.actor(),
        Change::new(
            "set_risk_bands",
            "jurisdiction",
            Some(jurisdiction_id),
            &j.path,
            format!("设置「{}」风险分级阈值，{changed} 个风险点重新定级", j.name),
        )
        .before_opt(serde_json::to_value(before).ok())
        .after_opt(serde_json::to_value(bands).ok()),
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}
