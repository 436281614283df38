//! Audit log (操作日志): appended in the writer's transaction, chained by SHA-256.

use crate::db::{AuditHead, Insert, Q};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::scope::push_subtree;
use crate::{now, Actor, Principal, Store, StoreError, Tx};
use anjian_domain::audit::{chain_hash, AuditContent, ChainVerifier};
use anjian_domain::auth::Action;
use anjian_domain::scope::JurisdictionView;
use serde::Serialize;
use sqlx::Row;

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    /// Jurisdiction path of the changed object, so a committee sees the changes in its area.
    pub scope_path: &'a str,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// A change of any kind (an action such as `verify_pass`, `escalate`, `set`).
    pub fn new(
        action: &'a str,
        entity: &'a str,
        entity_id: Option<i64>,
        scope_path: &'a str,
        summary: impl Into<String>,
    ) -> Self {
        Self { action, entity, entity_id, scope_path, summary: summary.into(), before: None, after: None }
    }

    /// An object created (`after`: what it holds).
    pub fn created(entity: &'a str, id: i64, scope_path: &'a str, summary: impl Into<String>) -> Self {
        Self::new("create", entity, Some(id), scope_path, summary)
    }

    /// An object changed (`before` and `after`).
    pub fn updated(entity: &'a str, id: i64, scope_path: &'a str, summary: impl Into<String>) -> Self {
        Self::new("update", entity, Some(id), scope_path, summary)
    }

    /// An object deleted (`before`: what it held).
    pub fn deleted(entity: &'a str, id: i64, scope_path: &'a str, summary: impl Into<String>) -> Self {
        Self::new("delete", entity, Some(id), scope_path, summary)
    }

    /// The state before the change.
    pub fn before(self, v: serde_json::Value) -> Self {
        Self { before: Some(v), ..self }
    }

    pub fn before_opt(self, v: Option<serde_json::Value>) -> Self {
        Self { before: v, ..self }
    }

    /// The state after the change.
    pub fn after(self, v: serde_json::Value) -> Self {
        Self { after: Some(v), ..self }
    }

    pub fn after_opt(self, v: Option<serde_json::Value>) -> Self {
        Self { after: v, ..self }
    }
}

/// Appends an audit record in the caller's transaction. The first record of a transaction
/// locks the head row (an update to itself) until commit, so concurrent writers chain one after
/// another; later records of the same transaction chain on in memory, and the head is written
/// once at commit.
pub async fn record(tx: &mut Tx, actor: &Actor, c: Change<'_>) -> Result<(), StoreError> {
    let (seq, prev) = match &tx.audit_head {
        Some(h) => (h.seq + 1, h.last_hash.clone()),
        None => {
            let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, last_hash")
                .fetch_one(&mut *tx.tx)
                .await?;
            (head.try_get::<i64, _>("seq")? + 1, head.try_get::<String, _>("last_hash")?)
        }
    };
    let at = now();
    let before = c.before.map(|v| v.to_string());
    let after = c.after.map(|v| v.to_string());
    let content = AuditContent {
        seq,
        at: &at,
        actor_id: actor.id,
        actor_name: &actor.name,
        action: c.action,
        entity: c.entity,
        entity_id: c.entity_id,
        scope_path: c.scope_path,
        summary: &c.summary,
        before: before.as_deref(),
        after: after.as_deref(),
    };
    let hash = chain_hash(&prev, &content);
    let q = Insert::into("audit_log")
        .set("id", seq)
        .set("at", at.as_str())
        .set("actor_id", actor.id)
        .set("actor_name", &actor.name)
        .set("action", c.action)
        .set("entity", c.entity)
        .set("entity_id", c.entity_id)
        .set("scope_path", c.scope_path)
        .set("summary", c.summary.as_str())
        .set("before_json", before)
        .set("after_json", after)
        .set("prev_hash", prev.as_str())
        .set("hash", hash.as_str())
        .query();
    q.execute(&mut *tx.tx).await?;
    tx.audit_head = Some(AuditHead { seq, last_hash: hash });
    Ok(())
}

/// An audit record as shown to readers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters of the audit log.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// 操作人 (name contains)
    pub actor: Option<String>,
    /// 对象类型, e.g. enterprise
    pub entity: Option<String>,
    /// 操作, e.g. create
    pub action: Option<String>,
    /// From this instant (RFC 3339 or YYYY-MM-DD)
    pub from: Option<String>,
    /// Up to this instant, exclusive (RFC 3339 or YYYY-MM-DD)
    pub to: Option<String>,
}

/// Lists audit records, newest first, within the reader's scope.
pub async fn list(
    store: &Store,
    p: &Principal,
    f: &AuditFilter,
    page: PageReq,
) -> Result<Page<AuditRecord>, StoreError> {
    p.require(Action::ReadAudit)?;
    let mut w = Q::new(" WHERE 1=1");
    match p.scope.jurisdiction_root() {
        JurisdictionView::All => {}
        JurisdictionView::Subtree(path) => {
            w.push(" AND ");
            push_subtree(&mut w, "scope_path", path);
        }
        JurisdictionView::None => {
            w.push(" AND 1=0");
        }
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND ").push_contains("actor_name", a);
    }
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND entity = ").bind(e);
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND action = ").bind(a);
    }
    if let Some(from) = f.from.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND at >= ").bind(parse_instant("from", from)?);
    }
    if let Some(to) = f.to.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND at < ").bind(parse_instant("to", to)?);
    }
    const LIST: Keyset =
        Keyset { select: "SELECT * FROM audit_log", count_from: "FROM audit_log", id: "id", descending: true };
    LIST.page(store, &w, page, row_to_record).await
}

impl Keyed for AuditRecord {
    fn key(&self) -> i64 {
        self.id
    }
}

/// Accepts `YYYY-MM-DD` (start of that day, Asia/Shanghai) or an RFC 3339 instant.
pub fn parse_instant(field: &str, s: &str) -> Result<String, StoreError> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(crate::format_ts(ts));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        if let Ok(z) = d.in_tz("Asia/Shanghai") {
            return Ok(crate::format_ts(z.timestamp()));
        }
    }
    Err(StoreError::invalid(field, "时间格式应为 YYYY-MM-DD 或 RFC 3339"))
}

fn row_to_record(r: &sqlx::any::AnyRow) -> Result<AuditRecord, StoreError> {
    let json = |c: &str| -> Result<Option<serde_json::Value>, StoreError> {
        let s: Option<String> = r.try_get(c)?;
        Ok(s.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        summary: r.try_get("summary")?,
        before: json("before_json")?,
        after: json("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Result of walking the whole chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub checked: u64,
    /// The first record whose link is broken (changed, inserted or deleted records).
    pub first_broken_id: Option<i64>,
}

/// Re-computes every link in order, in batches so memory stays flat.
pub async fn verify(store: &Store) -> Result<Verification, StoreError> {
    let mut v = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let rows = Q::new("SELECT * FROM audit_log WHERE id > ")
            .bind(after)
            .push(" ORDER BY id LIMIT 5000")
            .fetch_all(store.pool())
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let g = |c: &str| -> Result<String, StoreError> { Ok(r.try_get(c)?) };
            let (at, actor_name, action, entity, scope_path, summary) =
                (g("at")?, g("actor_name")?, g("action")?, g("entity")?, g("scope_path")?, g("summary")?);
            let before: Option<String> = r.try_get("before_json")?;
            let after_j: Option<String> = r.try_get("after_json")?;
            let seq: i64 = r.try_get("id")?;
            let content = AuditContent {
                seq,
                at: &at,
                actor_id: r.try_get("actor_id")?,
                actor_name: &actor_name,
                action: &action,
                entity: &entity,
                entity_id: r.try_get("entity_id")?,
                scope_path: &scope_path,
                summary: &summary,
                before: before.as_deref(),
                after: after_j.as_deref(),
            };
            if let Err(seq) = v.push(&content, &g("prev_hash")?, &g("hash")?) {
                return Ok(Verification { ok: false, checked: v.checked, first_broken_id: Some(seq) });
            }
            after = seq;
        }
    }
    // A deleted tail shows as a head that is ahead of the last record.
    let head_seq: i64 =
        sqlx::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?.try_get("seq")?;
    if head_seq != after {
        return Ok(Verification { ok: false, checked: v.checked, first_broken_id: Some(after + 1) });
    }
    Ok(Verification { ok: true, checked: v.checked, first_broken_id: None })
}
