//! Browser-side defences: security headers on every answer, and the same-origin and content
//! type rules for requests that change something.

use crate::error::{default_detail, AppError};
use crate::extract::SESSION_COOKIE;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long an instance keeps the tile server it read from the map settings: a change made on
/// this instance applies at once (see [`CspCache::invalidate`]), one made on another within this.
const TILE_SOURCE_TTL: Duration = Duration::from_secs(60);

/// The Content-Security-Policy, with the configured map tile server in `img-src`.
#[derive(Default)]
pub struct CspCache(RwLock<Option<(Instant, HeaderValue)>>);

impl CspCache {
    /// Called after the map settings change.
    pub fn invalidate(&self) {
        *self.0.write().expect("csp lock") = None;
    }

    async fn get(&self, state: &AppState) -> HeaderValue {
        if let Some((at, v)) = self.0.read().expect("csp lock").as_ref() {
            if at.elapsed() < TILE_SOURCE_TTL {
                return v.clone();
            }
        }
        let tiles = match anjian_store::map::settings(&state.store).await {
            Ok(m) => m.tile_source(),
            Err(e) => {
                tracing::warn!(error = %e, "map settings unreadable; CSP without tile server");
                None
            }
        };
        let v =
            HeaderValue::from_str(&policy(tiles.as_deref())).unwrap_or_else(|_| HeaderValue::from_static(BASE_POLICY));
        *self.0.write().expect("csp lock") = Some((Instant::now(), v.clone()));
        v
    }
}

const BASE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

/// The policy: scripts only from the bundle (no inline script, no eval); inline styles are allowed
/// because Element Plus and Leaflet position elements with `style` attributes; images also from
/// the tile server; nobody may frame the UI.
pub fn policy(tile_source: Option<&str>) -> String {
    let img = match tile_source {
        Some(t) => format!("img-src 'self' data: blob: {t}"),
        None => "img-src 'self' data: blob:".to_string(),
    };
    BASE_POLICY.replace("img-src 'self' data: blob:", &img)
}

/// Sets the security headers on every answer (API, web UI, errors, 404s). An answer that set
/// its own Content-Security-Policy (file downloads) keeps it.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let csp = state.csp.get(&state).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(csp);
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if state.config.secure_cookie {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// Requests that change something under `/api`:
///
/// - authenticated by the session cookie (not by a Bearer token), or anonymous ones that a
///   browser sends (the login: login CSRF), must come from a page of this site: `Sec-Fetch-Site`
///   `same-origin`/`none`, or else an `Origin` naming this host; a cookie request with neither
///   header is refused too (browsers send `Origin` on every such request) → 403;
/// - a body must be JSON (or a multipart upload), so a cross-site form cannot post one → 415.
pub async fn same_origin_and_json(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !unsafe_method || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let h = req.headers();
    let bearer = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Bearer "));
    if !bearer && !from_this_site(h, has_session_cookie(h), state.config.trusted_proxy_header.is_some()) {
        return AppError::new(StatusCode::FORBIDDEN, "请求来源不是本站页面，已拒绝（跨站请求）").into_response();
    }
    let empty = axum::body::HttpBody::size_hint(req.body()).upper() == Some(0);
    if !json_or_no_body(h, empty) {
        return AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, default_detail(StatusCode::UNSUPPORTED_MEDIA_TYPE))
            .into_response();
    }
    next.run(req).await
}

fn has_session_cookie(h: &HeaderMap) -> bool {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim().split_once('=').is_some_and(|(k, _)| k == SESSION_COOKIE))
}

/// Whether a browser says the request comes from this site. Without either header it is not a
/// browser's request: allowed unless it carries the session cookie.
fn from_this_site(h: &HeaderMap, cookie: bool, behind_proxy: bool) -> bool {
    let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text("origin") else { return !cookie };
    let Some((_, origin_host)) = origin.split_once("://") else { return false };
    let hosts = [Some("host"), behind_proxy.then_some("x-forwarded-host")];
    hosts.into_iter().flatten().filter_map(text).any(|host| same_host(origin_host, host))
}

fn same_host(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        s.strip_suffix(":80").or_else(|| s.strip_suffix(":443")).map(str::to_string).unwrap_or(s)
    };
    norm(a) == norm(b)
}

/// A body is JSON (`application/json`, `…+json`) or multipart (uploads, imports); a request
/// without a content type has no body (`empty`: the body's size is known to be 0).
fn json_or_no_body(h: &HeaderMap, empty: bool) -> bool {
    match h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(ct) => {
            let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json") || mime == "multipart/form-data"
        }
        None => empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_request_is_from_this_site_by_fetch_metadata_or_origin() {
        let host = ("host", "anjian.example.cn");
        assert!(from_this_site(&map(&[host, ("sec-fetch-site", "same-origin")]), true, false));
        assert!(!from_this_site(&map(&[host, ("sec-fetch-site", "cross-site")]), true, false));
        assert!(!from_this_site(&map(&[host, ("sec-fetch-site", "same-site")]), true, false));
        assert!(from_this_site(&map(&[host, ("origin", "https://anjian.example.cn")]), true, false));
        assert!(from_this_site(
            &map(&[("host", "anjian.example.cn:443"), ("origin", "https://anjian.example.cn")]),
            true,
            false
        ));
        assert!(!from_this_site(&map(&[host, ("origin", "https://evil.example.com")]), true, false));
        assert!(!from_this_site(&map(&[host, ("origin", "null")]), true, false));
        // No browser headers: a script or CLI; with the session cookie it must say where it is from.
        assert!(from_this_site(&map(&[host]), false, false));
        assert!(!from_this_site(&map(&[host]), true, false));
        // Behind a proxy that rewrites Host, the forwarded host counts (only when a proxy is configured).
        let proxied = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "anjian.example.cn"),
            ("origin", "https://anjian.example.cn"),
        ];
        assert!(from_this_site(&map(&proxied), true, true));
        assert!(!from_this_site(&map(&proxied), true, false));
    }

    #[test]
    fn bodies_must_be_json_or_multipart() {
        assert!(json_or_no_body(&map(&[("content-type", "application/json; charset=utf-8")]), false));
        assert!(json_or_no_body(&map(&[("content-type", "application/merge-patch+json")]), false));
        assert!(json_or_no_body(&map(&[("content-type", "multipart/form-data; boundary=x")]), false));
        assert!(!json_or_no_body(&map(&[("content-type", "application/x-www-form-urlencoded")]), true));
        assert!(!json_or_no_body(&map(&[("content-type", "text/plain")]), false));
        assert!(json_or_no_body(&map(&[]), true));
        assert!(!json_or_no_body(&map(&[]), false));
    }

    #[test]
    fn the_policy_allows_the_tile_server_for_images_only() {
        let p = policy(Some("https://*.tianditu.gov.cn"));
        assert!(p.contains("img-src 'self' data: blob: https://*.tianditu.gov.cn;"), "{p}");
        assert!(p.contains("script-src 'self';") && !p.contains("unsafe-eval"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert_eq!(policy(None), BASE_POLICY);
    }
}
