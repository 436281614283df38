//! Idempotency keys (幂等键): a phone that resends a create on a bad network gets the first
//! answer back instead of a duplicate record.
//!
//! A key is claimed with a lease ([`LEASE`]) before its request runs; the write the request
//! makes marks the key committed in the same transaction ([`CURRENT`], read by `Tx::commit`), so
//! the key and the row commit together or not at all. A retry finds one of: the saved answer
//! (replayed), a committed write whose answer was lost in a crash (told so, never run again), a
//! live lease (409 with the seconds left), or an expired lease without a commit (run again).
//! Keys are forgotten after [`KEEP`]. Claims and answers go through the store's writer path.

use crate::db::{Insert, Q};
use crate::{format_ts, Store, StoreError, Tx};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// How long a claim holds its key while the first request runs.
pub const LEASE: SignedDuration = SignedDuration::from_secs(60);
/// How long a key is remembered.
pub const KEEP: SignedDuration = SignedDuration::from_hours(24);

/// The key of the request being run, for `Tx::commit`.
#[derive(Debug, Clone)]
pub struct KeyRef {
    pub user_id: i64,
    pub key: String,
}

tokio::task_local! {
    /// Set by the server around a request sent with an `Idempotency-Key`.
    pub static CURRENT: KeyRef;
}

/// What the first request with a key left behind.
#[derive(Debug, PartialEq)]
pub enum Claim {
    /// This request is the first (or the first died before writing): go ahead, then [`complete`].
    New,
    /// Already answered: replay this status and body.
    Done { status: u16, body: String },
    /// Its write committed but the answer was not saved (the server stopped in between).
    Committed { entity: Option<String>, entity_id: Option<i64> },
    /// The first request is still running; its lease ends in this many seconds.
    Busy { retry_after_secs: i64 },
    /// The key was used for another request or another body.
    Mismatch,
}

/// SHA-256 of a request body, as the key remembers it.
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Claims `key` for `request` (method and path) with the body's hash at `now`.
pub async fn claim(
    store: &Store,
    key: &KeyRef,
    request: &str,
    hash: &str,
    now: Timestamp,
) -> Result<Claim, StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    Q::new("DELETE FROM idempotency WHERE user_id = ")
        .bind(key.user_id)
        .push(" AND idem_key = ")
        .bind(key.key.as_str())
        .push(" AND created_at < ")
        .bind(format_ts(now - KEEP))
        .execute(&mut *tx.tx)
        .await?;
    let lease = format_ts(now + LEASE);
    let mut q = Insert::into("idempotency")
        .set("user_id", key.user_id)
        .set("idem_key", key.key.as_str())
        .set("request", request)
        .set("body_hash", hash)
        .set("lease_until", lease.as_str())
        .set("created_at", format_ts(now))
        .query();
    q.push(" ON CONFLICT (user_id, idem_key) DO NOTHING");
    if q.execute(&mut *tx.tx).await? == 1 {
        tx.commit().await?;
        return Ok(Claim::New);
    }
    let r = Q::new("SELECT request, body_hash, status, body, committed, lease_until, entity, entity_id FROM idempotency WHERE user_id = ")
        .bind(key.user_id)
        .push(" AND idem_key = ")
        .bind(key.key.as_str())
        .fetch_one(&mut *tx.tx)
        .await?;
    let same_body = r.try_get::<Option<String>, _>("body_hash")?.is_none_or(|h| h == hash);
    if r.try_get::<String, _>("request")? != request || !same_body {
        return Ok(Claim::Mismatch);
    }
    if let Some(status) = r.try_get::<Option<i64>, _>("status")? {
        let body = r.try_get::<Option<String>, _>("body")?.unwrap_or_default();
        return Ok(Claim::Done { status: status as u16, body });
    }
    if r.try_get::<i64, _>("committed")? != 0 {
        return Ok(Claim::Committed { entity: r.try_get("entity")?, entity_id: r.try_get("entity_id")? });
    }
    let held: Option<String> = r.try_get("lease_until")?;
    let until = held.as_deref().and_then(|t| t.parse::<Timestamp>().ok());
    if let Some(until) = until.filter(|u| *u > now) {
        return Ok(Claim::Busy { retry_after_secs: until.duration_since(now).as_secs().max(1) });
    }
    // The first request died without writing: this one takes the key over (compare-and-set on
    // the old lease, so of two retries only one runs).
    let mut take = Q::new("UPDATE idempotency SET lease_until = ");
    take.bind(lease.as_str()).push(", body_hash = ").bind(hash).push(" WHERE user_id = ").bind(key.user_id);
    take.push(" AND idem_key = ").bind(key.key.as_str()).push(" AND committed = 0 AND status IS NULL AND ");
    match &held {
        Some(h) => take.push("lease_until = ").bind(h.as_str()),
        None => take.push("lease_until IS NULL"),
    };
    let took = take.execute(&mut *tx.tx).await? == 1;
    tx.commit().await?;
    Ok(if took { Claim::New } else { Claim::Busy { retry_after_secs: LEASE.as_secs() } })
}

/// Marks the key committed in the transaction of the write it guards (called by `Tx::commit`).
pub(crate) async fn mark_committed(tx: &mut Tx, key: &KeyRef) -> Result<(), StoreError> {
    let (entity, entity_id) = match &tx.created {
        Some((e, id)) => (Some(e.clone()), Some(*id)),
        None => (None, None),
    };
    let mut q = Q::new("UPDATE idempotency SET committed = 1, entity = COALESCE(entity, ");
    q.bind(entity).push("), entity_id = COALESCE(entity_id, ").bind(entity_id);
    q.push(") WHERE user_id = ").bind(key.user_id).push(" AND idem_key = ").bind(key.key.as_str());
    q.execute(&mut *tx.tx).await?;
    Ok(())
}

/// Saves the answer of the first request. An answer that is not a success releases the key
/// unless the request wrote something (then the answer is kept like any other).
pub async fn complete(store: &Store, key: &KeyRef, status: u16, body: Option<&str>) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    if !(200..300).contains(&status) {
        Q::new("DELETE FROM idempotency WHERE committed = 0 AND user_id = ")
            .bind(key.user_id)
            .push(" AND idem_key = ")
            .bind(key.key.as_str())
            .execute(&mut *tx.tx)
            .await?;
    }
    let mut q = Q::new("UPDATE idempotency SET lease_until = NULL, status = ");
    q.bind(status as i64).push(", body = ").bind(body.map(String::from));
    q.push(" WHERE user_id = ").bind(key.user_id).push(" AND idem_key = ").bind(key.key.as_str());
    q.execute(&mut *tx.tx).await?;
    tx.commit().await
}

/// Forgets keys older than [`KEEP`] (a job).
pub async fn purge(store: &Store, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    let n =
        Q::new("DELETE FROM idempotency WHERE created_at < ").bind(format_ts(now - KEEP)).execute(&mut *tx.tx).await?;
    tx.commit().await?;
    Ok(n)
}
