//! Outbound delivery of notices (短信, 企业微信): which notices wait to go out and the record of
//! each attempt. The channel that sends them is the server's (`server::outbound`); it runs after
//! a notice is committed, so a gateway that is down never holds up or undoes a hand-over.

use crate::db::Q;
use crate::{format_ts, Store, StoreError};
use anjian_domain::notice::NoticeKind;
use jiff::Timestamp;
use sqlx::Row;

/// A notice waiting to go out, with whom it is for.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub tries: i64,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    pub user_name: String,
    /// the user's mobile number ('' when none is recorded)
    pub phone: String,
}

/// A notice is tried this many times at most.
pub const MAX_TRIES: i64 = 5;

/// Notices of `kinds` created since `since`, not yet delivered and tried fewer than
/// [`MAX_TRIES`] times, oldest first.
pub async fn pending(
    store: &Store,
    kinds: &[NoticeKind],
    since: Timestamp,
    limit: i64,
) -> Result<Vec<Pending>, StoreError> {
    if kinds.is_empty() {
        return Ok(vec![]);
    }
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let mut q = Q::new("SELECT n.id, n.outbound_tries, n.kind, n.title, n.body, u.display_name, u.phone FROM notification n JOIN app_user u ON u.id = n.user_id WHERE n.outbound_at IS NULL AND n.created_at >= ");
    q.bind(format_ts(since)).push(" AND n.outbound_tries < ").bind(MAX_TRIES);
    q.push(" AND n.kind IN ").bind_list(&kinds).push(" ORDER BY n.id LIMIT ").bind(limit);
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Pending {
                id: r.try_get("id")?,
                tries: r.try_get("outbound_tries")?,
                kind: NoticeKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(NoticeKind::Overdue),
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                user_name: r.try_get("display_name")?,
                phone: r.try_get("phone")?,
            })
        })
        .collect()
}

/// Claims a notice for one attempt (a compare-and-set on its tries): false when another server
/// instance took it first, so no notice goes out twice from two instances.
pub async fn claim(store: &Store, p: &Pending) -> Result<bool, StoreError> {
    let mut q =
        Q::new("UPDATE notification SET outbound_tries = outbound_tries + 1 WHERE outbound_at IS NULL AND id = ");
    q.bind(p.id).push(" AND outbound_tries = ").bind(p.tries);
    Ok(q.execute(store.pool()).await? == 1)
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Not sent and not to be tried again (e.g. no mobile number for an SMS), with why
    Skipped(String),
    /// Failed; tried again on the next pass until [`MAX_TRIES`]
    Failed(String),
}

/// Records an attempt's outcome.
pub async fn record(store: &Store, id: i64, at: Timestamp, outcome: &Outcome) -> Result<(), StoreError> {
    let mut q = Q::new("UPDATE notification SET ");
    match outcome {
        Outcome::Delivered => q.push("outbound_error = NULL, outbound_at = ").bind(format_ts(at)),
        Outcome::Skipped(why) => {
            q.push("outbound_error = ").bind(why.as_str()).push(", outbound_at = ").bind(format_ts(at))
        }
        Outcome::Failed(why) => q.push("outbound_error = ").bind(why.as_str()),
    };
    q.push(" WHERE id = ").bind(id);
    q.execute(store.pool()).await?;
    Ok(())
}
