//! One error type for the HTTP layer and its mapping to RFC 9457 problem details.

use anjian_domain::FieldError;
use anjian_store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// RFC 9457 problem details, with a Chinese `detail` and the fields at fault.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// 中文说明
    pub detail: String,
    /// Fields at fault (validation errors) or rows at fault (imports)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<serde_json::Value>,
}

/// An error answer.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<serde_json::Value>,
    pub retry_after: Option<i64>,
}

pub type ApiResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, detail: detail.into(), errors: vec![], retry_after: None }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "请先登录")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "请求的对象不存在，或不在您的权限范围内")
    }
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.message.clone(),
            many => format!(
                "输入有{}处错误：{}",
                many.len(),
                many.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
            ),
        };
        let errors = errors.into_iter().map(|e| serde_json::json!({"field": e.field, "message": e.message})).collect();
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, detail, errors, retry_after: None }
    }
    pub fn with_errors(mut self, errors: Vec<serde_json::Value>) -> Self {
        self.errors = errors;
        self
    }
}

/// The short English title and the type URI of each status we answer.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// A default Chinese detail for statuses produced outside our handlers (router, body limit).
pub fn default_detail(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求格式有误",
        401 => "请先登录",
        403 => "无权执行此操作",
        404 => "请求的地址或对象不存在",
        405 => "不支持该请求方法",
        408 => "请求超时",
        413 => "请求内容过大",
        415 => "不支持的内容类型，请使用 application/json",
        422 => "输入有误",
        429 => "请求过于频繁，请稍后再试",
        _ => "服务器内部错误，请稍后再试或联系管理员",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("https://anjian.dev/problems/{}", self.status.as_u16()),
            title: title(self.status).into(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Forbidden(m) => AppError::new(StatusCode::FORBIDDEN, m),
            StoreError::Conflict(m) => AppError::new(StatusCode::CONFLICT, m),
            StoreError::Duplicate { field, message } => AppError::new(StatusCode::CONFLICT, message.clone())
                .with_errors(vec![serde_json::json!({"field": field, "message": message})]),
            StoreError::Invalid(errors) => AppError::invalid(errors),
            StoreError::Config(m) => AppError::new(StatusCode::BAD_REQUEST, m),
            StoreError::TooLarge(m) => AppError::new(StatusCode::PAYLOAD_TOO_LARGE, m),
            StoreError::TooMany { message, retry_after } => {
                let mut e = AppError::new(StatusCode::TOO_MANY_REQUESTS, message);
                e.retry_after = Some(retry_after);
                e
            }
            StoreError::File(m) => {
                tracing::error!(error = %m, "file error");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, default_detail(StatusCode::INTERNAL_SERVER_ERROR))
            }
            StoreError::Db(e) => {
                // Internal causes are logged, never sent.
                tracing::error!(error = %e, "database error");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, default_detail(StatusCode::INTERNAL_SERVER_ERROR))
            }
        }
    }
}
