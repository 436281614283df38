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
            log_level: "info,sqlx=warn".into(),
            log_json: false,
            trusted_proxy_header: String::new(),
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
        Ok(c)
    }

    pub fn server(&self) -> anjian_server::ServerConfig {
        anjian_server::ServerConfig {
            secure_cookie: self.secure_cookie,
            max_body_bytes: self.max_body_bytes,
            max_import_bytes: self.max_import_bytes,
            trusted_proxy_header: Some(self.trusted_proxy_header.trim().to_string()).filter(|h| !h.is_empty()),
            clock: anjian_server::Clock::system(),
        }
    }
}
