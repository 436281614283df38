//! Anjian HTTP server: the API under `/api/v1`, its OpenAPI document, and the embedded web UI.
//!
//! Handlers are thin: they parse input, call the store (which applies scope and domain rules
//! and writes the audit record), and shape the answer.

pub mod api;
mod docx;
pub mod error;
pub mod excel;
pub mod extract;
pub mod jobs;
mod middleware;
pub mod outbound;
pub mod security;
mod web;

use anjian_store::Store;
use axum::Router;
use std::sync::Arc;

/// Where the server reads the time: the system clock, or a fixed one in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(jiff::Timestamp::now))
    }
    /// A clock the caller moves (tests of deadlines and escalation).
    pub fn manual(start: jiff::Timestamp) -> (Self, Arc<std::sync::Mutex<jiff::Timestamp>>) {
        let cell = Arc::new(std::sync::Mutex::new(start));
        let c = cell.clone();
        (Clock(Arc::new(move || *c.lock().expect("clock lock"))), cell)
    }
    pub fn now(&self) -> jiff::Timestamp {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Settings the server needs at run time.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Send the session cookie with `Secure` (behind HTTPS).
    pub secure_cookie: bool,
    /// Largest accepted request body, in bytes (imports have their own larger limit).
    pub max_body_bytes: usize,
    /// Largest accepted import file, in bytes.
    pub max_import_bytes: usize,
    /// Most rows one Excel export may hold.
    pub max_export_rows: i64,
    /// The header a reverse proxy in front puts the client's address in (`X-Forwarded-For`,
    /// `X-Real-IP`); `None`: the socket's peer address. Only set it when every request passes
    /// through that proxy, otherwise a client could name any address it likes.
    pub trusted_proxy_header: Option<String>,
    pub clock: Clock,
    /// Signs audit checkpoints and verifies the chain against them (`None`: chain only).
    pub audit_seal: Option<Arc<anjian_store::audit::Sealer>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookie: false,
            max_body_bytes: 1 << 20,
            max_import_bytes: 20 << 20,
            max_export_rows: anjian_store::page::MAX_EXPORT_ROWS,
            trusted_proxy_header: None,
            clock: Clock::system(),
            audit_seal: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<middleware::Metrics>,
    /// The Content-Security-Policy with the map's tile server (`security::headers`).
    pub csp: Arc<security::CspCache>,
}

impl AppState {
    /// Today's business date by the server's clock, in the installation's calendar.
    pub async fn today(&self) -> Result<jiff::civil::Date, anjian_store::StoreError> {
        Ok(self.store.calendar().await?.date_of(self.config.clock.now().into()))
    }
}

/// The whole application: API, OpenAPI document, health, metrics and web UI.
pub fn app(store: Store, config: ServerConfig) -> Router {
    let state = AppState { store, config: Arc::new(config), metrics: Arc::default(), csp: Arc::default() };
    let (api, openapi) = api::router(&state).split_for_parts();
    let openapi_json = Arc::new(api::document::finish(&openapi));
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = openapi_json.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
            }),
        )
        .route("/healthz", axum::routing::get(middleware::healthz))
        .route("/metrics", axum::routing::get(middleware::metrics))
        .fallback(web::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::idempotency))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::same_origin_and_json))
        .layer(axum::middleware::from_fn(middleware::problem_for_bare_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::count))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(120),
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(tower_http::request_id::MakeRequestUuid))
        .with_state(state)
}
