//! Audit log (操作日志): read, export, verify.

use crate::api::Paging;
use crate::error::ApiResult;
use crate::excel::{self, Cell, ExportRow};
use crate::extract::{ApiQuery, Auth};
use crate::AppState;
use anjian_domain::auth::Action;
use anjian_domain::time::BusinessCalendar;
use anjian_store::audit::{self, AuditFilter, AuditRecord, Verification};
use anjian_store::page::Page;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(export)).routes(routes!(verify))
}

/// 操作日志列表 (admin, committee), newest first
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter, Paging),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = crate::error::Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<AuditFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    Ok(Json(audit::list(&s.store, &auth.principal, &f, pg.req()?).await?))
}

/// 导出操作日志
#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export(State(s): State<AppState>, auth: Auth, ApiQuery(f): ApiQuery<AuditFilter>) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    excel::export(store, "操作日志", "操作日志.xlsx", move |pg| audit::list(store, p, f, pg)).await
}

impl ExportRow for AuditRecord {
    const HEADERS: &'static [&'static str] = &["序号", "时间", "操作人", "操作", "对象类型", "对象ID", "摘要", "哈希"];
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell> {
        vec![
            Cell::from(self.id),
            excel::local_time(cal, &self.at),
            self.actor_name.into(),
            self.action.into(),
            self.entity.into(),
            self.entity_id.into(),
            self.summary.into(),
            self.hash.into(),
        ]
    }
}

/// 校验日志链: recomputes every link and names the first broken record
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "verify_audit_chain", tag = "audit", responses((status = 200, body = Verification)))]
async fn verify(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Verification>> {
    auth.principal.require(Action::ReadAudit)?;
    Ok(Json(audit::verify(&s.store).await?))
}
