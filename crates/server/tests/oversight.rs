//! No write moves data out of a regulator's sight: an enterprise cannot re-place itself, a
//! department's checklist findings stay in its sectors, checklists of the installation are the
//! committee's, and the last administrator stays.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

async fn line_enterprise(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/enterprises?q=安泰化工", token).await.json()["items"][0].clone()
}

#[tokio::test]
async fn an_enterprise_cannot_move_itself_out_of_its_departments_sight() {
    let app = TestApp::demo().await;
    let e = app.login("enterprise").await;
    let d = app.login("department").await;
    let mine = line_enterprise(&app, &e).await;
    let path = format!("/api/v1/enterprises/{}", mine["id"]);
    assert_eq!(app.get(&path, &d).await.status, StatusCode::OK);
    assert!(!mine["allowed_actions"].as_array().unwrap().contains(&json!("update_enterprise_placement")));
    for change in [
        json!({"sectors": ["旅游景区"]}),
        json!({"sectors": ["危险化学品", "旅游景区"]}),
        json!({"key_enterprise": !mine["key_enterprise"].as_bool().unwrap()}),
        json!({"above_scale": !mine["above_scale"].as_bool().unwrap()}),
    ] {
        let mut body = change.clone();
        body["version"] = mine["version"].clone();
        app.patch(&path, &e, body).await.problem(403);
    }
    // its own particulars it keeps up itself
    let ok = app.patch(&path, &e, json!({"employees": 130, "version": mine["version"]})).await;
    assert_eq!(ok.status, StatusCode::OK);
    let now = app.get(&path, &d).await.json();
    assert_eq!((now["sectors"].clone(), now["employees"].as_i64()), (mine["sectors"].clone(), Some(130)));
    // the station that places it may
    let s = app.login("station").await;
    let r = app.patch(&path, &s, json!({"above_scale": true, "version": now["version"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
}

#[tokio::test]
async fn a_departments_checklist_findings_stay_in_its_sectors() {
    let app = TestApp::demo().await;
    let c = app.login("committee").await;
    let ent = line_enterprise(&app, &c).await;
    let path = format!("/api/v1/enterprises/{}", ent["id"]);
    // 安泰化工 also builds: 危险化学品 (应急管理局) and 建筑施工 (住建局)
    let r = app.patch(&path, &c, json!({"sectors": ["危险化学品", "建筑施工"], "version": ent["version"]})).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = json!({"name": "建筑工地临时用电检查表", "sector": "建筑施工", "basis": "JGJ 46-2005",
                      "items": [{"code": "JZ-1", "text": "配电箱未设置漏电保护器", "major": false}]});
    let tpl = app.post("/api/v1/checklists", &c, list).await.json();
    let d = app.login("department").await;
    let before = app.count("hazard").await;
    let r = app
        .post(
            &format!("/api/v1/checklists/{}/runs", tpl["id"]),
            &d,
            json!({"enterprise_id": ent["id"], "deadline": "2026-07-15",
                   "answers": [{"code": "JZ-1", "result": "不符合", "note": "二号楼配电箱"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let h = &r.json()["hazards"][0];
    assert_eq!(h["sector"], "危险化学品");
    assert_eq!(app.get(&format!("/api/v1/hazards/{}", h["id"]), &d).await.status, StatusCode::OK);
    assert_eq!(app.count("hazard").await, before + 1);
}

#[tokio::test]
async fn checklists_of_the_installation_are_the_committees_and_an_enterprise_keeps_its_own() {
    let app = TestApp::demo().await;
    let list = |name: &str| {
        json!({"name": name, "sector": "危险化学品", "basis": "企业安全检查制度",
               "items": [{"code": "ZJ-1", "text": "储罐区巡检记录不全", "major": false}]})
    };
    for role in ["department", "station", "grid"] {
        let t = app.login(role).await;
        app.post("/api/v1/checklists", &t, list("本部门清单")).await.problem(403);
    }
    let e = app.login("enterprise").await;
    let own = app.post("/api/v1/checklists", &e, list("安泰化工班组日查表")).await;
    assert_eq!(own.status, StatusCode::CREATED);
    let own = own.json();
    assert!(own["enterprise_id"].is_i64());
    let c = app.login("committee").await;
    let district = app.post("/api/v1/checklists", &c, list("区危化企业通用检查表")).await.json();
    assert!(district["enterprise_id"].is_null());
    let names = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    let seen_by_enterprise = names(app.get("/api/v1/checklists", &e).await.json());
    assert!(seen_by_enterprise.contains(&"安泰化工班组日查表".to_string()));
    assert!(seen_by_enterprise.contains(&"区危化企业通用检查表".to_string()));
    let s = app.login("station").await;
    assert!(!names(app.get("/api/v1/checklists", &s).await.json()).contains(&"安泰化工班组日查表".to_string()));
    app.get(&format!("/api/v1/checklists/{}", own["id"]), &s).await.problem(404);
}

#[tokio::test]
async fn the_last_active_administrator_stays() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let me = app.get("/api/v1/auth/me", &a).await.json();
    let path = format!("/api/v1/users/{}", me["id"]);
    let v = app.patch(&path, &a, json!({"role": "committee", "version": me["version"]})).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "role");
    assert!(
        v["detail"].as_str().unwrap().contains("管理员")
            || v["errors"][0]["message"].as_str().unwrap().contains("管理员")
    );
    // with a second administrator, the first may step down
    let second = json!({"username": "admin2", "display_name": "第二管理员", "role": "admin", "org_id": me["org_id"],
                        "password": "Second@2026!", "phone": ""});
    let r = app.post("/api/v1/users", &a, second).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let r = app.patch(&path, &a, json!({"role": "committee", "version": me["version"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
}

#[tokio::test]
async fn two_administrators_stepping_down_at_once_leave_one() {
    let app = TestApp::demo().await;
    if app.store.backend != anjian_store::Backend::Postgres {
        return; // SQLite writes one transaction at a time: the sequential test above covers it
    }
    let a = app.login("admin").await;
    let me = app.get("/api/v1/auth/me", &a).await.json();
    let second = json!({"username": "admin2", "display_name": "第二管理员", "role": "admin", "org_id": me["org_id"],
                        "password": "Second@2026!", "phone": ""});
    let other = app.post("/api/v1/users", &a, second).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&other.bytes));
    let other = other.json();
    let b = app.login_as("admin2", "Second@2026!").await;
    let r = app
        .post("/api/v1/auth/password", &b, json!({"old_password": "Second@2026!", "new_password": "Second2026x"}))
        .await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.bytes));
    // admin2 is being deactivated by a transaction not yet committed, while admin2 deactivates
    // the first administrator: the second change must wait for the first and then be refused.
    let mut held = app.store.pool().begin().await.unwrap();
    sqlx::query(&format!("UPDATE app_user SET active = 0 WHERE id = {}", other["id"]))
        .execute(&mut *held)
        .await
        .unwrap();
    let path = format!("/api/v1/users/{}", me["id"]);
    let (r, _) = tokio::join!(app.patch(&path, &b, json!({"active": false, "version": me["version"]})), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        held.commit().await.unwrap();
    });
    r.problem(422);
    assert_eq!(app.count("app_user WHERE role = 'admin' AND active = 1").await, 1);
}
