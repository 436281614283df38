//! Audit log (操作日志): read, export, verify.

use crate::api::Paging;
use crate::error::{ApiResult, AppError};
use crate::excel::{self, Cell, ExportRow};
use crate::extract::{ApiQuery, Auth};
use crate::AppState;
use anjian_domain::audit::Checkpoint;
use anjian_domain::auth::Action;
use anjian_domain::time::BusinessCalendar;
use anjian_store::audit::{self, AuditFilter, AuditRecord, Verification};
use anjian_store::page::Page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(labels))
        .routes(routes!(export))
        .routes(routes!(verify))
        .routes(routes!(checkpoints))
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

/// A code and its Chinese.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Label {
    pub value: &'static str,
    pub label: &'static str,
}

/// What the log's filters offer: every action and object type, in Chinese.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditLabels {
    pub actions: Vec<Label>,
    pub entities: Vec<Label>,
}

/// 操作日志的操作和对象类型 (the filters' options)
#[utoipa::path(get, path = "/api/v1/audit/labels", tag = "audit", responses((status = 200, body = AuditLabels)))]
async fn labels(auth: Auth) -> ApiResult<Json<AuditLabels>> {
    auth.principal.require(Action::ReadAudit)?;
    let table = |t: &[(&'static str, &'static str)]| t.iter().map(|(value, label)| Label { value, label }).collect();
    Ok(Json(AuditLabels {
        actions: table(&anjian_domain::audit::ACTIONS),
        entities: table(&anjian_domain::audit::ENTITIES),
    }))
}

/// 导出操作日志
#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export(State(s): State<AppState>, auth: Auth, ApiQuery(f): ApiQuery<AuditFilter>) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    excel::export(&s, "操作日志", "操作日志.xlsx", move |pg| audit::list(store, p, f, pg)).await
}

impl ExportRow for AuditRecord {
    const HEADERS: &'static [&'static str] = &["序号", "时间", "操作人", "操作", "对象类型", "对象ID", "摘要", "哈希"];
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell> {
        vec![
            Cell::from(self.id),
            excel::local_time(cal, &self.at),
            self.actor_name.into(),
            self.action_label.into(),
            self.entity_label.into(),
            self.entity_id.into(),
            self.summary.into(),
            self.hash.into(),
        ]
    }
}

/// 校验日志链: recomputes every link up to the head read at the start, and compares the chain
/// with every signed checkpoint (detects a cut-off tail and a chain recomputed after an edit)
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "verify_audit_chain", tag = "audit", responses((status = 200, body = Verification)))]
async fn verify(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Verification>> {
    auth.principal.require(Action::ReadAudit)?;
    let seal = s.config.audit_seal.as_ref().map(|x| x.seal_key());
    Ok(Json(audit::verify(&s.store, seal.as_ref()).await?))
}

/// The signed checkpoints, for keeping a copy away from the server.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckpointExport {
    /// Ed25519 public key (hex) that verifies every checkpoint.
    pub public_key: String,
    pub key_id: String,
    /// In the order written (the checkpoint file's lines).
    pub checkpoints: Vec<Checkpoint>,
}

/// 导出日志检查点 (admin): the public key and every signed checkpoint
#[utoipa::path(get, path = "/api/v1/audit/checkpoints", tag = "audit",
    responses((status = 200, body = CheckpointExport), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn checkpoints(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<CheckpointExport>> {
    auth.principal.require(Action::ExportAuditCheckpoints)?;
    let Some(sealer) = s.config.audit_seal.as_ref() else {
        return Err(AppError::new(StatusCode::NOT_FOUND, "本服务未配置日志检查点"));
    };
    let key = sealer.seal_key();
    let file = key.file.clone();
    let log = tokio::task::spawn_blocking(move || audit::seal::read_log(&file))
        .await
        .map_err(|_| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "读取检查点文件中断"))??
        .unwrap_or_default();
    Ok(Json(CheckpointExport {
        public_key: hex::encode(key.key.as_bytes()),
        key_id: key.key_id(),
        checkpoints: log.checkpoints,
    }))
}
