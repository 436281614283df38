//! Checklists (检查清单): the built-in 重大事故隐患判定标准 and a district's own, and their runs.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_store::checklist::{self, Checklist, ChecklistInput, RunInput, RunResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checklists, create_checklist))
        .routes(routes!(get_checklist))
        .routes(routes!(run_checklist))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SectorParam {
    pub sector: Option<String>,
}

/// 检查清单 (built-in: the official 重大事故隐患判定标准)
#[utoipa::path(get, path = "/api/v1/checklists", tag = "checklist", params(SectorParam), responses((status = 200, body = Vec<Checklist>)))]
async fn list_checklists(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<SectorParam>,
) -> ApiResult<Json<Vec<Checklist>>> {
    Ok(Json(checklist::list(&s.store, &auth.principal, p.sector.as_deref()).await?))
}

/// 新建检查清单
#[utoipa::path(post, path = "/api/v1/checklists", tag = "checklist", request_body = ChecklistInput, responses((status = 201, body = Checklist)))]
async fn create_checklist(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<ChecklistInput>,
) -> ApiResult<(StatusCode, Json<Checklist>)> {
    Ok((StatusCode::CREATED, Json(checklist::create(&s.store, &auth.principal, b).await?)))
}

/// 检查清单详情 with items
#[utoipa::path(get, path = "/api/v1/checklists/{id}", tag = "checklist", responses((status = 200, body = Checklist)))]
async fn get_checklist(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<Checklist>> {
    Ok(Json(checklist::get(&s.store, &auth.principal, id).await?))
}

/// 执行检查清单: every 不符合 becomes a hazard
#[utoipa::path(post, path = "/api/v1/checklists/{id}/runs", tag = "checklist", request_body = RunInput,
    responses((status = 201, body = RunResult), (status = 422, body = crate::error::Problem)))]
async fn run_checklist(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RunInput>,
) -> ApiResult<(StatusCode, Json<RunResult>)> {
    Ok((StatusCode::CREATED, Json(checklist::run(&s.store, &auth.principal, id, b, s.config.clock.now()).await?)))
}
