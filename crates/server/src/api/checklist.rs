//! Checklists (检查清单): the built-in 重大事故隐患判定标准 and a district's own, and their runs
//! (检查记录: an enterprise's 自查, a regulator's or grid inspector's 巡查).

use crate::api::Paging;
use crate::error::ApiResult;
use crate::excel::{self, Cell, ExportRow};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_domain::time::BusinessCalendar;
use anjian_store::checklist::{self, Checklist, ChecklistInput, ChecklistRun, RunFilter, RunInput, RunResult};
use anjian_store::page::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checklists, create_checklist))
        .routes(routes!(get_checklist))
        .routes(routes!(run_checklist))
        .routes(routes!(list_checklist_runs))
        .routes(routes!(export_checklist_runs))
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

/// 检查记录: checklist runs at the enterprises the caller sees, newest first
#[utoipa::path(get, path = "/api/v1/checklist-runs", tag = "checklist", params(RunFilter, Paging),
    responses((status = 200, body = Page<ChecklistRun>)))]
async fn list_checklist_runs(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<RunFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<ChecklistRun>>> {
    Ok(Json(checklist::runs(&s.store, &auth.principal, &f, pg.req()?, s.config.clock.now()).await?))
}

/// 导出检查记录 (Excel, same filters as the list)
#[utoipa::path(get, path = "/api/v1/checklist-runs/export.xlsx", tag = "checklist", params(RunFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_checklist_runs(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<RunFilter>,
) -> ApiResult<Response> {
    let (store, p, f, now) = (&s.store, &auth.principal, &f, s.config.clock.now());
    excel::export(&s, "检查记录", "检查记录.xlsx", move |pg| checklist::runs(store, p, f, pg, now)).await
}

impl ExportRow for ChecklistRun {
    const HEADERS: &'static [&'static str] =
        &["检查日期", "企业", "检查清单", "类别", "检查人", "检查项数", "不符合项", "记录时间"];
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell> {
        let kind = match self.run_by_role {
            Some(anjian_domain::auth::Role::Enterprise) => "企业自查",
            Some(_) => "监管检查/巡查",
            None => "",
        };
        vec![
            self.run_day.into(),
            self.enterprise_name.into(),
            self.template_name.into(),
            kind.into(),
            self.run_by.into(),
            Cell::from(self.item_count),
            Cell::from(self.finding_count),
            excel::local_time(cal, &self.created_at),
        ]
    }
}
