//! Stored files (附件): photos and documents kept in the database, so a backup holds them too.

use crate::db::{Insert, Q};
use crate::Tx;
use crate::{format_ts, Principal, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Largest accepted file.
pub const MAX_FILE_BYTES: usize = 10 << 20;

/// A file not attached to anything this long after its upload is removed ([`remove_unattached`]).
pub const UNATTACHED_HOURS: i64 = 24;

/// Most bytes one user may hold in uploads not (yet) attached to anything: a report with twenty
/// phone photos fits; filling the database with loose files does not. Over it: 413.
pub const MAX_UNATTACHED_BYTES_PER_USER: i64 = 100 << 20;

/// Most bytes one user may upload in any 24 hours (attached or not). Over it: 429 with
/// Retry-After.
pub const MAX_DAILY_BYTES_PER_USER: i64 = 200 << 20;

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

/// Stores an upload of `p` at `at` (the server's clock), within the user's quotas.
pub async fn upload(
    store: &Store,
    p: &Principal,
    name: &str,
    content_type: &str,
    data: Vec<u8>,
    at: jiff::Timestamp,
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
    check_quota(&mut tx, p.user_id, size, at).await?;
    let q = Insert::into("stored_file")
        .set("name", name.as_str())
        .set("content_type", content_type)
        .set("size", size)
        .set("sha256", sha)
        .set("data", crate::Val::B(data))
        .set("uploaded_by", p.user_id)
        .set("created_at", format_ts(at))
        .returning_id();
    let id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("id")?;
    tx.commit().await?;
    Ok(StoredFile { id, name, content_type: content_type.into(), size, url: format!("/api/v1/files/{id}") })
}

/// Refuses an upload of `size` bytes over the user's quotas, in the upload's transaction. The
/// user's row is locked first (an update to itself), so two uploads of one user at once are
/// counted one after the other on PostgreSQL too (SQLite has one writer).
async fn check_quota(tx: &mut Tx, user_id: i64, size: i64, at: jiff::Timestamp) -> Result<(), StoreError> {
    Q::new("UPDATE app_user SET version = version WHERE id = ").bind(user_id).execute(&mut *tx.tx).await?;
    let day_ago = format_ts(at - jiff::SignedDuration::from_hours(24));
    let pending_since = format_ts(at - jiff::SignedDuration::from_hours(UNATTACHED_HOURS));
    let mut q =
        Q::new("SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS n FROM stored_file f WHERE f.uploaded_by = ");
    q.bind(user_id).push(" AND f.created_at > ").bind(pending_since);
    q.push(" AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.file_id = f.id)");
    let pending: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("n")?;
    if pending + size > MAX_UNATTACHED_BYTES_PER_USER {
        return Err(StoreError::TooLarge(format!(
            "您已上传但尚未使用的文件超过 {} MB，请先在隐患等记录中使用已上传的文件（未使用的文件 {} 小时后自动清除）",
            MAX_UNATTACHED_BYTES_PER_USER >> 20,
            UNATTACHED_HOURS
        )));
    }
    let mut q = Q::new(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n, MIN(created_at) AS first FROM stored_file WHERE uploaded_by = ",
    );
    q.bind(user_id).push(" AND created_at > ").bind(day_ago);
    let r = q.fetch_one(&mut *tx.tx).await?;
    let (today, first): (i64, Option<String>) = (r.try_get("n")?, r.try_get("first")?);
    if today + size > MAX_DAILY_BYTES_PER_USER {
        // The oldest upload of the window ages out first.
        let free_at = first
            .as_deref()
            .and_then(anjian_domain::time::Instant::parse)
            .map(|i| i.timestamp() + jiff::SignedDuration::from_hours(24));
        let retry_after = free_at.map(|t| t.as_second() - at.as_second()).unwrap_or(3600).max(1);
        return Err(StoreError::TooMany {
            message: format!(
                "24 小时内上传已超过 {} MB，请约 {} 分钟后再试",
                MAX_DAILY_BYTES_PER_USER >> 20,
                (retry_after + 59) / 60
            ),
            retry_after,
        });
    }
    Ok(())
}

/// Removes the files uploaded before `at` − [`UNATTACHED_HOURS`] that nothing is attached to (the
/// cleanup job). An attachment made at the same time either sees the file or fails on its
/// foreign key; it never points at a removed file.
pub async fn remove_unattached(store: &Store, at: jiff::Timestamp) -> Result<u64, StoreError> {
    let before = format_ts(at - jiff::SignedDuration::from_hours(UNATTACHED_HOURS));
    let mut tx = store.begin().await?;
    let mut q = Q::new("DELETE FROM stored_file WHERE created_at < ");
    q.bind(before).push(" AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.file_id = stored_file.id)");
    let n = q.execute(&mut *tx.tx).await?;
    tx.commit().await?;
    Ok(n)
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
/// The files attached to each of `ids` of an entity, in file order (one query for all).
pub(crate) async fn attached(
    store: &Store,
    entity: &'static str,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Photo>>, StoreError> {
    let mut out = std::collections::HashMap::<i64, Vec<Photo>>::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Q::new(
        "SELECT a.entity_id, a.file_id, a.kind, f.name FROM attachment a JOIN stored_file f ON f.id = a.file_id WHERE a.entity = ",
    );
    q.bind(entity).push(" AND a.entity_id IN ").bind_list(ids).push(" ORDER BY a.file_id");
    for r in q.fetch_all(store.pool()).await? {
        let file_id: i64 = r.try_get("file_id")?;
        out.entry(r.try_get("entity_id")?).or_default().push(Photo {
            file_id,
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            url: format!("/api/v1/files/{file_id}"),
        });
    }
    Ok(out)
}
