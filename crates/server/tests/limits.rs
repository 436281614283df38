//! Long and strange input: every text has a limit and names its field, NUL and invisible
//! characters are refused on both engines, unknown fields and positional arrays answer 422, years
//! have a range, and exports never fail on what is already stored.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use serde_json::{json, Value};

async fn line_enterprise(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/enterprises?q=安泰化工", token).await.json()["items"][0]["id"].as_i64().unwrap()
}

fn report(enterprise: i64) -> Value {
    json!({"enterprise_id": enterprise, "description": "二号仓库消防通道堆放物料", "grade": "一般", "source": "企业自查",
           "deadline": "2026-06-25", "location": "二号仓库"})
}

fn field(v: &Value) -> &str {
    v["errors"][0]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn every_text_has_a_limit_that_names_its_field() {
    let app = TestApp::demo().await;
    let e = app.login("enterprise").await;
    let line = line_enterprise(&app, &e).await;
    let before = app.count("hazard").await;
    // a pasted page: the backstop names the field
    let mut body = report(line);
    body["location"] = json!("罐".repeat(40_000));
    let v = app.post("/api/v1/hazards", &e, body).await.problem(422);
    assert_eq!(field(&v), "location");
    // within the backstop, the domain's own limit
    for (key, limit) in [("location", 100), ("category", 100), ("responsible", 100), ("description", 2000)] {
        let mut body = report(line);
        body[key] = json!("罐".repeat(limit + 1));
        let v = app.post("/api/v1/hazards", &e, body).await.problem(422);
        assert_eq!(field(&v), key, "{v}");
    }
    assert_eq!(app.count("hazard").await, before);
    // actions' texts too: a station's rejection reason
    let h = app.post("/api/v1/hazards", &e, report(line)).await.json();
    let s = app.login("station").await;
    let path = format!("/api/v1/hazards/{}/reject", h["id"]);
    let v = app.post(&path, &s, json!({"reason": "理".repeat(2001)})).await.problem(422);
    assert_eq!(field(&v), "reason");
    // checklists: a name longer than a name
    let a = app.login("admin").await;
    let v = app
        .post("/api/v1/checklists", &a, json!({"name": "清".repeat(101), "sector": "危险化学品", "basis": "", "items": [{"code": "1", "text": "x", "major": false}]}))
        .await
        .problem(422);
    assert_eq!(field(&v), "name");
}

#[tokio::test]
async fn nul_and_invisible_characters_are_refused_in_chinese() {
    let app = TestApp::demo().await;
    // NUL reached PostgreSQL and answered 500, even at login
    let login = json!({"username": "ad\u{0}min", "password": "x"});
    let v = app.call(Method::POST, "/api/v1/auth/login", None, Some(login)).await.problem(422);
    assert_eq!(field(&v), "username");
    let e = app.login("enterprise").await;
    let line = line_enterprise(&app, &e).await;
    let mut body = report(line);
    body["description"] = json!("堆放\u{0}物料");
    assert_eq!(field(&app.post("/api/v1/hazards", &e, body).await.problem(422)), "description");
    app.get("/api/v1/hazards?q=%00", &e).await.problem(400);
    // a bidi override turns a name around on screen; a zero-width space makes two names differ
    let c = app.login("committee").await;
    let ent = app.get(&format!("/api/v1/enterprises/{line}"), &c).await.json();
    let path = format!("/api/v1/enterprises/{line}");
    let v =
        app.patch(&path, &c, json!({"name": "安泰化工\u{202E}司公限有", "version": ent["version"]})).await.problem(422);
    assert_eq!(field(&v), "name");
    let v =
        app.patch(&path, &c, json!({"safety_manager": "王\u{200B}伟", "version": ent["version"]})).await.problem(422);
    assert_eq!(field(&v), "safety_manager");
    assert_eq!(app.get(&path, &c).await.json()["version"], ent["version"]);
    // a description keeps its line breaks
    let mut body = report(line);
    body["description"] = json!("一、消防通道堆放物料\n二、灭火器过期");
    assert_eq!(app.post("/api/v1/hazards", &e, body).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_fields_and_positional_arrays_answer_422_and_change_nothing() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let tiles = json!({"tile_url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", "attribution": "天地图"});
    let put = |body: Value| {
        Request::builder()
            .method(Method::PUT)
            .uri("/api/v1/map/settings")
            .header(header::AUTHORIZATION, format!("Bearer {a}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    assert_eq!(app.send(put(tiles.clone())).await.status, StatusCode::NO_CONTENT);
    // `[null,null]` cleared the tile server
    app.send(put(json!([null, null]))).await.problem(422);
    let v = app.send(put(json!({"tile_url": null, "atribution": "拼错了"}))).await.problem(422);
    assert_eq!(field(&v), "atribution");
    assert_eq!(app.get("/api/v1/map/settings", &a).await.json()["tile_url"], tiles["tile_url"]);
    // a hazard with a field the API does not have
    let e = app.login("enterprise").await;
    let mut body = report(line_enterprise(&app, &e).await);
    body["state"] = json!("closed");
    app.post("/api/v1/hazards", &e, body).await.problem(422);
}

#[tokio::test]
async fn years_have_a_range() {
    let app = TestApp::demo().await;
    let c = app.login("committee").await;
    let v = app.get("/api/v1/hazard-listings/summary?year=99999", &c).await.problem(422);
    assert_eq!(field(&v), "year");
    let quota = json!({"year": 1900, "city": 10, "district": 15, "street": 25});
    let req = Request::builder()
        .method(Method::PUT)
        .uri("/api/v1/hazard-listings/quota")
        .header(header::AUTHORIZATION, format!("Bearer {c}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(quota.to_string()))
        .unwrap();
    assert_eq!(field(&app.send(req).await.problem(422)), "year");
    assert_eq!(app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.status, StatusCode::OK);
    for list in ["/api/v1/hazards", "/api/v1/hazards/export.xlsx"] {
        let v = app.get(&format!("{list}?listing_year=75954828"), &c).await.problem(422);
        assert_eq!(field(&v), "listing_year");
    }
}

#[tokio::test]
async fn exports_never_fail_on_what_is_stored() {
    let app = TestApp::demo().await;
    let e = app.login("enterprise").await;
    let line = line_enterprise(&app, &e).await;
    let id = app.post("/api/v1/hazards", &e, report(line)).await.json()["id"].as_i64().unwrap();
    // data from before the limits (or an import): longer than an Excel cell holds
    sqlx::query("UPDATE hazard SET location = $1 WHERE id = $2")
        .bind("罐".repeat(40_000))
        .bind(id)
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET summary = $1 WHERE id = (SELECT MAX(id) FROM audit_log)")
        .bind("清".repeat(40_000))
        .execute(app.store.pool())
        .await
        .unwrap();
    for role in ["enterprise", "station", "committee", "admin"] {
        let t = app.login(role).await;
        let r = app.get("/api/v1/hazards/export.xlsx", &t).await;
        assert_eq!(r.status, StatusCode::OK, "{role}: {}", String::from_utf8_lossy(&r.bytes));
    }
    let a = app.login("admin").await;
    assert_eq!(app.get("/api/v1/audit/export.xlsx", &a).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_an_integer() {
    // JSON has one number type and JSON Schema counts 30.0 as an integer; so does the server.
    let app = TestApp::demo().await;
    let c = app.login("admin").await;
    let body = json!({"dynamic_level": true, "review_station_after_days": 30.0});
    let r = app.call(Method::PUT, "/api/v1/risk/rules", Some(&c), Some(body)).await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(app.get("/api/v1/risk/rules", &c).await.json()["review_station_after_days"], 30);
    // A fraction stays a fraction, and is refused where an integer is due.
    let body = json!({"dynamic_level": true, "review_station_after_days": 30.5});
    let v = app.call(Method::PUT, "/api/v1/risk/rules", Some(&c), Some(body)).await.problem(422);
    assert_eq!(field(&v), "review_station_after_days");
}
