//! Idempotency keys under load and after a crash: concurrent keyed writers on SQLite, a key left
//! in flight by a killed server, a write that committed before its answer was saved, a key sent
//! with another body, and keys that expire.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn line_enterprise(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/enterprises?q=安泰化工", token).await.json()["items"][0]["id"].as_i64().unwrap()
}

fn report(enterprise: i64, description: &str) -> Value {
    json!({"enterprise_id": enterprise, "description": description, "grade": "一般", "source": "企业自查",
           "deadline": "2026-06-25", "location": "二号仓库"})
}

fn keyed(token: &str, key: &str, body: &Value) -> Request<Body> {
    Request::post("/api/v1/hazards")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/auth/me", token).await.json()["id"].as_i64().unwrap()
}

/// A key row as a killed server leaves it.
async fn leave_key(app: &TestApp, user: i64, key: &str, body: &Value, lease_until: &str, committed: Option<i64>) {
    let hash = anjian_store::idempotency::body_hash(body.to_string().as_bytes());
    sqlx::query("INSERT INTO idempotency (user_id, idem_key, request, body_hash, lease_until, committed, entity, entity_id, created_at) VALUES ($1, $2, 'POST /api/v1/hazards', $3, $4, $5, $6, $7, $8)")
        .bind(user)
        .bind(key)
        .bind(hash)
        .bind(lease_until)
        .bind(committed.is_some() as i64)
        .bind(committed.map(|_| "hazard".to_string()))
        .bind(committed)
        .bind("2026-06-15T16:59:50.000Z")
        .execute(app.store.pool())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_keyed_writers_all_succeed_and_each_key_writes_once() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let line = line_enterprise(&app, &t).await;
    let before = app.count("hazard").await;
    let mut tasks = vec![];
    for w in 0..8 {
        let router = app.router.clone();
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = vec![];
            for i in 0..10 {
                let body = report(line, &format!("写入者{w}第{i}条：消防通道堆放物料"));
                let res = router.clone().oneshot(keyed(&t, &format!("w{w}-{i}"), &body)).await.unwrap();
                statuses.push(res.status());
            }
            statuses
        }));
    }
    let mut failed = vec![];
    for task in tasks {
        failed.extend(task.await.unwrap().into_iter().filter(|s| *s != StatusCode::CREATED));
    }
    assert!(failed.is_empty(), "answers other than 201: {failed:?}");
    assert_eq!(app.count("hazard").await, before + 80);
    // every key commits with its row, and a resend replays it
    let body = report(line, "写入者3第4条：消防通道堆放物料");
    let again = app.send(keyed(&t, "w3-4", &body)).await;
    assert_eq!(
        (again.status, again.headers.get("idempotent-replay").map(|v| v.to_str().unwrap())),
        (StatusCode::CREATED, Some("true"))
    );
    let committed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM idempotency WHERE committed = 1 AND entity = 'hazard'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(committed, 80);
    assert_eq!(app.count("hazard").await, before + 80);
}

#[tokio::test]
async fn a_key_left_in_flight_by_a_crash_runs_again_once_its_lease_ends() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let line = line_enterprise(&app, &t).await;
    let me = user_id(&app, &t).await;
    let body = report(line, "配电房门口堆放杂物");
    // the killed server claimed the key 10 s before START with a 60 s lease, and wrote nothing
    leave_key(&app, me, "crash-1", &body, "2026-06-15T17:00:50.000Z", None).await;
    let before = app.count("hazard").await;
    let busy = app.send(keyed(&t, "crash-1", &body)).await;
    busy.problem(409);
    assert_eq!(busy.headers.get(header::RETRY_AFTER).unwrap(), "50");
    app.set_clock("2026-06-15T17:01:00Z");
    let rerun = app.send(keyed(&t, "crash-1", &body)).await;
    assert_eq!(rerun.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&rerun.bytes));
    let replay = app.send(keyed(&t, "crash-1", &body)).await;
    assert_eq!(replay.json()["id"], rerun.json()["id"]);
    assert_eq!(app.count("hazard").await, before + 1);
}

#[tokio::test]
async fn a_write_that_committed_before_its_answer_was_saved_is_never_run_again() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let line = line_enterprise(&app, &t).await;
    let me = user_id(&app, &t).await;
    let body = report(line, "配电房门口堆放杂物");
    let first = app.post("/api/v1/hazards", &t, body.clone()).await.json()["id"].as_i64().unwrap();
    leave_key(&app, me, "crash-2", &body, "2026-06-15T16:59:00.000Z", Some(first)).await;
    let before = app.count("hazard").await;
    let r = app.send(keyed(&t, "crash-2", &body)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!((r.json()["entity"].as_str(), r.json()["id"].as_i64()), (Some("hazard"), Some(first)));
    assert_eq!(app.count("hazard").await, before);
}

#[tokio::test]
async fn a_key_sent_with_another_body_is_refused_and_a_failed_request_frees_its_key() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let line = line_enterprise(&app, &t).await;
    let first = app.send(keyed(&t, "k-1", &report(line, "仓库消防通道堆放物料"))).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let v = app.send(keyed(&t, "k-1", &report(line, "另一条隐患"))).await.problem(422);
    assert!(v["detail"].as_str().unwrap().contains("Idempotency-Key"));
    // a refused request writes nothing and keeps no key: the corrected resend runs
    let bad = json!({"enterprise_id": line, "description": " ", "grade": "一般", "source": "企业自查", "deadline": "2026-06-25"});
    app.send(keyed(&t, "k-2", &bad)).await.problem(422);
    let good = report(line, "更正后的描述");
    assert_eq!(app.send(keyed(&t, "k-2", &good)).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn keys_expire_after_a_day() {
    let app = TestApp::demo().await;
    let t = app.login("enterprise").await;
    let line = line_enterprise(&app, &t).await;
    let body = report(line, "仓库消防通道堆放物料");
    let first = app.send(keyed(&t, "daily", &body)).await.json()["id"].as_i64().unwrap();
    app.set_clock("2026-06-16T17:00:01Z");
    let second = app.send(keyed(&t, "daily", &body)).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert!(second.headers.get("idempotent-replay").is_none());
    assert_ne!(second.json()["id"].as_i64().unwrap(), first);
    // the job forgets what is older than a day
    let at: jiff::Timestamp = "2026-06-17T17:00:02Z".parse().unwrap();
    assert_eq!(anjian_store::idempotency::purge(&app.store, at).await.unwrap(), 1);
}
