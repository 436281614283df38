//! The hazard closed loop through the real router: every role, every transition, scope,
//! deadlines with a moved clock, listed supervision, statistics, checklists, reports.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

/// The demo line's enterprise id and another enterprise in a different street.
async fn enterprises(app: &TestApp) -> (i64, i64) {
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let station = app.login("station").await;
    let mine: Vec<i64> = app.get("/api/v1/enterprises?page_size=200", &station).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let all = app.get("/api/v1/enterprises?page_size=200", &a).await.json();
    let other = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .find(|id| !mine.contains(id))
        .unwrap();
    (line, other)
}

fn report(enterprise: i64, grade: &str, source: &str) -> Value {
    json!({"enterprise_id": enterprise, "description": "二号仓库消防通道堆放物料", "grade": grade, "source": source,
           "deadline": "2026-06-25", "location": "二号仓库"})
}

fn plan() -> Value {
    json!({"measures": "拆除违规隔断，增设自动喷淋", "responsible": "总经理 王伟", "funds": 180000,
           "deadline": "2026-08-31", "contingency": "仓储火灾专项应急预案"})
}

#[tokio::test]
async fn a_major_hazard_walks_its_whole_life_across_roles() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let grid = app.login("grid").await;
    let ent = app.login("enterprise").await;
    let station = app.login("station").await;

    // The grid inspector finds it on patrol, with a photo.
    let photo = app.photo(&grid).await;
    let mut body = report(line, "重大", "网格巡查");
    body["before_photos"] = json!([photo]);
    let r = app.post("/api/v1/hazards", &grid, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let h = r.json();
    assert_eq!(h["number"], "YH-2026-000001");
    assert_eq!(h["state"], "reported");
    assert_eq!(h["photos"][0]["kind"], "before");
    let id = h["id"].as_i64().unwrap();
    let path = |a: &str| format!("/api/v1/hazards/{id}/{a}");

    // No 治理方案, or one missing 资金: refused with the field named, nothing changes.
    let v = app.post(&path("rectify"), &ent, json!({})).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "plan");
    let mut p = plan();
    p["funds"] = json!("");
    let v = app.post(&path("rectify"), &ent, json!({"plan": p})).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "plan.funds");
    assert!(v["detail"].as_str().unwrap().contains("资金"));
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}"), &ent).await.json()["state"], "reported");

    let r = app.post(&path("rectify"), &ent, json!({"plan": plan()})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["plan"]["funds"], "180000");

    // Submitting needs an after-photo.
    app.post(&path("submit"), &ent, json!({"after_photos": []})).await.problem(422);
    let after = app.photo(&ent).await;
    let r = app.post(&path("submit"), &ent, json!({"after_photos": [after], "note": "已整改"})).await;
    assert_eq!(r.json()["state"], "pending_verification");

    // The enterprise and the grid inspector may not verify a 重大 hazard; the station may.
    let v = app.post(&path("verify"), &ent, json!({"passed": true})).await.problem(403);
    assert!(v["detail"].as_str().unwrap().contains("监管部门"));
    app.post(&path("verify"), &grid, json!({"passed": true})).await.problem(403);
    let r = app.post(&path("verify"), &station, json!({"passed": false, "comment": "喷淋未通水试验"})).await;
    assert_eq!(r.json()["state"], "rectifying");
    app.post(&path("submit"), &ent, json!({"after_photos": [app.photo(&ent).await]})).await;
    let r = app.post(&path("verify"), &station, json!({"passed": true, "comment": "复查合格，予以销号"})).await;
    let done = r.json();
    assert_eq!(done["state"], "closed");
    assert_eq!(done["rectified_on_time"], true);
    let actions: Vec<&str> = done["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["report", "rectify", "submit", "verify_fail", "submit", "verify_pass"]);
    assert_eq!(done["photos"].as_array().unwrap().len(), 3);

    // Every transition is in the audit chain, which still verifies; the report's record holds
    // the number the batching writer gave it in the same transaction.
    let a = app.login("admin").await;
    let log = app.get("/api/v1/audit?entity=hazard&page_size=50", &a).await.json();
    assert_eq!(log["total"], 6);
    let created: Vec<&Value> = log["items"].as_array().unwrap().iter().filter(|r| r["action"] == "create").collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["after"]["number"], "YH-2026-000001");
    assert_eq!(created[0]["entity_id"], id);
    assert_eq!(app.get("/api/v1/audit/verify", &a).await.json()["ok"], true);
}

#[tokio::test]
async fn illegal_transitions_answer_409_naming_the_state() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let s = app.login("station").await;
    let id = app.post("/api/v1/hazards", &s, report(line, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    let p = |a: &str| format!("/api/v1/hazards/{id}/{a}");
    let v = app.post(&p("verify"), &s, json!({"passed": true})).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("已上报"));
    // 开始整改 and 提交验收 are the enterprise's own steps (it is on the platform).
    let e = app.login("enterprise").await;
    let ephoto = app.photo(&e).await;
    app.post(&p("submit"), &e, json!({"after_photos": [ephoto]})).await.problem(409);
    let v = app.post(&p("rectify"), &s, json!({})).await.problem(403);
    assert!(v["detail"].as_str().unwrap().contains("由企业办理"), "{v}");
    let photo = app.photo(&s).await;
    app.post(&p("reject"), &s, json!({"reason": "经核实为临时堆放，已清理，不构成隐患"})).await;
    for (a, b, t) in [
        ("rectify", json!({}), &e),
        ("verify", json!({"passed": true}), &s),
        ("close", json!({"after_photos": [photo]}), &s),
        ("reject", json!({"reason": "x"}), &s),
    ] {
        let v = app.post(&p(a), t, b).await.problem(409);
        assert!(v["detail"].as_str().unwrap().contains("已驳回"), "{a}: {v}");
    }
    // 立查立改 is for 一般 only.
    let major = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let v =
        app.post(&format!("/api/v1/hazards/{major}/close"), &s, json!({"after_photos": [photo]})).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("重大隐患不能立查立改"));
    // An unknown action or a missing reason is refused too.
    app.post(&format!("/api/v1/hazards/{major}/reject"), &s, json!({})).await.problem(422);
}

#[tokio::test]
async fn on_the_spot_fix_closes_a_general_hazard_with_an_after_photo() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let g = app.login("grid").await;
    let id = app.post("/api/v1/hazards", &g, report(line, "一般", "网格巡查")).await.json()["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/hazards/{id}/close"), &g, json!({"after_photos": []})).await.problem(422);
    let photo = app.photo(&g).await;
    let r = app
        .post(&format!("/api/v1/hazards/{id}/close"), &g, json!({"after_photos": [photo], "note": "当场清理"}))
        .await;
    assert_eq!(r.json()["state"], "closed");
    // Someone else's photo cannot be attached.
    let id2 = app.post("/api/v1/hazards", &g, report(line, "一般", "网格巡查")).await.json()["id"].as_i64().unwrap();
    let ent = app.login("enterprise").await;
    let theirs = app.photo(&ent).await;
    app.post(&format!("/api/v1/hazards/{id2}/close"), &g, json!({"after_photos": [theirs]})).await.problem(422);
}

#[tokio::test]
async fn scope_enterprise_and_grid_see_only_their_own_hazards() {
    let app = TestApp::demo().await;
    let (line, other) = enterprises(&app).await;
    let a = app.login("admin").await;
    let mine = app.post("/api/v1/hazards", &a, report(line, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    let theirs =
        app.post("/api/v1/hazards", &a, report(other, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    for role in ["enterprise", "grid", "station"] {
        let t = app.login(role).await;
        assert_eq!(app.get(&format!("/api/v1/hazards/{mine}"), &t).await.status, StatusCode::OK, "{role}");
        app.get(&format!("/api/v1/hazards/{theirs}"), &t).await.problem(404);
        app.post(&format!("/api/v1/hazards/{theirs}/rectify"), &t, json!({})).await.problem(404);
        let list = app.get("/api/v1/hazards", &t).await.json();
        let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect();
        assert!(ids.contains(&mine) && !ids.contains(&theirs), "{role}: {ids:?}");
        // Nor can they report one for an enterprise outside their scope.
        let v = app
            .post(
                "/api/v1/hazards",
                &t,
                report(other, "一般", if role == "enterprise" { "企业自查" } else { "政府检查" }),
            )
            .await
            .problem(422);
        assert_eq!(v["errors"][0]["field"], "enterprise_id");
    }
    // A department sees the hazards of its sectors only.
    let d = app.login("department").await;
    let chem = app.get(&format!("/api/v1/hazards/{mine}"), &d).await;
    assert_eq!(chem.status, StatusCode::OK);
    // Photos of a hazard outside scope cannot be fetched either.
    let photo = app.photo(&a).await;
    let with_photo = app.post("/api/v1/hazards", &a, json!({"enterprise_id": other, "description": "x", "grade": "一般", "source": "政府检查", "deadline": "2026-07-01", "before_photos": [photo]})).await.json();
    assert_eq!(with_photo["photos"][0]["file_id"], photo);
    let e = app.login("enterprise").await;
    app.get(&format!("/api/v1/files/{photo}"), &e).await.problem(404);
    assert_eq!(app.get(&format!("/api/v1/files/{photo}"), &a).await.status, StatusCode::OK);
}

#[tokio::test]
async fn enterprise_reports_only_self_inspection_and_bad_input_writes_nothing() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let e = app.login("enterprise").await;
    let before = app.count("hazard").await;
    let v = app.post("/api/v1/hazards", &e, report(line, "一般", "政府检查")).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "source");
    let v = app.post("/api/v1/hazards", &e, json!({"enterprise_id": line, "description": " ", "grade": "一般", "source": "企业自查", "deadline": "2026-01-01"})).await.problem(422);
    let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["description", "deadline"]);
    app.post("/api/v1/hazards", &e, json!({"enterprise_id": line, "description": "x", "grade": "特大", "source": "企业自查", "deadline": "2026-07-01"})).await.problem(422);
    assert_eq!(app.count("hazard").await, before);
    // A self-found 一般 hazard closes in the enterprise's own loop.
    let id = app.post("/api/v1/hazards", &e, report(line, "一般", "企业自查")).await.json()["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &e, json!({})).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &e, json!({"after_photos": [app.photo(&e).await]})).await;
    let r = app.post(&format!("/api/v1/hazards/{id}/verify"), &e, json!({"passed": true})).await;
    assert_eq!(r.json()["state"], "closed");
}

#[tokio::test]
async fn overdue_is_derived_and_escalation_climbs_once_per_level() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let s = app.login("station").await;
    let id = app.post("/api/v1/hazards", &s, report(line, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    let e = app.login("enterprise").await;
    let c = app.login("committee").await;
    let unread = |t: String| {
        let app = &app;
        async move { app.get("/api/v1/notifications?unread=true&kind=overdue", &t).await.json()["total"].as_i64().unwrap() }
    };
    // Deadline 2026-06-25: on the day itself it is not overdue (the clock starts on 06-16 in 上海).
    app.advance_days(9);
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}"), &s).await.json()["overdue"], false);
    assert_eq!(anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap(), 0);
    // The next day it is overdue, and the enterprise is reminded (once, however often the job runs).
    app.advance_days(1);
    let h = app.get(&format!("/api/v1/hazards/{id}"), &s).await.json();
    assert_eq!((h["overdue"].as_bool(), h["days_overdue"].as_i64()), (Some(true), Some(1)));
    assert_eq!(app.get("/api/v1/hazards?overdue=true", &s).await.json()["total"], 1);
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    assert_eq!(unread(e.clone()).await, 1);
    assert_eq!(unread(s.clone()).await, 0);
    // Three days later the station, seven days later the committee.
    app.advance_days(3);
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    assert_eq!((unread(e.clone()).await, unread(s.clone()).await, unread(c.clone()).await), (1, 1, 0));
    app.advance_days(4);
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    assert_eq!((unread(e.clone()).await, unread(s.clone()).await, unread(c.clone()).await), (1, 1, 1));
    // Marking read; another user's notification is not found.
    let n = app.get("/api/v1/notifications", &c).await.json()["items"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/notifications/{n}/read"), &e, json!({})).await.problem(404);
    assert_eq!(
        app.post(&format!("/api/v1/notifications/{n}/read"), &c, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(unread(c.clone()).await, 0);
    // Closing late is counted as not on time.
    let photo = app.photo(&s).await;
    let r = app.post(&format!("/api/v1/hazards/{id}/close"), &s, json!({"after_photos": [photo]})).await.json();
    assert_eq!(r["rectified_on_time"], false);
}

#[tokio::test]
async fn listing_respects_level_rights_and_counts_against_the_quota() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let s = app.login("station").await;
    let c = app.login("committee").await;
    let general =
        app.post("/api/v1/hazards", &s, report(line, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    let major = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let listing = |level: &str| json!({"level": level, "supervising_unit": "新北区安委办", "document_number": "新安委督〔2026〕3号", "deadline": "2026-09-30"});
    app.post(&format!("/api/v1/hazards/{general}/listing"), &c, listing("区")).await.problem(409);
    app.post(&format!("/api/v1/hazards/{major}/listing"), &s, listing("区")).await.problem(403);
    let e = app.login("enterprise").await;
    app.post(&format!("/api/v1/hazards/{major}/listing"), &e, listing("街道")).await.problem(403);
    let r = app.post(&format!("/api/v1/hazards/{major}/listing"), &c, listing("区")).await;
    assert_eq!(r.json()["listing"]["level"], "区");
    app.post(&format!("/api/v1/hazards/{major}/listing"), &c, listing("市")).await.problem(409);
    let sum = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    let district = sum.as_array().unwrap().iter().find(|l| l["level"] == "区").unwrap();
    assert_eq!((district["quota"].as_i64(), district["used"].as_i64()), (Some(15), Some(1)));
    assert_eq!(app.get("/api/v1/hazard-listings", &s).await.json()["total"], 1);
    assert_eq!(app.get("/api/v1/hazard-listings?year=2026&level=区", &s).await.json()["total"], 1);
    assert_eq!(app.get("/api/v1/hazard-listings?year=2025", &s).await.json()["total"], 0);
    assert_eq!(app.get("/api/v1/hazard-listings?level=市", &s).await.json()["total"], 0);
    // The committee changes the quota; a station may not.
    let q = json!({"year": 2026, "city": 8, "district": 12, "street": 30});
    app.call(axum::http::Method::PUT, "/api/v1/hazard-listings/quota", Some(&s), Some(q.clone())).await.problem(403);
    let r = app.call(axum::http::Method::PUT, "/api/v1/hazard-listings/quota", Some(&c), Some(q)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let sum = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    assert_eq!(sum[1]["quota"], 12);
    // A quota changed is a state change: audited with before and after.
    let a = app.login("admin").await;
    let log = app.get("/api/v1/audit?entity=listing_quota", &a).await.json();
    assert_eq!(log["items"][0]["summary"], "设置新北区2026年挂牌督办指标：市级8、区级12、街道（镇）级30", "{log}");
    assert_eq!(log["items"][0]["before"]["quota"]["district"], 15, "{log}");
}

/// Seed 001: "全区三级政府挂牌督办整改重大隐患50项（市级10、区级15、街道级25）" is the district's;
/// a street has its own. The on-time rate is over the listings due, not those still running.
#[tokio::test]
async fn quotas_are_per_jurisdiction_and_the_rate_counts_what_is_due() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let s = app.login("station").await;
    let c = app.login("committee").await;
    let juris = app.get("/api/v1/jurisdictions?page_size=200", &c).await.json();
    let id_of = |name: &str| {
        juris["items"].as_array().unwrap().iter().find(|j| j["name"] == name).unwrap()["id"].as_i64().unwrap()
    };
    let (chunjiang, sanjing) = (id_of("春江街道"), id_of("三井街道"));
    let level = |sum: &Value, l: &str| sum.as_array().unwrap().iter().find(|x| x["level"] == l).unwrap().clone();

    // Each caller sees its own jurisdiction's quota: the district's and the street's side by side.
    let district = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    assert_eq!(level(&district, "街道")["jurisdiction_name"], "新北区");
    assert_eq!(level(&district, "街道")["quota"], 25);
    let street = app.get("/api/v1/hazard-listings/summary?year=2026", &s).await.json();
    assert_eq!(level(&street, "街道")["jurisdiction_name"], "春江街道");
    assert_eq!(level(&street, "街道")["quota"], 5);
    // Another street's has none until its committee sets it; the station cannot look at it.
    let other = app.get(&format!("/api/v1/hazard-listings/summary?year=2026&jurisdiction_id={sanjing}"), &c).await;
    assert!(level(&other.json(), "街道")["quota"].is_null());
    app.get(&format!("/api/v1/hazard-listings/summary?year=2026&jurisdiction_id={sanjing}"), &s).await.problem(404);
    let q = json!({"year": 2026, "jurisdiction_id": sanjing, "city": 0, "district": 2, "street": 6});
    app.call(axum::http::Method::PUT, "/api/v1/hazard-listings/quota", Some(&s), Some(q.clone())).await.problem(403);
    let r = app.call(axum::http::Method::PUT, "/api/v1/hazard-listings/quota", Some(&c), Some(q)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let other = app.get(&format!("/api/v1/hazard-listings/summary?year=2026&jurisdiction_id={sanjing}"), &c).await;
    assert_eq!(level(&other.json(), "街道")["quota"], 6);
    // A community or a grid lists nothing, so it holds no quota.
    let grid = juris["items"].as_array().unwrap().iter().find(|j| j["level"] == "grid").unwrap()["id"].clone();
    let q = json!({"year": 2026, "jurisdiction_id": grid, "city": 0, "district": 0, "street": 1});
    let r = app.call(axum::http::Method::PUT, "/api/v1/hazard-listings/quota", Some(&c), Some(q)).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "jurisdiction_id");
    assert_eq!(level(&app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json(), "街道")["quota"], 25);
    assert_eq!(level(&app.get("/api/v1/hazard-listings/summary?year=2026", &s).await.json(), "街道")["quota"], 5);

    // Two listings in 春江街道: the street's own, due on 06-20, and the district's, due in September.
    let listing = |level: &str, deadline: &str| json!({"level": level, "supervising_unit": "春江街道安委会", "document_number": "春安督〔2026〕1号", "deadline": deadline});
    let first = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let second = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/hazards/{first}/listing"), &s, listing("街道", "2026-06-20")).await.status,
        200
    );
    assert_eq!(
        app.post(&format!("/api/v1/hazards/{second}/listing"), &c, listing("区", "2026-09-30")).await.status,
        200
    );
    // The same figures as an Excel sheet, one row per level.
    let x = app.get(&format!("/api/v1/hazard-listings/summary.xlsx?year=2026&jurisdiction_id={chunjiang}"), &c).await;
    let rows = common::xlsx_rows(&x.bytes);
    assert_eq!(rows[0][2], "挂牌级别");
    let street_row = rows.iter().find(|r| r[2].starts_with("街道")).expect("the street level's row");
    assert_eq!((street_row[1].as_str(), street_row[3].as_str(), street_row[4].as_str()), ("春江街道", "5", "1"));
    let street =
        app.get(&format!("/api/v1/hazard-listings/summary?year=2026&jurisdiction_id={chunjiang}"), &c).await.json();
    let l = level(&street, "街道");
    assert_eq!((l["used"].as_i64(), l["in_progress"].as_i64(), l["due"].as_i64()), (Some(1), Some(1), Some(0)));
    assert_eq!(l["on_time_rate"], 100.0, "nothing due yet: mid-year nothing overdue is 100 %");
    // Before its 督办期限 no listing is overdue (the UTC date of the next step is still 06-20).
    const LATE: &str = "/api/v1/hazards?listing_overdue=true&page_size=100";
    let ids = |v: Value| v["items"].as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect::<Vec<_>>();
    assert!(!ids(app.get(LATE, &s).await.json()).contains(&first));
    // 06-21 in Beijing (16:30 UTC on 06-20): the street's listing is past its deadline.
    app.set_clock("2026-06-20T16:30:00Z");
    let overdue = ids(app.get(LATE, &s).await.json());
    assert!(overdue.contains(&first) && !overdue.contains(&second), "only the listing past its 督办期限: {overdue:?}");
    let street = app.get("/api/v1/hazard-listings/summary?year=2026", &s).await.json();
    let l = level(&street, "街道");
    assert_eq!((l["due"].as_i64(), l["overdue"].as_i64(), l["in_progress"].as_i64()), (Some(1), Some(1), Some(0)));
    assert_eq!(l["on_time_rate"], 0.0);
    let d = level(&street, "区");
    assert_eq!(
        (d["used"].as_i64(), d["in_progress"].as_i64(), d["on_time_rate"].as_f64()),
        (Some(1), Some(1), Some(100.0))
    );
    // The district counts the listings of its streets.
    let district = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    assert_eq!(level(&district, "街道")["used"], 1);
    assert_eq!(level(&district, "区")["used"], 1);
}

/// Seed 003 (海盐县): "完善县、镇(街道)重大隐患挂牌督办机制" — the levels go by the names of the
/// installation's jurisdictions.
#[tokio::test]
async fn listing_levels_are_named_after_the_installations_jurisdictions() {
    let app = TestApp::demo().await;
    let c = app.login("committee").await;
    let names = |v: Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| (l["level"].as_str().unwrap().into(), l["label"].as_str().unwrap().into()))
            .collect()
    };
    let city = names(app.get("/api/v1/hazard-listings/levels", &c).await.json());
    assert_eq!(city[1], ("区".into(), "区".into()));
    assert_eq!(city[2], ("街道".into(), "街道（镇）".into()), "新北区: five 街道 and 薛家镇");
    app.sql("UPDATE jurisdiction SET name = '海盐县' WHERE level = 'district'").await;
    for (from, to) in [("三井街道", "沈荡镇"), ("河海街道", "百步镇"), ("新桥街道", "于城镇"), ("龙虎塘街道", "澉浦镇")]
    {
        app.sql(&format!("UPDATE jurisdiction SET name = '{to}' WHERE name = '{from}'")).await;
    }
    let county = names(app.get("/api/v1/hazard-listings/levels", &c).await.json());
    assert_eq!(county[1].1, "县");
    assert_eq!(county[2].1, "镇（街道）");
    let sum = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    assert_eq!(sum[1]["label"], "县");
}

#[tokio::test]
async fn statistics_count_by_group_within_scope() {
    let app = TestApp::demo().await;
    let (line, other) = enterprises(&app).await;
    let a = app.login("admin").await;
    for (ent, grade) in [(line, "一般"), (line, "重大"), (other, "一般")] {
        app.post("/api/v1/hazards", &a, report(ent, grade, "政府检查")).await;
    }
    let c = app.login("committee").await;
    let st = app.get("/api/v1/hazards/stats?group_by=grade", &c).await.json();
    assert_eq!(st["totals"]["found"], 3);
    assert_eq!(st["totals"]["major"], 1);
    let major = st["groups"].as_array().unwrap().iter().find(|g| g["key"] == "重大").unwrap();
    assert_eq!(major["found"], 1);
    // By jurisdiction: the district's six streets, and the station's share is its own.
    let by_j = app.get("/api/v1/hazards/stats", &c).await.json();
    assert_eq!(by_j["groups"].as_array().unwrap().len(), 6);
    let chunjiang = by_j["groups"].as_array().unwrap().iter().find(|g| g["label"] == "春江街道").unwrap();
    let s = app.login("station").await;
    let st = app.get("/api/v1/hazards/stats?group_by=source", &s).await.json();
    assert_eq!(st["totals"]["found"], chunjiang["found"]);
    assert_eq!(st["totals"]["found"], 2);
    // Closing one raises the rate.
    let e = app.login("enterprise").await;
    let gen = app.get("/api/v1/hazards?grade=一般", &e).await.json()["items"][0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/hazards/{gen}/close"), &s, json!({"after_photos": [app.photo(&s).await]})).await;
    let st = app.get("/api/v1/hazards/stats?group_by=grade", &s).await.json();
    assert_eq!(
        (st["totals"]["rectified"].as_i64(), st["totals"]["rectification_rate"].as_f64()),
        (Some(1), Some(50.0))
    );
    assert_eq!(st["totals"]["on_time_rate"], 100.0);
}

#[tokio::test]
async fn a_checklist_finding_on_an_official_criterion_is_major() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let e = app.login("enterprise").await;
    let lists = app.get("/api/v1/checklists?sector=危险化学品", &e).await.json();
    let chem = lists.as_array().unwrap().iter().find(|c| c["official"] == true).unwrap();
    assert_eq!(chem["item_count"], 20);
    let tpl = app.get(&format!("/api/v1/checklists/{}", chem["id"]), &e).await.json();
    let items = tpl["items"].as_array().unwrap();
    let answers: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, it)| json!({"code": it["code"], "result": if i == 1 { "不符合" } else { "符合" }, "note": if i == 1 { "两名电工证书过期" } else { "" }}))
        .collect();
    // An incomplete run is refused.
    let v = app
        .post(
            &format!("/api/v1/checklists/{}/runs", chem["id"]),
            &e,
            json!({"enterprise_id": line, "deadline": "2026-07-15", "answers": answers[..5]}),
        )
        .await
        .problem(422);
    assert!(v["detail"].as_str().unwrap().contains("未作答"));
    let r = app
        .post(
            &format!("/api/v1/checklists/{}/runs", chem["id"]),
            &e,
            json!({"enterprise_id": line, "deadline": "2026-07-15", "answers": answers}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let hs = r.json()["hazards"].clone();
    assert_eq!(hs.as_array().unwrap().len(), 1);
    assert_eq!(hs[0]["grade"], "重大");
    assert_eq!(hs[0]["source"], "企业自查");
    assert!(hs[0]["description"].as_str().unwrap().contains("特种作业人员未持证上岗"));
    assert!(hs[0]["criterion"].as_str().unwrap().contains("HG-2"));
}

#[tokio::test]
async fn ledger_export_and_the_enterprise_report() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let s = app.login("station").await;
    for grade in ["一般", "一般", "重大"] {
        app.post("/api/v1/hazards", &s, report(line, grade, "政府检查")).await;
    }
    let x = app.get("/api/v1/hazards/export.xlsx?grade=一般", &s).await;
    let rows = common::xlsx_rows(&x.bytes);
    assert_eq!(rows[0][0], "隐患编号");
    assert_eq!(rows.len(), 3);
    assert!(rows[1..].iter().all(|r| r[6] == "一般"));
    let major = app.get("/api/v1/hazards?grade=重大", &s).await.json()["items"][0]["id"].as_i64().unwrap();
    let e = app.login("enterprise").await;
    app.post(&format!("/api/v1/hazards/{major}/rectify"), &e, json!({"plan": plan()})).await;
    let r = app.get(&format!("/api/v1/enterprises/{line}/hazard-report?period=2026Q2"), &e).await.json();
    assert_eq!((r["general_found"].as_i64(), r["major_found"].as_i64()), (Some(2), Some(1)));
    assert_eq!((r["major_planned"].as_i64(), r["major_five_in_place"].as_i64()), (Some(1), Some(1)));
    assert_eq!(r["due"], "2026-07-15");
    let q1 = app.get(&format!("/api/v1/enterprises/{line}/hazard-report?period=2026Q1"), &e).await.json();
    assert_eq!(q1["general_found"], 0);
    app.get(&format!("/api/v1/enterprises/{line}/hazard-report?period=2026Q9"), &e).await.problem(422);
    let x = app.get(&format!("/api/v1/enterprises/{line}/hazard-report.xlsx?period=2026"), &e).await;
    assert_eq!(common::xlsx_rows(&x.bytes)[1][2], "2");
}

#[tokio::test]
async fn the_demo_year_has_every_state_and_a_sound_audit_chain() {
    let app = TestApp::demo_with_history().await;
    let c = app.login("committee").await;
    for state in ["reported", "rectifying", "pending_verification", "closed", "rejected"] {
        let n = app.get(&format!("/api/v1/hazards?state={state}"), &c).await.json()["total"].as_i64().unwrap();
        assert!(n > 0, "no {state} hazard in the demo year");
    }
    assert!(app.get("/api/v1/hazards?overdue=true", &c).await.json()["total"].as_i64().unwrap() > 0);
    assert!(app.get("/api/v1/hazard-listings", &c).await.json()["total"].as_i64().unwrap() > 0);
    let e = app.login("enterprise").await;
    assert!(app.get("/api/v1/hazards", &e).await.json()["total"].as_i64().unwrap() >= 12);
    let a = app.login("admin").await;
    assert_eq!(app.get("/api/v1/audit/verify", &a).await.json()["ok"], true);
    // Every enterprise has assessed risk points, so the one-map has colours.
    let map = app.get("/api/v1/map/layers/enterprises", &c).await.json();
    let colours: std::collections::HashSet<&str> =
        map["features"].as_array().unwrap().iter().map(|f| f["properties"]["color"].as_str().unwrap()).collect();
    assert!(!colours.contains("grey") && colours.len() >= 3, "{colours:?}");
    // Major hazard sources among the 危险化学品 enterprises, on their own map layer.
    let sources = app.get("/api/v1/risk/major-hazards", &c).await.json();
    assert!(sources["total"].as_i64().unwrap() > 0);
    let layer = app.get("/api/v1/map/layers/major-hazards", &c).await.json();
    let majors = app.get("/api/v1/risk/major-hazards?is_major=true", &c).await.json()["total"].as_i64().unwrap();
    assert_eq!(layer["features"].as_array().unwrap().len() as i64, majors);
    // Numbers are unique and well formed.
    let all = app.get("/api/v1/hazards?page_size=200", &a).await.json();
    let numbers: std::collections::HashSet<&str> =
        all["items"].as_array().unwrap().iter().map(|h| h["number"].as_str().unwrap()).collect();
    assert_eq!(numbers.len() as i64, all["total"].as_i64().unwrap());
    assert!(numbers.iter().all(|n| n.starts_with("YH-20") && n.len() == 14));
}

#[tokio::test]
async fn running_totals_agree_with_counting_the_hazards() {
    let app = TestApp::demo_with_history().await;
    let s = app.login("station").await;
    let c = app.login("committee").await;
    // Move some through listing and rejection so every total changes.
    let (line, _) = enterprises(&app).await;
    let major = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let listing = json!({"level": "街道", "supervising_unit": "春江街道安委会", "document_number": "春安督〔2026〕9号", "deadline": "2026-09-30"});
    app.post(&format!("/api/v1/hazards/{major}/listing"), &s, listing).await;
    app.post(&format!("/api/v1/hazards/{major}/reject"), &s, json!({"reason": "复核为一般隐患，重新上报"})).await;
    for group in ["jurisdiction", "sector", "source", "grade", "month"] {
        // Whole months come from the running totals; an odd day range makes the server count.
        let tally = app.get(&format!("/api/v1/hazards/stats?group_by={group}"), &c).await.json();
        let counted =
            app.get(&format!("/api/v1/hazards/stats?group_by={group}&from=2000-01-02&to=2100-12-30"), &c).await.json();
        assert_eq!(tally["totals"], counted["totals"], "{group}");
        assert_eq!(tally["groups"], counted["groups"], "{group}");
    }
    let t = app.get("/api/v1/hazards/stats", &c).await.json()["totals"].clone();
    let all = app.get("/api/v1/hazards?page_size=1", &c).await.json()["total"].as_i64().unwrap();
    let rejected = app.get("/api/v1/hazards?page_size=1&state=rejected", &c).await.json()["total"].as_i64().unwrap();
    let closed = app.get("/api/v1/hazards?page_size=1&state=closed", &c).await.json()["total"].as_i64().unwrap();
    let overdue = app.get("/api/v1/hazards?page_size=1&overdue=true", &c).await.json()["total"].as_i64().unwrap();
    assert_eq!(
        (t["found"].as_i64(), t["rectified"].as_i64(), t["overdue"].as_i64()),
        (Some(all - rejected), Some(closed), Some(overdue))
    );
}

/// Takes a listed 重大 hazard with deadline 2026-06-25 (also the listing's) to 待验收.
async fn listed_major_ready_to_verify(app: &TestApp, line: i64) -> i64 {
    let (s, c, e) = (app.login("station").await, app.login("committee").await, app.login("enterprise").await);
    let id = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let listing = json!({"level": "区", "supervising_unit": "新北区安委办", "document_number": "新安委督〔2026〕7号", "deadline": "2026-06-25"});
    assert_eq!(app.post(&format!("/api/v1/hazards/{id}/listing"), &c, listing).await.status, StatusCode::OK);
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &e, json!({"plan": plan()})).await;
    let photo = app.photo(&e).await;
    let r = app.post(&format!("/api/v1/hazards/{id}/submit"), &e, json!({"after_photos": [photo]})).await;
    assert_eq!(r.json()["state"], "pending_verification");
    id
}

#[tokio::test]
async fn closing_at_one_in_the_morning_after_the_deadline_is_late_in_beijing_time() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    // (listed at district level: the committee verifies and closes them, 16号令 Art. 18)
    let c = app.login("committee").await;
    let late = listed_major_ready_to_verify(&app, line).await;
    let in_time = listed_major_ready_to_verify(&app, line).await;
    // 2026-06-25 23:30 in 上海 (15:30 UTC): still the deadline day.
    app.set_clock("2026-06-25T15:30:00Z");
    let r = app
        .post(
            &format!("/api/v1/hazards/{in_time}/verify"),
            &c,
            json!({"passed": true, "closing": closing(&app, &c).await}),
        )
        .await
        .json();
    assert_eq!((r["state"].as_str(), r["rectified_on_time"].as_bool()), (Some("closed"), Some(true)));
    assert_eq!(r["closed_day"], "2026-06-25");
    // 2026-06-26 01:00 in 上海 is 2026-06-25 17:00 UTC: the UTC date says on time, Beijing says late.
    app.set_clock("2026-06-25T17:00:00Z");
    let r = app
        .post(
            &format!("/api/v1/hazards/{late}/verify"),
            &c,
            json!({"passed": true, "closing": closing(&app, &c).await}),
        )
        .await
        .json();
    assert_eq!((r["rectified_on_time"].as_bool(), r["closed_day"].as_str()), (Some(false), Some("2026-06-26")));
    let sum = app.get("/api/v1/hazard-listings/summary?year=2026", &c).await.json();
    let district = sum.as_array().unwrap().iter().find(|l| l["level"] == "区").unwrap().clone();
    assert_eq!(
        (district["used"].as_i64(), district["closed"].as_i64(), district["closed_on_time"].as_i64()),
        (Some(2), Some(2), Some(1)),
        "{district}"
    );
    // The ledger's export shows business dates: found 2026-06-16 (UTC still said 06-15), closed 06-26.
    let x = app.get(&format!("/api/v1/hazards/export.xlsx?enterprise_id={line}&grade=重大"), &c).await;
    let rows = common::xlsx_rows(&x.bytes);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let row = rows.iter().find(|r| r[col("销号日期")] == "2026-06-26").expect("the late one is exported");
    assert_eq!(row[col("发现日期")], common::TODAY);
}

/// PostgreSQL switches a prepared statement to its generic plan after five executions when that
/// plan looks no dearer; for the ledger's capped count over a scope prefix and a skewed state it
/// was several times slower (docs/BENCHMARKS.md). Every pooled session plans each execution for
/// its values: after many executions the plan still shows the values, not `$1`.
#[tokio::test]
async fn postgres_plans_each_execution_of_a_repeated_list_for_its_values() {
    use sqlx::Row;
    let app = TestApp::demo_with_history().await;
    if app.store.backend != anjian_store::Backend::Postgres {
        return; // SQLite plans every statement for its values
    }
    let mut conn = app.store.pool().acquire().await.unwrap();
    let mode: String = sqlx::query("SHOW plan_cache_mode").fetch_one(&mut *conn).await.unwrap().get(0);
    assert_eq!(mode, "force_custom_plan");
    sqlx::query(
        "PREPARE ledger_count(text, text, text) AS SELECT COUNT(*) FROM (SELECT 1 FROM hazard h \
         WHERE h.scope_path >= $1 AND h.scope_path < $2 AND h.state = $3 LIMIT 2001) t",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    for _ in 0..10 {
        sqlx::query("EXECUTE ledger_count('/', '0', 'rectifying')").execute(&mut *conn).await.unwrap();
    }
    let plan: Vec<String> = sqlx::query("EXPLAIN EXECUTE ledger_count('/', '0', 'rectifying')")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let plan = plan.join("\n");
    assert!(!plan.contains("$1") && plan.contains("rectifying"), "a generic plan after ten executions:\n{plan}");
    sqlx::query("DEALLOCATE ledger_count").execute(&mut *conn).await.unwrap();
}

/// The list's total for a query string (`""` for no filter).
async fn list_total(app: &TestApp, token: &str, query: &str) -> (i64, bool) {
    let r = app.get(&format!("/api/v1/hazards?page_size=1&{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", String::from_utf8_lossy(&r.bytes));
    let j = r.json();
    (j["total"].as_i64().unwrap(), j["total_capped"].as_bool().unwrap_or(false))
}

/// Each tab's count against the list's total with that tab's filter.
async fn assert_tabs_match_lists(app: &TestApp, role: &str, token: &str, filter: &str) {
    let r = app.get(&format!("/api/v1/hazards/counts?{filter}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{role} {filter}: {}", String::from_utf8_lossy(&r.bytes));
    let tabs = r.json()["tabs"].as_array().unwrap().clone();
    let keys: Vec<&str> = tabs.iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["all", "reported", "rectifying", "pending_verification", "overdue", "closed", "rejected"]);
    for t in &tabs {
        let key = t["key"].as_str().unwrap();
        let tab = match key {
            "all" => String::new(),
            "overdue" => "overdue=true".into(),
            s => format!("state={s}"),
        };
        let want = list_total(app, token, &format!("{filter}&{tab}")).await;
        let got = (t["count"].as_i64().unwrap(), t["capped"].as_bool().unwrap_or(false));
        assert_eq!(got, want, "{role} tab {key} with {filter:?}");
        // A date filter that keeps every hazard makes the server count them instead of reading
        // the running totals: the same figure.
        let counted = list_total(app, token, &format!("{filter}&{tab}&from=2000-01-01")).await;
        assert_eq!(counted, want, "{role} tab {key} with {filter:?}: running totals against counting");
    }
    let states: i64 = tabs
        .iter()
        .filter(|t| !["all", "overdue"].contains(&t["key"].as_str().unwrap()))
        .map(|t| t["count"].as_i64().unwrap())
        .sum();
    if !tabs[0]["capped"].as_bool().unwrap_or(false) {
        assert_eq!(states, tabs[0]["count"].as_i64().unwrap(), "{role}: the states add up to 全部");
    }
}

#[tokio::test]
async fn tab_counts_equal_the_lists_for_every_role_and_after_midnight_in_beijing() {
    let app = TestApp::demo_with_history().await;
    let (line, other) = enterprises(&app).await;
    let s = app.login("station").await;
    // Deadline today (Beijing 2026-06-16): open, not yet overdue; one moves on to 整改中.
    let mut due_today = report(line, "一般", "政府检查");
    due_today["deadline"] = json!("2026-06-16");
    let a = app.post("/api/v1/hazards", &s, due_today.clone()).await.json()["id"].as_i64().unwrap();
    app.post("/api/v1/hazards", &s, due_today).await;
    app.post(&format!("/api/v1/hazards/{a}/rectify"), &app.login("enterprise").await, json!({})).await;
    let a_admin = app.login("admin").await;
    let mut elsewhere = report(other, "重大", "政府检查");
    elsewhere["deadline"] = json!("2026-06-16");
    app.post("/api/v1/hazards", &a_admin, elsewhere).await;

    let c = app.login("committee").await;
    let before = app.get("/api/v1/hazards/counts", &c).await.json()["tabs"][4]["count"].as_i64().unwrap();
    // First at 01:00 Beijing time with the UTC date a day behind, then at 00:30 the next day.
    for at in [None, Some("2026-06-16T16:30:00Z")] {
        if let Some(at) = at {
            app.set_clock(at);
        }
        for role in common::ROLES {
            let t = app.login(role).await;
            assert_tabs_match_lists(&app, role, &t, "").await;
            assert_tabs_match_lists(&app, role, &t, "grade=重大").await;
        }
        assert_tabs_match_lists(&app, "station", &s, &format!("enterprise_id={line}")).await;
        let street = app.get("/api/v1/jurisdictions?level=street", &c).await.json()["items"][0]["id"].clone();
        assert_tabs_match_lists(&app, "committee", &c, &format!("jurisdiction_id={street}")).await;
        assert_tabs_match_lists(&app, "station", &s, &format!("jurisdiction_id={street}")).await;
        assert_tabs_match_lists(&app, "committee", &c, "jurisdiction_id=999999").await;
    }
    // Those due on 06-16 became overdue when the day ended in Beijing, though the UTC date is 06-16.
    let after = app.get("/api/v1/hazards/counts", &c).await.json()["tabs"][4]["count"].as_i64().unwrap();
    let due = app
        .count("hazard WHERE deadline = '2026-06-16' AND state IN ('reported', 'rectifying', 'pending_verification')")
        .await;
    assert!(due >= 3);
    assert_eq!(after - before, due);
}

#[tokio::test]
async fn numbers_stay_gapless_and_in_order_under_concurrent_reporters() {
    let app = TestApp::demo().await;
    let (line, other) = enterprises(&app).await;
    let s = app.login("station").await;
    let a = app.login("admin").await;
    let mut tasks = vec![];
    for w in 0..8 {
        let (router, token) = (app.router.clone(), if w % 2 == 0 { s.clone() } else { a.clone() });
        let enterprise = if w % 2 == 0 { line } else { other };
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let mut numbers = vec![];
            for i in 0..10 {
                let mut body = report(enterprise, "一般", "政府检查");
                body["description"] = json!(format!("并发上报 {w}-{i}：消防通道堆放物料"));
                let req = axum::http::Request::post("/api/v1/hazards")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let res = router.clone().oneshot(req).await.unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
                let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
                let h: Value = serde_json::from_slice(&bytes).unwrap();
                numbers.push(h["number"].as_str().unwrap().to_string());
            }
            numbers
        }));
    }
    let mut all = vec![];
    for t in tasks {
        let mine = t.await.unwrap();
        // Each answer carries its number, and one reporter's later report has a later number.
        assert!(mine.windows(2).all(|p| p[0] < p[1]), "{mine:?}");
        all.extend(mine);
    }
    all.sort();
    let want: Vec<String> = (1..=80).map(|n| format!("YH-2026-{n:06}")).collect();
    assert_eq!(all, want, "gapless and unique across the district");
    // Nothing is left waiting, every number has its audit record, and the chain verifies.
    assert_eq!((app.count("number_pending").await, app.count("audit_pending").await), (0, 0));
    assert_eq!(
        app.count("audit_log WHERE action = 'create' AND entity = 'hazard' AND summary LIKE '%YH-2026-%'").await,
        80
    );
    let v = app.get("/api/v1/audit/verify", &a).await.json();
    assert_eq!((v["ok"].as_bool(), v["unlinked"].as_i64()), (Some(true), Some(0)), "{v}");
}

/// Reports sent at once share the batching writer's transactions: each answer is the hazard as
/// read back, one report that fails in the database (the same photo twice) fails alone and
/// writes nothing, and its batch-mates are written.
#[tokio::test]
async fn reports_sent_at_once_are_written_together_and_a_failing_one_fails_alone() {
    let app = TestApp::demo().await;
    let (line, outside) = enterprises(&app).await;
    let s = app.login("station").await;
    let photo = app.photo(&s).await;
    let before = app.count("hazard").await;
    let notices_before = app.count("notification").await;
    let mut tasks = vec![];
    for w in 0..19 {
        let (router, token) = (app.router.clone(), s.clone());
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            // 17: an enterprise of another street; 18: a deadline already past. The writer reads
            // the enterprises of its batch together and refuses these two alone.
            let mut body = report(if w == 17 { outside } else { line }, "一般", "政府检查");
            body["description"] = json!(format!("同时上报 {w}：配电箱前堆放杂物"));
            if w == 18 {
                body["deadline"] = json!("2026-06-01");
            }
            body["before_photos"] = if w == 8 { json!([photo, photo]) } else { json!([photo]) };
            let req = axum::http::Request::post("/api/v1/hazards")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
            (w, status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }));
    }
    for t in tasks {
        let (w, status, body) = t.await.unwrap();
        let refused = match w {
            8 => Some("before_photos"),
            17 => Some("enterprise_id"),
            18 => Some("deadline"),
            _ => None,
        };
        if let Some(field) = refused {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["errors"][0]["field"], field, "{body}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let again = app.get(&format!("/api/v1/hazards/{}", body["id"]), &s).await.json();
        assert_eq!(body, again, "the answer is the hazard as stored");
        assert!(body["number"].as_str().unwrap().starts_with("YH-2026-"), "{body}");
        assert_eq!(body["photos"].as_array().unwrap().len(), 1);
    }
    assert_eq!(app.count("hazard").await, before + 16, "the failing reports wrote nothing");
    for w in [8, 17, 18] {
        assert_eq!(app.count(&format!("hazard_event WHERE comment LIKE '%同时上报 {w}：%'")).await, 0);
    }
    // Each written report told its enterprise (written together with the batch's other notices).
    let told = app
        .count("notification n JOIN hazard h ON h.id = n.hazard_id WHERE h.description LIKE '同时上报%' AND n.kind = 'reported'")
        .await;
    assert!(told >= 16, "{told} notices for 16 reports");
    assert_eq!(app.count("notification").await - notices_before, told, "no notice for a refused report");
    // Reports written in one transaction carry its time: some batch held more than one.
    let shared = app
        .count("(SELECT at FROM audit_log WHERE action = 'create' AND entity = 'hazard' GROUP BY at HAVING COUNT(*) > 1) b")
        .await;
    assert!(shared > 0, "no two reports shared a transaction");
    let a = app.login("admin").await;
    let v = app.get("/api/v1/audit/verify", &a).await.json();
    assert_eq!((v["ok"].as_bool(), v["unlinked"].as_i64()), (Some(true), Some(0)), "{v}");
}

/// The streamed export holds the rows the ledger lists, in its order, cell for cell — overdue
/// days, listings and closing dates taken in Beijing time at 00:30 (16:30 UTC the day before).
#[tokio::test]
async fn the_export_is_the_ledger_row_for_row() {
    let app = TestApp::demo_with_history().await;
    app.set_clock("2026-06-30T16:30:00Z");
    for role in ["committee", "station"] {
        let t = app.login(role).await;
        for filter in ["", "state=closed", "overdue=true", "listed=true", "grade=重大"] {
            let mut listed: Vec<Vec<String>> = vec![];
            let mut cursor = String::new();
            loop {
                let page = app.get(&format!("/api/v1/hazards?page_size=200&{filter}&cursor={cursor}"), &t).await.json();
                for h in page["items"].as_array().unwrap() {
                    let text = |k: &str| h[k].as_str().unwrap_or("").to_string();
                    let listing = match h["listing"].as_object() {
                        Some(l) => {
                            format!("{}级 {}", l["level"].as_str().unwrap(), l["document_number"].as_str().unwrap())
                        }
                        None => String::new(),
                    };
                    let days = h["days_overdue"].as_i64().map(|d| d.to_string()).unwrap_or_default();
                    listed.push(vec![
                        text("number"),
                        text("enterprise_name"),
                        text("jurisdiction_name"),
                        text("sector"),
                        text("location"),
                        text("description"),
                        text("grade"),
                        text("source"),
                        text("state_label"),
                        text("found_day"),
                        text("deadline"),
                        days,
                        listing,
                        text("responsible"),
                        text("closed_day"),
                    ]);
                }
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_string(),
                    None => break,
                }
            }
            let x = app.get(&format!("/api/v1/hazards/export.xlsx?{filter}"), &t).await;
            assert_eq!(x.status, StatusCode::OK, "{role} {filter}");
            let rows = common::xlsx_rows(&x.bytes);
            // The district sees every kind in the demo history; a street may lack some.
            assert!(role == "station" || !listed.is_empty(), "{role} {filter}: the demo history has such hazards");
            assert_eq!(rows[1..], listed[..], "{role} {filter}");
        }
    }
}

/// The demo's 重大 hazards are the kind the official 判定标准 list, each with its criterion, and
/// an enterprise's page shows them (not "灭火器过期" called 重大).
#[tokio::test]
async fn the_demos_major_hazards_are_those_the_official_criteria_name() {
    let app = TestApp::demo_with_history().await;
    let majors = app.count("hazard WHERE grade = '重大'").await;
    assert!(majors >= 5, "the demo has 重大 hazards to supervise: {majors}");
    assert_eq!(app.count("hazard WHERE grade = '重大' AND criterion IS NULL").await, 0);
    assert_eq!(app.count("hazard WHERE grade = '重大' AND criterion NOT LIKE '%判定标准%'").await, 0);
    assert_eq!(app.count("hazard WHERE grade = '重大' AND description LIKE '%灭火器%'").await, 0);
    // Listings are of 重大 hazards only.
    assert_eq!(app.count("hazard_listing l JOIN hazard h ON h.id = l.hazard_id WHERE h.grade <> '重大'").await, 0);
}

/// The statistics, 挂牌督办 and 重大危险源 pages export what they show.
#[tokio::test]
async fn statistics_listings_and_major_hazard_sources_export_what_their_pages_show() {
    let app = TestApp::demo_with_history().await;
    let c = app.login("committee").await;
    let stats = app.get("/api/v1/hazards/stats?group_by=sector", &c).await.json();
    let sheet = common::xlsx_rows(&app.get("/api/v1/hazards/stats/export.xlsx?group_by=sector", &c).await.bytes);
    let groups = stats["groups"].as_array().unwrap();
    assert_eq!(sheet.len(), groups.len() + 2, "header, the groups, 合计");
    assert_eq!((sheet[0][0].as_str(), sheet[0][3].as_str()), ("行业", "整改率（%）"));
    let last = sheet.last().unwrap();
    assert_eq!(last[0], "合计");
    assert_eq!(last[1], stats["totals"]["found"].as_i64().unwrap().to_string());

    let year = app.get("/api/v1/hazard-listings?page_size=1", &c).await.json()["items"][0]["listing"]["year"]
        .as_i64()
        .unwrap();
    let listed = app.get(&format!("/api/v1/hazard-listings?year={year}&page_size=1"), &c).await.json()["total"]
        .as_i64()
        .unwrap();
    let sheet =
        common::xlsx_rows(&app.get(&format!("/api/v1/hazard-listings/export.xlsx?year={year}"), &c).await.bytes);
    assert!(listed > 0);
    assert_eq!(sheet.len() as i64 - 1, listed);
    assert!(sheet[1..].iter().all(|r| r[12].contains("级")), "every row is listed");
    let g = app.login("grid").await;
    app.get("/api/v1/hazard-listings/export.xlsx", &g).await.problem(403);

    let sources =
        app.get("/api/v1/risk/major-hazards?is_major=true&page_size=1", &c).await.json()["total"].as_i64().unwrap();
    let sheet = common::xlsx_rows(&app.get("/api/v1/risk/major-hazards/export.xlsx?is_major=true", &c).await.bytes);
    assert!(sources > 0);
    assert_eq!(sheet.len() as i64 - 1, sources);
    assert!(sheet[1..].iter().all(|r| r[5] == "构成"), "{:?}", &sheet[..2]);
}

/// What a listed hazard's 销号 carries (16号令 Art. 18), with files uploaded by `token`.
async fn closing(app: &TestApp, token: &str) -> Value {
    json!({"assessor_kind": "agency", "assessor": "江苏安评科技有限公司", "assessed_on": "2026-06-15",
           "conclusion": "仓库隔断已拆除，自动喷淋经检测合格，同意销号",
           "report_file_id": app.photo(token).await, "application_file_id": app.photo(token).await})
}

#[tokio::test]
async fn a_department_lists_in_its_sector_and_only_the_listing_unit_or_above_closes_with_the_assessment() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let (s, c, d, e) = (
        app.login("station").await,
        app.login("committee").await,
        app.login("department").await,
        app.login("enterprise").await,
    );
    // 应急管理局 lists a 重大 hazard of 安泰化工 (危险化学品, its sector) at its own level, 区, with
    // its head's signature and the signed file (seed 003: 一把手签字备案).
    let id = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let mut listing = json!({"level": "区", "supervising_unit": "新北区应急管理局", "document_number": "新应急督〔2026〕2号",
                             "deadline": "2026-07-31", "suspended": true});
    let r = app.post(&format!("/api/v1/hazards/{id}/listing"), &d, listing.clone()).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "signed_by", "a department's listing needs the head's signature");
    listing["signed_by"] = json!("王建国（局长）");
    listing["signed_on"] = json!("2026-06-16");
    listing["signed_file_id"] = json!(app.photo(&d).await);
    let mut at_street = listing.clone();
    at_street["level"] = json!("街道");
    app.post(&format!("/api/v1/hazards/{id}/listing"), &d, at_street).await.problem(403);
    let r = app.post(&format!("/api/v1/hazards/{id}/listing"), &d, listing).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let h = r.json();
    assert_eq!(h["listing"]["department_name"], "新北区应急管理局");
    assert_eq!(
        (h["listing"]["signed_by"].as_str(), h["listing"]["suspended"].as_bool()),
        (Some("王建国（局长）"), Some(true))
    );
    assert!(h["photos"].as_array().unwrap().iter().any(|p| p["kind"] == "listing_signed"));
    // Outside its sectors the department does not see the hazard at all.
    let ledger = app.get("/api/v1/enterprises?page_size=200", &d).await.json();
    let outside = app.get("/api/v1/enterprises?page_size=200", &app.login("admin").await).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| !ledger["items"].as_array().unwrap().iter().any(|y| y["id"] == x["id"]))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let theirs =
        app.post("/api/v1/hazards", &c, report(outside, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let listing = json!({"level": "区", "supervising_unit": "新北区应急管理局", "document_number": "新应急督〔2026〕3号",
                         "deadline": "2026-07-31", "signed_by": "王建国", "signed_on": "2026-06-16", "signed_file_id": app.photo(&d).await});
    app.post(&format!("/api/v1/hazards/{theirs}/listing"), &d, listing).await.problem(404);

    // The enterprise rectifies and submits; the station, below the district, may not verify it.
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &e, json!({"plan": plan()})).await;
    let photo = app.photo(&e).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &e, json!({"after_photos": [photo]})).await;
    let seen = app.get(&format!("/api/v1/hazards/{id}"), &s).await.json();
    assert!(!seen["allowed_actions"].as_array().unwrap().iter().any(|a| a == "verify_hazard"));
    let r = app
        .post(&format!("/api/v1/hazards/{id}/verify"), &s, json!({"passed": true, "closing": closing(&app, &s).await}))
        .await;
    assert!(r.problem(403)["detail"].as_str().unwrap().contains("挂牌督办单位"));
    // The listing department closes it, but not without the assessment and the application.
    let r = app.post(&format!("/api/v1/hazards/{id}/verify"), &d, json!({"passed": true})).await;
    let fields: Vec<String> =
        r.problem(422)["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    assert!(
        fields.contains(&"closing.report_file_id".to_string())
            && fields.contains(&"closing.application_file_id".to_string())
    );
    let mut partial = closing(&app, &d).await;
    partial.as_object_mut().unwrap().remove("application_file_id");
    let r = app.post(&format!("/api/v1/hazards/{id}/verify"), &d, json!({"passed": true, "closing": partial})).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "closing.application_file_id");
    assert_eq!(
        app.get(&format!("/api/v1/hazards/{id}"), &d).await.json()["state"],
        "pending_verification",
        "nothing written"
    );
    let r = app
        .post(&format!("/api/v1/hazards/{id}/verify"), &d, json!({"passed": true, "closing": closing(&app, &d).await}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let h = r.json();
    assert_eq!(h["state"], "closed");
    assert_eq!(
        (h["listing"]["assessor_kind"].as_str(), h["listing"]["assessed_on"].as_str()),
        (Some("agency"), Some("2026-06-15"))
    );
    let kinds: Vec<&str> = h["photos"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"assessment_report") && kinds.contains(&"closing_application"));
    let closed = h["events"].as_array().unwrap().iter().find(|ev| ev["action"] == "close_listing").unwrap();
    assert!(
        closed["comment"].as_str().unwrap().contains("同意恢复生产"),
        "a 停产停业 listing's closing is the 复产 consent"
    );
    let audit = app.get(&format!("/api/v1/audit?entity=hazard&entity_id={id}"), &app.login("admin").await).await.json();
    assert!(audit["items"].as_array().unwrap().iter().any(|a| a["action"] == "close_listing"));
}

#[tokio::test]
async fn a_station_cannot_close_a_district_listing_but_closes_its_streets() {
    let app = TestApp::demo().await;
    let (line, _) = enterprises(&app).await;
    let (s, c, e) = (app.login("station").await, app.login("committee").await, app.login("enterprise").await);
    let district = listed_major_ready_to_verify(&app, line).await;
    let r = app
        .post(&format!("/api/v1/hazards/{district}/verify"), &s, json!({"passed": false, "comment": "喷淋未联动"}))
        .await;
    r.problem(403);
    let r = app
        .post(
            &format!("/api/v1/hazards/{district}/verify"),
            &c,
            json!({"passed": true, "closing": closing(&app, &c).await}),
        )
        .await;
    assert_eq!(r.json()["state"], "closed");
    // The street's own listing is the station's to close.
    let id = app.post("/api/v1/hazards", &s, report(line, "重大", "政府检查")).await.json()["id"].as_i64().unwrap();
    let listing = json!({"level": "街道", "supervising_unit": "春江街道安委会", "document_number": "春安督〔2026〕4号", "deadline": "2026-06-25"});
    assert_eq!(app.post(&format!("/api/v1/hazards/{id}/listing"), &s, listing).await.status, StatusCode::OK);
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &e, json!({"plan": plan()})).await;
    let photo = app.photo(&e).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &e, json!({"after_photos": [photo]})).await;
    let r = app
        .post(&format!("/api/v1/hazards/{id}/verify"), &s, json!({"passed": true, "closing": closing(&app, &s).await}))
        .await;
    assert_eq!(r.json()["state"], "closed");
    // A closing sent for a hazard that is not listed is refused, naming the field.
    let plain = app.post("/api/v1/hazards", &s, report(line, "一般", "政府检查")).await.json()["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/hazards/{plain}/rectify"), &e, json!({})).await;
    let photo = app.photo(&e).await;
    app.post(&format!("/api/v1/hazards/{plain}/submit"), &e, json!({"after_photos": [photo]})).await;
    let r = app
        .post(
            &format!("/api/v1/hazards/{plain}/verify"),
            &s,
            json!({"passed": true, "closing": closing(&app, &s).await}),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "closing");
}
