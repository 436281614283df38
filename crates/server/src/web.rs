//! The web UI, built into `web/dist` and embedded in the binary.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>安监</title><p>网页界面尚未构建：请在 web/ 目录运行 <code>npm ci && npm run build</code> 后重新编译，或使用 README 中的启动命令。</p>";

/// Serves a file of the bundle, or `index.html` for the UI's own routes.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if uri.path().starts_with("/api/") {
        return crate::error::AppError::new(StatusCode::NOT_FOUND, "接口不存在").into_response();
    }
    if let Some(f) = Assets::get(path).filter(|_| !path.is_empty()) {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        // Hashed assets never change; index.html must be re-read to pick up a new release.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, mime.as_ref()), (header::CACHE_CONTROL, cache)], f.data).into_response();
    }
    match Assets::get("index.html") {
        Some(f) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], f.data)
            .into_response(),
        None => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], NOT_BUILT).into_response(),
    }
}
