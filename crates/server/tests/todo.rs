//! 工作台待办 through the real router: every to-do of every role is the total of the list its
//! link opens, and the windows (即将到期, 已逾期) follow the Beijing calendar, not UTC.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

const ROLES: [&str; 7] = ["admin", "committee", "department", "station", "grid", "enterprise", "expert"];

/// The list a to-do's link opens, read through the API, with the to-do's own count.
async fn list_of(app: &TestApp, token: &str, todo: &Value) -> Value {
    let link = todo["link"].as_str().unwrap();
    assert!(link.starts_with('/') && !link.starts_with("/api"), "a web path: {link}");
    let sep = if link.contains('?') { '&' } else { '?' };
    let r = app.get(&format!("/api/v1{link}{sep}page_size=1"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{link}: {}", String::from_utf8_lossy(&r.bytes));
    r.json()
}

async fn todos(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/todos", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    r.json().as_array().unwrap().clone()
}

fn count_of(todos: &[Value], key: &str) -> i64 {
    todos.iter().find(|t| t["key"] == key).unwrap_or_else(|| panic!("no to-do {key} in {todos:?}"))["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn every_to_do_of_every_role_is_the_total_of_the_list_it_opens() {
    let app = TestApp::demo_with_history().await;
    // 00:30 on 1 July in Beijing, still 30 June in UTC.
    app.set_clock("2026-06-30T16:30:00Z");
    let mut nonzero = 0;
    for role in ROLES {
        let t = app.login(role).await;
        let mine = todos(&app, &t).await;
        for todo in &mine {
            let list = list_of(&app, &t, todo).await;
            assert_eq!(
                (list["total"].as_i64(), list["total_capped"].as_bool().unwrap_or(false)),
                (todo["count"].as_i64(), todo["capped"].as_bool().unwrap_or(false)),
                "{role}: {todo}"
            );
            assert!(!todo["label"].as_str().unwrap().is_empty() && !todo["area"].as_str().unwrap().is_empty());
            nonzero += (todo["count"].as_i64().unwrap() > 0) as usize;
        }
        let keys: Vec<&str> = mine.iter().map(|t| t["key"].as_str().unwrap()).collect();
        let expected: &[&str] = match role {
            "enterprise" => &[
                "hazard.to_rectify",
                "hazard.to_submit",
                "hazard.failed_verification",
                "hazard.due_soon",
                "hazard.overdue",
                "risk.review_overdue",
            ],
            "grid" => &["hazard.pending_verification", "hazard.reported", "hazard.overdue", "hazard.due_soon"],
            "station" | "department" => {
                &["hazard.pending_verification", "hazard.overdue", "hazard.major_open", "hazard.listed_open"]
            }
            "committee" | "admin" => {
                &["hazard.overdue", "hazard.major_open", "hazard.listed_open", "risk.review_overdue"]
            }
            _ => &[],
        };
        for k in expected {
            assert!(keys.contains(k), "{role} lacks {k}: {keys:?}");
        }
        if role == "expert" {
            assert!(mine.is_empty(), "{mine:?}");
        }
    }
    // The demo year leaves work waiting somewhere: the comparison above is not of zeros only.
    assert!(nonzero >= 8, "{nonzero} non-zero to-dos");
    app.get("/api/v1/todos", "not-a-token").await.problem(401);
}

#[tokio::test]
async fn due_soon_and_overdue_follow_the_beijing_calendar_and_a_failed_verification_waits_for_the_enterprise() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let station = app.login("station").await;
    let ent = app.login("enterprise").await;
    app.set_clock("2026-06-01T02:00:00Z");
    let mut ids = vec![];
    for deadline in ["2026-06-10", "2026-06-11", "2026-06-14", "2026-06-15"] {
        let body = json!({"enterprise_id": line, "description": format!("配电柜前堆放杂物（期限{deadline}）"),
                          "grade": "一般", "source": "政府检查", "deadline": deadline, "location": "配电房"});
        let r = app.post("/api/v1/hazards", &station, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    // 01:00 on 11 June in Beijing (10 June in UTC): the 10 June deadline has passed; 11 June
    // (today) and 14 June (in three days) fall due soon; 15 June does not yet.
    app.set_clock("2026-06-10T17:00:00Z");
    let mine = todos(&app, &ent).await;
    assert_eq!((count_of(&mine, "hazard.due_soon"), count_of(&mine, "hazard.overdue")), (2, 1), "{mine:?}");
    assert_eq!(count_of(&mine, "hazard.to_rectify"), 4);
    let due = list_of(&app, &ent, mine.iter().find(|t| t["key"] == "hazard.due_soon").unwrap()).await;
    assert_eq!(due["total"], 2);
    let listed: Vec<i64> = app.get("/api/v1/hazards?due_within_days=3", &ent).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [ids[2], ids[1]]);
    let v = app.get("/api/v1/hazards?due_within_days=91", &ent).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "due_within_days");

    // Rectified, submitted, failed by the station: it waits for the enterprise as 验收未通过.
    let id = ids[3];
    let path = |a: &str| format!("/api/v1/hazards/{id}/{a}");
    assert_eq!(app.post(&path("rectify"), &ent, json!({})).await.status, StatusCode::OK);
    let after = app.photo(&ent).await;
    assert_eq!(app.post(&path("submit"), &ent, json!({"after_photos": [after]})).await.status, StatusCode::OK);
    assert_eq!(count_of(&todos(&app, &station).await, "hazard.pending_verification"), 1);
    let r = app.post(&path("verify"), &station, json!({"passed": false, "comment": "杂物未清理干净"})).await;
    assert_eq!(r.json()["state"], "rectifying");
    let mine = todos(&app, &ent).await;
    assert_eq!((count_of(&mine, "hazard.failed_verification"), count_of(&mine, "hazard.to_submit")), (1, 1));
    assert_eq!(count_of(&todos(&app, &station).await, "hazard.pending_verification"), 0);
    // Submitted again, it no longer waits for the enterprise.
    let after = app.photo(&ent).await;
    app.post(&path("submit"), &ent, json!({"after_photos": [after]})).await;
    assert_eq!(count_of(&todos(&app, &ent).await, "hazard.failed_verification"), 0);
}
