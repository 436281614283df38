//! The message centre (消息中心): the caller's notices, filtered, and marking them read.

use crate::api::Paging;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Auth};
use crate::AppState;
use anjian_domain::notice::NoticeKind;
use anjian_store::notify::{self, InboxFilter, KindCount, Notification};
use anjian_store::page::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox))
        .routes(routes!(unread_by_kind))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// 只看未读
    #[serde(default)]
    pub unread: bool,
    /// 类别
    pub kind: Option<NoticeKind>,
    /// 日期起 (YYYY-MM-DD, Beijing)
    #[param(format = Date)]
    pub from: Option<String>,
    /// 日期止 (YYYY-MM-DD, inclusive)
    #[param(format = Date)]
    pub to: Option<String>,
}

impl InboxParams {
    fn filter(self) -> InboxFilter {
        InboxFilter { unread_only: self.unread, kind: self.kind, from: self.from, to: self.to }
    }
}

/// 我的消息
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notify", params(InboxParams, Paging), responses((status = 200, body = Page<Notification>)))]
async fn inbox(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(i): ApiQuery<InboxParams>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Notification>>> {
    Ok(Json(notify::inbox(&s.store, &auth.principal, &i.filter(), pg.req()?).await?))
}

/// 各类未读消息数 (every kind, in order)
#[utoipa::path(get, path = "/api/v1/notifications/kinds", tag = "notify", responses((status = 200, body = Vec<KindCount>)))]
async fn unread_by_kind(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<KindCount>>> {
    Ok(Json(notify::unread_by_kind(&s.store, &auth.principal).await?))
}

/// 标记已读
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notify", responses((status = 204)))]
async fn mark_read(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    notify::mark_read(&s.store, &auth.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// 标记为已读的条数
    pub marked: u64,
}

/// 全部已读 (those the filters select: a kind, dates)
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notify", params(InboxParams), responses((status = 200, body = Marked)))]
async fn mark_all_read(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(i): ApiQuery<InboxParams>,
) -> ApiResult<Json<Marked>> {
    Ok(Json(Marked { marked: notify::mark_all_read(&s.store, &auth.principal, &i.filter()).await? }))
}
