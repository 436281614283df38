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
    _dir: Option<tempfile::TempDir>,
}

/// Where every test's clock starts: 2026-06-15 10:00 in 上海.
pub const START: &str = "2026-06-15T02:00:00Z";

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

async fn fresh_store() -> (Store, Option<tempfile::TempDir>) {
    match std::env::var("ANJIAN_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("anjian_t_{}", rand::random::<u64>());
            let admin = Store::connect(&base).await.expect("connect to test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.expect("create test database");
            admin.pool().close().await;
            let url = match base.rsplit_once('/') {
                Some((prefix, _)) => format!("{prefix}/{name}"),
                None => panic!("ANJIAN_TEST_DATABASE_URL needs a database path"),
            };
            let store = Store::connect(&url).await.expect("connect");
            store.migrate().await.expect("migrate");
            (store, None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}/t.db", dir.path().display());
            let store = Store::connect(&url).await.expect("connect");
            store.migrate().await.expect("migrate");
            (store, Some(dir))
        }
    }
}

impl TestApp {
    /// An empty, migrated database.
    pub async fn empty() -> Self {
        let (store, dir) = fresh_store().await;
        let (clock, cell) = anjian_server::Clock::manual(START.parse().unwrap());
        let router = anjian_server::app(store.clone(), anjian_server::ServerConfig { clock, ..Default::default() });
        Self { router, store, clock: cell, _dir: dir }
    }

    /// The demo district with a few enterprises and no hazards yet.
    pub async fn demo() -> Self {
        let app = Self::empty().await;
        demo::generate(&app.store, 7, 60, 0, |_, _, _| {}).await.expect("demo");
        app
    }

    /// The demo district with its year of hazard history.
    pub async fn demo_with_history() -> Self {
        let app = Self::empty().await;
        demo::generate(&app.store, 7, 60, 80, |_, _, _| {}).await.expect("demo");
        app
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
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": user, "password": PASSWORD})),
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
