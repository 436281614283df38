//! Connection, engine differences, migrations, transactions and a small query builder.
//!
//! One code path serves SQLite and PostgreSQL through sqlx's `Any` driver. SQL is written with
//! `$n` placeholders, which both engines accept; the few DDL differences are tokens in the
//! migration files.

use crate::StoreError;
use anjian_domain::time::BusinessCalendar;
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// The batching writer's connections (`hazard::ingest`; see [`Store::for_ingest`]).
    ingest_pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer at a time; taking this lock before `BEGIN` queues our writers
    /// in the process instead of letting them fail with SQLITE_BUSY on lock upgrade.
    write_lock: Arc<Mutex<()>>,
    /// One linker at a time in this process (`links::run`); instances share the chain head's lock.
    pub(crate) link_lock: Arc<Mutex<()>>,
    /// The installation's business calendar, read from its top jurisdiction's `timezone` on
    /// first use and forgotten when a jurisdiction is created (a node's time zone is set only then).
    calendar: Arc<std::sync::RwLock<Option<BusinessCalendar>>>,
    /// Reported hazards waiting for the batching writer (`hazard::ingest`).
    pub(crate) hazard_queue: Arc<crate::hazard::ingest::Queue>,
    /// The numbering scope (the district) of each jurisdiction path seen: a path's levels never
    /// change once its jurisdictions exist, so the answer never goes stale.
    pub(crate) number_scopes: Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
    /// Principals of recent sessions (`auth::SessionCache`).
    pub(crate) sessions: Arc<crate::auth::SessionCache>,
    /// The government units' accounts (`notify::Officials`).
    pub(crate) officials: Arc<crate::notify::Officials>,
}

/// A writing transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    pub(crate) tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    pub(crate) store: Store,
    /// This transaction wrote audit records or records waiting for a number: the linker runs
    /// after it commits (`links::run`), before `commit` returns.
    pub(crate) links_pending: bool,
    /// The first object this transaction created (entity, id), which an idempotency key that
    /// commits with it remembers.
    pub(crate) created: Option<(String, i64)>,
    /// This transaction cannot change a user, session or scope (hazard and idempotency
    /// writes), so the sessions and accounts held in memory stay valid after it commits.
    pub(crate) keeps_sessions: bool,
    /// The audit chain head this transaction holds (`audit::hold_head`) and moves as it writes
    /// audit records; stored just before commit.
    pub(crate) chain: Option<(i64, String)>,
    /// Writes gathered for one statement before commit (`Tx::gather_writes`).
    later: Option<Vec<Q>>,
}

/// Names of the parts of a gathered statement (a statement holds at most this many writes).
const GATHERED: [&str; 16] =
    ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11", "w12", "w13", "w14", "w15"];
/// Values bound in one gathered statement at most (PostgreSQL takes 65,535).
const GATHERED_VALUES: usize = 30_000;

impl Tx {
    /// On PostgreSQL, makes [`Tx::write_later`] gather its writes and send them together as one
    /// statement (data-modifying `WITH` parts) just before commit: a round trip for the lot
    /// instead of one each. For a transaction whose later statements never read what those
    /// writes change (the batching writer: timeline, visits, audit records, running totals,
    /// notices). SQLite has no round trips to save; there they run at once.
    pub(crate) fn gather_writes(&mut self) {
        if self.store.backend == Backend::Postgres {
            self.later = Some(vec![]);
        }
    }

    /// Runs a write whose effect no later statement of this transaction reads: at once, or
    /// gathered (see [`Tx::gather_writes`]). Two gathered writes must not change the same row
    /// (parts of one statement do not see each other's changes).
    pub(crate) async fn write_later(&mut self, q: Q) -> Result<(), StoreError> {
        match &mut self.later {
            Some(gathered) => gathered.push(q),
            None => {
                q.execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }

    /// Sends the gathered writes, as few statements as the limits allow.
    async fn send_gathered(&mut self) -> Result<(), StoreError> {
        let Some(mut gathered) = self.later.take() else { return Ok(()) };
        while !gathered.is_empty() {
            let mut n = 0;
            let mut values = 0;
            while n < gathered.len()
                && n < GATHERED.len()
                && (n == 0 || values + gathered[n].args.len() <= GATHERED_VALUES)
            {
                values += gathered[n].args.len();
                n += 1;
            }
            let part: Vec<Q> = gathered.drain(..n).collect();
            if part.len() == 1 {
                part[0].execute(&mut *self.tx).await?;
                continue;
            }
            let mut q = Q::new("WITH ");
            for (i, w) in part.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push(GATHERED[i]).push(" AS (").append(w).push(")");
            }
            q.push(" SELECT 1");
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Commits, then links what the transaction left for the linker (audit records into the
    /// chain, numbers), so the caller reads its own write complete. The write is durable once
    /// committed: a linker that fails is logged and the next run (the sealer job, every second
    /// or two) links it.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        // A request sent with an Idempotency-Key: the key is marked committed with the write, so
        // a retry after a crash never runs the write twice.
        if let Ok(key) = crate::idempotency::CURRENT.try_with(|k| k.clone()) {
            crate::idempotency::mark_committed(&mut self, &key).await?;
        }
        if let Some(head) = self.chain.take() {
            crate::audit::store_head(&mut self, &head).await?;
        }
        self.send_gathered().await?;
        let Tx { tx, _guard, store, links_pending, keeps_sessions, .. } = self;
        tx.commit().await?;
        drop(_guard);
        if !keeps_sessions {
            store.forget_principals();
        }
        if links_pending {
            if let Err(e) = crate::links::run(&store).await {
                tracing::error!(error = %e, "linking after commit failed; the sealer job retries");
            }
        }
        Ok(())
    }

    /// Commits the linker's own transaction: no idempotency key, no linking again.
    pub(crate) async fn commit_linker(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Applied in order at start; never edit one that has been released, add a new one: each applied
/// migration's SHA-256 is recorded, and a database whose applied migration differs from the file
/// of the same number refuses to start.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (2, "hazard", include_str!("migrations/0002_hazard.sql")),
    (3, "risk", include_str!("migrations/0003_risk.sql")),
    (4, "major_hazard", include_str!("migrations/0004_major_hazard.sql")),
    (5, "risk_review", include_str!("migrations/0005_risk_review.sql")),
    (6, "attachment", include_str!("migrations/0006_attachment.sql")),
    (7, "idempotency_lease", include_str!("migrations/0007_idempotency_lease.sql")),
    (8, "checklist_owner", include_str!("migrations/0008_checklist_owner.sql")),
    (9, "upload_limits", include_str!("migrations/0009_upload_limits.sql")),
    (10, "hazard_counts", include_str!("migrations/0010_hazard_counts.sql")),
    (11, "deferred_links", include_str!("migrations/0011_deferred_links.sql")),
    (12, "notice_kinds", include_str!("migrations/0012_notice_kinds.sql")),
    (13, "inspection_records", include_str!("migrations/0013_inspection_records.sql")),
    (14, "outbound", include_str!("migrations/0014_outbound.sql")),
    (15, "listing_quota", include_str!("migrations/0015_listing_quota.sql")),
    (16, "listing_units", include_str!("migrations/0016_listing_units.sql")),
];

/// How the store uses memory and plans (settings `sqlite_cache_mib`, `sqlite_mmap_mib`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// SQLite page cache per pooled connection, in MiB (8 connections).
    pub sqlite_cache_mib: u32,
    /// SQLite memory-mapped reads of the database file, in MiB (0: read through the page cache).
    pub sqlite_mmap_mib: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        // 8 MiB × 8 connections: the lists and counts at 2,000,000 hazards are as fast as with 16
        // (docs/BENCHMARKS.md, "Memory") at two thirds of the resident memory.
        Self { sqlite_cache_mib: 8, sqlite_mmap_mib: 0 }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a SQLite file if needed.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// [`Store::connect`] with memory settings.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Config(format!("不支持的数据库地址：{url}（应以 sqlite:// 或 postgres:// 开头）")));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            if let Some(path) = url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p)) {
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| StoreError::Config(format!("无法创建数据目录：{e}")))?;
                    }
                }
            }
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_string()
        };
        let pool = Self::pool_options(backend, options, if backend == Backend::Sqlite { 8 } else { 16 }, true)
            .connect(&url)
            .await?;
        // On PostgreSQL the writer's statements (inserts, reads by id) keep one shape per batch
        // size, and their generic plans are as good as the custom ones, whose planning cost as
        // much as running them (docs/BENCHMARKS.md): they get connections of their own under
        // PostgreSQL's default plan cache mode. On SQLite one pool serves all.
        let ingest_pool = match backend {
            Backend::Sqlite => pool.clone(),
            Backend::Postgres => Self::pool_options(backend, options, 6, false).connect(&url).await?,
        };
        Ok(Self {
            pool,
            ingest_pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            link_lock: Arc::new(Mutex::new(())),
            calendar: Default::default(),
            hazard_queue: Default::default(),
            number_scopes: Default::default(),
            sessions: Default::default(),
            officials: Default::default(),
        })
    }

    /// How the pools connect: `max` connections; `custom_plans` on PostgreSQL plans each
    /// execution of a prepared statement for its values.
    fn pool_options(backend: Backend, options: StoreOptions, max: u32, custom_plans: bool) -> AnyPoolOptions {
        AnyPoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(30)).after_connect(
            move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; synchronous=FULL so that every
                        // acknowledged commit survives a power cut, not just a crash.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        // Bounded memory (docs/BENCHMARKS.md, "Memory"): a page cache per connection
                        // (negative: KiB) and memory-mapped reads only when configured, so the server
                        // fits a small VM; the kernel's file cache holds the rest of the file.
                        let cache_kib = i64::from(options.sqlite_cache_mib) * 1024;
                        conn.execute(format!("PRAGMA cache_size = -{cache_kib}").as_str()).await?;
                        let mmap = u64::from(options.sqlite_mmap_mib) * 1024 * 1024;
                        conn.execute(format!("PRAGMA mmap_size = {mmap}").as_str()).await?;
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                    } else if custom_plans {
                        // A prepared list or count switches to PostgreSQL's generic plan after five
                        // executions, and for scope prefixes and skewed states that plan is several
                        // times slower (docs/BENCHMARKS.md): plan each execution for its values.
                        conn.execute("SET plan_cache_mode = force_custom_plan").await?;
                    }
                    Ok(())
                })
            },
        )
    }

    /// Forgets the sessions and accounts held in memory (a write that may have changed one
    /// committed).
    pub(crate) fn forget_principals(&self) {
        self.sessions.forget_all();
        self.officials.forget();
    }

    /// This store on the batching writer's connections (the same as `self` on SQLite).
    pub(crate) fn for_ingest(&self) -> Store {
        Store { pool: self.ingest_pool.clone(), ..self.clone() }
    }

    /// Applies the migrations not yet applied, each in its own transaction, in order.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Several instances may start at once: one migrates, the others wait.
            conn.execute("SELECT pg_advisory_lock(727274)").await?;
        }
        let result = async {
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )
            .await?;
            // Databases from before checksums were recorded gain the column; their rows are
            // filled in below from the files they were applied from.
            let has_checksum = sqlx::query("SELECT checksum FROM schema_version LIMIT 1").fetch_all(&mut *conn).await;
            if has_checksum.is_err() {
                conn.execute("ALTER TABLE schema_version ADD COLUMN checksum TEXT").await?;
            }
            let applied = sqlx::query("SELECT version, name, checksum FROM schema_version ORDER BY version")
                .fetch_all(&mut *conn)
                .await?;
            let applied: Vec<(i64, String, Option<String>)> = applied
                .iter()
                .map(|r| Ok((r.try_get("version")?, r.try_get("name")?, r.try_get("checksum")?)))
                .collect::<Result<_, sqlx::Error>>()?;
            check_applied(&applied)?;
            for (version, name, checksum) in &applied {
                if checksum.is_none() {
                    sqlx::query("UPDATE schema_version SET checksum = $1 WHERE version = $2")
                        .bind(migration_checksum(migration(*version, name)?))
                        .bind(version)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            let current = applied.last().map(|a| a.0).unwrap_or(0);
            for (version, name, sql) in MIGRATIONS {
                if current >= *version {
                    continue;
                }
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for stmt in split_statements(&self.ddl(sql)) {
                    tx.execute(stmt.as_str()).await?;
                }
                sqlx::query("INSERT INTO schema_version (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)")
                    .bind(version)
                    .bind(*name)
                    .bind(crate::now())
                    .bind(migration_checksum(sql))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::info!(version, name, "migration applied");
            }
            Ok::<_, StoreError>(())
        }
        .await;
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_unlock(727274)").await?;
        }
        result
    }

    fn ddl(&self, sql: &str) -> String {
        let strip_comments: String =
            sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
        let (id, path, blob) = match self.backend {
            Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "BLOB"),
            Backend::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TEXT COLLATE \"C\"", "BYTEA"),
        };
        strip_comments.replace("{ID}", id).replace("{PATH}", path).replace("{BLOB}", blob)
    }

    /// Starts a writing transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(Tx {
            tx,
            _guard: guard,
            store: self.clone(),
            links_pending: false,
            created: None,
            keeps_sessions: false,
            chain: None,
            later: None,
        })
    }

    /// The business calendar (业务日历): the time zone of the top jurisdiction, default
    /// Asia/Shanghai. One installation serves one calendar: every district of a Chinese
    /// deployment shares Beijing time, and one calendar keeps period filters plain date ranges.
    pub async fn calendar(&self) -> Result<BusinessCalendar, StoreError> {
        if let Some(c) = self.calendar.read().expect("calendar lock").clone() {
            return Ok(c);
        }
        let tz: Option<String> =
            sqlx::query_scalar("SELECT timezone FROM jurisdiction WHERE parent_id IS NULL ORDER BY id LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        let cal = tz.and_then(|t| BusinessCalendar::new(&t)).unwrap_or_default();
        *self.calendar.write().expect("calendar lock") = Some(cal.clone());
        Ok(cal)
    }

    /// Forgets the cached calendar (a jurisdiction was created).
    pub(crate) fn forget_calendar(&self) {
        *self.calendar.write().expect("calendar lock") = None;
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A consistent online copy of a SQLite database (`VACUUM INTO`), safe while serving.
    pub async fn backup_sqlite(&self, dest: &str) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Config("PostgreSQL 请使用 pg_dump 备份".into()));
        }
        if std::path::Path::new(dest).exists() {
            return Err(StoreError::Config(format!("备份文件已存在：{dest}")));
        }
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers (for /healthz).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Escapes LIKE's wildcards (`%`, `_`) and the escape character itself.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The file a migration was applied from.
fn migration(version: i64, name: &str) -> Result<&'static str, StoreError> {
    MIGRATIONS.iter().find(|m| m.0 == version && m.1 == name).map(|m| m.2).ok_or_else(|| {
        StoreError::Config(format!(
            "数据库已应用第{version}号迁移「{name}」，但本程序中没有这个迁移：数据库来自更新或不同的版本，请使用对应版本的程序"
        ))
    })
}

/// SHA-256 of a migration file as written (before the engine's tokens are replaced).
fn migration_checksum(sql: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(sql.as_bytes()))
}

/// Refuses a database whose applied migrations are not the ones this program carries.
fn check_applied(applied: &[(i64, String, Option<String>)]) -> Result<(), StoreError> {
    for (version, name, checksum) in applied {
        let sql = migration(*version, name)?;
        if let Some(c) = checksum {
            if *c != migration_checksum(sql) {
                return Err(StoreError::Config(format!(
                    "第{version}号迁移「{name}」在应用后被修改过（校验和不符）：已发布的迁移不能修改，请新增一个迁移"
                )));
            }
        }
    }
    Ok(())
}

/// Splits a migration into statements at the `;` that end them: not inside quotes ('…', "…"),
/// dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`, as PostgreSQL functions have) or a trigger's
/// `BEGIN … END` (SQLite).
pub(crate) fn split_statements(sql: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut chars = sql.char_indices().peekable();
    let mut depth = 0usize; // BEGIN … END nesting
    let mut word = String::new();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            cur.push(c);
            continue;
        }
        match word.to_ascii_uppercase().as_str() {
            "BEGIN" => depth += 1,
            "CASE" if depth > 0 => depth += 1,
            "END" if depth > 0 => depth -= 1,
            _ => {}
        }
        word.clear();
        match c {
            '\'' | '"' => {
                cur.push(c);
                for (_, d) in chars.by_ref() {
                    cur.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '$' => {
                // A dollar quote's tag: `$$` or `$tag$`; a placeholder `$1` is not one.
                let rest = &sql[i + 1..];
                let tag_len = rest.find('$').filter(|&n| rest[..n].chars().all(|t| t.is_alphabetic() || t == '_'));
                match tag_len {
                    Some(n) => {
                        let tag = &sql[i..i + n + 2];
                        let body_start = i + n + 2;
                        let end = sql[body_start..].find(tag).map(|e| body_start + e + tag.len()).unwrap_or(sql.len());
                        cur.push_str(&sql[i..end]);
                        while chars.peek().is_some_and(|(j, _)| *j < end) {
                            chars.next();
                        }
                    }
                    None => cur.push(c),
                }
            }
            ';' if depth == 0 => {
                let stmt = cur.trim();
                if !stmt.is_empty() {
                    out.push(stmt.to_string());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    let stmt = cur.trim();
    if !stmt.is_empty() {
        out.push(stmt.to_string());
    }
    out
}

/// A bound value. Nulls carry their type: PostgreSQL needs it to type the parameter.
#[derive(Debug, Clone)]
pub enum Val {
    I(Option<i64>),
    F(Option<f64>),
    T(Option<String>),
    B(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::I(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::I(Some(v as i64))
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::F(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::T(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::T(Some(v))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::T(Some(v.clone()))
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::T(v.map(str::to_string))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::T(v)
    }
}

/// Lists bound for `IN` are padded to a power of two up to this length ([`Q::bind_list`]).
const PADDED_LISTS: usize = 1024;

/// SQL text with numbered placeholders and their values, built up piece by piece.
#[derive(Debug, Default, Clone)]
pub struct Q {
    sql: String,
    args: Vec<Val>,
}

impl Q {
    /// SQL text is `&'static str` only (here and in [`Q::push`]): a value can reach the SQL only
    /// through [`Q::bind`], so splicing one in does not compile. Column and table names come
    /// from constants.
    pub fn new(sql: &'static str) -> Self {
        Self { sql: sql.to_string(), args: vec![] }
    }

    /// `prefix` (SQL without placeholders) followed by `rest` with its bound values: lets a
    /// count and a page share one WHERE clause.
    pub fn prefixed(prefix: &'static str, rest: &Q) -> Self {
        Self { sql: format!("{prefix}{}", rest.sql), args: rest.args.clone() }
    }

    /// Appends another query's SQL and its bound values, renumbering its placeholders.
    pub fn append(&mut self, other: &Q) -> &mut Self {
        let offset = self.args.len();
        let mut sql = String::with_capacity(other.sql.len());
        let mut chars = other.sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                sql.push_str(&format!("${}", n.parse::<usize>().unwrap_or(0) + offset));
            } else {
                sql.push(c);
            }
        }
        self.sql.push_str(&sql);
        self.args.extend(other.args.iter().cloned());
        self
    }

    /// Appends `LOWER(col) LIKE LOWER($n) ESCAPE '\'` for "contains `needle`": `%` and `_` in the
    /// needle are matched as themselves, and letters match in either case on both engines
    /// (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
    pub fn push_contains(&mut self, col: &'static str, needle: &str) -> &mut Self {
        self.push("LOWER(")
            .push(col)
            .push(") LIKE LOWER(")
            .bind(format!("%{}%", like_escape(needle)))
            .push(") ESCAPE '\\'")
    }

    /// Appends `col LIKE $n ESCAPE '\'` for "starts with `prefix`" (case as given: an index on
    /// `col` can serve it).
    pub fn push_starts_with(&mut self, col: &'static str, prefix: &str) -> &mut Self {
        self.push(col).push(" LIKE ").bind(format!("{}%", like_escape(prefix))).push(" ESCAPE '\\'")
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &'static str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.args.push(v.into());
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `(​$a, $b, …)` for a non-empty list, the operand of `IN`. Up to
    /// [`PADDED_LISTS`] values the list is padded to the next power of two by repeating its last
    /// value (the same set), so a query run with lists of many lengths has a few shapes rather
    /// than one per length: PostgreSQL parses each shape once per connection and keeps its plan.
    pub fn bind_list<T: Into<Val> + Clone>(&mut self, vals: &[T]) -> &mut Self {
        let len = if vals.len() <= PADDED_LISTS { vals.len().next_power_of_two() } else { vals.len() };
        self.push("(");
        for i in 0..len {
            if i > 0 {
                self.push(", ");
            }
            self.bind(vals[i.min(vals.len() - 1)].clone());
        }
        self.push(")")
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = match a {
                Val::I(v) => q.bind(*v),
                Val::F(v) => q.bind(*v),
                Val::T(v) => q.bind(v.clone()),
                Val::B(v) => q.bind(v.clone()),
            };
        }
        q
    }

    pub async fn fetch_all<'e, E: Executor<'e, Database = Any>>(&self, e: E) -> Result<Vec<AnyRow>, StoreError> {
        Ok(self.query().fetch_all(e).await?)
    }

    pub async fn fetch_optional<'e, E: Executor<'e, Database = Any>>(
        &self,
        e: E,
    ) -> Result<Option<AnyRow>, StoreError> {
        Ok(self.query().fetch_optional(e).await?)
    }

    pub async fn fetch_one<'e, E: Executor<'e, Database = Any>>(&self, e: E) -> Result<AnyRow, StoreError> {
        Ok(self.query().fetch_one(e).await?)
    }

    pub async fn execute<'e, E: Executor<'e, Database = Any>>(&self, e: E) -> Result<u64, StoreError> {
        Ok(self.query().execute(e).await?.rows_affected())
    }
}

/// `INSERT INTO table (…) VALUES (…)` with each column written next to its value, so a long
/// insert cannot pair a value with the wrong column. Names are `&'static str` as in [`Q`].
#[derive(Debug)]
pub struct Insert {
    table: &'static str,
    columns: Vec<&'static str>,
    values: Vec<Val>,
}

impl Insert {
    pub fn into(table: &'static str) -> Self {
        Self { table, columns: vec![], values: vec![] }
    }

    pub fn set(mut self, column: &'static str, v: impl Into<Val>) -> Self {
        self.columns.push(column);
        self.values.push(v.into());
        self
    }

    /// `created_at` and `updated_at` both at `ts` (a new row).
    pub fn stamped(self, ts: &str) -> Self {
        self.set("created_at", ts).set("updated_at", ts)
    }

    /// The statement; the caller may still push `ON CONFLICT …`.
    pub fn query(self) -> Q {
        let placeholders: Vec<String> = (1..=self.values.len()).map(|n| format!("${n}")).collect();
        let sql =
            format!("INSERT INTO {} ({}) VALUES ({})", self.table, self.columns.join(", "), placeholders.join(", "));
        Q { sql, args: self.values }
    }

    /// One statement inserting several rows, each built with the same columns in the same order
    /// (a batch: one round trip instead of one per row). `None` for no rows.
    pub fn many(rows: Vec<Insert>) -> Option<Q> {
        let first = rows.first()?;
        let (table, columns) = (first.table, first.columns.clone());
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = Vec::with_capacity(rows.len() * columns.len());
        for (i, row) in rows.into_iter().enumerate() {
            assert!(row.table == table && row.columns == columns, "Insert::many: rows of one shape");
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.values.into_iter().enumerate() {
                args.push(v);
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", args.len()));
            }
            sql.push(')');
        }
        Some(Q { sql, args })
    }

    /// The statement answering the new row's `id`.
    pub fn returning_id(self) -> Q {
        let mut q = self.query();
        q.push(" RETURNING id");
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_pairs_each_column_with_its_value() {
        let q = Insert::into("t").set("a", 1i64).set("b", "x").stamped("2026-01-01").returning_id();
        assert_eq!(q.sql, "INSERT INTO t (a, b, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id");
        assert_eq!(q.args.len(), 4);
    }

    #[test]
    fn many_rows_number_their_placeholders_in_order() {
        let row = |a: i64, b: &str| Insert::into("t").set("a", a).set("b", b);
        let q = Insert::many(vec![row(1, "x"), row(2, "y")]).expect("two rows");
        assert_eq!(q.sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(q.args.len(), 4);
        assert!(Insert::many(vec![]).is_none());
    }

    #[test]
    fn lists_are_padded_to_a_power_of_two_with_their_last_value() {
        let mut q = Q::new("SELECT 1 WHERE x IN ");
        q.bind_list(&[7i64, 8, 9]);
        assert_eq!(q.sql, "SELECT 1 WHERE x IN ($1, $2, $3, $4)");
        assert!(matches!(q.args[..], [Val::I(Some(7)), Val::I(Some(8)), Val::I(Some(9)), Val::I(Some(9))]));
        let mut one = Q::new("");
        one.bind_list(&["a"]);
        assert_eq!(one.sql, "($1)");
    }

    #[test]
    fn statements_split_at_their_ends_only() {
        let sql = "CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := 'a;b'; RETURN NEW; END; $$ LANGUAGE plpgsql;\nCREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 'y' END; DELETE FROM a; END;\nINSERT INTO a VALUES ($1)";
        let s = split_statements(sql);
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[1].ends_with("LANGUAGE plpgsql") && s[1].contains("RETURN NEW; END; $$"));
        assert!(s[2].starts_with("CREATE TRIGGER") && s[2].ends_with("DELETE FROM a; END"));
        assert_eq!(s[3], "INSERT INTO a VALUES ($1)");
    }

    #[test]
    fn every_migration_splits_as_before() {
        for (_, name, sql) in MIGRATIONS {
            let stripped: String =
                sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
            let old: Vec<&str> =
                stripped.split(";\n").map(|s| s.trim().trim_end_matches(';')).filter(|s| !s.is_empty()).collect();
            assert_eq!(split_statements(&stripped), old, "{name}");
        }
    }

    #[test]
    fn a_changed_or_unknown_migration_is_refused() {
        let (v, name, sql) = MIGRATIONS[0];
        assert!(check_applied(&[(v, name.into(), Some(migration_checksum(sql)))]).is_ok());
        assert!(check_applied(&[(v, name.into(), None)]).is_ok());
        let e = check_applied(&[(v, name.into(), Some("0".repeat(64)))]).unwrap_err().to_string();
        assert!(e.contains("校验和不符"), "{e}");
        let e = check_applied(&[(99, "future".into(), None)]).unwrap_err().to_string();
        assert!(e.contains("第99号迁移"), "{e}");
    }
}
