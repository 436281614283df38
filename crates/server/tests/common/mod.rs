//! Test harness: a fresh database per test (SQLite file, or a new PostgreSQL database when
//! `ANJIAN_TEST_DATABASE_URL` is set), the real router, and helpers to call it.
#![allow(dead_code)]

use anjian_store::{demo, Store};
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;
pub const ROLES: [&str; 7] = ["admin", "committee", "department", "station", "grid", "enterprise", "expert"];

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    /// The server's clock, which tests move.
    pub clock: std::sync::Arc<std::sync::Mutex<jiff::Timestamp>>,
    /// The audit sealer (key and checkpoint file in a folder of their own), if the test has one.
    pub sealer: Option<std::sync::Arc<anjian_store::audit::Sealer>>,
    pub seal_dir: Option<tempfile::TempDir>,
    _dir: Option<tempfile::TempDir>,
}

/// Where every test's clock starts: 2026-06-16 01:00 in 上海, while the UTC date is still
/// 2026-06-15 — so a rule that reads a UTC date where it means a business date fails a test.
pub const START: &str = "2026-06-15T17:00:00Z";
/// The business date at [`START`].
pub const TODAY: &str = "2026-06-16";

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// Asserts an RFC 9457 problem with the status and returns its body.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", String::from_utf8_lossy(&self.bytes));
        assert!(self.content_type().starts_with("application/problem+json"), "content type {}", self.content_type());
        let v = self.json();
        assert_eq!(v["status"], status);
        assert!(
            v["detail"].as_str().is_some_and(|d| d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
            "detail not Chinese: {v}"
        );
        v
    }
}

/// What a test starts from. Each kind is built once per test binary build and day (a migrated
/// file on SQLite, a database on PostgreSQL) and copied for every test: building the demo
/// district anew for each test took most of the suite's time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Template {
    Empty,
    /// One jurisdiction and its administrator (`admin`), no district: for the calculators.
    Admin,
    Demo,
    DemoWithHistory,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Admin => "admin",
            Self::Demo => "demo",
            Self::DemoWithHistory => "history",
        }
    }

    async fn fill(self, store: &Store) {
        store.bootstrap().await.expect("bootstrap");
        let hazards = match self {
            Self::Empty => return,
            Self::Admin => {
                let actor = anjian_store::Actor::system("测试");
                let top = anjian_domain::org_unit::JurisdictionInput {
                    parent_id: None,
                    level: anjian_domain::org::JurisdictionLevel::District,
                    code: Some("320411".into()),
                    name: "新北区".into(),
                    boundary: None,
                    timezone: None,
                };
                let top = anjian_store::org::jurisdiction_create(store, &actor, top).await.expect("jurisdiction");
                let input = anjian_store::auth::UserInput {
                    username: "admin".into(),
                    display_name: "系统管理员".into(),
                    role: anjian_domain::auth::Role::Admin,
                    org_id: top.id,
                    password: PASSWORD.into(),
                    phone: String::new(),
                    assigned_enterprises: vec![],
                };
                anjian_store::auth::user_create(store, &actor, input, false).await.expect("admin");
                return;
            }
            Self::Demo => 0,
            Self::DemoWithHistory => 80,
        };
        demo::generate(store, 7, 60, hazards, |_, _, _| {}).await.expect("demo");
    }
}

/// Identifies this build of the test binary and the day (the demo history is dated from today),
/// so a template is rebuilt whenever the code that made it may have changed.
fn build_key() -> String {
    use sha2::Digest;
    let exe = std::env::current_exe().expect("test binary");
    let meta = std::fs::metadata(&exe).expect("test binary metadata");
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    let day = jiff::Timestamp::now().to_string();
    let raw = format!("{}|{}|{:?}|{}", exe.display(), meta.len(), modified, &day[..10]);
    hex::encode(&sha2::Sha256::digest(raw.as_bytes())[..6])
}

async fn fresh_store(template: Template) -> (Store, Option<tempfile::TempDir>) {
    let key = build_key();
    match std::env::var("ANJIAN_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let prefix = match base.rsplit_once('/') {
                Some((prefix, _)) => prefix.to_string(),
                None => panic!("ANJIAN_TEST_DATABASE_URL needs a database path"),
            };
            let admin = Store::connect(&base).await.expect("connect to test PostgreSQL");
            let tpl = format!("anjian_t_tpl_{}_{key}", template.name());
            // One process builds a template while the others wait on the lock.
            let mut conn = admin.pool().acquire().await.expect("connection");
            sqlx::query("SELECT pg_advisory_lock(727275)").execute(&mut *conn).await.expect("lock");
            let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&tpl)
                .fetch_optional(&mut *conn)
                .await
                .expect("look up template")
                .is_some();
            if !exists {
                let building = format!("{tpl}_building");
                sqlx::query(&format!("DROP DATABASE IF EXISTS {building}")).execute(&mut *conn).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {building}")).execute(&mut *conn).await.expect("create");
                let store = Store::connect(&format!("{prefix}/{building}")).await.expect("connect");
                template.fill(&store).await;
                store.pool().close().await;
                // A closed connection's server process may linger a moment: end it, then rename.
                sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
                    .bind(&building)
                    .execute(&mut *conn)
                    .await
                    .expect("end template sessions");
                let rename = format!("ALTER DATABASE {building} RENAME TO {tpl}");
                let mut tries = 0;
                while let Err(e) = sqlx::query(&rename).execute(&mut *conn).await {
                    tries += 1;
                    assert!(tries < 50, "rename template database: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            let name = format!("anjian_t_{}", rand::random::<u64>());
            sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {tpl}"))
                .execute(&mut *conn)
                .await
                .expect("copy template database");
            sqlx::query("SELECT pg_advisory_unlock(727275)").execute(&mut *conn).await.expect("unlock");
            drop(conn);
            admin.pool().close().await;
            (Store::connect(&format!("{prefix}/{name}")).await.expect("connect"), None)
        }
        _ => {
            let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("templates");
            std::fs::create_dir_all(&cache).expect("template folder");
            let tpl = cache.join(format!("{}-{key}.db", template.name()));
            if !tpl.exists() {
                // Built aside and renamed into place, so a reader never sees half a template.
                let work = tempfile::tempdir_in(&cache).expect("tempdir");
                let store = Store::connect(&format!("sqlite://{}/w.db", work.path().display())).await.expect("connect");
                template.fill(&store).await;
                let out = work.path().join("t.db");
                store.backup_sqlite(&out.display().to_string()).await.expect("VACUUM INTO");
                store.pool().close().await;
                std::fs::rename(&out, &tpl).expect("template into place");
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let db = dir.path().join("t.db");
            std::fs::copy(&tpl, &db).expect("copy template");
            let store = Store::connect(&format!("sqlite://{}", db.display())).await.expect("connect");
            (store, Some(dir))
        }
    }
}

impl TestApp {
    /// An empty, migrated database.
    pub async fn empty() -> Self {
        Self::from(Template::Empty).await
    }

    async fn from(template: Template) -> Self {
        Self::configured(template, |_| {}).await
    }

    async fn configured(template: Template, f: impl FnOnce(&mut anjian_server::ServerConfig)) -> Self {
        let (store, dir) = fresh_store(template).await;
        let (clock, cell) = anjian_server::Clock::manual(START.parse().unwrap());
        let mut config = anjian_server::ServerConfig { clock, ..Default::default() };
        f(&mut config);
        let router = anjian_server::app(store.clone(), config);
        Self { router, store, clock: cell, sealer: None, seal_dir: None, _dir: dir }
    }

    /// The demo district served as `anjian serve` does: with an audit key and a checkpoint file
    /// (created in a fresh folder), and a first checkpoint signed at start.
    pub async fn demo_sealed() -> Self {
        let (store, dir) = fresh_store(Template::Demo).await;
        let seal_dir = tempfile::tempdir().expect("tempdir");
        let sealer = std::sync::Arc::new(
            anjian_store::audit::Sealer::open(&seal_dir.path().join("audit.key"), &seal_dir.path().join("cp.jsonl"))
                .expect("sealer"),
        );
        sealer.checkpoint(&store).await.expect("first checkpoint");
        let (clock, cell) = anjian_server::Clock::manual(START.parse().unwrap());
        let config = anjian_server::ServerConfig { clock, audit_seal: Some(sealer.clone()), ..Default::default() };
        let router = anjian_server::app(store.clone(), config);
        Self { router, store, clock: cell, sealer: Some(sealer), seal_dir: Some(seal_dir), _dir: dir }
    }

    /// The checkpoint file's path (a sealed app only).
    pub fn checkpoint_file(&self) -> std::path::PathBuf {
        self.seal_dir.as_ref().expect("a sealed app").path().join("cp.jsonl")
    }

    /// The demo district served with a configuration the test changes (proxy header, cookies…).
    pub async fn demo_with(f: impl FnOnce(&mut anjian_server::ServerConfig)) -> Self {
        Self::configured(Template::Demo, f).await
    }

    /// One jurisdiction and its administrator, no district: enough for the calculators.
    pub async fn admin_only() -> Self {
        Self::from(Template::Admin).await
    }

    /// The demo district with a few enterprises and no hazards yet.
    pub async fn demo() -> Self {
        Self::from(Template::Demo).await
    }

    /// The demo district with its year of hazard history.
    pub async fn demo_with_history() -> Self {
        Self::from(Template::DemoWithHistory).await
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, headers, bytes }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login(&self, user: &str) -> String {
        self.login_as(user, PASSWORD).await
    }

    pub async fn login_as(&self, user: &str, password: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {user}: {}", String::from_utf8_lossy(&r.bytes));
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Moves the server's clock forward.
    pub fn advance_days(&self, days: i64) {
        let mut t = self.clock.lock().unwrap();
        *t += jiff::SignedDuration::from_hours(24 * days);
    }

    /// Sets the server's clock to an instant (RFC 3339).
    pub fn set_clock(&self, at: &str) {
        *self.clock.lock().unwrap() = at.parse().expect("an RFC 3339 instant");
    }

    pub fn now(&self) -> jiff::Timestamp {
        *self.clock.lock().unwrap()
    }

    /// Uploads a small PNG as `user` and returns its file id.
    pub async fn photo(&self, token: &str) -> i64 {
        let boundary = "----anjian-photo";
        let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"现场.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
        body.extend_from_slice(png);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/files")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let r = self.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
        r.json()["id"].as_i64().unwrap()
    }

    /// Runs raw SQL (for tampering in tests).
    pub async fn sql(&self, sql: &str) {
        sqlx::query(sql).execute(self.store.pool()).await.expect(sql);
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(self.store.pool()).await.unwrap().get("n")
    }

    /// Sends a multipart upload of one file in field `file`.
    pub async fn upload(&self, path: &str, token: &str, file: Vec<u8>) -> Resp {
        let boundary = "----anjian-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes());
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// Reads the first sheet of an xlsx answer as rows of text.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx opens");
    let range = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}
