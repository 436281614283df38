//! Cross-cutting request handling: problem+json for errors made outside handlers,
//! idempotency keys, request metrics, health.

use crate::error::{default_detail, AppError};
use crate::extract::token_of;
use crate::AppState;
use anjian_store::idempotency::{body_hash, claim, complete, Claim, KeyRef, CURRENT};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Errors that axum itself produces (unknown route, wrong method, body too large) come as
/// plain text; under `/api` they are turned into problem+json like every other error.
pub async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if api && (status.is_client_error() || status.is_server_error()) && !is_problem {
        let mut e = AppError::new(status, default_detail(status));
        if let Some(ra) =
            res.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
        {
            e.retry_after = Some(ra);
        }
        return e.into_response();
    }
    res
}

/// Largest body of a request sent with an `Idempotency-Key` (it is read whole to hash it): the
/// largest upload or import and some room.
const MAX_KEYED_BODY: usize = 32 << 20;

/// Replays the first answer to a create sent again with the same `Idempotency-Key`; see
/// `store::idempotency` for the lease and the commit that travels with the write.
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let (Some(key), true) = (key, req.method() == Method::POST) else { return next.run(req).await };
    if key.is_empty() || key.len() > 200 {
        return AppError::bad_request("Idempotency-Key 应为1至200个字符").into_response();
    }
    let (parts, body) = req.into_parts();
    let Some(token) = token_of(&parts) else { return next.run(Request::from_parts(parts, body)).await };
    let Ok(Some((p, _))) = anjian_store::auth::authenticate(&state.store, &token).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let Ok(bytes) = to_bytes(body, MAX_KEYED_BODY).await else {
        return AppError::new(StatusCode::PAYLOAD_TOO_LARGE, default_detail(StatusCode::PAYLOAD_TOO_LARGE))
            .into_response();
    };
    let request = format!("{} {}", parts.method, parts.uri.path());
    let key = KeyRef { user_id: p.user_id, key };
    match claim(&state.store, &key, &request, &body_hash(&bytes), state.config.clock.now()).await {
        Ok(Claim::New) => {}
        Ok(Claim::Done { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return replay(status, body);
        }
        Ok(Claim::Committed { entity, entity_id }) => {
            let body = serde_json::json!({
                "detail": "该请求已在服务中断前完成，但应答未能保存；请在列表中查看结果",
                "entity": entity,
                "id": entity_id,
            });
            return replay(StatusCode::OK, body.to_string());
        }
        Ok(Claim::Busy { retry_after_secs }) => {
            let mut e = AppError::new(StatusCode::CONFLICT, "相同的请求正在处理中，请稍候再试");
            e.retry_after = Some(retry_after_secs);
            return e.into_response();
        }
        Ok(Claim::Mismatch) => {
            return AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "该 Idempotency-Key 已用于另一个请求或另一份内容")
                .into_response()
        }
        Err(e) => return AppError::from(e).into_response(),
    }
    let res = CURRENT.scope(key.clone(), next.run(Request::from_parts(parts, Body::from(bytes)))).await;
    let status = res.status();
    let (rparts, rbody) = res.into_parts();
    let bytes = to_bytes(rbody, 4 << 20).await.unwrap_or_default();
    let text = std::str::from_utf8(&bytes).ok();
    if let Err(e) = complete(&state.store, &key, status.as_u16(), text).await {
        tracing::error!(error = %e, "idempotency answer not saved");
    }
    Response::from_parts(rparts, Body::from(bytes))
}

fn replay(status: StatusCode, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    res.headers_mut().insert("idempotent-replay", header::HeaderValue::from_static("true"));
    res
}

/// Request counters for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros_total: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let t = Instant::now();
    state.metrics.started.get_or_init(Instant::now);
    let res = next.run(req).await;
    let class = (res.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    state.metrics.by_class[class].fetch_add(1, Ordering::Relaxed);
    state.metrics.micros_total.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
    res
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let mut out = String::from("# HELP anjian_http_requests_total HTTP requests answered, by status class.\n# TYPE anjian_http_requests_total counter\n");
    for (i, c) in m.by_class.iter().enumerate() {
        out.push_str(&format!("anjian_http_requests_total{{class=\"{}xx\"}} {}\n", i + 1, c.load(Ordering::Relaxed)));
    }
    out.push_str("# HELP anjian_http_request_duration_seconds_sum Time spent answering requests.\n# TYPE anjian_http_request_duration_seconds_sum counter\n");
    out.push_str(&format!(
        "anjian_http_request_duration_seconds_sum {:.6}\n",
        m.micros_total.load(Ordering::Relaxed) as f64 / 1e6
    ));
    let up = state.store.ping().await;
    out.push_str("# HELP anjian_database_up Whether the database answers.\n# TYPE anjian_database_up gauge\n");
    out.push_str(&format!("anjian_database_up {}\n", up as u8));
    out.push_str("# HELP anjian_uptime_seconds Seconds since the first request.\n# TYPE anjian_uptime_seconds gauge\n");
    out.push_str(&format!("anjian_uptime_seconds {}\n", m.started.get().map(|s| s.elapsed().as_secs()).unwrap_or(0)));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        axum::Json(serde_json::json!({"status": "ok"})).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "database unavailable"})))
            .into_response()
    }
}
