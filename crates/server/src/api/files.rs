//! Files (文件): upload of photos and documents, and download within scope.

use crate::error::{ApiResult, AppError};
use crate::extract::Auth;
use crate::AppState;
use anjian_store::files::{self, StoredFile, MAX_FILE_BYTES};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    let uploads =
        OpenApiRouter::new().routes(routes!(upload_file)).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + (64 << 10)));
    OpenApiRouter::new().merge(uploads).routes(routes!(download_file))
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct FileUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// 上传文件 (photo or document, ≤10 MB)
///
/// A file not attached within 24 hours is removed; one user may hold 100 MiB of unattached files
/// (413) and upload 200 MiB in 24 hours (429 with Retry-After).
#[utoipa::path(post, path = "/api/v1/files", tag = "files", request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = StoredFile), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn upload_file(
    State(s): State<AppState>,
    auth: Auth,
    mut mp: Multipart,
) -> ApiResult<(StatusCode, Json<StoredFile>)> {
    let bad = |e: axum::extract::multipart::MultipartError| AppError::new(e.status(), "上传的文件无法读取或超过10MB");
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("file").to_string();
            let declared = field.content_type().map(str::to_string);
            let data = field.bytes().await.map_err(bad)?.to_vec();
            let content_type = declared
                .filter(|c| c != "application/octet-stream")
                .unwrap_or_else(|| mime_guess::from_path(&name).first_or_octet_stream().to_string());
            let f = files::upload(&s.store, &auth.principal, &name, &content_type, data, s.config.clock.now()).await?;
            return Ok((StatusCode::CREATED, Json(f)));
        }
    }
    Err(AppError::bad_request("请选择要上传的文件（表单字段 file）"))
}

/// 下载文件
///
/// Images `inline`, other files `attachment`, under their stored name (`filename*=UTF-8''…`).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", responses((status = 200, description = "The file under its stored content type", content_type = "*/*"), (status = 404, body = crate::error::Problem)))]
async fn download_file(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Response> {
    let (f, data) = files::download(&s.store, &auth.principal, id).await?;
    let disposition = content_disposition(&f.name, f.content_type.starts_with("image/"));
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            // A file opened on its own is a sandboxed document that runs nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
                    .to_string(),
            ),
        ],
        data,
    )
        .into_response())
}

/// `Content-Disposition` (RFC 6266) with the stored name: an ASCII `filename` for old clients
/// (other characters as `_`) and the exact name as `filename*=UTF-8''…` (RFC 5987/8187).
pub fn content_disposition(name: &str, inline: bool) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%')) || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_disposition_carries_the_name_for_old_and_new_clients() {
        assert_eq!(
            super::content_disposition("现场 1.png", true),
            "inline; filename=\"__ 1.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%201.png"
        );
        assert_eq!(
            super::content_disposition("a\"b;c.pdf", false),
            "attachment; filename=\"a_b;c.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf"
        );
    }
}
