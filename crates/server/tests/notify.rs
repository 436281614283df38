//! Notices at every hand-over (交接提醒) and the message centre, through the real router: who is
//! told of each step of a hazard's loop, that a unit without an account passes its notice to the
//! unit above (no notice to nobody), the same reminder never piles up, 即将到期 in the Beijing
//! calendar, and the centre's filters and 全部已读.

mod common;

use common::TestApp;
use serde_json::{json, Value};

/// The unread notices of one kind a user has, newest first.
async fn unread(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let page = app.get(&format!("/api/v1/notifications?unread=true&kind={kind}&page_size=100"), token).await.json();
    page["items"].as_array().unwrap().clone()
}

async fn line(app: &TestApp) -> i64 {
    let a = app.login("admin").await;
    app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap()
}

fn report(enterprise: i64, grade: &str, source: &str, deadline: &str) -> Value {
    json!({"enterprise_id": enterprise, "description": "二号仓库消防通道堆放物料", "grade": grade, "source": source,
           "deadline": deadline, "location": "二号仓库"})
}

#[tokio::test]
async fn each_hand_over_of_a_general_hazard_tells_the_one_who_acts_next() {
    let app = TestApp::demo().await;
    let line = line(&app).await;
    let (grid, ent, station) = (app.login("grid").await, app.login("enterprise").await, app.login("station").await);
    let dept = app.login("department").await;
    // Found on patrol: the enterprise must rectify and its station supervises; the finder is not told of its own report.
    let h = app.post("/api/v1/hazards", &grid, report(line, "一般", "网格巡查", "2026-06-30")).await.json();
    let (id, number) = (h["id"].as_i64().unwrap(), h["number"].as_str().unwrap().to_string());
    let told = unread(&app, &ent, "reported").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["hazard_id"], id);
    assert_eq!(told[0]["kind_label"], "新隐患");
    assert!(told[0]["title"].as_str().unwrap().contains(&number), "{}", told[0]);
    assert_eq!(unread(&app, &station, "reported").await.len(), 1);
    assert!(unread(&app, &grid, "reported").await.is_empty());
    assert!(unread(&app, &dept, "reported").await.is_empty(), "a 一般 hazard is not the department's hand-over");

    // 开始整改 stays with the enterprise; 提交验收 goes to the station and the inspector who found it.
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &ent, json!({})).await;
    assert!(unread(&app, &station, "submitted").await.is_empty());
    let photo = app.photo(&ent).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &ent, json!({"after_photos": [photo], "note": "已清理"})).await;
    assert_eq!(unread(&app, &station, "submitted").await.len(), 1);
    assert_eq!(unread(&app, &grid, "submitted").await.len(), 1);
    assert!(unread(&app, &ent, "submitted").await.is_empty(), "not told of its own act");

    // Failed: the enterprise learns why.
    app.post(&format!("/api/v1/hazards/{id}/verify"), &grid, json!({"passed": false, "comment": "通道仍有杂物"})).await;
    let failed = unread(&app, &ent, "verify_failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["body"].as_str().unwrap().contains("通道仍有杂物"), "{}", failed[0]);

    // Submitted again while the first notice is unread: still one, the newest.
    let photo = app.photo(&ent).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &ent, json!({"after_photos": [photo], "note": "二次整改"})).await;
    let again = unread(&app, &station, "submitted").await;
    assert_eq!(again.len(), 1, "the same reminder does not pile up");
    assert!(again[0]["body"].as_str().unwrap().contains("二次整改"));

    // Passed: the enterprise is told; the verifier is not.
    app.post(&format!("/api/v1/hazards/{id}/verify"), &station, json!({"passed": true, "comment": "复查合格"})).await;
    assert_eq!(unread(&app, &ent, "verified").await.len(), 1);
    assert!(unread(&app, &station, "verified").await.is_empty());
}

#[tokio::test]
async fn a_major_hazard_tells_its_regulators_and_a_rejection_and_a_listing_tell_the_enterprise() {
    let app = TestApp::demo().await;
    let line = line(&app).await;
    let (ent, station, dept, c) = (
        app.login("enterprise").await,
        app.login("station").await,
        app.login("department").await,
        app.login("committee").await,
    );
    // The enterprise's own 重大 report: station and the department of its sector (危险化学品).
    let major = app.post("/api/v1/hazards", &ent, report(line, "重大", "企业自查", "2026-08-30")).await.json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(unread(&app, &station, "major_reported").await.len(), 1);
    assert_eq!(unread(&app, &dept, "major_reported").await.len(), 1);
    assert!(unread(&app, &ent, "major_reported").await.is_empty());
    // Its own 一般 hazard closes in its own loop: nobody is told.
    let before = app.count("notification").await;
    let own = app.post("/api/v1/hazards", &ent, report(line, "一般", "企业自查", "2026-06-30")).await.json()["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/api/v1/hazards/{own}/rectify"), &ent, json!({})).await;
    let photo = app.photo(&ent).await;
    app.post(&format!("/api/v1/hazards/{own}/submit"), &ent, json!({"after_photos": [photo]})).await;
    app.post(&format!("/api/v1/hazards/{own}/verify"), &ent, json!({"passed": true})).await;
    assert_eq!(app.count("notification").await, before);

    let listing = json!({"level": "区", "supervising_unit": "新北区安委办", "document_number": "新安委督〔2026〕7号", "deadline": "2026-09-30"});
    app.post(&format!("/api/v1/hazards/{major}/listing"), &c, listing).await;
    let listed = unread(&app, &ent, "listed").await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["body"].as_str().unwrap().contains("新安委督〔2026〕7号"), "{}", listed[0]);
    assert_eq!(unread(&app, &station, "listed").await.len(), 1);

    let tip = app.post("/api/v1/hazards", &station, report(line, "一般", "群众举报", "2026-06-30")).await.json()["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/api/v1/hazards/{tip}/reject"), &station, json!({"reason": "经现场核实为正常作业"})).await;
    let rejected = unread(&app, &ent, "rejected").await;
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0]["body"].as_str().unwrap().contains("经现场核实为正常作业"));
}

#[tokio::test]
async fn a_unit_without_an_account_passes_its_notice_to_the_unit_above_and_no_notice_names_nobody() {
    let app = TestApp::demo().await;
    let line = line(&app).await;
    let (station, c) = (app.login("station").await, app.login("committee").await);
    // Another enterprise of the station's street: no demo account is of it.
    let list = app.get("/api/v1/enterprises?page_size=200", &station).await.json();
    let other =
        list["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).find(|id| *id != line).unwrap();
    assert_eq!(app.count(&format!("app_user WHERE org_kind = 'enterprise' AND org_id = {other}")).await, 0);
    let id = app.post("/api/v1/hazards", &c, report(other, "一般", "政府检查", "2026-06-25")).await.json()["id"]
        .as_i64()
        .unwrap();
    // The enterprise's notice goes to the station (which would be told anyway: once).
    assert_eq!(unread(&app, &station, "reported").await.len(), 1);
    // Overdue: the enterprise's reminder reaches the station, and the timeline says so.
    app.advance_days(10);
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    let overdue = unread(&app, &station, "overdue").await;
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    // Worded for the station that must see to it, not as the enterprise's "rectify it".
    let title = overdue[0]["title"].as_str().unwrap();
    assert!(title.contains("请督办") && !title.contains("请尽快整改"), "{title}");
    assert!(overdue[0]["body"].as_str().unwrap().contains("企业无账号"), "{}", overdue[0]);
    let h = app.get(&format!("/api/v1/hazards/{id}"), &station).await.json();
    let comments: Vec<&str> = h["events"].as_array().unwrap().iter().filter_map(|e| e["comment"].as_str()).collect();
    assert!(comments.iter().any(|c| c.starts_with("企业无账号，改为提醒属地安监站（1人）")), "{comments:?}");
    // Seven days on, the committee.
    app.advance_days(7);
    anjian_store::notify::escalate(&app.store, app.now(), Default::default()).await.unwrap();
    assert_eq!(unread(&app, &c, "overdue").await.len(), 1);
    // The committee sees the enterprises without an account (here all but the demo line's).
    let todos = app.get("/api/v1/todos", &c).await.json();
    let without = todos.as_array().unwrap().iter().find(|t| t["key"] == "org.enterprises_without_account").unwrap();
    let all = app.get("/api/v1/enterprises?page_size=1", &c).await.json()["total"].as_i64().unwrap();
    assert_eq!(without["count"].as_i64().unwrap(), all - 1, "{without}");
    let listed = app.get("/api/v1/enterprises?has_account=false&page_size=200", &c).await.json();
    assert!(listed["items"].as_array().unwrap().iter().all(|e| e["id"] != line));
    assert_eq!(app.get("/api/v1/enterprises?has_account=true", &c).await.json()["total"], 1);
    // No reminder anywhere was sent to nobody.
    assert_eq!(app.count("hazard_event WHERE comment LIKE '%（0人）%'").await, 0);
    assert_eq!(app.count("audit_log WHERE summary LIKE '%（0人）%'").await, 0);
}

#[tokio::test]
async fn a_deadline_near_is_reminded_once_in_the_beijing_calendar() {
    let app = TestApp::demo().await;
    let line = line(&app).await;
    let (station, ent) = (app.login("station").await, app.login("enterprise").await);
    // 01:00 on 06-16 in Beijing is 06-15 in UTC: three days from Beijing's today is 06-19.
    assert!(app.now().to_string().starts_with("2026-06-15T17:00"), "{}", app.now());
    let near = app.post("/api/v1/hazards", &station, report(line, "一般", "政府检查", "2026-06-19")).await.json()["id"]
        .as_i64()
        .unwrap();
    let later = app.post("/api/v1/hazards", &station, report(line, "一般", "政府检查", "2026-06-20")).await.json()
        ["id"]
        .as_i64()
        .unwrap();
    anjian_store::notify::remind_due(&app.store, app.now()).await.unwrap();
    anjian_store::notify::remind_due(&app.store, app.now()).await.unwrap();
    let due: Vec<i64> = unread(&app, &ent, "due_soon").await.iter().map(|n| n["hazard_id"].as_i64().unwrap()).collect();
    assert!(due.contains(&near) && !due.contains(&later), "{due:?}");
    let mine = unread(&app, &ent, "due_soon").await;
    let n = mine.iter().find(|n| n["hazard_id"] == near).unwrap();
    assert!(n["body"].as_str().unwrap().contains("还有3天"), "{n}");
    assert_eq!(app.count(&format!("notification WHERE kind = 'due_soon' AND hazard_id = {near}")).await, 1);
    // The next day the later one is due; the first is not reminded again.
    app.advance_days(1);
    anjian_store::notify::remind_due(&app.store, app.now()).await.unwrap();
    assert_eq!(app.count(&format!("notification WHERE kind = 'due_soon' AND hazard_id = {near}")).await, 1);
    assert_eq!(app.count(&format!("notification WHERE kind = 'due_soon' AND hazard_id = {later}")).await, 1);
}

#[tokio::test]
async fn the_message_centre_filters_by_kind_and_date_and_marks_all_read() {
    let app = TestApp::demo().await;
    let line = line(&app).await;
    let (station, ent) = (app.login("station").await, app.login("enterprise").await);
    for _ in 0..3 {
        app.post("/api/v1/hazards", &station, report(line, "一般", "政府检查", "2026-06-19")).await;
    }
    anjian_store::notify::remind_due(&app.store, app.now()).await.unwrap();
    let kinds = app.get("/api/v1/notifications/kinds", &ent).await.json();
    let count =
        |k: &str| kinds.as_array().unwrap().iter().find(|x| x["kind"] == k).unwrap()["unread"].as_i64().unwrap();
    assert_eq!((count("reported"), count("due_soon")), (3, 3));
    assert_eq!(kinds.as_array().unwrap().len(), anjian_domain::notice::NoticeKind::ALL.len(), "every kind is offered");
    // Dates are Beijing dates: today (06-16 there) has them all, the UTC date 06-15 none.
    let on = |d: &str| format!("/api/v1/notifications?from={d}&to={d}");
    assert_eq!(app.get(&on("2026-06-16"), &ent).await.json()["total"], 6);
    assert_eq!(app.get(&on("2026-06-15"), &ent).await.json()["total"], 0);
    app.get("/api/v1/notifications?from=6月16日", &ent).await.problem(422);
    // 全部已读 of one kind leaves the others unread.
    let r = app.post("/api/v1/notifications/read-all?kind=due_soon", &ent, json!({})).await.json();
    assert_eq!(r["marked"], 3);
    assert_eq!(app.get("/api/v1/notifications?unread=true", &ent).await.json()["total"], 3);
    let r = app.post("/api/v1/notifications/read-all", &ent, json!({})).await.json();
    assert_eq!(r["marked"], 3);
    assert_eq!(app.get("/api/v1/notifications?unread=true", &ent).await.json()["total"], 0);
    // Another user's notices are untouched.
    assert_eq!(app.get("/api/v1/notifications?unread=true&kind=reported", &station).await.json()["total"], 0);
}

/// The audit log of a hazard's whole life reads in Chinese: every action and object by its
/// label, the before/after field by field, and every action any record of the demo's history
/// names is in the domain's table (the filters offer exactly that table).
#[tokio::test]
async fn the_audit_log_of_a_hazards_life_reads_in_chinese() {
    let app = TestApp::demo_with_history().await;
    let line = line(&app).await;
    let (station, ent, admin) = (app.login("station").await, app.login("enterprise").await, app.login("admin").await);
    let h = app.post("/api/v1/hazards", &station, report(line, "一般", "政府检查", "2026-06-30")).await.json();
    let (id, number) = (h["id"].as_i64().unwrap(), h["number"].as_str().unwrap().to_string());
    app.post(&format!("/api/v1/hazards/{id}/rectify"), &ent, json!({})).await;
    let photo = app.photo(&ent).await;
    app.post(&format!("/api/v1/hazards/{id}/submit"), &ent, json!({"after_photos": [photo]})).await;
    app.post(&format!("/api/v1/hazards/{id}/verify"), &station, json!({"passed": true, "comment": "复查合格"})).await;
    let log = app.get("/api/v1/audit?entity=hazard&page_size=100&actor=春江", &admin).await.json();
    let mine: Vec<&Value> = log["items"].as_array().unwrap().iter().filter(|r| r["entity_id"] == id).collect();
    let actions: Vec<&str> = mine.iter().rev().map(|r| r["action_label"].as_str().unwrap()).collect();
    assert_eq!(actions, ["新增", "验收通过（销号）"], "the station's records of it");
    let pass = mine[0];
    assert_eq!(pass["entity_label"], "隐患");
    assert!(pass["summary"].as_str().unwrap().contains(&number));
    let state = pass["changes"].as_array().unwrap().iter().find(|c| c["field"] == "state").unwrap();
    assert_eq!(
        (state["label"].as_str(), state["before"].as_str(), state["after"].as_str()),
        (Some("状态"), Some("待验收"), Some("已销号"))
    );

    // Every action and object type recorded has its Chinese, and the filters offer the table.
    let labels = app.get("/api/v1/audit/labels", &admin).await.json();
    let offered = |k: &str| -> Vec<String> {
        labels[k].as_array().unwrap().iter().map(|l| l["value"].as_str().unwrap().to_string()).collect()
    };
    let (actions, entities) = (offered("actions"), offered("entities"));
    use sqlx::Row;
    let used = sqlx::query("SELECT DISTINCT action, entity FROM audit_log").fetch_all(app.store.pool()).await.unwrap();
    assert!(used.len() >= 15, "the history names many actions: {}", used.len());
    for r in used {
        let (a, e): (String, String) = (r.get("action"), r.get("entity"));
        assert!(actions.contains(&a) && entities.contains(&e), "{a} on {e} has no Chinese label");
    }
    app.get("/api/v1/audit/labels", &ent).await.problem(403);
    // The export shows them too, with Beijing times.
    let r = app.get("/api/v1/audit/export.xlsx?entity=hazard&action=verify_pass", &admin).await;
    let rows = common::xlsx_rows(&r.bytes);
    assert_eq!(&rows[0][3], "操作");
    assert!(rows[1..].iter().all(|row| row[3] == "验收通过（销号）" && row[4] == "隐患"), "{:?}", &rows[..2]);
    // The sheet's time is the record's instant in Beijing, not UTC ISO text.
    let at: jiff::Timestamp = pass["at"].as_str().unwrap().parse().unwrap();
    let beijing = at.in_tz("Asia/Shanghai").unwrap().strftime("%Y-%m-%d %H:%M").to_string();
    let newest = &rows[1][1];
    assert!(newest.starts_with(&beijing) && !newest.contains('T'), "{newest} vs {beijing}");
}
