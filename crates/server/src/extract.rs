//! Extractors: the authenticated principal, and JSON and query bodies whose rejections answer
//! in problem+json with a Chinese detail.

use crate::error::{default_detail, AppError};
use crate::AppState;
use anjian_store::auth::{authenticate, User};
use anjian_store::Principal;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "anjian_session";

/// The session token of a request: `Authorization: Bearer …` or the session cookie.
pub fn token_of(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == SESSION_COOKIE).then(|| v.to_string())
        },
    )
}

/// A logged-in user. A user who must change the demo or reset password may only do that.
pub struct Auth {
    pub principal: Principal,
    pub user: User,
    pub token: String,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = token_of(parts).ok_or_else(AppError::unauthorized)?;
        // A token is 64 hex characters; anything else is not worth a database lookup.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::new(StatusCode::UNAUTHORIZED, "登录凭证无效，请重新登录"));
        }
        let (principal, user) = authenticate(&state.store, &token)
            .await?
            .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "登录已过期或凭证无效，请重新登录"))?;
        if user.must_change_password && !parts.uri.path().starts_with("/api/v1/auth/") {
            return Err(AppError::new(StatusCode::FORBIDDEN, "请先修改初始密码后再使用系统"));
        }
        Ok(Auth { principal, user, token })
    }
}

/// JSON body; malformed JSON answers 400, a wrong shape 422, a wrong content type 415. Before
/// the typed parse every body passes [`check_json_body`]: an object at the top, and no text
/// holding NUL or longer than [`MAX_JSON_STRING`] anywhere in it, whatever the type's own rules.
pub struct ApiJson<T>(pub T);

/// The longest text any field may hold before the domain's own, shorter limits apply.
pub const MAX_JSON_STRING: usize = 20_000;

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if !json_type {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请求体应为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|r| {
            let status = r.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(status, "请求内容过大")
            } else {
                AppError::new(status, default_detail(status))
            }
        })?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| AppError::bad_request("请求体不是合法的 JSON"))?;
        check_json_body(&value).map_err(|e| AppError::invalid(vec![e]))?;
        let bytes = if integral_floats_to_integers(&mut value) {
            axum::body::Bytes::from(
                serde_json::to_vec(&value).map_err(|_| AppError::bad_request("请求体不是合法的 JSON"))?,
            )
        } else {
            bytes
        };
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

/// The checks every JSON body passes: an object at the top (a positional array is not a
/// record), and texts without NUL (PostgreSQL cannot store it) and of bounded length.
pub fn check_json_body(v: &serde_json::Value) -> Result<(), anjian_domain::FieldError> {
    use anjian_domain::FieldError;
    fn walk(v: &serde_json::Value, path: &mut String) -> Result<(), FieldError> {
        match v {
            serde_json::Value::String(s) => {
                if s.contains('\0') {
                    return Err(FieldError::new(path.as_str(), format!("{}：不能含有空字符（NUL）", shown(path))));
                }
                if s.chars().count() > MAX_JSON_STRING {
                    return Err(FieldError::new(
                        path.as_str(),
                        format!("{}：不能超过{MAX_JSON_STRING}字", shown(path)),
                    ));
                }
                Ok(())
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(fields) => {
                for (k, item) in fields {
                    if k.contains('\0') {
                        return Err(FieldError::new("", "字段名不能含有空字符（NUL）"));
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    fn shown(path: &str) -> &str {
        if path.is_empty() {
            "内容"
        } else {
            path
        }
    }
    if !v.is_object() {
        return Err(FieldError::new("", "请求体应为 JSON 对象（{…}），不能是数组或单个值"));
    }
    walk(v, &mut String::new())
}

/// JSON has one number type: `3.0` is the integer 3 (as JSON Schema has it), but serde refuses
/// it for an integer field. Whole numbers written with a fraction become integers (a float field
/// takes an integer alike); says whether any did.
fn integral_floats_to_integers(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // 2^63 is exact in f64; below it every whole f64 fits an i64
            if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                *v = serde_json::Value::from(f as i64);
                true
            } else {
                false
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |c, i| integral_floats_to_integers(i) | c),
        serde_json::Value::Object(fields) => fields.values_mut().fold(false, |c, i| integral_floats_to_integers(i) | c),
        _ => false,
    }
}

fn json_rejection(rej: JsonRejection) -> AppError {
    let status = rej.status();
    let text = rej.body_text();
    match rej {
        JsonRejection::JsonDataError(_) => {
            let (field, reason) = describe_serde_error(&text);
            AppError::invalid(vec![anjian_domain::FieldError::new(field, reason)])
        }
        JsonRejection::JsonSyntaxError(_) => AppError::bad_request("请求体不是合法的 JSON"),
        JsonRejection::MissingJsonContentType(_) => {
            AppError::new(status, default_detail(StatusCode::UNSUPPORTED_MEDIA_TYPE))
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => AppError::new(status, "请求内容过大"),
        _ => AppError::new(status, default_detail(status)),
    }
}

/// Turns serde's English message into a field name and a Chinese reason.
fn describe_serde_error(text: &str) -> (String, String) {
    // e.g. "Failed to deserialize the JSON body into the target type: name: invalid type: ..."
    let body = text.split_once("target type: ").map(|x| x.1).unwrap_or(text);
    if let Some(rest) = body.split("missing field `").nth(1) {
        let f = rest.split('`').next().unwrap_or("").to_string();
        return (f.clone(), format!("缺少必填字段 {f}"));
    }
    let (field, msg) = match body.split_once(": ") {
        Some((f, m)) if !f.contains(' ') => (f.to_string(), m),
        _ => (String::new(), body),
    };
    let reason = if msg.contains("unknown variant") {
        let allowed = msg.split("expected ").nth(1).unwrap_or("").split(" at line").next().unwrap_or("");
        format!("取值不在允许范围内（允许：{}）", allowed.replace('`', ""))
    } else if msg.contains("unknown field") {
        let allowed = msg.split("expected ").nth(1).unwrap_or("").split(" at line").next().unwrap_or("");
        let allowed = allowed.trim_start_matches("one of ").replace('`', "").replace(" or ", "、").replace(", ", "、");
        format!("不认识的字段（可用：{allowed}）")
    } else if msg.contains("invalid type") {
        "类型不正确".to_string()
    } else {
        // Messages of our own parsers (e.g. 统一社会信用代码) are already Chinese.
        msg.split(" at line").next().unwrap_or(msg).to_string()
    };
    (field.clone(), if field.is_empty() { reason } else { format!("{field}：{reason}") })
}

/// Query string; a bad one answers 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        if raw.contains("%00") || raw.chars().count() > MAX_JSON_STRING {
            return Err(AppError::bad_request("查询参数有误：不能含有空字符（NUL），也不能过长"));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(AppError::bad_request(format!("查询参数有误：{}", e.body_text().rsplit(": ").next().unwrap_or(""))))
            }
            Err(e) => Err(AppError::bad_request(format!("查询参数有误：{}", e.body_text()))),
        }
    }
}

/// The client's address (for login throttling): the socket's peer, or — when the server is
/// configured with a `trusted_proxy_header` — the last address in that header (the one the
/// proxy in front saw; entries before it are whatever the client sent). "local" when served
/// without a socket (tests).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state.config.trusted_proxy_header.as_deref())))
    }
}

pub fn client_ip(parts: &Parts, trusted_header: Option<&str>) -> String {
    let from_proxy = trusted_header.and_then(|h| {
        let last = parts.headers.get_all(h).iter().filter_map(|v| v.to_str().ok()).next_back()?;
        let addr = last.rsplit(',').next()?.trim();
        addr.parse::<std::net::IpAddr>().ok().map(|a| a.to_string())
    });
    from_proxy.unwrap_or_else(|| {
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "local".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_comes_from_the_configured_header_only() {
        let req = axum::http::Request::builder()
            .header("x-forwarded-for", "6.6.6.6, 10.0.0.7")
            .header("x-real-ip", "10.0.0.8")
            .body(())
            .unwrap();
        let (parts, _) = req.into_parts();
        assert_eq!(client_ip(&parts, None), "local");
        assert_eq!(client_ip(&parts, Some("X-Forwarded-For")), "10.0.0.7");
        assert_eq!(client_ip(&parts, Some("X-Real-IP")), "10.0.0.8");
        // A header that is missing or holds no address: the socket's address.
        assert_eq!(client_ip(&parts, Some("X-Client-IP")), "local");
    }

    #[test]
    fn whole_numbers_with_a_fraction_are_integers() {
        let mut v = serde_json::json!({"a": 3.0, "b": [-160847.0, 1.5], "c": {"d": 1e300}, "e": 7});
        assert!(integral_floats_to_integers(&mut v));
        assert_eq!(v, serde_json::json!({"a": 3, "b": [-160847, 1.5], "c": {"d": 1e300}, "e": 7}));
        assert!(!integral_floats_to_integers(&mut serde_json::json!({"a": 2, "b": 0.5})));
    }

    #[test]
    fn serde_messages_become_field_errors() {
        let (f, m) = describe_serde_error(
            "Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 2",
        );
        assert_eq!((f.as_str(), m.as_str()), ("name", "缺少必填字段 name"));
        let (f, m) = describe_serde_error("Failed to deserialize the JSON body into the target type: role: unknown variant `boss`, expected one of `admin`, `grid` at line 1 column 20");
        assert_eq!(f, "role");
        assert!(m.contains("允许"), "{m}");
        let (f, m) = describe_serde_error("Failed to deserialize the JSON body into the target type: review_station_after_day: unknown field `review_station_after_day`, expected `dynamic_level` or `review_station_after_days` at line 1 column 60");
        assert_eq!(f, "review_station_after_day");
        assert_eq!(m, "review_station_after_day：不认识的字段（可用：dynamic_level、review_station_after_days）");
    }
}
