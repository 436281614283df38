//! Configuration, built once at start: defaults, then the TOML file, then `ANJIAN_*`
//! environment variables (and `DATABASE_URL`), validated before anything runs.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address of the HTTP server (`ANJIAN_BIND`)
    pub bind: String,
    /// `sqlite://data/anjian.db` (default) or `postgres://…` (`DATABASE_URL` or `ANJIAN_DATABASE_URL`)
    pub database_url: String,
    /// Mark the session cookie Secure (set when served over HTTPS)
    pub secure_cookie: bool,
    /// Largest request body in bytes
    pub max_body_bytes: usize,
    /// Largest import file in bytes
    pub max_import_bytes: usize,
    /// Log filter, e.g. `info` or `anjian=debug`
    pub log_level: String,
    /// JSON logs (for log collectors)
    pub log_json: bool,
    /// Header with the client's address set by a reverse proxy in front (`X-Forwarded-For`,
    /// `X-Real-IP`); empty: the socket address (`ANJIAN_TRUSTED_PROXY_HEADER`)
    pub trusted_proxy_header: String,
    /// The Ed25519 key that signs audit checkpoints, created (mode 0600) on first use if missing.
    /// Default: `audit.key` beside the SQLite file, `data/audit.key` for PostgreSQL.
    pub audit_key_file: Option<String>,
    /// The append-only file of signed checkpoints (one JSON line each). Default: the SQLite
    /// file's name with `.checkpoints.jsonl`, `data/audit-checkpoints.jsonl` for PostgreSQL.
    pub audit_checkpoint_file: Option<String>,
    /// Sign a checkpoint after this many new audit records …
    pub audit_checkpoint_records: i64,
    /// … or this many seconds after the last one, if anything was written since.
    pub audit_checkpoint_seconds: u64,
    /// SQLite page cache per pooled connection (8 of them), in MiB
    pub sqlite_cache_mib: u32,
    /// Most rows one Excel export may hold; a larger one is refused with advice to filter
    pub max_export_rows: i64,
    /// SQLite memory-mapped reads, in MiB (0: off; faster large scans, more resident memory)
    pub sqlite_mmap_mib: u32,
    /// Notices also sent out of the platform: `off` (default), `wecom` (企业微信群机器人 webhook) or
    /// `sms` (an SMS gateway taking `{"phone","content"}`)
    pub outbound_channel: String,
    /// The webhook or gateway URL of `outbound_channel`
    pub outbound_url: String,
    /// The kinds of notice sent out, comma-separated
    pub outbound_kinds: String,
}

impl Default for Config {
    fn default() -> Self {
        let s = anjian_server::ServerConfig::default();
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/anjian.db".into(),
            secure_cookie: s.secure_cookie,
            max_body_bytes: s.max_body_bytes,
            max_import_bytes: s.max_import_bytes,
            max_export_rows: s.max_export_rows,
            log_level: "info,sqlx=warn".into(),
            log_json: false,
            trusted_proxy_header: String::new(),
            audit_key_file: None,
            audit_checkpoint_file: None,
            audit_checkpoint_records: 1000,
            audit_checkpoint_seconds: 300,
            sqlite_cache_mib: anjian_store::StoreOptions::default().sqlite_cache_mib,
            sqlite_mmap_mib: anjian_store::StoreOptions::default().sqlite_mmap_mib,
            outbound_channel: "off".into(),
            outbound_url: String::new(),
            outbound_kinds: anjian_domain::notice::DEFAULT_OUTBOUND_KINDS
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

impl Config {
    pub fn load(file: &str) -> Result<Self, String> {
        let mut f = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("ANJIAN_"));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            if std::env::var("ANJIAN_DATABASE_URL").is_err() {
                f = f.merge(Serialized::default("database_url", url));
            }
        }
        let c: Config = f.extract().map_err(|e| e.to_string())?;
        if !(c.database_url.starts_with("sqlite:") || c.database_url.starts_with("postgres")) {
            return Err(format!("database_url 应以 sqlite:// 或 postgres:// 开头：{}", c.database_url));
        }
        let proxy = c.trusted_proxy_header.trim();
        if !proxy.is_empty() && axum::http::HeaderName::from_bytes(proxy.as_bytes()).is_err() {
            return Err(format!("trusted_proxy_header 不是合法的请求头名称：{}", c.trusted_proxy_header));
        }
        if c.max_body_bytes < 1024 {
            return Err("max_body_bytes 过小".into());
        }
        if !(1..=4096).contains(&c.sqlite_cache_mib) || c.sqlite_mmap_mib > 65536 {
            return Err("sqlite_cache_mib 应在 1～4096 之间，sqlite_mmap_mib 应在 0～65536 之间".into());
        }
        if !(1..=10_000_000).contains(&c.max_export_rows) {
            return Err("max_export_rows 应在 1～10000000 之间".into());
        }
        c.outbound()?;
        if c.audit_checkpoint_records < 1 || c.audit_checkpoint_seconds < 1 {
            return Err("audit_checkpoint_records 和 audit_checkpoint_seconds 应大于 0".into());
        }
        Ok(c)
    }

    /// The SQLite file, if the database is one.
    fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && !path.starts_with(':')).then(|| std::path::PathBuf::from(path))
    }

    /// The audit key file and the checkpoint file (see the fields for the defaults).
    pub fn audit_files(&self) -> (std::path::PathBuf, std::path::PathBuf) {
        let db = self.sqlite_file();
        let key = match (&self.audit_key_file, &db) {
            (Some(k), _) => k.into(),
            (None, Some(db)) => db.with_file_name("audit.key"),
            (None, None) => "data/audit.key".into(),
        };
        let file = match (&self.audit_checkpoint_file, &db) {
            (Some(f), _) => f.into(),
            (None, Some(db)) => {
                let mut name = db.file_name().unwrap_or_default().to_os_string();
                name.push(".checkpoints.jsonl");
                db.with_file_name(name)
            }
            (None, None) => "data/audit-checkpoints.jsonl".into(),
        };
        (key, file)
    }

    /// The outbound channel, when one is set.
    pub fn outbound(&self) -> Result<Option<anjian_server::outbound::Outbound>, String> {
        use anjian_server::outbound::{HttpChannel, Outbound, Style};
        let Some(style) = Style::parse(&self.outbound_channel)? else { return Ok(None) };
        let channel = HttpChannel::new(style, &self.outbound_url)?;
        let kinds = anjian_domain::notice::NoticeKind::parse_list(&self.outbound_kinds)
            .map_err(|e| format!("outbound_kinds：{e}"))?;
        Ok(Some(Outbound { channel: std::sync::Arc::new(channel), kinds }))
    }

    pub fn store_options(&self) -> anjian_store::StoreOptions {
        anjian_store::StoreOptions { sqlite_cache_mib: self.sqlite_cache_mib, sqlite_mmap_mib: self.sqlite_mmap_mib }
    }

    pub fn seal_policy(&self) -> anjian_server::jobs::SealPolicy {
        anjian_server::jobs::SealPolicy {
            records: self.audit_checkpoint_records,
            every: std::time::Duration::from_secs(self.audit_checkpoint_seconds),
            poll: std::time::Duration::from_secs(self.audit_checkpoint_seconds.clamp(1, 2)),
        }
    }

    pub fn server(&self) -> anjian_server::ServerConfig {
        anjian_server::ServerConfig {
            secure_cookie: self.secure_cookie,
            max_body_bytes: self.max_body_bytes,
            max_import_bytes: self.max_import_bytes,
            max_export_rows: self.max_export_rows,
            trusted_proxy_header: Some(self.trusted_proxy_header.trim().to_string()).filter(|h| !h.is_empty()),
            clock: anjian_server::Clock::system(),
            audit_seal: None,
        }
    }
}
