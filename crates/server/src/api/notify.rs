//! The notification inbox (我的提醒).

use crate::api::Paging;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth};
use crate::AppState;
use anjian_store::notify::{self, Notification};
use anjian_store::page::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(inbox)).routes(routes!(mark_read))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    #[serde(default)]
    pub unread: bool,
}

/// 我的提醒
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notify", params(InboxParams, Paging), responses((status = 200, body = Page<Notification>)))]
async fn inbox(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(i): ApiQuery<InboxParams>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Notification>>> {
    Ok(Json(notify::inbox(&s.store, &auth.principal, i.unread, pg.req()?).await?))
}

/// 标记已读
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notify", responses((status = 204)))]
async fn mark_read(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    notify::mark_read(&s.store, &auth.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
