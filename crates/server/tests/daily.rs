//! The day's work around the closed loop, through the real router: the ledger sorted by the
//! columns users sort by (pages that keep their order), ticked rows exported and pressed (催办),
//! the two notices as text and as DOCX, and the inspection records behind 本月自查 and 本周巡查 —
//! with a clock whose UTC date is not Beijing's.

mod common;

use common::{xlsx_rows, TestApp};
use serde_json::{json, Value};
use std::io::Read;

async fn line(app: &TestApp) -> i64 {
    let a = app.login("admin").await;
    app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap()
}

fn report(enterprise: i64, grade: &str, source: &str, deadline: &str) -> Value {
    json!({"enterprise_id": enterprise, "description": format!("{grade}隐患 期限{deadline}"), "grade": grade,
           "source": source, "deadline": deadline, "location": "二号仓库"})
}

/// Every page of a list, following `next_cursor`.
async fn all_pages(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&page_size=7&cursor={c}"),
            None => format!("{path}&page_size=7"),
        };
        let page = app.get(&url, token).await.json();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

#[tokio::test]
async fn the_ledger_sorts_by_deadline_grade_and_finding_and_its_pages_keep_the_order() {
    let app = TestApp::demo().await;
    let station = app.login("station").await;
    let line = line(&app).await;
    // Ties on purpose: several hazards share a deadline, so the id must break them across pages.
    for (i, d) in
        ["2026-07-01", "2026-06-20", "2026-07-01", "2026-06-18", "2026-07-01", "2026-08-01"].iter().enumerate()
    {
        let grade = if i % 3 == 0 { "重大" } else { "一般" };
        assert_eq!(app.post("/api/v1/hazards", &station, report(line, grade, "政府检查", d)).await.status, 201);
    }
    let base = format!("/api/v1/hazards?enterprise_id={line}");
    let total = app.get(&base, &station).await.json()["total"].as_i64().unwrap();
    assert!(total >= 6);

    let by_deadline = all_pages(&app, &station, &format!("{base}&sort=deadline_asc")).await;
    assert_eq!(by_deadline.len() as i64, total, "no row lost or repeated across pages");
    let keys: Vec<(String, i64)> =
        by_deadline.iter().map(|h| (h["deadline"].as_str().unwrap().to_string(), h["id"].as_i64().unwrap())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "整改期限 早→晚, ties by report order");

    let latest = all_pages(&app, &station, &format!("{base}&sort=deadline_desc")).await;
    assert_eq!(latest[0]["deadline"], by_deadline.last().unwrap()["deadline"]);

    let by_grade = all_pages(&app, &station, &format!("{base}&sort=grade")).await;
    assert_eq!(by_grade.len() as i64, total);
    let first_general = by_grade.iter().position(|h| h["grade"] == "一般").unwrap_or(by_grade.len());
    assert!(by_grade[first_general..].iter().all(|h| h["grade"] == "一般"), "重大 first, then 一般");
    assert!(by_grade[..first_general].iter().all(|h| h["grade"] == "重大"));

    let found = all_pages(&app, &station, &format!("{base}&sort=found_asc")).await;
    let stamps: Vec<&str> = found.iter().map(|h| h["found_at"].as_str().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "发现时间 旧→新");

    // The export follows the sort; ticked rows export alone.
    let x = app.get(&format!("/api/v1/hazards/export.xlsx?enterprise_id={line}&sort=deadline_asc"), &station).await;
    let rows = xlsx_rows(&x.bytes);
    let col = rows[0].iter().position(|h| h == "整改期限").unwrap();
    assert_eq!(rows[1][col], by_deadline[0]["deadline"].as_str().unwrap());
    let picked = [by_grade[0]["id"].as_i64().unwrap(), by_grade[1]["id"].as_i64().unwrap()];
    let x = app.get(&format!("/api/v1/hazards/export.xlsx?ids={},{}", picked[0], picked[1]), &station).await;
    assert_eq!(xlsx_rows(&x.bytes).len(), 3, "header and the two ticked rows");
    assert_eq!(app.get("/api/v1/hazards?ids=1,x", &station).await.problem(422)["errors"][0]["field"], "ids");
    let bad = app.get("/api/v1/hazards?sort=sideways", &station).await;
    assert_eq!(bad.status, 400, "{}", String::from_utf8_lossy(&bad.bytes));
}

#[tokio::test]
async fn urging_presses_only_what_waits_on_the_enterprise_and_tells_it_once() {
    let app = TestApp::demo().await;
    let (station, ent, grid) = (app.login("station").await, app.login("enterprise").await, app.login("grid").await);
    let line = line(&app).await;
    let open = app.post("/api/v1/hazards", &station, report(line, "一般", "政府检查", "2026-06-30")).await.json();
    let submitted = app.post("/api/v1/hazards", &grid, report(line, "一般", "网格巡查", "2026-06-30")).await.json();
    let (open_id, sub_id) = (open["id"].as_i64().unwrap(), submitted["id"].as_i64().unwrap());
    app.post(&format!("/api/v1/hazards/{sub_id}/rectify"), &ent, json!({})).await;
    let photo = app.photo(&ent).await;
    let r = app
        .post(&format!("/api/v1/hazards/{sub_id}/submit"), &ent, json!({"after_photos": [photo], "note": "已清理"}))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));

    let r = app
        .post(
            "/api/v1/hazards/urge",
            &station,
            json!({"ids": [open_id, sub_id, 99_999_999], "message": "请本周内完成"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let out = r.json();
    assert_eq!(out["urged"], json!([open["number"]]));
    let skipped = out["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2);
    assert!(skipped.iter().any(|s| s["id"] == sub_id && s["reason"].as_str().unwrap().contains("待监管方验收")));
    assert!(skipped.iter().any(|s| s["id"] == 99_999_999 && s["number"] == ""), "an unseen id tells nothing of it");

    // The enterprise is told, once however often it is pressed; the timeline and the audit log keep each 催办.
    app.post("/api/v1/hazards/urge", &station, json!({"ids": [open_id]})).await;
    let told = app.get("/api/v1/notifications?unread=true&kind=urged", &ent).await.json();
    assert_eq!(told["total"], 1);
    assert_eq!(told["items"][0]["hazard_id"], open_id);
    let detail = app.get(&format!("/api/v1/hazards/{open_id}"), &station).await.json();
    let urges: Vec<&Value> = detail["events"].as_array().unwrap().iter().filter(|e| e["action"] == "urge").collect();
    assert_eq!(urges.len(), 2);
    assert_eq!(urges[0]["action_label"], "催办");
    assert_eq!(urges[0]["comment"], "请本周内完成");
    assert_eq!(urges[1]["comment"], "请于整改期限 2026-06-30 前完成整改", "without a message it names the deadline");
    assert_eq!(detail["state"], "reported", "pressing changes no state");
    let admin = app.login("admin").await;
    let audit = app.get(&format!("/api/v1/audit?entity=hazard&entity_id={open_id}"), &admin).await.json();
    assert!(audit["items"].as_array().unwrap().iter().any(|a| a["action"] == "urge" && a["action_label"] == "催办"));

    // The enterprise does not press itself; nothing ticked is a 422 naming the field.
    assert_eq!(app.post("/api/v1/hazards/urge", &ent, json!({"ids": [open_id]})).await.status, 403);
    assert_eq!(
        app.post("/api/v1/hazards/urge", &station, json!({"ids": []})).await.problem(422)["errors"][0]["field"],
        "ids"
    );
}

/// The text of a DOCX's body.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("has a body").read_to_string(&mut xml).unwrap();
    xml
}

#[tokio::test]
async fn the_two_notices_read_the_same_as_text_and_as_docx_and_name_the_issuing_unit() {
    let app = TestApp::demo().await;
    let (station, ent, committee) =
        (app.login("station").await, app.login("enterprise").await, app.login("committee").await);
    let line = line(&app).await;
    let h = app.post("/api/v1/hazards", &station, report(line, "重大", "政府检查", "2026-07-15")).await.json();
    let id = h["id"].as_i64().unwrap();

    let w = app.get(&format!("/api/v1/hazards/{id}/writ"), &station).await.json();
    assert_eq!(w["title"], "安全生产事故隐患整改通知书");
    assert_eq!(w["signature"][0], "检查单位：春江街道安监站（盖章）");
    assert_eq!(w["signature"][1], "2026年6月16日", "today in Beijing, not the UTC date 06-15");
    assert!(w["addressee"].as_str().unwrap().contains("安泰化工"));
    let edited = app.get(&format!("/api/v1/hazards/{id}/writ?issuer=新北区应急管理局"), &station).await.json();
    assert_eq!(edited["signature"][0], "检查单位：新北区应急管理局（盖章）");

    let docx = app.get(&format!("/api/v1/hazards/{id}/writ.docx"), &station).await;
    assert_eq!(docx.status, 200);
    assert_eq!(docx.content_type(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let body = docx_text(&docx.bytes);
    for part in ["安全生产事故隐患整改通知书", "春江街道安监站", "2026年7月15日前", h["number"].as_str().unwrap()]
    {
        assert!(body.contains(part), "the DOCX says {part}");
    }

    // No listing notice before the listing; after it, signed by the 督办单位 on the day of listing.
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}/writ?kind=listing"), &station).await.status, 409);
    let listing = json!({"level": "区", "supervising_unit": "新北区安委办", "document_number": "新安委办督〔2026〕7号", "deadline": "2026-08-31"});
    let r = app.post(&format!("/api/v1/hazards/{id}/listing"), &committee, listing).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let l = app.get(&format!("/api/v1/hazards/{id}/writ?kind=listing"), &station).await.json();
    assert_eq!(l["number"], "新安委办督〔2026〕7号");
    assert_eq!(l["signature"], json!(["督办单位：新北区安委办（盖章）", "2026年6月16日"]));
    assert!(docx_text(&app.get(&format!("/api/v1/hazards/{id}/writ.docx?kind=listing"), &station).await.bytes)
        .contains("区级挂牌督办"));

    // The enterprise receives notices, it does not issue them.
    assert_eq!(app.get(&format!("/api/v1/hazards/{id}/writ"), &ent).await.status, 403);
    let long = "局".repeat(101);
    assert_eq!(
        app.get(&format!("/api/v1/hazards/{id}/writ?issuer={long}"), &station).await.problem(422)["errors"][0]["field"],
        "issuer"
    );
}

#[tokio::test]
async fn a_visit_on_site_clears_the_enterprise_from_the_week_s_patrol_and_a_self_inspection_does_not() {
    let app = TestApp::demo().await;
    let (admin, grid, ent) = (app.login("admin").await, app.login("grid").await, app.login("enterprise").await);
    let line_e = app.get("/api/v1/enterprises?q=安泰化工", &admin).await.json()["items"][0].clone();
    let line = line_e["id"].as_i64().unwrap();
    let checklist = app.get("/api/v1/checklists?sector=危险化学品", &grid).await.json()[0].clone();
    let tpl = app.get(&format!("/api/v1/checklists/{}", checklist["id"]), &grid).await.json();
    let answers: Vec<Value> =
        tpl["items"].as_array().unwrap().iter().map(|i| json!({"code": i["code"], "result": "符合"})).collect();
    let body = |e: i64| json!({"enterprise_id": e, "deadline": "2026-06-30", "answers": answers});
    let path = format!("/api/v1/checklists/{}/runs", tpl["id"]);
    let unvisited = || async {
        let page = app.get("/api/v1/enterprises?not_visited_days=7&page_size=200", &grid).await.json();
        page["items"].as_array().unwrap().iter().any(|e| e["id"] == line)
    };
    // The demo's visits lie on the real calendar; the test clock starts before them, so clear them.
    app.sql("UPDATE enterprise SET last_visit_day = NULL").await;
    assert!(unvisited().await, "never visited: due a patrol");

    // The enterprise inspecting itself is not a visit; it is the month's 自查.
    assert_eq!(app.post(&path, &ent, body(line)).await.status, 201);
    assert!(unvisited().await);
    let todos = app.get("/api/v1/todos", &ent).await.json();
    let mine =
        todos.as_array().unwrap().iter().find(|t| t["key"] == "checklist.self_inspections_this_month").unwrap().clone();
    assert_eq!(mine["count"], 1);
    assert_eq!(mine["link"], "/checklist-runs?by=self&this_month=true");

    // The grid inspector's run is: the enterprise drops off the patrol list for seven days.
    assert_eq!(app.post(&path, &grid, body(line)).await.status, 201);
    assert!(!unvisited().await);
    let e = app.get(&format!("/api/v1/enterprises/{line}"), &grid).await.json();
    assert_eq!(e["last_visit_day"], "2026-06-16", "the Beijing day of the visit");
    let runs = app.get(&format!("/api/v1/checklist-runs?enterprise_id={line}&by=regulator"), &grid).await.json();
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["items"][0]["run_by_role"], "grid");
    assert_eq!(runs["items"][0]["finding_count"], 0);
    app.advance_days(6);
    assert!(!unvisited().await, "visited six days ago: within the week");
    app.advance_days(1);
    assert!(unvisited().await, "seven days ago: due again");
    let expected = format!("not_visited_days={}", anjian_domain::checklist::PATROL_INTERVAL_DAYS);
    let todos = app.get("/api/v1/todos", &grid).await.json();
    let patrol = todos.as_array().unwrap().iter().find(|t| t["key"] == "org.not_visited").unwrap().clone();
    assert_eq!(patrol["link"], format!("/enterprises?{expected}"));
    assert_eq!(patrol["count"], 1, "the grid holds one enterprise");

    // A hazard found on patrol is a visit too.
    assert_eq!(app.post("/api/v1/hazards", &grid, report(line, "一般", "网格巡查", "2026-07-30")).await.status, 201);
    assert!(!unvisited().await);
    assert_eq!(
        app.get("/api/v1/enterprises?not_visited_days=0", &grid).await.problem(422)["errors"][0]["field"],
        "not_visited_days"
    );
}

#[tokio::test]
async fn this_month_s_self_inspections_follow_the_beijing_month() {
    let app = TestApp::demo().await;
    let ent = app.login("enterprise").await;
    let line = line(&app).await;
    let tpl = app.get("/api/v1/checklists?sector=危险化学品", &ent).await.json()[0].clone();
    let tpl = app.get(&format!("/api/v1/checklists/{}", tpl["id"]), &ent).await.json();
    let answers: Vec<Value> =
        tpl["items"].as_array().unwrap().iter().map(|i| json!({"code": i["code"], "result": "符合"})).collect();
    let path = format!("/api/v1/checklists/{}/runs", tpl["id"]);
    let this_month =
        || async { app.get("/api/v1/checklist-runs?by=self&this_month=true", &ent).await.json()["total"].clone() };
    app.sql("DELETE FROM checklist_run").await;
    // 2026-06-30 17:30 UTC is 07-01 01:30 in Beijing: the run belongs to July.
    app.set_clock("2026-06-30T17:30:00Z");
    let r = app.post(&path, &ent, json!({"enterprise_id": line, "deadline": "2026-07-10", "answers": answers})).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(this_month().await, 1);
    let runs = app.get("/api/v1/checklist-runs?by=self", &ent).await.json();
    assert_eq!(runs["items"][0]["run_day"], "2026-07-01");
    assert_eq!(app.get("/api/v1/checklist-runs?from=2026-06-01&to=2026-06-30", &ent).await.json()["total"], 0);
    app.set_clock("2026-07-31T15:59:00Z"); // 07-31 23:59 Beijing
    assert_eq!(this_month().await, 1);
    app.set_clock("2026-07-31T16:00:00Z"); // 08-01 00:00 Beijing
    assert_eq!(this_month().await, 0);
    let x = app.get("/api/v1/checklist-runs/export.xlsx?by=self", &ent).await;
    let rows = xlsx_rows(&x.bytes);
    assert_eq!(rows[0][0], "检查日期");
    assert_eq!(rows[1][0], "2026-07-01");
    assert_eq!(rows[1][3], "企业自查");
}
