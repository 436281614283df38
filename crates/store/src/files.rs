//! Stored files (附件): photos and documents kept in the database, so a backup holds them too.

use crate::db::{Insert, Q};
use crate::Tx;
use crate::{now, Principal, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Largest accepted file.
pub const MAX_FILE_BYTES: usize = 10 << 20;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

const ALLOWED: [&str; 8] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

pub async fn upload(
    store: &Store,
    p: &Principal,
    name: &str,
    content_type: &str,
    data: Vec<u8>,
) -> Result<StoredFile, StoreError> {
    if data.is_empty() {
        return Err(StoreError::invalid("file", "文件为空"));
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(StoreError::invalid("file", "文件不能超过10MB"));
    }
    if !ALLOWED.contains(&content_type) {
        return Err(StoreError::invalid("file", "只能上传图片（JPG、PNG、WebP、GIF、HEIC）、PDF 或 Office 文档"));
    }
    let name: String = name.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(120).collect();
    let sha = hex::encode(Sha256::digest(&data));
    let size = data.len() as i64;
    let mut tx = store.begin().await?;
    let q = Insert::into("stored_file")
        .set("name", name.as_str())
        .set("content_type", content_type)
        .set("size", size)
        .set("sha256", sha)
        .set("data", crate::Val::B(data))
        .set("uploaded_by", p.user_id)
        .set("created_at", now())
        .returning_id();
    let id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("id")?;
    tx.commit().await?;
    Ok(StoredFile { id, name, content_type: content_type.into(), size, url: format!("/api/v1/files/{id}") })
}

/// Reads a file: its uploader, or anyone who sees an object it is attached to.
pub async fn download(store: &Store, p: &Principal, id: i64) -> Result<(StoredFile, Vec<u8>), StoreError> {
    let r = Q::new("SELECT * FROM stored_file WHERE id = ")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let uploader: i64 = r.try_get("uploaded_by")?;
    if uploader != p.user_id {
        // The link carries its owner's scope columns, read as `h` like every owned row.
        let mut q = Q::new("SELECT h.entity_id FROM attachment h WHERE h.file_id = ");
        q.bind(id);
        crate::scope::push_owned_scope(&mut q, &p.scope);
        q.push(" LIMIT 1");
        if q.fetch_optional(store.pool()).await?.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    Ok((
        StoredFile {
            id,
            name: r.try_get("name")?,
            content_type: r.try_get("content_type")?,
            size: r.try_get("size")?,
            url: format!("/api/v1/files/{id}"),
        },
        r.try_get("data")?,
    ))
}

/// Checks that the caller may attach these files (it uploaded them) and that they exist.
pub(crate) async fn check_attachable(store: &Store, p: &Principal, field: &str, ids: &[i64]) -> Result<(), StoreError> {
    for id in ids {
        let r =
            Q::new("SELECT uploaded_by FROM stored_file WHERE id = ").bind(*id).fetch_optional(store.pool()).await?;
        match r {
            Some(r) if r.try_get::<i64, _>("uploaded_by")? == p.user_id => {}
            _ => return Err(StoreError::invalid(field, format!("照片 {id} 不存在或不是您上传的"))),
        }
    }
    Ok(())
}

/// The object files are attached to, with the scope columns of its enterprise (who sees the
/// object sees its files).
pub(crate) struct Owner<'a> {
    /// The owning table (`hazard`, …)
    pub entity: &'static str,
    pub id: i64,
    pub enterprise_id: i64,
    pub scope_path: &'a str,
    pub sector: &'a str,
}

/// Attaches files (already checked with [`check_attachable`]) to an object, as `kind`
/// (before / after, …), in the caller's transaction. `field` names the input on a duplicate.
pub(crate) async fn attach(
    tx: &mut Tx,
    owner: &Owner<'_>,
    kind: &str,
    field: &str,
    ids: &[i64],
) -> Result<(), StoreError> {
    for f in ids {
        let mut q = Q::new(
            "INSERT INTO attachment (entity, entity_id, file_id, kind, enterprise_id, scope_path, sector) VALUES (",
        );
        q.bind(owner.entity).push(", ").bind(owner.id).push(", ").bind(*f).push(", ").bind(kind);
        q.push(", ")
            .bind(owner.enterprise_id)
            .push(", ")
            .bind(owner.scope_path)
            .push(", ")
            .bind(owner.sector)
            .push(")");
        q.execute(&mut *tx.tx).await.map_err(|e| {
            if e.unique_violation().is_some() {
                StoreError::invalid(field, "同一张照片不能重复添加")
            } else {
                e
            }
        })?;
    }
    Ok(())
}

/// A file attached to an object.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Photo {
    pub file_id: i64,
    /// before / after
    pub kind: String,
    pub name: String,
    pub url: String,
}

/// The files attached to an object, oldest first.
pub(crate) async fn attached(store: &Store, entity: &'static str, id: i64) -> Result<Vec<Photo>, StoreError> {
    let mut q = Q::new(
        "SELECT a.file_id, a.kind, f.name FROM attachment a JOIN stored_file f ON f.id = a.file_id WHERE a.entity = ",
    );
    q.bind(entity).push(" AND a.entity_id = ").bind(id).push(" ORDER BY a.file_id");
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            let file_id: i64 = r.try_get("file_id")?;
            Ok(Photo {
                file_id,
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                url: format!("/api/v1/files/{file_id}"),
            })
        })
        .collect()
}
