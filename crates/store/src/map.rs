//! The risk one-map (风险一张图): GeoJSON layers, scoped to the caller, filtered by a bounding box.

use crate::db::Q;
use crate::scope::push_owned_scope;
use crate::{Principal, Store, StoreError};
use anjian_domain::risk::RiskLevel;
use anjian_domain::scope::JurisdictionView;
pub use anjian_domain::settings::MapSettings;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::Row;

/// Layer filters.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LayerFilter {
    /// `west,south,east,north` in the stored coordinates
    pub bbox: Option<String>,
    /// 风险等级 (enterprises layer)
    pub level: Option<RiskLevel>,
    pub sector: Option<String>,
    /// 辖区 (includes everything below it)
    pub jurisdiction_id: Option<i64>,
}

/// A GeoJSON FeatureCollection of points with typed properties, serialised directly: at 100,000
/// features, building `serde_json::Value` trees cost more than the query.
#[derive(Debug, Serialize)]
pub struct Points<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    pub features: Vec<PointFeature<P>>,
}

#[derive(Debug, Serialize)]
pub struct PointFeature<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    pub geometry: PointGeometry,
    pub properties: P,
}

#[derive(Debug, Serialize)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    kind: &'static str,
    /// [longitude, latitude]
    pub coordinates: [Option<f64>; 2],
}

impl<P> Points<P> {
    fn new(features: Vec<PointFeature<P>>) -> Self {
        Self { kind: "FeatureCollection", features }
    }
}

fn feature<P>(longitude: Option<f64>, latitude: Option<f64>, properties: P) -> PointFeature<P> {
    PointFeature {
        kind: "Feature",
        geometry: PointGeometry { kind: "Point", coordinates: [longitude, latitude] },
        properties,
    }
}

#[derive(Debug, Serialize)]
pub struct EnterpriseProps {
    pub id: i64,
    pub name: String,
    pub level: Option<&'static str>,
    /// red / orange / yellow / blue, grey when not yet assessed
    pub color: &'static str,
    pub sectors: Vec<String>,
    pub key_enterprise: bool,
}

#[derive(Debug, Serialize)]
pub struct HazardProps {
    pub id: i64,
    pub number: String,
    pub state: String,
    pub description: String,
    pub enterprise_name: String,
    pub overdue: bool,
    pub deadline: String,
}

#[derive(Debug, Serialize)]
pub struct SourceProps {
    pub id: i64,
    pub name: String,
    pub grade: Option<String>,
    pub r: f64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
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

fn push_bbox(q: &mut Q, b: Option<[f64; 4]>, lon: &'static str, lat: &'static str) {
    if let Some([w, s, e, n]) = b {
        q.push(" AND ").push(lon).push(" >= ").bind(Some(w)).push(" AND ").push(lon).push(" <= ").bind(Some(e));
        q.push(" AND ").push(lat).push(" >= ").bind(Some(s)).push(" AND ").push(lat).push(" <= ").bind(Some(n));
    }
}

async fn push_jurisdiction(store: &Store, q: &mut Q, col: &'static str, id: Option<i64>) -> Result<(), StoreError> {
    if let Some(id) = id {
        match crate::org::jurisdiction_by_id(store, id).await? {
            Some(j) => {
                q.push(" AND ");
                crate::scope::push_subtree(q, col, &j.path);
            }
            None => {
                q.push(" AND 1=0");
            }
        }
    }
    Ok(())
}

/// Enterprises as points coloured by their risk level (`risk::enterprise_levels`).
pub async fn enterprises(store: &Store, p: &Principal, f: &LayerFilter) -> Result<Points<EnterpriseProps>, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new(" AND e.longitude IS NOT NULL");
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "e.scope_path", f.jurisdiction_id).await?;
    if let Some(s) = f.sector.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND EXISTS (SELECT 1 FROM enterprise_sector es WHERE es.enterprise_id = e.id AND es.sector = ")
            .bind(s)
            .push(")");
    }
    let features = crate::risk::enterprise_levels(store, p, q, MAX_FEATURES)
        .await?
        .into_iter()
        .filter(|e| f.level.is_none() || f.level == e.level)
        .map(|e| {
            let props = EnterpriseProps {
                id: e.id,
                name: e.name,
                level: e.level.map(|l| l.as_str()),
                color: e.level.map(|l| l.color()).unwrap_or("grey"),
                sectors: e.sectors,
                key_enterprise: e.key_enterprise,
            };
            feature(e.longitude, e.latitude, props)
        })
        .collect();
    Ok(Points::new(features))
}

/// Open 重大 hazards at their enterprise's location.
pub async fn major_hazards(
    store: &Store,
    p: &Principal,
    f: &LayerFilter,
    today: &str,
) -> Result<Points<HazardProps>, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new(concat!("SELECT h.id, h.number, h.state, h.deadline, h.description, e.name AS enterprise_name, e.longitude, e.latitude FROM hazard h JOIN enterprise e ON e.id = h.enterprise_id WHERE h.grade = '重大' AND h.state IN ", crate::open_states!(), " AND e.longitude IS NOT NULL"));
    push_owned_scope(&mut q, &p.scope);
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "h.scope_path", f.jurisdiction_id).await?;
    q.push(" ORDER BY h.id LIMIT ").bind(MAX_FEATURES);
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let deadline: String = r.try_get("deadline")?;
        let props = HazardProps {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
            state: r.try_get("state")?,
            description: r.try_get("description")?,
            enterprise_name: r.try_get("enterprise_name")?,
            overdue: deadline.as_str() < today,
            deadline,
        };
        features.push(feature(r.try_get("longitude")?, r.try_get("latitude")?, props));
    }
    Ok(Points::new(features))
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
            crate::scope::push_subtree(&mut q, "path", path);
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
pub async fn major_hazard_sources(
    store: &Store,
    p: &Principal,
    f: &LayerFilter,
) -> Result<Points<SourceProps>, StoreError> {
    let bbox = parse_bbox(f.bbox.as_deref())?;
    let mut q = Q::new("SELECT h.id, h.name, h.grade, h.r, e.name AS enterprise_name, e.id AS enterprise_id, e.longitude, e.latitude FROM major_hazard_source h JOIN enterprise e ON e.id = h.enterprise_id WHERE h.is_major = 1 AND e.longitude IS NOT NULL");
    push_owned_scope(&mut q, &p.scope);
    push_bbox(&mut q, bbox, "e.longitude", "e.latitude");
    push_jurisdiction(store, &mut q, "h.scope_path", f.jurisdiction_id).await?;
    q.push(" ORDER BY h.id LIMIT ").bind(MAX_FEATURES);
    let mut features = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let props = SourceProps {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            grade: r.try_get("grade")?,
            r: r.try_get("r")?,
            enterprise_id: r.try_get("enterprise_id")?,
            enterprise_name: r.try_get("enterprise_name")?,
        };
        features.push(feature(r.try_get("longitude")?, r.try_get("latitude")?, props));
    }
    Ok(Points::new(features))
}

// ---------------------------------------------------------------- settings

const SETTINGS_KEY: &str = "map";

/// The map settings (地图设置): the tile URL template, none until set.
pub async fn settings(store: &Store) -> Result<MapSettings, StoreError> {
    crate::settings::get_or_default(store, SETTINGS_KEY).await
}

/// Sets the map settings (admin), checked by the domain and audited.
pub async fn set_settings(store: &Store, p: &Principal, input: MapSettings) -> Result<(), StoreError> {
    p.require(anjian_domain::auth::Action::SetMapSettings)?;
    let v = input.validate().map_err(StoreError::Invalid)?;
    crate::settings::set(store, &p.actor(), SETTINGS_KEY, &v, "修改地图设置").await
}
