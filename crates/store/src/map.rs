//! The risk one-map (风险一张图): GeoJSON layers, scoped to the caller, filtered by a bounding box.

use crate::db::Q;
use crate::hazard::push_hazard_scope;
use crate::org::push_enterprise_scope;
use crate::{Principal, Store, StoreError};
use anjian_domain::risk::RiskLevel;
use anjian_domain::scope::JurisdictionView;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;

/// Layer filters.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct LayerFilter {
    /// `west,south,east,north` in the stored coordinates
    pub bbox: Option<String>,
    /// 风险等级 (enterprises layer)
    pub level: Option<RiskLevel>,
    pub sector: Option<String>,
    /// 辖区 (includes everything below it)
    pub jurisdiction_id: Option<i64>,
}

/// Most points one answer carries; the UI asks again for a smaller box when it is reached.
pub const MAX_FEATURES: i64 = 200_000;

fn parse_bbox(b: Option<&str>) -> Result<Option<[f64; 4]>, StoreError> {
    let Some(b) = b.filter(|s| !s.is_empty()) else { return Ok(None) };
    let v: Vec<f64> =
        b.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad_bbox())?;
    match v.as_slice() {
        [w, s, e, n] if w < e && s < n => Ok(Some([*w, *s, *e, *n])),
        _ => Err(bad_bbox()),
    }
}

fn bad_bbox() -> StoreError {
    StoreError::invalid("bbox", "bbox 应为「西,南,东,北」四个数，且西<东、南<北")
}

fn push_bbox(q: &mut Q, b: Option<[f64; 4]>, lon: &str, lat: &str) {
    if let Some([w, s, e, n]) = b {
        q.push(&format!(" AND {lon} >= ")).bind(Some(w)).push(&format!(" AND {lon} <= ")).bind(Some(e));
        q.push(&format!(" AND {lat} >= ")).bind(Some(s)).push(&format!(" AND {lat} <= ")).bind(Some(n));
    }
}

async fn push_jurisdiction(store: &Store, q: &mut Q, col: &str, id: Option<i64>) -> Result<(), StoreError> {
    if let Some(id) = id {
        match crate::org::jurisdiction_by_id(store, id).await? {
            Some(j) => {
                q.push(" AND ");
                crate::db::push_subtree(q, col, &j.path);
            }
            None => {
                q.push(" AND 1=0");
            }
        }
    }
    Ok(())
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

fn parse_level(s: &str) -> Option<RiskLevel> {
    [RiskLevel::Major, RiskLevel::Considerable, RiskLevel::General, RiskLevel::Low]
        .into_iter()
        .find(|l| l.as_str() == s)
}

/// Enterprises as points coloured by their risk level (the same rule as the enterprise's risk
/// page: override, else the highest point, raised to 重大 by an open linked 重大 hazard).
pub async fn enterprises(store: &Store, p: &Principal, f: &LayerFilter) -> Result<Value, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new(concat!("SELECT e.id, e.name, e.longitude, e.latitude, e.sectors, e.key_enterprise, \
        (SELECT o.level FROM enterprise_risk_override o WHERE o.enterprise_id = e.id) AS override_level, \
        (SELECT MAX(CASE r.level WHEN '重大' THEN 4 WHEN '较大' THEN 3 WHEN '一般' THEN 2 ELSE 1 END) FROM risk_point r WHERE r.enterprise_id = e.id) AS point_rank, \
        (SELECT COUNT(*) FROM hazard h WHERE h.enterprise_id = e.id AND h.risk_point_id IS NOT NULL AND h.grade = '重大' AND h.state IN ", crate::open_states!(), ") AS linked_major \
        FROM enterprise e WHERE e.longitude IS NOT NULL"));
    push_enterprise_scope(&mut q, &p.scope);
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "e.scope_path", f.jurisdiction_id).await?;
    if let Some(s) = f.sector.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND EXISTS (SELECT 1 FROM enterprise_sector es WHERE es.enterprise_id = e.id AND es.sector = ")
            .bind(s)
            .push(")");
    }
    q.push(" ORDER BY e.id LIMIT ").bind(MAX_FEATURES);
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let point = rank_level(r.try_get::<Option<i64>, _>("point_rank")?.unwrap_or(0));
        let dynamic = r.try_get::<i64, _>("linked_major")? > 0 && point.is_some();
        let computed = if dynamic { Some(RiskLevel::Major) } else { point };
        let level = r.try_get::<Option<String>, _>("override_level")?.as_deref().and_then(parse_level).or(computed);
        if f.level.is_some() && f.level != level {
            continue;
        }
        let sectors: Vec<String> = serde_json::from_str(&r.try_get::<String, _>("sectors")?).unwrap_or_default();
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.try_get::<Option<f64>, _>("longitude")?, r.try_get::<Option<f64>, _>("latitude")?]},
            "properties": {
                "id": r.try_get::<i64, _>("id")?,
                "name": r.try_get::<String, _>("name")?,
                "level": level.map(|l| l.as_str()),
                "color": level.map(|l| l.color()).unwrap_or("grey"),
                "sectors": sectors,
                "key_enterprise": r.try_get::<i64, _>("key_enterprise")? != 0,
            }
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// Open 重大 hazards at their enterprise's location.
pub async fn major_hazards(store: &Store, p: &Principal, f: &LayerFilter, today: &str) -> Result<Value, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new(concat!("SELECT h.id, h.number, h.state, h.deadline, h.description, e.name AS enterprise_name, e.longitude, e.latitude FROM hazard h JOIN enterprise e ON e.id = h.enterprise_id WHERE h.grade = '重大' AND h.state IN ", crate::open_states!(), " AND e.longitude IS NOT NULL"));
    push_hazard_scope(&mut q, &p.scope);
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "h.scope_path", f.jurisdiction_id).await?;
    q.push(" ORDER BY h.id LIMIT ").bind(MAX_FEATURES);
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let deadline: String = r.try_get("deadline")?;
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.try_get::<Option<f64>, _>("longitude")?, r.try_get::<Option<f64>, _>("latitude")?]},
            "properties": {
                "id": r.try_get::<i64, _>("id")?,
                "number": r.try_get::<String, _>("number")?,
                "state": r.try_get::<String, _>("state")?,
                "description": r.try_get::<String, _>("description")?,
                "enterprise_name": r.try_get::<String, _>("enterprise_name")?,
                "overdue": deadline.as_str() < today,
                "deadline": deadline,
            }
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct BoundaryFilter {
    /// street / community / grid (default: street)
    pub level: Option<anjian_domain::org::JurisdictionLevel>,
}

/// Jurisdiction boundaries of the caller's view at one level.
pub async fn boundaries(store: &Store, p: &Principal, f: &BoundaryFilter) -> Result<Value, StoreError> {
    let level = f.level.unwrap_or(anjian_domain::org::JurisdictionLevel::Street);
    let mut q = Q::new("SELECT id, name, level, boundary FROM jurisdiction WHERE boundary IS NOT NULL AND level = ");
    q.bind(level.as_str());
    match p.scope.jurisdiction_root() {
        JurisdictionView::All => {}
        JurisdictionView::Subtree(path) => {
            q.push(" AND ");
            crate::db::push_subtree(&mut q, "path", path);
        }
        JurisdictionView::None => {
            q.push(" AND 1=0");
        }
    }
    q.push(" ORDER BY id");
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let geometry: Value = serde_json::from_str(&r.try_get::<String, _>("boundary")?).unwrap_or(Value::Null);
        features.push(json!({
            "type": "Feature",
            "geometry": geometry,
            "properties": {"id": r.try_get::<i64, _>("id")?, "name": r.try_get::<String, _>("name")?, "level": r.try_get::<String, _>("level")?}
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// Major hazard sources (units that are one) at their enterprise's location, with their grade.
pub async fn major_hazard_sources(store: &Store, p: &Principal, f: &LayerFilter) -> Result<Value, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new("SELECT h.id, h.name, h.grade, h.r, e.name AS enterprise_name, e.id AS enterprise_id, e.longitude, e.latitude FROM major_hazard_source h JOIN enterprise e ON e.id = h.enterprise_id WHERE h.is_major = 1 AND e.longitude IS NOT NULL");
    push_hazard_scope(&mut q, &p.scope);
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "h.scope_path", f.jurisdiction_id).await?;
    q.push(" ORDER BY h.id LIMIT ").bind(MAX_FEATURES);
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.try_get::<Option<f64>, _>("longitude")?, r.try_get::<Option<f64>, _>("latitude")?]},
            "properties": {
                "id": r.try_get::<i64, _>("id")?,
                "name": r.try_get::<String, _>("name")?,
                "grade": r.try_get::<Option<String>, _>("grade")?,
                "r": r.try_get::<f64, _>("r")?,
                "enterprise_id": r.try_get::<i64, _>("enterprise_id")?,
                "enterprise_name": r.try_get::<String, _>("enterprise_name")?,
            }
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}
