//! The risk one-map (风险一张图): GeoJSON layers and map settings.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_store::map::{
    self, BoundaryFilter, EnterpriseProps, HazardProps, LayerFilter, MapSettings, Points, SourceProps,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
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

/// 地图设置
#[utoipa::path(get, path = "/api/v1/map/settings", tag = "risk", responses((status = 200, body = MapSettings)))]
async fn get_settings(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<MapSettings>> {
    Ok(Json(map::settings(&s.store).await?))
}

/// 修改地图设置 (admin)
#[utoipa::path(put, path = "/api/v1/map/settings", tag = "risk", request_body = MapSettings, responses((status = 204)))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<MapSettings>,
) -> ApiResult<StatusCode> {
    map::set_settings(&s.store, &auth.principal, b).await?;
    s.csp.invalidate();
    Ok(StatusCode::NO_CONTENT)
}
