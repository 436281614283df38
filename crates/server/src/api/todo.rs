//! 工作台待办: the caller's to-dos, each a list's total with the link that opens it.

use crate::error::ApiResult;
use crate::extract::Auth;
use crate::AppState;
use anjian_store::todo::{self, Todo};
use axum::extract::State;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(todos))
}

/// 我的待办 (工作台): per area, what waits for the caller in its scope; `count` is the `total`
/// of the list at `link` (the same path under `/api/v1` is that list's API)
#[utoipa::path(get, path = "/api/v1/todos", tag = "todo", responses((status = 200, body = Vec<Todo>)))]
async fn todos(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Todo>>> {
    Ok(Json(todo::todos(&s.store, &auth.principal, s.config.clock.now()).await?))
}
