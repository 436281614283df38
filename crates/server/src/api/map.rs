//! The risk one-map (风险一张图): GeoJSON layers and map settings.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_store::map::{self, BoundaryFilter, EnterpriseProps, HazardProps, LayerFilter, Points, SourceProps};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enterprises))
        .routes(routes!(hazards))
        .routes(routes!(major_hazard_sources))
        .routes(routes!(boundaries))
        .routes(routes!(get_settings, put_settings))
}

/// 企业点位 coloured by risk level (GeoJSON FeatureCollection)
#[utoipa::path(get, path = "/api/v1/map/layers/enterprises", tag = "risk", params(LayerFilter), responses((status = 200, body = Object)))]
async fn enterprises(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<LayerFilter>,
) -> ApiResult<Json<Points<EnterpriseProps>>> {
    Ok(Json(map::enterprises(&s.store, &auth.principal, &f).await?))
}

/// 未销号的重大隐患 (GeoJSON FeatureCollection)
#[utoipa::path(get, path = "/api/v1/map/layers/hazards", tag = "risk", params(LayerFilter), responses((status = 200, body = Object)))]
async fn hazards(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<LayerFilter>,
) -> ApiResult<Json<Points<HazardProps>>> {
    let today = s.today().await?.to_string();
    Ok(Json(map::major_hazards(&s.store, &auth.principal, &f, &today).await?))
}

/// 重大危险源 by grade (GeoJSON FeatureCollection)
#[utoipa::path(get, path = "/api/v1/map/layers/major-hazards", tag = "risk", params(LayerFilter), responses((status = 200, body = Object)))]
async fn major_hazard_sources(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<LayerFilter>,
) -> ApiResult<Json<Points<SourceProps>>> {
    Ok(Json(map::major_hazard_sources(&s.store, &auth.principal, &f).await?))
}

/// 辖区边界 (GeoJSON FeatureCollection)
#[utoipa::path(get, path = "/api/v1/map/layers/boundaries", tag = "risk", params(BoundaryFilter), responses((status = 200, body = Object)))]
async fn boundaries(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<BoundaryFilter>,
) -> ApiResult<Json<Value>> {
    Ok(Json(map::boundaries(&s.store, &auth.principal, &f).await?))
}

/// Map settings: the tile URL template (e.g. 天地图) — none means boundaries on a plain background.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapSettings {
    /// e.g. `https://t{s}.example.com/{z}/{x}/{y}.png`; null: no tile server
    pub tile_url: Option<String>,
    pub attribution: Option<String>,
}

/// 地图设置
#[utoipa::path(get, path = "/api/v1/map/settings", tag = "risk", responses((status = 200, body = MapSettings)))]
async fn get_settings(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<MapSettings>> {
    Ok(Json(anjian_store::settings::get_or_default(&s.store, "map").await?))
}

/// 修改地图设置 (admin)
#[utoipa::path(put, path = "/api/v1/map/settings", tag = "risk", request_body = MapSettings, responses((status = 204)))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<MapSettings>,
) -> ApiResult<StatusCode> {
    auth.principal.require(anjian_domain::auth::Action::SetMapSettings)?;
    if let Some(u) = &b.tile_url {
        if !(u.starts_with("https://") || u.starts_with("http://"))
            || !u.contains("{z}")
            || !u.contains("{x}")
            || !u.contains("{y}")
        {
            return Err(crate::error::AppError::invalid(vec![anjian_domain::FieldError::new(
                "tile_url",
                "瓦片地址应为 http(s) 地址，并包含 {z}、{x}、{y}",
            )]));
        }
    }
    anjian_store::settings::set(&s.store, &auth.principal.actor(), "map", &b, "修改地图设置").await?;
    Ok(StatusCode::NO_CONTENT)
}
