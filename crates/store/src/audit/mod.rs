//! Audit log (操作日志): appended in the writer's transaction, chained by SHA-256, and sealed by
//! signed checkpoints kept outside the database (`seal`).

pub mod seal;

use crate::db::{Insert, Q};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::scope::push_subtree;
use crate::{now, Actor, Principal, Store, StoreError, Tx};
use anjian_domain::audit::{chain_hash, AuditContent, ChainVerifier};
use anjian_domain::auth::Action;
use anjian_domain::scope::JurisdictionView;
pub use seal::{SealKey, Sealer};
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

/// Writes an audit record in the caller's transaction, as the change's own row: it commits or
/// rolls back with the change. It is linked into the hash chain just after commit
/// ([`link_batch`], run by `links::run`), so concurrent writers do not queue on the chain head.
pub async fn record(tx: &mut Tx, actor: &Actor, c: Change<'_>) -> Result<(), StoreError> {
    record_all(tx, vec![(actor, c)]).await
}

/// [`record`] for several changes at once, in their order, with one statement (a batch). In a
/// transaction that holds the chain head ([`hold_head`]) they are chained at once instead.
pub async fn record_all(tx: &mut Tx, changes: Vec<(&Actor, Change<'_>)>) -> Result<(), StoreError> {
    let at = now();
    let mut rows = Vec::with_capacity(changes.len());
    for (actor, c) in changes {
        // Every action and object the log names has its Chinese (domain::audit::ACTIONS).
        debug_assert!(
            anjian_domain::audit::action_label(c.action).is_some()
                && anjian_domain::audit::entity_label(c.entity).is_some(),
            "audit action {} on {} has no Chinese label in domain::audit",
            c.action,
            c.entity
        );
        if c.action == "create" && tx.created.is_none() {
            tx.created = c.entity_id.map(|id| (c.entity.to_string(), id));
        }
        let before = c.before.map(|v| v.to_string());
        let after = c.after.map(|v| v.to_string());
        let content = Pending {
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
        rows.push(match tx.chain.as_mut() {
            Some(head) => chained(head, &content),
            None => content.row("audit_pending"),
        });
    }
    if let Some(q) = Insert::many(rows) {
        tx.links_pending |= tx.chain.is_none();
        tx.write_later(q).await?;
    }
    Ok(())
}

/// An audit record before it has its place in the chain.
struct Pending<'a> {
    at: &'a str,
    actor_id: Option<i64>,
    actor_name: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i64>,
    scope_path: &'a str,
    summary: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

impl Pending<'_> {
    fn row(&self, table: &'static str) -> Insert {
        Insert::into(table)
            .set("at", self.at)
            .set("actor_id", self.actor_id)
            .set("actor_name", self.actor_name)
            .set("action", self.action)
            .set("entity", self.entity)
            .set("entity_id", self.entity_id)
            .set("scope_path", self.scope_path)
            .set("summary", self.summary)
            .set("before_json", self.before)
            .set("after_json", self.after)
    }
}

/// The `audit_log` row of `record` as the next link after `head`, which it moves.
fn chained(head: &mut (i64, String), record: &Pending<'_>) -> Insert {
    let seq = head.0 + 1;
    let content = AuditContent {
        seq,
        at: record.at,
        actor_id: record.actor_id,
        actor_name: record.actor_name,
        action: record.action,
        entity: record.entity,
        entity_id: record.entity_id,
        scope_path: record.scope_path,
        summary: record.summary,
        before: record.before,
        after: record.after,
    };
    let hash = chain_hash(&head.1, &content);
    let row = record.row("audit_log").set("id", seq).set("prev_hash", head.1.as_str()).set("hash", hash.as_str());
    *head = (seq, hash);
    row
}

/// The chain head, locked until the linker's transaction ends: taken first, it makes linkers of
/// several instances run one after another, each reading what the one before left.
pub(crate) async fn lock_head(tx: &mut Tx) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, last_hash")
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok((head.try_get("seq")?, head.try_get("last_hash")?))
}

/// Makes the transaction hold the chain head until it ends: its audit records are chained as
/// they are written (no `audit_pending` row to write, read and delete), and `Tx::commit` stores
/// the head it leaves. For the batching writer, which writes one transaction at a time and is
/// worth the head's lock for its few milliseconds.
pub(crate) async fn hold_head(tx: &mut Tx) -> Result<(), StoreError> {
    tx.chain = Some(lock_head(tx).await?);
    Ok(())
}

/// Stores the head a transaction that held it leaves (`Tx::commit`, just before committing).
pub(crate) async fn store_head(tx: &mut Tx, head: &(i64, String)) -> Result<(), StoreError> {
    let mut q = Q::new("UPDATE audit_head SET seq = ");
    q.bind(head.0).push(", last_hash = ").bind(head.1.as_str()).push(" WHERE id = 1");
    tx.write_later(q).await
}

/// Links up to `limit` pending records into the chain after `head` (from [`lock_head`]), in the
/// order they were written, and moves the head. Answers how many were linked.
pub(crate) async fn link_batch(tx: &mut Tx, head: &mut (i64, String), limit: i64) -> Result<usize, StoreError> {
    let rows = Q::new("SELECT * FROM audit_pending ORDER BY id LIMIT ").bind(limit).fetch_all(&mut *tx.tx).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut ids = Vec::with_capacity(rows.len());
    let mut linked = Vec::with_capacity(rows.len());
    for r in &rows {
        let g = |c: &str| -> Result<String, StoreError> { Ok(r.try_get(c)?) };
        let (at, actor_name, action, entity, scope_path, summary) =
            (g("at")?, g("actor_name")?, g("action")?, g("entity")?, g("scope_path")?, g("summary")?);
        let before: Option<String> = r.try_get("before_json")?;
        let after: Option<String> = r.try_get("after_json")?;
        let record = Pending {
            at: &at,
            actor_id: r.try_get("actor_id")?,
            actor_name: &actor_name,
            action: &action,
            entity: &entity,
            entity_id: r.try_get("entity_id")?,
            scope_path: &scope_path,
            summary: &summary,
            before: before.as_deref(),
            after: after.as_deref(),
        };
        linked.push(chained(head, &record));
        ids.push(r.try_get::<i64, _>("id")?);
    }
    Insert::many(linked).expect("rows").execute(&mut *tx.tx).await?;
    Q::new("DELETE FROM audit_pending WHERE id IN ").bind_list(&ids).execute(&mut *tx.tx).await?;
    store_head(tx, head).await?;
    Ok(rows.len())
}

/// An audit record as shown to readers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    /// 操作 in Chinese (`domain::audit::ACTIONS`)
    pub action_label: String,
    pub entity: String,
    /// 对象类型 in Chinese
    pub entity_label: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// before → after, field by field, in Chinese
    pub changes: Vec<anjian_domain::audit::FieldChange>,
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
    let (action, entity): (String, String) = (r.try_get("action")?, r.try_get("entity")?);
    let (before, after) = (json("before_json")?, json("after_json")?);
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        action_label: anjian_domain::audit::action_label(&action).unwrap_or(&action).to_string(),
        action,
        entity_label: anjian_domain::audit::entity_label(&entity).unwrap_or(&entity).to_string(),
        entity,
        entity_id: r.try_get("entity_id")?,
        summary: r.try_get("summary")?,
        changes: anjian_domain::audit::field_changes(before.as_ref(), after.as_ref()),
        before,
        after,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Result of walking the whole chain and comparing it with the signed checkpoints.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    /// Records whose link was recomputed.
    pub checked: u64,
    /// The first record whose link is broken (changed, inserted or deleted records), or where
    /// the chain departs from a checkpoint (the first record cut off, or the checkpoint's seq).
    pub first_broken_id: Option<i64>,
    /// The head the verification read (`audit_head.seq`); records written after it are left to
    /// the next verification.
    pub head_seq: i64,
    /// Whether checkpoints were checked (the server or `check` has the key and the file).
    pub sealed: bool,
    /// Valid checkpoints in the checkpoint file.
    pub checkpoints: u64,
    /// The latest checkpoint: its seq and when it was signed.
    pub checkpoint_seq: Option<i64>,
    pub checkpoint_at: Option<String>,
    /// Records after the latest checkpoint (not yet signed: a cut among them is not detected).
    pub unsealed: i64,
    /// Records committed with their change but not yet linked into the chain (the linker runs
    /// just after each commit; a few here are writers finishing, many a linker that fails).
    pub unlinked: i64,
    /// What was found, as a sentence.
    pub message: String,
}

/// One record as read for verification.
struct Link {
    seq: i64,
    hash: String,
}

/// The checkpoint file as verification uses it: every checkpoint checked against the key.
struct Seals {
    by_seq: std::collections::BTreeMap<i64, anjian_domain::audit::Checkpoint>,
    count: u64,
    /// Lines that are not checkpoints (a write cut short by a crash, ended by the next append),
    /// ignored: such a line can only take a checkpoint away, which deleting it could too.
    unreadable: usize,
    latest: Option<anjian_domain::audit::Checkpoint>,
}

/// Reads and checks the checkpoint file. `Err` is the sentence saying why it cannot be trusted.
fn read_seals(key: &SealKey) -> Result<Result<Seals, String>, StoreError> {
    use anjian_domain::audit::CheckpointFault;
    let Some(log) = seal::read_log(&key.file)? else {
        return Ok(Err(format!("找不到检查点文件 {}：无法确认日志没有被截断或整体重算", key.file.display())));
    };
    let mut by_seq = std::collections::BTreeMap::new();
    for (i, c) in log.checkpoints.iter().enumerate() {
        match c.verify(&key.key) {
            Ok(()) => {}
            Err(CheckpointFault::OtherKey) => {
                return Ok(Err(format!(
                    "第 {} 个检查点（第 {} 条记录）不是用当前密钥签署的（签署密钥 {}，当前密钥 {}）：密钥文件被更换，或检查点文件被伪造",
                    i + 1,
                    c.seq,
                    c.key_id,
                    key.key_id()
                )))
            }
            Err(CheckpointFault::BadSignature) => {
                return Ok(Err(format!(
                    "第 {} 个检查点（第 {} 条记录）的签名无效：检查点被改动过",
                    i + 1,
                    c.seq
                )))
            }
        }
        // Order is not checked: two instances sharing the file may append out of order. A
        // checkpoint is a claim about one seq; each is compared with the chain.
        if let Some(other) = by_seq.insert(c.seq, c.clone()) {
            if other.hash != c.hash {
                return Ok(Err(format!("两个检查点对第 {} 条记录给出不同的哈希：签名密钥已泄露", c.seq)));
            }
        }
    }
    let latest = by_seq.values().next_back().cloned();
    let unreadable = log.bad_lines.len() + log.torn_tail as usize;
    Ok(Ok(Seals { by_seq, count: log.checkpoints.len() as u64, unreadable, latest }))
}

/// Re-computes every link in order up to the head, in batches so memory stays flat, and
/// compares the chain with every signed checkpoint when `seal` is given.
///
/// Writers may run meanwhile. The checkpoint file is read first, then the head and the
/// records in one read transaction (a snapshot: repeatable read on PostgreSQL, a read
/// transaction in WAL mode on SQLite), and only records up to that head are checked, so a
/// record committed meanwhile is neither half-seen nor taken for an inserted one, and every
/// checkpoint read names a head that was committed before the snapshot.
pub async fn verify(store: &Store, seal: Option<&SealKey>) -> Result<Verification, StoreError> {
    let seals = match seal.map(read_seals).transpose()? {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(message)) => {
            return Ok(Verification {
                ok: false,
                checked: 0,
                first_broken_id: None,
                head_seq: 0,
                sealed: true,
                checkpoints: 0,
                checkpoint_seq: None,
                checkpoint_at: None,
                unsealed: 0,
                unlinked: 0,
                message,
            })
        }
    };
    let mut tx = store.pool().begin().await?;
    if store.backend == crate::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    }
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("last_hash")?);
    let latest = seals.as_ref().and_then(|s| s.latest.clone());
    let mut out = Verification {
        ok: false,
        checked: 0,
        first_broken_id: None,
        head_seq,
        sealed: seals.is_some(),
        checkpoints: seals.as_ref().map_or(0, |s| s.count),
        checkpoint_seq: latest.as_ref().map(|c| c.seq),
        checkpoint_at: latest.as_ref().map(|c| c.at.clone()),
        unsealed: head_seq - latest.as_ref().map_or(0, |c| c.seq).min(head_seq),
        unlinked: sqlx::query("SELECT COUNT(*) AS n FROM audit_pending").fetch_one(&mut *tx).await?.try_get("n")?,
        message: String::new(),
    };
    let mut v = ChainVerifier::default();
    let mut last = Link { seq: 0, hash: anjian_domain::audit::GENESIS_HASH.into() };
    loop {
        let rows = Q::new("SELECT * FROM audit_log WHERE id > ")
            .bind(last.seq)
            .push(" AND id <= ")
            .bind(head_seq)
            .push(" ORDER BY id LIMIT 5000")
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let link = check_row(&mut v, r)?;
            out.checked = v.checked;
            let Some(link) = link else {
                let seq: i64 = r.try_get("id")?;
                out.first_broken_id = Some(seq);
                out.message = format!("操作日志链断裂：第 {seq} 条记录被篡改、插入或删除（之前 {} 条完好）", v.checked);
                return Ok(out);
            };
            if let Some(cp) = seals.as_ref().and_then(|s| s.by_seq.get(&link.seq)) {
                if cp.hash != link.hash {
                    out.first_broken_id = Some(link.seq);
                    out.message = format!(
                        "第 {} 条记录与 {} 签署的检查点不符：这条或更早的记录在签署后被改写，并重新计算了哈希",
                        link.seq,
                        local(&cp.at)
                    );
                    return Ok(out);
                }
            }
            last = link;
        }
    }
    tx.commit().await?;
    // A deleted tail shows as a head that is ahead of the last record (or names another hash).
    if head_seq != last.seq || head_hash != last.hash {
        out.first_broken_id = Some(last.seq + 1);
        out.message = format!(
            "操作日志链断裂：日志头指向第 {head_seq} 条，但链只到第 {} 条，其后的记录被删除或日志头被改写",
            last.seq
        );
        return Ok(out);
    }
    if let Some(cp) = seals.as_ref().and_then(|s| s.by_seq.values().next_back()) {
        if cp.seq > last.seq {
            out.first_broken_id = Some(last.seq + 1);
            out.message = format!(
                "操作日志被截断：{} 签署的检查点记录到第 {} 条，数据库中的日志只到第 {} 条",
                local(&cp.at),
                cp.seq,
                last.seq
            );
            return Ok(out);
        }
    }
    if seals.as_ref().is_some_and(|s| s.count == 0) && head_seq > 0 {
        out.message = format!("检查点文件中没有检查点，但日志已有 {head_seq} 条：无法确认日志没有被截断或整体重算");
        return Ok(out);
    }
    out.ok = true;
    out.message = match (&latest, seals.is_some()) {
        (Some(cp), _) => format!(
            "操作日志链完整：共校验 {} 条记录，与 {} 个检查点一致（最新检查点：第 {} 条，{} 签署；其后 {} 条尚未签署）",
            out.checked,
            out.checkpoints,
            cp.seq,
            local(&cp.at),
            out.unsealed
        ),
        (None, true) => format!("操作日志链完整：共校验 {} 条记录（尚无记录需要签署）", out.checked),
        (None, false) => {
            format!("操作日志链完整：共校验 {} 条记录（未配置检查点，无法发现截断或整体重算）", out.checked)
        }
    };
    if out.unlinked > 0 {
        out.message.push_str(&format!("；另有 {} 条记录已写入、尚未链入（链接在每次提交后进行）", out.unlinked));
    }
    if let Some(n) = seals.as_ref().map(|s| s.unreadable).filter(|n| *n > 0) {
        out.message.push_str(&format!("；检查点文件有 {n} 行无法读取，已忽略（可能是崩溃时未写完的一行）"));
    }
    Ok(out)
}

/// An instant for a sentence: Beijing time to the second.
fn local(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| t.in_tz("Asia/Shanghai").ok())
        .map(|z| z.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// Feeds one row to the verifier; `None` if it breaks the chain.
fn check_row(v: &mut ChainVerifier, r: &sqlx::any::AnyRow) -> Result<Option<Link>, StoreError> {
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
    let (prev_hash, hash) = (g("prev_hash")?, g("hash")?);
    if v.push(&content, &prev_hash, &hash).is_err() {
        return Ok(None);
    }
    Ok(Some(Link { seq, hash }))
}
