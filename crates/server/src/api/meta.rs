//! Dictionaries the UI needs (字典).

use crate::AppState;
use anjian_domain::auth::Role;
use anjian_domain::org::SECTORS;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sectors)).routes(routes!(roles))
}

/// 行业领域
#[utoipa::path(get, path = "/api/v1/meta/sectors", tag = "meta", security(), responses((status = 200, body = Vec<String>)))]
async fn sectors() -> Json<Vec<&'static str>> {
    Json(SECTORS.to_vec())
}

/// 角色
#[utoipa::path(get, path = "/api/v1/meta/roles", tag = "meta", security(), responses((status = 200, body = Vec<Object>)))]
async fn roles() -> Json<Vec<serde_json::Value>> {
    Json(Role::ALL.iter().map(|r| serde_json::json!({"code": r.as_str(), "label": r.label()})).collect())
}
