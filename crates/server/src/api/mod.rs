//! The API under `/api/v1`, one module per business area, and its OpenAPI document.

pub mod audit;
pub mod auth;
pub mod checklist;
pub mod document;
pub mod files;
pub mod hazard;
pub mod map;
pub mod meta;
pub mod notify;
pub mod org;
pub mod risk;
pub mod todo;

use crate::AppState;
use anjian_store::page::PageReq;
use serde::Deserialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Anjian 安监 API", version = "1", description = "安全生产综合监管平台接口。错误均为 RFC 9457 application/problem+json，detail 为中文说明。"),
    modifiers(&Security),
    security(("bearer" = []), ("cookie" = [])),
    // Enums used only as query parameters are not collected from the paths: named here.
    components(schemas(
        crate::error::Problem,
        anjian_store::hazard::HazardSort,
        anjian_domain::hazard::HazardWritKind,
        anjian_store::checklist::RunBy
    )),
    tags(
        (name = "auth", description = "登录与账号"),
        (name = "org", description = "组织机构：辖区、部门、企业"),
        (name = "audit", description = "操作日志"),
        (name = "hazard", description = "隐患排查治理、挂牌督办"),
        (name = "checklist", description = "检查清单、检查记录"),
        (name = "files", description = "文件上传与下载"),
        (name = "notify", description = "提醒"),
        (name = "risk", description = "风险分级管控、重大危险源"),
        (name = "meta", description = "字典"),
        (name = "todo", description = "工作台待办"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::extract::SESSION_COOKIE))),
        );
    }
}

pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(org::router(state))
        .merge(audit::router())
        .merge(hazard::router())
        .merge(checklist::router())
        .merge(files::router())
        .merge(notify::router())
        .merge(risk::router())
        .merge(map::router())
        .merge(meta::router())
        .merge(todo::router())
}

/// Paging parameters of every list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 每页条数 (1–200, default 20)
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<i64>,
    /// The `next_cursor` of the previous page
    pub cursor: Option<String>,
}

impl Paging {
    pub fn req(&self) -> Result<PageReq, crate::error::AppError> {
        Ok(PageReq::parse(self.page_size, self.cursor.as_deref())?)
    }
}

/// `?version=N` of a delete.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// The version last read (optimistic locking)
    pub version: i64,
}

/// Refuses an export larger than the installation's cap (`max_export_rows`).
pub fn check_export_size(total: i64, cap: i64) -> Result<(), crate::error::AppError> {
    if total > cap {
        return Err(crate::error::AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("符合条件的记录超过单次导出上限{cap}条，请缩小筛选范围"),
        ));
    }
    Ok(())
}
