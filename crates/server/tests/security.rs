//! Holding under attack: sessions after password changes, login throttling that one person
//! cannot turn against everyone, browser-side defences (headers, CSRF, content types) and
//! upload limits. Through the real router on a real database, both engines.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Resp, TestApp, PASSWORD};
use serde_json::{json, Value};

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
    // The window runs on the server's clock: once Retry-After has passed, the owner is back in.
    app.set_clock(&(app.now() + jiff::SignedDuration::from_secs(wait - 1)).to_string());
    login_from(&app, "grid", PASSWORD, "10.0.0.5", &[]).await.problem(429);
    app.set_clock(&(app.now() + jiff::SignedDuration::from_secs(1)).to_string());
    token(&login_from(&app, "grid", PASSWORD, "10.0.0.5", &[]).await);
}

#[tokio::test]
async fn one_address_trying_every_account_is_stopped_at_the_address_ceiling() {
    let app = TestApp::demo().await;
    // 100 failures spread over accounts (no account reaches its own limit).
    let now = app.now().as_second();
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

// ---------------------------------------------------------------- B. browser-side defences

fn assert_security_headers(r: &Resp, what: &str) {
    let h = |name: &str| r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let csp = h("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{what}: CSP {csp:?}");
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("'unsafe-inline';script") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert!(
        !csp.split(';').any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
        "{what}: {csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("img-src 'self' data: blob:"), "{what}: {csp}");
    assert_eq!(h("x-frame-options"), "DENY", "{what}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::demo().await;
    let t = app.login("grid").await;
    let me = app.get("/api/v1/auth/me", &t).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_security_headers(&me, "API answer");
    assert!(me.headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let page = app.send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type().starts_with("text/html"));
    assert_security_headers(&page, "web UI");
    assert_security_headers(&app.send(Request::get("/hazards/12").body(Body::empty()).unwrap()).await, "UI route");
    let missing = app.get("/api/v1/no-such-thing", &t).await;
    missing.problem(404);
    assert_security_headers(&missing, "API 404");
    let denied = app.send(Request::get("/api/v1/hazards").body(Body::empty()).unwrap()).await;
    denied.problem(401);
    assert_security_headers(&denied, "401");
    assert_security_headers(&app.send(Request::get("/healthz").body(Body::empty()).unwrap()).await, "health");

    // Behind HTTPS (secure cookies), browsers are told to keep to HTTPS.
    let https = TestApp::demo_with(|c| c.secure_cookie = true).await;
    let r = https.send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(r.headers.get("strict-transport-security").unwrap().to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn the_map_tile_server_may_serve_images_and_nothing_else() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let url = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=abc&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}";
    let r = app.call(Method::PUT, "/api/v1/map/settings", Some(&a), Some(json!({"tile_url": url}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", String::from_utf8_lossy(&r.bytes));
    let page = app.send(Request::get("/risk/map").body(Body::empty()).unwrap()).await;
    let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("img-src 'self' data: blob: https://*.tianditu.gov.cn;"), "{csp}");
    assert!(csp.contains("connect-src 'self';") && csp.contains("script-src 'self';"), "{csp}");
}

/// A grid inspector's 一般 hazard at the demo line's enterprise, and the enterprise's token.
async fn reported_hazard(app: &TestApp) -> (i64, String) {
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let g = app.login("grid").await;
    let body = json!({"enterprise_id": line, "description": "消防通道堆放物料", "grade": "一般", "source": "网格巡查",
                      "deadline": "2026-06-25", "location": "二号仓库"});
    let r = app.post("/api/v1/hazards", &g, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    (r.json()["id"].as_i64().unwrap(), app.login("enterprise").await)
}

fn with_cookie(method: Method, path: &str, token: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header(header::COOKIE, format!("anjian_session={token}"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

async fn state_of(app: &TestApp, id: i64, token: &str) -> Value {
    app.get(&format!("/api/v1/hazards/{id}"), token).await.json()["state"].clone()
}

#[tokio::test]
async fn a_cookie_request_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::demo().await;
    let (id, ent) = reported_hazard(&app).await;
    let path = format!("/api/v1/hazards/{id}/rectify");
    let form = [
        ("host", "anjian.example.cn"),
        ("origin", "https://evil.example.com"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let r = app.send(with_cookie(Method::POST, &path, &ent, &form, "")).await;
    r.problem(403);
    assert_security_headers(&r, "403");
    let fetch = [("host", "anjian.example.cn"), ("sec-fetch-site", "cross-site"), ("content-type", "application/json")];
    app.send(with_cookie(Method::POST, &path, &ent, &fetch, "{}")).await.problem(403);
    // A cookie without any browser header saying where it comes from is refused too.
    app.send(with_cookie(Method::POST, &path, &ent, &[("content-type", "application/json")], "{}")).await.problem(403);
    assert_eq!(state_of(&app, id, &ent).await, "reported");

    // The UI's own requests pass: by fetch metadata, or by an Origin naming this host.
    let own =
        [("host", "anjian.example.cn"), ("origin", "https://anjian.example.cn"), ("content-type", "application/json")];
    let r = app.send(with_cookie(Method::POST, &path, &ent, &own, "{}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["state"], "rectifying");
    let other = app.login("committee").await;
    let r = app
        .send(with_cookie(Method::POST, "/api/v1/auth/logout", &other, &[("sec-fetch-site", "same-origin")], ""))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bearer_requests_need_no_origin_but_bodies_must_be_json() {
    let app = TestApp::demo().await;
    let (id, ent) = reported_hazard(&app).await;
    let path = format!("/api/v1/hazards/{id}/rectify");
    let bearer = format!("Bearer {ent}");
    let req = |ct: &str, body: &str| {
        Request::post(&path)
            .header(header::AUTHORIZATION, &bearer)
            .header("origin", "https://elsewhere.example.com")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // A form body is not JSON: 415, and the hazard stays as it was.
    app.send(req("application/x-www-form-urlencoded", "plan=x")).await.problem(415);
    app.send(req("text/plain", "{}")).await.problem(415);
    let no_type = Request::post(&path).header(header::AUTHORIZATION, &bearer).body(Body::from("{}")).unwrap();
    app.send(no_type).await.problem(415);
    assert_eq!(state_of(&app, id, &ent).await, "reported");
    // A token is not sent by browsers on their own: another Origin does not matter.
    let r = app.send(req("application/json", "{}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["state"], "rectifying");
}

#[tokio::test]
async fn a_login_posted_from_another_site_is_refused() {
    let app = TestApp::demo().await;
    let cross = [("host", "anjian.example.cn"), ("origin", "https://evil.example.com")];
    login_from(&app, "grid", PASSWORD, "10.0.0.1", &cross).await.problem(403);
    login_from(&app, "grid", PASSWORD, "10.0.0.1", &[("sec-fetch-site", "cross-site")]).await.problem(403);
    // The login page itself, and scripts that send no browser headers, log in.
    let own =
        [("host", "anjian.example.cn"), ("origin", "http://anjian.example.cn"), ("sec-fetch-site", "same-origin")];
    token(&login_from(&app, "grid", PASSWORD, "10.0.0.1", &own).await);
    token(&login_from(&app, "grid", PASSWORD, "10.0.0.1", &[]).await);
    let form = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=grid&password={PASSWORD}")))
        .unwrap();
    app.send(form).await.problem(415);
}

// ---------------------------------------------------------------- C. uploads

fn multipart(name: &str, content_type: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----anjian-security";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, token: &str, name: &str, content_type: &str, data: &[u8]) -> Resp {
    let (ct, body) = multipart(name, content_type, data);
    let req = Request::post("/api/v1/files")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Records earlier uploads of `user` directly: `bytes` in one file made `hours_ago` before the
/// clock, attached to the demo enterprise's record or not.
async fn earlier_upload(app: &TestApp, user: i64, bytes: i64, hours_ago: i64, attached: bool) {
    let at = anjian_store::format_ts(app.now() - jiff::SignedDuration::from_hours(hours_ago));
    app.sql(&format!(
        "INSERT INTO stored_file (name, content_type, size, sha256, data, uploaded_by, created_at) \
         VALUES ('earlier.png', 'image/png', {bytes}, '', '', {user}, '{at}')"
    ))
    .await;
    if attached {
        app.sql(
            "INSERT INTO attachment (entity, entity_id, file_id, kind, enterprise_id, scope_path, sector) \
             SELECT 'hazard', 0, (SELECT MAX(id) FROM stored_file), 'before', e.id, e.scope_path, '危险化学品' \
             FROM enterprise e WHERE e.name LIKE '%安泰化工%' ORDER BY e.id LIMIT 1",
        )
        .await;
    }
}

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];

#[tokio::test]
async fn uploads_never_attached_within_a_day_are_removed() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let g = app.login("grid").await;
    let (used, loose) = (app.photo(&g).await, app.photo(&g).await);
    let body = json!({"enterprise_id": line, "description": "消防通道堆放物料", "grade": "一般", "source": "网格巡查",
                      "deadline": "2026-06-25", "location": "二号仓库", "before_photos": [used]});
    assert_eq!(app.post("/api/v1/hazards", &g, body).await.status, StatusCode::CREATED);

    // Within the day nothing goes, an hour after it the loose file does.
    app.set_clock("2026-06-16T16:59:00Z");
    assert_eq!(anjian_server::jobs::cleanup(&app.store, app.now()).await.unwrap().files, 0);
    app.set_clock("2026-06-16T18:00:00Z");
    assert_eq!(anjian_server::jobs::cleanup(&app.store, app.now()).await.unwrap().files, 1);
    app.get(&format!("/api/v1/files/{loose}"), &g).await.problem(404);
    assert_eq!(app.get(&format!("/api/v1/files/{used}"), &g).await.status, StatusCode::OK);
    app.advance_days(30);
    assert_eq!(anjian_server::jobs::cleanup(&app.store, app.now()).await.unwrap().files, 0, "attached files stay");
    assert_eq!(app.get(&format!("/api/v1/files/{used}"), &g).await.status, StatusCode::OK);
}

#[tokio::test]
async fn loose_uploads_have_a_quota_per_user() {
    let app = TestApp::demo().await;
    let ent = app.login("enterprise").await;
    let me = app.get("/api/v1/auth/me", &ent).await.json()["id"].as_i64().unwrap();
    earlier_upload(&app, me, anjian_store::files::MAX_UNATTACHED_BYTES_PER_USER - 100, 1, false).await;
    assert_eq!(upload(&app, &ent, "a.png", "image/png", PNG).await.status, StatusCode::CREATED);
    let v = upload(&app, &ent, "b.png", "image/png", &[0u8; 200]).await.problem(413);
    assert!(v["detail"].as_str().unwrap().contains("尚未使用"), "{v}");
    // Another user is not held by it.
    let g = app.login("grid").await;
    assert_eq!(upload(&app, &g, "c.png", "image/png", PNG).await.status, StatusCode::CREATED);
    // Once the loose files are a day old they no longer count (the cleanup removes them).
    app.advance_days(1);
    assert_eq!(upload(&app, &ent, "b.png", "image/png", &[0u8; 200]).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_user_may_upload_a_bounded_amount_per_day() {
    let app = TestApp::demo().await;
    let ent = app.login("enterprise").await;
    let me = app.get("/api/v1/auth/me", &ent).await.json()["id"].as_i64().unwrap();
    // 200 MB attached to records over the last day: the day's ceiling is reached.
    let max = anjian_store::files::MAX_DAILY_BYTES_PER_USER;
    earlier_upload(&app, me, max / 2, 2, true).await;
    earlier_upload(&app, me, max / 2, 1, true).await;
    let r = upload(&app, &ent, "a.png", "image/png", PNG).await;
    let v = r.problem(429);
    assert!(v["detail"].as_str().unwrap().contains("24 小时内"), "{v}");
    let wait: i64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert_eq!(wait, 22 * 3600, "the oldest upload of the day ages out in 22 hours");
    // When it has, there is room again.
    app.set_clock("2026-06-16T15:00:01Z");
    assert_eq!(upload(&app, &ent, "a.png", "image/png", PNG).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn downloads_carry_the_stored_name_inline_for_images_as_attachment_otherwise() {
    let app = TestApp::demo().await;
    let g = app.login("grid").await;
    let photo = app.photo(&g).await;
    let r = app.get(&format!("/api/v1/files/{photo}"), &g).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap(),
        "inline; filename=\"__.png\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png"
    );
    let pdf = upload(&app, &g, "整改报告 (终稿).pdf", "application/pdf", b"%PDF-1.4 test").await;
    assert_eq!(pdf.status, StatusCode::CREATED);
    let r = app.get(&format!("/api/v1/files/{}", pdf.json()["id"]), &g).await;
    assert_eq!(
        r.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap(),
        "attachment; filename=\"____ (__).pdf\"; filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A%20%28%E7%BB%88%E7%A8%BF%29.pdf"
    );
    let csp = r.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("sandbox"), "a file opened on its own runs nothing: {csp}");
}
