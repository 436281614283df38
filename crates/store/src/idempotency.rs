//! Idempotency keys (幂等键): a phone that resends a create on a bad network gets the first
//! answer back instead of a duplicate record.

use crate::db::Q;
use crate::{now, Store, StoreError};
use sqlx::Row;

/// What the first request with a key left behind.
pub enum Claim {
    /// This request is the first: go ahead, then [`complete`].
    New,
    /// Already answered: replay this status and body.
    Done {
        status: u16,
        body: String,
    },
    /// The first request with this key is still running, or it was a different request.
    Busy,
    Mismatch,
}

/// Claims `key` for `request` (method and path) by inserting a pending row; the primary key
/// makes the claim atomic.
pub async fn claim(store: &Store, user_id: i64, key: &str, request: &str) -> Result<Claim, StoreError> {
    let inserted = Q::new("INSERT INTO idempotency (user_id, idem_key, request, created_at) VALUES (")
        .bind(user_id)
        .push(", ")
        .bind(key)
        .push(", ")
        .bind(request)
        .push(", ")
        .bind(now())
        .push(")")
        .execute(store.pool())
        .await;
    match inserted {
        Ok(_) => return Ok(Claim::New),
        Err(e) if e.unique_violation().is_some() => {}
        Err(e) => return Err(e),
    }
    let r = Q::new("SELECT request, status, body FROM idempotency WHERE user_id = ")
        .bind(user_id)
        .push(" AND idem_key = ")
        .bind(key)
        .fetch_one(store.pool())
        .await?;
    let req: String = r.try_get("request")?;
    if req != request {
        return Ok(Claim::Mismatch);
    }
    let status: Option<i64> = r.try_get("status")?;
    match status {
        Some(s) => {
            Ok(Claim::Done { status: s as u16, body: r.try_get::<Option<String>, _>("body")?.unwrap_or_default() })
        }
        None => Ok(Claim::Busy),
    }
}

/// Stores the answer of a successful first request; a failed one releases the key.
pub async fn complete(
    store: &Store,
    user_id: i64,
    key: &str,
    status: u16,
    body: Option<&str>,
) -> Result<(), StoreError> {
    let mut q = if (200..300).contains(&status) {
        let mut q = Q::new("UPDATE idempotency SET status = ");
        q.bind(status as i64).push(", body = ").bind(body.map(String::from));
        q
    } else {
        Q::new("DELETE FROM idempotency")
    };
    q.push(" WHERE user_id = ").bind(user_id).push(" AND idem_key = ").bind(key);
    q.execute(store.pool()).await?;
    Ok(())
}
