//! Holding under attack: sessions after password changes, login throttling that one person
//! cannot turn against everyone, browser-side defences (headers, CSRF, content types) and
//! upload limits. Through the real router on a real database, both engines.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Resp, TestApp, PASSWORD};
use serde_json::json;

/// A login from the socket address `peer`, with extra request headers.
async fn login_from(app: &TestApp, user: &str, password: &str, peer: &str, headers: &[(&str, &str)]) -> Resp {
    let mut b = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Body::from(json!({"username": user, "password": password}).to_string())).unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.send(req).await
}

fn token(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()["token"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------- A. sessions and login

#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::demo().await;
    let here = app.login("grid").await;
    let phone = app.login("grid").await;
    let other_user = app.login("station").await;
    let r = app
        .post("/api/v1/auth/password", &here, json!({"old_password": PASSWORD, "new_password": "Better2026x"}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &here).await.status, StatusCode::OK, "the session that changed it stays");
    app.get("/api/v1/auth/me", &phone).await.problem(401);
    assert_eq!(app.get("/api/v1/auth/me", &other_user).await.status, StatusCode::OK, "other users are untouched");
}

#[tokio::test]
async fn an_admin_reset_or_deactivation_ends_every_session_of_the_user() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let me = app.get("/api/v1/auth/me", &app.login("grid").await).await.json();
    let (id, v) = (me["id"].as_i64().unwrap(), me["version"].as_i64().unwrap());
    let (g1, g2) = (app.login("grid").await, app.login("grid").await);
    let r = app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"password": "Reset2026ab", "version": v})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    app.get("/api/v1/auth/me", &g1).await.problem(401);
    app.get("/api/v1/auth/me", &g2).await.problem(401);
    assert_eq!(app.get("/api/v1/auth/me", &admin).await.status, StatusCode::OK);

    let s = app.get("/api/v1/auth/me", &app.login("station").await).await.json();
    let s1 = app.login("station").await;
    let r = app
        .patch(&format!("/api/v1/users/{}", s["id"]), &admin, json!({"active": false, "version": s["version"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.get("/api/v1/auth/me", &s1).await.problem(401);
    login_from(&app, "station", PASSWORD, "10.1.1.1", &[]).await.problem(401);
}

#[tokio::test]
async fn five_wrong_passwords_on_one_account_lock_that_account_only() {
    let app = TestApp::demo().await;
    for _ in 0..5 {
        login_from(&app, "grid", "wrong-0000", "10.0.0.5", &[]).await.problem(401);
    }
    // The locked account stays locked from there, even with the right password…
    let r = login_from(&app, "grid", PASSWORD, "10.0.0.5", &[]).await;
    r.problem(429);
    let wait: i64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    // …and the admin in the same office (same address) logs in fine.
    token(&login_from(&app, "admin", PASSWORD, "10.0.0.5", &[]).await);
    // From another address the owner may still try: five guesses from one place do not lock it.
    token(&login_from(&app, "grid", PASSWORD, "10.0.0.6", &[]).await);
    // The name is counted as the account is: other spellings do not get five more guesses.
    login_from(&app, " GRID", PASSWORD, "10.0.0.5", &[]).await.problem(429);
}

#[tokio::test]
async fn one_address_trying_every_account_is_stopped_at_the_address_ceiling() {
    let app = TestApp::demo().await;
    // 100 failures spread over accounts (no account reaches its own limit).
    let now = jiff::Timestamp::now().as_second();
    for i in 0..100 {
        app.sql(&format!(
            "INSERT INTO login_failure (username, ip, at_unix) VALUES ('nobody{}', '10.9.9.9', {})",
            i / 4,
            now - 60
        ))
        .await;
    }
    login_from(&app, "admin", PASSWORD, "10.9.9.9", &[]).await.problem(429);
    token(&login_from(&app, "admin", PASSWORD, "10.9.9.10", &[]).await);
}

#[tokio::test]
async fn the_proxy_header_names_the_client_only_when_configured() {
    // Not configured: a client cannot pick its address to escape the lock.
    let app = TestApp::demo().await;
    for _ in 0..5 {
        login_from(&app, "grid", "wrong-0000", "10.0.0.5", &[]).await.problem(401);
    }
    let spoofed = [("x-forwarded-for", "1.2.3.4"), ("x-real-ip", "1.2.3.4")];
    login_from(&app, "grid", PASSWORD, "10.0.0.5", &spoofed).await.problem(429);

    // Behind a proxy: every request comes from the proxy's socket; the header tells clients apart.
    let app = TestApp::demo_with(|c| c.trusted_proxy_header = Some("X-Forwarded-For".into())).await;
    for _ in 0..5 {
        let h = [("x-forwarded-for", "203.0.113.7")];
        login_from(&app, "grid", "wrong-0000", "127.0.0.1", &h).await.problem(401);
    }
    login_from(&app, "grid", PASSWORD, "127.0.0.1", &[("x-forwarded-for", "203.0.113.7")]).await.problem(429);
    // A client prepending an address gains nothing: the proxy's own (last) entry counts.
    let h = [("x-forwarded-for", "9.9.9.9, 203.0.113.7")];
    login_from(&app, "grid", PASSWORD, "127.0.0.1", &h).await.problem(429);
    token(&login_from(&app, "grid", PASSWORD, "127.0.0.1", &[("x-forwarded-for", "198.51.100.2")]).await);
}
