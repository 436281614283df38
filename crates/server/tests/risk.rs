//! The risk calculators through the real router.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn lec_and_ls_calculators() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let r = app.post("/api/v1/risk/assess", &t, json!({"method": "LEC", "l": 6, "e": 3, "c": 15})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"score": 270.0, "level": "较大", "color": "orange"}));
    let r = app.post("/api/v1/risk/assess", &t, json!({"method": "LEC", "l": 10, "e": 2, "c": 16})).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "c");
    let r = app.post("/api/v1/risk/assess", &t, json!({"method": "LS", "l": 4, "s": 5})).await;
    assert_eq!(r.json(), json!({"score": 20.0, "level": "重大", "color": "red"}));
    let r = app.post("/api/v1/risk/assess", &t, json!({"method": "LS", "l": 1, "s": 4})).await;
    assert_eq!(r.json()["color"], "blue");
    app.post("/api/v1/risk/assess", &t, json!({"method": "MES", "m": 1})).await.problem(422);
    app.call(axum::http::Method::POST, "/api/v1/risk/assess", None, Some(json!({"method": "LS", "l": 1, "s": 1})))
        .await
        .problem(401);
}

#[tokio::test]
async fn major_hazard_calculator_shows_every_term() {
    let app = TestApp::demo().await;
    let t = app.login("department").await;
    let body = json!({"unit": "storage", "substances": [
        {"name": "氯", "cas": "7782-50-5", "quantity_t": 10},
        {"category": "W5.3", "quantity_t": 300}], "exposed_people": 120});
    let r = app.post("/api/v1/risk/major-hazard/assess", &t, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    let v = r.json();
    assert_eq!((v["s"].as_f64(), v["is_major"].as_bool(), v["alpha"].as_f64()), (Some(2.3), Some(true), Some(2.0)));
    assert_eq!(v["r"].as_f64(), Some(16.6));
    assert_eq!(v["grade"], "三级");
    assert_eq!(v["terms"][0]["substance"], "氯");
    assert_eq!(
        (v["terms"][0]["critical_q"].as_f64(), v["terms"][0]["beta"].as_f64(), v["terms"][0]["ratio"].as_f64()),
        (Some(5.0), Some(4.0), Some(2.0))
    );
    assert_eq!((v["terms"][1]["critical_q"].as_f64(), v["terms"][1]["beta"].as_f64()), (Some(1000.0), Some(1.0)));
    // A named chemical outside 表3 without its category cannot be graded: 422 naming the field.
    let body = json!({"unit": "storage", "substances": [{"name": "甲苯", "quantity_t": 600}], "exposed_people": 0});
    let v = app.post("/api/v1/risk/major-hazard/assess", &t, body).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "substances[0].category");
    let body = json!({"unit": "warehouse", "substances": [], "exposed_people": 0});
    app.post("/api/v1/risk/major-hazard/assess", &t, body).await.problem(422);
}
