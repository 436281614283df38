//! API behaviour through the real router on a real database (SQLite, or PostgreSQL when
//! `ANJIAN_TEST_DATABASE_URL` is set).

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{xlsx_rows, TestApp, PASSWORD};
use serde_json::{json, Value};

/// A valid enterprise body placed in the demo enterprise's community and grid.
async fn new_enterprise_body(app: &TestApp, token: &str, credit_code: &str) -> Value {
    let demo = app.get("/api/v1/enterprises?q=安泰化工", token).await.json()["items"][0].clone();
    json!({
        "name": "常州测试新材料有限公司",
        "credit_code": credit_code,
        "address": "常州市新北区测试路1号",
        "longitude": demo["longitude"], "latitude": demo["latitude"],
        "jurisdiction_id": demo["jurisdiction_id"], "grid_id": demo["grid_id"],
        "sectors": ["危险化学品"], "employees": 80, "contact_phone": "0519-85123456"
    })
}

#[tokio::test]
async fn login_returns_token_user_and_session_cookie() {
    let app = TestApp::demo().await;
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "station", "password": PASSWORD})))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["user"]["username"], "station");
    assert_eq!(v["user"]["role"], "station");
    assert_eq!(v["token"].as_str().unwrap().len(), 64);
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("anjian_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    // The cookie authenticates the UI the same way the token does for API clients.
    let req = Request::get("/api/v1/auth/me")
        .header(header::COOKIE, cookie.split(';').next().unwrap())
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.json()["username"], "station");
}

#[tokio::test]
async fn wrong_password_is_401_and_five_failures_lock_for_fifteen_minutes() {
    let app = TestApp::demo().await;
    let bad = json!({"username": "grid", "password": "wrong-0000"});
    for _ in 0..5 {
        let r = app.call(Method::POST, "/api/v1/auth/login", None, Some(bad.clone())).await;
        assert_eq!(r.problem(401)["detail"], "用户名或密码错误");
    }
    // Even the right password is refused now.
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "grid", "password": PASSWORD})))
        .await;
    r.problem(429);
    let wait: i64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((890..=900).contains(&wait), "Retry-After {wait}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::demo().await;
    let t = app.login("committee").await;
    assert_eq!(app.call(Method::POST, "/api/v1/auth/logout", Some(&t), None).await.status, StatusCode::NO_CONTENT);
    app.get("/api/v1/auth/me", &t).await.problem(401);
}

#[tokio::test]
async fn malformed_requests_get_problem_details_and_write_nothing() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    let before = app.count("enterprise").await;
    let req = |body: &str| {
        Request::post("/api/v1/enterprises")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    app.send(req("{\"name\": ")).await.problem(400);
    let v = app.send(req("{\"name\": \"x\"}")).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "credit_code");
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(2 << 20));
    app.send(req(&big)).await.problem(413);
    let v = app
        .send(
            Request::post("/api/v1/enterprises")
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .body(Body::from("x"))
                .unwrap(),
        )
        .await
        .problem(415);
    assert!(v["detail"].as_str().unwrap().contains("application/json"));
    app.get("/api/v1/no-such-thing", &t).await.problem(404);
    assert_eq!(app.count("enterprise").await, before);
}

#[tokio::test]
async fn forged_or_missing_tokens_are_refused() {
    let app = TestApp::demo().await;
    app.call(Method::GET, "/api/v1/enterprises", None, None).await.problem(401);
    app.get("/api/v1/enterprises", &"0".repeat(64)).await.problem(401);
    app.get("/api/v1/enterprises", "not-a-token").await.problem(401);
    let real = app.login("admin").await;
    let mut forged = real.clone().into_bytes();
    forged[0] = if forged[0] == b'a' { b'b' } else { b'a' };
    app.get("/api/v1/enterprises", &String::from_utf8(forged).unwrap()).await.problem(401);
}

#[tokio::test]
async fn create_enterprise_validates_credit_code_and_audits() {
    let app = TestApp::demo().await;
    let t = app.login("station").await;
    let before = app.count("enterprise").await;
    let audit_before = app.count("audit_log").await;

    // Wrong check character: 422 naming the field, nothing written.
    let body = new_enterprise_body(&app, &t, "91350100M000100Y44").await;
    let v = app.post("/api/v1/enterprises", &t, body).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "credit_code");
    assert!(v["detail"].as_str().unwrap().contains("校验位"));
    assert_eq!(app.count("enterprise").await, before);
    assert_eq!(app.count("audit_log").await, audit_before);

    let body = new_enterprise_body(&app, &t, "91350100M000100Y43").await;
    let r = app.post("/api/v1/enterprises", &t, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let e = r.json();
    assert_eq!(e["credit_code"], "91350100M000100Y43");
    assert_eq!(e["version"], 1);
    assert_eq!(app.count("enterprise").await, before + 1);

    // The same code again is a conflict.
    let v = app.post("/api/v1/enterprises", &t, body).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("统一社会信用代码已存在"));
    assert_eq!(v["errors"][0]["field"], "credit_code");

    // The creation is in the audit log, attributed to the station user.
    let admin = app.login("admin").await;
    let log = app.get("/api/v1/audit?entity=enterprise&action=create", &admin).await.json();
    let rec = &log["items"][0];
    assert_eq!(rec["entity_id"], e["id"]);
    assert!(rec["actor_name"].as_str().unwrap().contains("station"));
    assert_eq!(rec["after"]["credit_code"], "91350100M000100Y43");
}

#[tokio::test]
async fn stale_version_is_a_conflict_and_changes_nothing() {
    let app = TestApp::demo().await;
    let t = app.login("committee").await;
    let e = app.get("/api/v1/enterprises?q=安泰化工", &t).await.json()["items"][0].clone();
    let path = format!("/api/v1/enterprises/{}", e["id"]);
    let ok = app.patch(&path, &t, json!({"employees": 321, "version": e["version"]})).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["version"], 2);
    let v = app.patch(&path, &t, json!({"employees": 5, "version": e["version"]})).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("已被他人修改"));
    assert_eq!(app.get(&path, &t).await.json()["employees"], 321);
}

#[tokio::test]
async fn an_enterprise_with_records_is_not_deleted_and_says_why() {
    let app = TestApp::demo_with_history().await;
    let t = app.login("admin").await;
    // An enterprise without accounts but with hazards on record.
    let with_account: Vec<i64> = app.get("/api/v1/users?page_size=200", &t).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["role"] == "enterprise")
        .filter_map(|u| u["org_id"].as_i64())
        .collect();
    let hazards = app.get("/api/v1/hazards?page_size=200", &t).await.json();
    let id = hazards["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["enterprise_id"].as_i64())
        .find(|id| !with_account.contains(id))
        .unwrap_or_else(|| panic!("a demo enterprise with hazards and no account: {hazards}"));
    let path = format!("/api/v1/enterprises/{id}");
    let e = app.get(&path, &t).await.json();
    let v = app.delete(&format!("{path}?version={}", e["version"]), &t).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("不能删除"), "{v}");
    assert_eq!(app.get(&path, &t).await.json()["version"], e["version"]);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    let body = new_enterprise_body(&app, &t, "914403001922038216").await;
    let send = || {
        Request::post("/api/v1/enterprises")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "phone-retry-1")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let before = app.count("enterprise").await;
    let first = app.send(send()).await;
    let second = app.send(send()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.json()["id"], second.json()["id"]);
    assert_eq!(second.headers.get("idempotent-replay").unwrap(), "true");
    assert_eq!(app.count("enterprise").await, before + 1);
}

#[tokio::test]
async fn keyset_pages_cover_the_list_once() {
    let app = TestApp::demo().await;
    let t = app.login("committee").await;
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let total;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/enterprises?page_size=7&cursor={c}"),
            None => "/api/v1/enterprises?page_size=7".into(),
        };
        let p = app.get(&path, &t).await.json();
        for e in p["items"].as_array().unwrap() {
            assert!(seen.insert(e["id"].as_i64().unwrap()), "duplicate across pages");
        }
        match p["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => {
                total = p["total"].as_i64().unwrap();
                break;
            }
        }
    }
    assert_eq!(seen.len() as i64, total);
    assert_eq!(total, 60);
    app.get("/api/v1/enterprises?cursor=garbage!", &t).await.problem(422);
    app.get("/api/v1/enterprises?page_size=1000", &t).await.problem(422);
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    let all = app.get("/api/v1/enterprises?page_size=200", &t).await.json();
    let chem = app.get("/api/v1/enterprises?page_size=200&sector=危险化学品", &t).await.json();
    let expected = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["sectors"].as_array().unwrap().contains(&json!("危险化学品")))
        .count();
    assert_eq!(chem["total"].as_i64().unwrap() as usize, expected);
    assert!(expected > 0);
    let key = app.get("/api/v1/enterprises?page_size=200&key_enterprise=true", &t).await.json();
    assert!(key["items"].as_array().unwrap().iter().all(|e| e["key_enterprise"] == true));
    let one = &all["items"][3];
    let by_code =
        app.get(&format!("/api/v1/enterprises?q={}", &one["credit_code"].as_str().unwrap()[..12]), &t).await.json();
    assert!(by_code["items"].as_array().unwrap().iter().any(|e| e["id"] == one["id"]));
    let street = app.get("/api/v1/jurisdictions?level=street&q=春江", &t).await.json()["items"][0]["id"].clone();
    let in_street = app.get(&format!("/api/v1/enterprises?page_size=200&jurisdiction_id={street}"), &t).await.json();
    let station = app.login("station").await;
    assert_eq!(in_street["total"], app.get("/api/v1/enterprises", &station).await.json()["total"]);
}

#[tokio::test]
async fn export_holds_exactly_the_filtered_rows() {
    let app = TestApp::demo().await;
    let t = app.login("committee").await;
    let list = app.get("/api/v1/enterprises?page_size=200&sector=危险化学品", &t).await.json();
    let r = app.get("/api/v1/enterprises/export.xlsx?sector=危险化学品", &t).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().contains("spreadsheetml"));
    assert!(r.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains("filename*=UTF-8''"));
    let rows = xlsx_rows(&r.bytes);
    assert_eq!(rows[0][0], "企业名称");
    assert_eq!(rows.len() - 1, list["total"].as_u64().unwrap() as usize);
    let names: std::collections::HashSet<&str> =
        list["items"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    for row in &rows[1..] {
        assert!(names.contains(row[0].as_str()));
        assert!(row[4].contains("危险化学品"));
    }
}

#[tokio::test]
async fn the_export_cap_is_a_setting_and_an_export_over_it_writes_nothing() {
    let app = TestApp::demo_with(|c| c.max_export_rows = 3).await;
    let t = app.login("committee").await;
    let total = app.get("/api/v1/enterprises?page_size=1", &t).await.json()["total"].as_i64().unwrap();
    assert!(total > 3);
    let r = app.get("/api/v1/enterprises/export.xlsx", &t).await;
    let p = r.problem(422);
    assert!(p["detail"].as_str().unwrap().contains("上限3条"), "{p}");
    // Within the cap: the whole file, its length announced, every row there.
    let name =
        app.get("/api/v1/enterprises?page_size=1", &t).await.json()["items"][0]["name"].as_str().unwrap().to_string();
    let n = app.get(&format!("/api/v1/enterprises?page_size=1&q={name}"), &t).await.json()["total"].as_i64().unwrap();
    assert!((1..=3).contains(&n), "{name}: {n}");
    let r = app.get(&format!("/api/v1/enterprises/export.xlsx?q={name}"), &t).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_LENGTH].to_str().unwrap(), r.bytes.len().to_string());
    assert_eq!(xlsx_rows(&r.bytes).len() as i64 - 1, n);
}

/// An import file in template layout: header, hint row, then the given rows.
fn import_file(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in
        ["企业名称*", "统一社会信用代码*", "所属辖区*", "所属网格", "行业领域*", "从业人数"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "必填").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
        ws.write_number(r as u32 + 2, 5, 12.0).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn import_reports_every_bad_row_and_imports_all_or_nothing() {
    let app = TestApp::demo().await;
    let t = app.login("station").await;
    let comm = app.get("/api/v1/jurisdictions?level=community&page_size=1", &t).await.json()["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let file = import_file(&[
        ["导入甲有限公司", "914403001922038216", &comm, "", "燃气"],
        ["导入乙有限公司", "914403001922038217", &comm, "", "燃气"],
        ["导入丙有限公司", "91330100716105852F", &comm, "", "挖矿、燃气"],
        ["导入丁有限公司", "91110000710926094P", &comm, "", "建筑施工"],
    ]);
    let before = app.count("enterprise").await;
    let v = app.upload("/api/v1/enterprises/import", &t, file.clone()).await.problem(422);
    let errs = v["errors"].as_array().unwrap();
    assert_eq!(errs.len(), 2, "{v}");
    assert_eq!((errs[0]["row"].as_i64(), errs[0]["column"].as_str()), (Some(4), Some("统一社会信用代码")));
    assert_eq!((errs[1]["row"].as_i64(), errs[1]["column"].as_str()), (Some(5), Some("行业领域")));
    assert!(errs[1]["message"].as_str().unwrap().contains("挖矿"));
    assert_eq!(app.count("enterprise").await, before);

    let r = app.upload("/api/v1/enterprises/import?partial=true", &t, file).await;
    assert_eq!(r.status, StatusCode::OK);
    let rep = r.json();
    assert_eq!((rep["imported"].as_i64(), rep["failed"].as_i64()), (Some(2), Some(2)));
    assert_eq!(app.count("enterprise").await, before + 2);
    let found = app.get("/api/v1/enterprises?q=导入甲", &t).await.json();
    assert_eq!(found["items"][0]["employees"], 12);
}

#[tokio::test]
async fn import_refuses_a_jurisdiction_outside_scope_and_a_non_excel_file() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let other = app.get("/api/v1/jurisdictions?level=street&q=三井", &admin).await.json()["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let t = app.login("station").await;
    let v = app
        .upload(
            "/api/v1/enterprises/import",
            &t,
            import_file(&[["越界有限公司", "914403001922038216", &other, "", "燃气"]]),
        )
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["column"], "所属辖区");
    app.upload("/api/v1/enterprises/import", &t, b"not excel".to_vec()).await.problem(422);
    // Roles that may not import are refused before the file is read.
    let g = app.login("grid").await;
    app.upload("/api/v1/enterprises/import", &g, import_file(&[])).await.problem(403);
}

#[tokio::test]
async fn import_template_has_the_columns_the_importer_reads() {
    let app = TestApp::demo().await;
    let t = app.login("station").await;
    let r = app.get("/api/v1/enterprises/import/template.xlsx", &t).await;
    let rows = xlsx_rows(&r.bytes);
    assert_eq!(rows[0][0], "企业名称*");
    assert!(rows[0].contains(&"统一社会信用代码*".to_string()));
    // Uploading the untouched template says there are no data rows.
    let v = app.upload("/api/v1/enterprises/import", &t, r.bytes).await.problem(422);
    assert!(v["detail"].as_str().unwrap().contains("没有数据行"));
}

#[tokio::test]
async fn audit_chain_verifies_and_tampering_is_found() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    let v = app.get("/api/v1/audit/verify", &t).await.json();
    assert_eq!(v["ok"], true);
    let n = v["checked"].as_i64().unwrap();
    assert!(n > 200, "demo writes are audited: {n}");
    app.sql("UPDATE audit_log SET summary = '被改过' WHERE id = 17").await;
    let v = app.get("/api/v1/audit/verify", &t).await.json();
    assert_eq!((v["ok"].as_bool(), v["first_broken_id"].as_i64()), (Some(false), Some(17)));
}

#[tokio::test]
async fn deleting_an_audit_record_breaks_the_chain() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    app.sql("DELETE FROM audit_log WHERE id = 40").await;
    assert_eq!(app.get("/api/v1/audit/verify", &t).await.json()["first_broken_id"], 41);
}

#[tokio::test]
async fn audit_log_filters_and_is_for_admin_and_committee_only() {
    let app = TestApp::demo().await;
    let c = app.login("committee").await;
    let log = app.get("/api/v1/audit?entity=jurisdiction&page_size=5", &c).await.json();
    assert!(log["total"].as_i64().unwrap() > 100);
    assert!(log["items"].as_array().unwrap().iter().all(|r| r["entity"] == "jurisdiction"));
    // Newest first.
    assert!(log["items"][0]["id"].as_i64() > log["items"][1]["id"].as_i64());
    let x = app.get("/api/v1/audit/export.xlsx?entity=department", &c).await;
    assert_eq!(xlsx_rows(&x.bytes).len(), 11);
    for role in ["station", "grid", "enterprise", "department", "expert"] {
        let t = app.login(role).await;
        app.get("/api/v1/audit", &t).await.problem(403);
    }
}

#[tokio::test]
async fn password_change_and_forced_change() {
    let app = TestApp::demo().await;
    let t = app.login("grid").await;
    let v = app
        .post("/api/v1/auth/password", &t, json!({"old_password": "nope", "new_password": "Better2026x"}))
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["field"], "old_password");
    app.post("/api/v1/auth/password", &t, json!({"old_password": PASSWORD, "new_password": "short"}))
        .await
        .problem(422);
    let ok =
        app.post("/api/v1/auth/password", &t, json!({"old_password": PASSWORD, "new_password": "Better2026x"})).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "grid", "password": "Better2026x"})))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Outside demo mode the demo accounts must change their known password first.
    anjian_store::demo::force_password_change(&app.store).await.unwrap();
    let s = app.login("station").await;
    assert_eq!(app.get("/api/v1/auth/me", &s).await.json()["must_change_password"], true);
    let v = app.get("/api/v1/enterprises", &s).await.problem(403);
    assert!(v["detail"].as_str().unwrap().contains("修改初始密码"));
}

#[tokio::test]
async fn admin_manages_users_and_a_new_user_must_change_password() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let street = app.get("/api/v1/jurisdictions?level=street&page_size=1", &a).await.json()["items"][0]["id"].clone();
    let body = json!({"username": "zhangsan", "display_name": "张三", "role": "station", "org_id": street, "password": "Start2026ab"});
    let r = app.post("/api/v1/users", &a, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let u = r.json();
    assert_eq!(u["must_change_password"], true);
    app.post("/api/v1/users", &a, body).await.problem(409);
    let bad = json!({"username": "Li Si", "display_name": "李四", "role": "boss", "org_id": 1, "password": "x"});
    app.post("/api/v1/users", &a, bad).await.problem(422);
    let wrong_org = json!({"username": "lisi", "display_name": "李四", "role": "enterprise", "org_id": 999999, "password": "Start2026ab"});
    assert_eq!(app.post("/api/v1/users", &a, wrong_org).await.problem(422)["errors"][0]["field"], "org_id");
    // Disable: the user's sessions end.
    let z = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "zhangsan", "password": "Start2026ab"})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r =
        app.patch(&format!("/api/v1/users/{}", u["id"]), &a, json!({"active": false, "version": u["version"]})).await;
    assert_eq!(r.json()["active"], false);
    app.get("/api/v1/auth/me", &z).await.problem(401);
    let x = app.get("/api/v1/users/export.xlsx?q=zhangsan", &a).await;
    assert_eq!(xlsx_rows(&x.bytes)[1][..3], ["zhangsan", "张三", "街道安监站"]);
    let r = app.delete(&format!("/api/v1/users/{}?version=2", u["id"]), &a).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn jurisdiction_tree_and_crud() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let tree = app.get("/api/v1/jurisdictions/tree", &a).await.json();
    assert_eq!(tree[0]["name"], "常州市");
    assert_eq!(tree[0]["children"][0]["name"], "新北区");
    assert_eq!(tree[0]["children"][0]["children"].as_array().unwrap().len(), 6);
    let s = app.login("station").await;
    let x = app.get("/api/v1/jurisdictions/export.xlsx?level=street", &s).await;
    assert_eq!(xlsx_rows(&x.bytes).len(), 2, "a station exports its own street only");
    let st = app.get("/api/v1/jurisdictions/tree", &s).await.json();
    assert_eq!(st.as_array().unwrap().len(), 1);
    assert_eq!(st[0]["name"], "春江街道");
    assert_eq!(st[0]["children"].as_array().unwrap().len(), 5);

    let street = st[0]["id"].clone();
    let v = app
        .post("/api/v1/jurisdictions", &a, json!({"parent_id": street, "level": "district", "name": "错层"}))
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["field"], "level");
    app.post(
        "/api/v1/jurisdictions",
        &a,
        json!({"parent_id": street, "level": "community", "name": "x", "code": "12ab"}),
    )
    .await
    .problem(422);
    let r = app
        .post("/api/v1/jurisdictions", &a, json!({"parent_id": street, "level": "community", "name": "新建社区"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let n = r.json();
    assert!(n["path"].as_str().unwrap().ends_with(&format!("/{}/", n["id"])));
    // Only admin manages the tree.
    app.post("/api/v1/jurisdictions", &s, json!({"parent_id": street, "level": "community", "name": "y"}))
        .await
        .problem(403);
    // A node with children or enterprises cannot go.
    let v = app.delete(&format!("/api/v1/jurisdictions/{street}?version=1"), &a).await.problem(409);
    assert!(v["detail"].as_str().unwrap().contains("下级区划"));
    let r = app.delete(&format!("/api/v1/jurisdictions/{}?version=1", n["id"]), &a).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn departments_crud_with_sector_validation() {
    let app = TestApp::demo().await;
    let c = app.login("committee").await;
    let district = app.get("/api/v1/jurisdictions?level=district", &c).await.json()["items"][0]["id"].clone();
    let v = app
        .post("/api/v1/departments", &c, json!({"jurisdiction_id": district, "name": "新部门", "sectors": ["炼丹"]}))
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["field"], "sectors");
    let r = app
        .post(
            "/api/v1/departments",
            &c,
            json!({"jurisdiction_id": district, "name": "新北区水利局", "sectors": ["有限空间"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.post(
        "/api/v1/departments",
        &c,
        json!({"jurisdiction_id": district, "name": "新北区水利局", "sectors": ["有限空间"]}),
    )
    .await
    .problem(409);
    let d = r.json();
    let r = app
        .patch(&format!("/api/v1/departments/{}", d["id"]), &c, json!({"sectors": ["有限空间", "燃气"], "version": 1}))
        .await;
    assert_eq!(r.json()["sectors"], json!(["有限空间", "燃气"]));
    assert_eq!(app.get("/api/v1/departments", &c).await.json()["total"], 11);
    let x = app.get("/api/v1/departments/export.xlsx?q=水利", &c).await;
    assert_eq!(
        xlsx_rows(&x.bytes),
        [vec!["部门名称", "所属辖区", "监管行业"], vec!["新北区水利局", "新北区", "有限空间、燃气"]]
    );
}

#[tokio::test]
async fn openapi_documents_every_route() {
    let app = TestApp::empty().await;
    let r = app.call(Method::GET, "/api/openapi.json", None, None).await;
    let doc = r.json();
    assert_eq!(&doc["openapi"].as_str().unwrap()[..3], "3.1");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/jurisdictions",
        "/api/v1/jurisdictions/tree",
        "/api/v1/jurisdictions/{id}",
        "/api/v1/departments",
        "/api/v1/departments/{id}",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{id}",
        "/api/v1/enterprises/export.xlsx",
        "/api/v1/enterprises/import",
        "/api/v1/enterprises/import/template.xlsx",
        "/api/v1/audit",
        "/api/v1/jurisdictions/export.xlsx",
        "/api/v1/departments/export.xlsx",
        "/api/v1/users/export.xlsx",
        "/api/v1/audit/export.xlsx",
        "/api/v1/audit/verify",
        "/api/v1/audit/checkpoints",
        "/api/v1/meta/sectors",
        "/api/v1/meta/roles",
        "/api/v1/hazards",
        "/api/v1/hazards/{id}/rectify",
        "/api/v1/hazards/{id}/submit",
        "/api/v1/hazards/{id}/verify",
        "/api/v1/hazards/{id}/reject",
        "/api/v1/hazards/{id}/close",
        "/api/v1/hazards/{id}/listing",
        "/api/v1/hazards/stats",
        "/api/v1/hazard-listings/summary",
        "/api/v1/checklists/{id}/runs",
        "/api/v1/notifications",
        "/api/v1/files",
        "/api/v1/risk/assess",
        "/api/v1/risk/major-hazard/assess",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::empty().await;
    let h = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(h.json()["status"], "ok");
    app.call(Method::GET, "/api/v1/enterprises", None, None).await;
    let m = String::from_utf8(app.call(Method::GET, "/metrics", None, None).await.bytes).unwrap();
    assert!(m.contains("anjian_http_requests_total{class=\"4xx\"} 1"), "{m}");
    assert!(m.contains("anjian_database_up 1"));
}

#[tokio::test]
async fn a_changed_applied_migration_refuses_to_start() {
    let app = TestApp::empty().await;
    // Applying again is a no-op.
    app.store.migrate().await.expect("migrations are idempotent");
    app.sql("UPDATE schema_version SET checksum = 'edited' WHERE version = 2").await;
    let e = app.store.migrate().await.expect_err("a changed migration is refused").to_string();
    assert!(e.contains("第2号迁移") && e.contains("校验和不符"), "{e}");
}

/// The whole OpenAPI document equals the checked-in `docs/openapi.json`, from which the web UI's
/// types are generated: a route or a field cannot change unnoticed. After an intended change,
/// `ANJIAN_UPDATE_OPENAPI=1 cargo test -p anjian-server --test api openapi` rewrites the file.
#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::empty().await;
    let r = app.call(Method::GET, "/api/openapi.json", None, None).await;
    let doc: Value = r.json();
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("ANJIAN_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &pretty).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    let snapshot: Value = serde_json::from_str(&snapshot).unwrap_or(Value::Null);
    if snapshot != doc {
        let mut changed = vec![];
        json_diff("", &snapshot, &doc, &mut changed);
        panic!(
            "the API changed against docs/openapi.json at {changed:?}; if intended, run with ANJIAN_UPDATE_OPENAPI=1 \
             and rebuild the web UI (its types are generated from the file)"
        );
    }
}

/// The JSON pointers at which two documents differ (the first 20).
fn json_diff(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if out.len() >= 20 || old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let next = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                json_diff(&next, a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null), out);
            }
        }
        _ => out.push(at.to_string()),
    }
}

/// An export longer than one page (1,000 rows are read and written at a time) holds every row of
/// the list once, in the list's order.
#[tokio::test]
async fn an_export_of_more_than_one_page_holds_every_row_once() {
    let app = TestApp::empty().await;
    anjian_store::demo::generate(&app.store, 11, 1_150, 0, |_, _, _| {}).await.expect("demo");
    let a = app.login("admin").await;
    let total = app.get("/api/v1/enterprises?page_size=1", &a).await.json()["total"].as_i64().unwrap();
    assert!(total > 1_000, "{total}");
    let rows = xlsx_rows(&app.get("/api/v1/enterprises/export.xlsx", &a).await.bytes);
    assert_eq!(rows.len() as i64, total + 1);
    let codes: std::collections::HashSet<&String> = rows[1..].iter().map(|r| &r[1]).collect();
    assert_eq!(codes.len() as i64, total, "no row twice");
    let first = &app.get("/api/v1/enterprises?page_size=1", &a).await.json()["items"][0];
    assert_eq!(rows[1][1], first["credit_code"].as_str().unwrap());
}

/// Every table that an enterprise owns (`enterprise_id` and `scope_path` columns) is listed once
/// in `store::scope`, as moving with the enterprise or staying where recorded: a new area's table
/// cannot be forgotten when an enterprise moves.
#[tokio::test]
async fn the_tables_an_enterprise_owns_are_listed_once() {
    use sqlx::Row;
    let app = TestApp::empty().await;
    let sql = match app.store.backend {
        anjian_store::Backend::Sqlite => {
            "SELECT m.name AS t FROM sqlite_master m WHERE m.type = 'table' \
            AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'enterprise_id') \
            AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'scope_path') ORDER BY m.name"
        }
        anjian_store::Backend::Postgres => {
            "SELECT c.table_name::TEXT AS t FROM information_schema.columns c \
            WHERE c.table_schema = current_schema() AND c.column_name = 'enterprise_id' AND EXISTS (SELECT 1 FROM \
            information_schema.columns d WHERE d.table_schema = c.table_schema AND d.table_name = c.table_name \
            AND d.column_name = 'scope_path') ORDER BY 1"
        }
    };
    let found: Vec<String> =
        sqlx::query(sql).fetch_all(app.store.pool()).await.unwrap().iter().map(|r| r.get("t")).collect();
    let mut listed: Vec<String> = anjian_store::scope::MOVES_WITH_ENTERPRISE
        .iter()
        .chain(anjian_store::scope::STAYS_WHERE_RECORDED)
        .map(|t| t.to_string())
        .collect();
    listed.sort();
    assert_eq!(found, listed);
}

/// Search boxes find text as typed: `%` and `_` are themselves, not wildcards, and letters match
/// in either case on both engines.
#[tokio::test]
async fn search_escapes_wildcards_and_ignores_case_on_both_engines() {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let all = app.get("/api/v1/enterprises?page_size=1", &a).await.json()["total"].as_i64().unwrap();
    assert!(all > 0);
    assert_eq!(app.get("/api/v1/enterprises?q=%25", &a).await.json()["total"], 0, "a literal %");
    assert_eq!(app.get("/api/v1/users?q=_", &a).await.json()["total"], 0, "a literal _");
    let upper = app.get("/api/v1/users?q=STATION", &a).await.json();
    assert!(upper["items"].as_array().unwrap().iter().any(|u| u["username"] == "station"), "{upper}");
    let c = app.login("committee").await;
    let found = app.get("/api/v1/enterprises?q=安泰化工", &c).await.json()["total"].as_i64().unwrap();
    assert_eq!(found, 1);
}

/// What schemathesis found the document did not say (docs/RELIABILITY.md): the dictionaries are
/// public, page sizes are 1–200, quotas and their year are bounded, user names have a pattern and
/// passwords a length. The document states each rule, and the server keeps it.
#[tokio::test]
async fn the_document_states_the_rules_the_server_keeps() {
    let app = TestApp::demo().await;
    let doc = app.call(Method::GET, "/api/openapi.json", None, None).await.json();
    for p in ["/api/v1/meta/sectors", "/api/v1/meta/roles"] {
        assert_eq!(doc["paths"][p]["get"]["security"], json!([]), "{p} is public");
        assert_eq!(app.call(Method::GET, p, None, None).await.status, StatusCode::OK, "{p}");
    }
    let page_size = doc["paths"]["/api/v1/hazards"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page_size")
        .unwrap()["schema"]
        .clone();
    assert_eq!((page_size["minimum"].as_i64(), page_size["maximum"].as_i64()), (Some(1), Some(200)));
    let token = app.login("admin").await;
    for (size, status) in [
        (0, StatusCode::UNPROCESSABLE_ENTITY),
        (1, StatusCode::OK),
        (200, StatusCode::OK),
        (201, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_eq!(app.get(&format!("/api/v1/hazards?page_size={size}"), &token).await.status, status, "{size}");
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["QuotaBody"]["properties"]["year"]["minimum"], 2000);
    assert_eq!(schemas["QuotaBody"]["properties"]["year"]["maximum"], 2100);
    assert_eq!(schemas["QuotaBody"]["properties"]["city"]["maximum"], 10000);
    let quota = |year: i64, city: i64| json!({"year": year, "city": city, "district": 0, "street": 0});
    let put = |body: Value| {
        let req = Request::put("/api/v1/hazard-listings/quota")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.send(req)
    };
    assert_eq!(put(quota(2100, 10000)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(put(quota(2101, 0)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(quota(2026, 10001)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(schemas["UserInput"]["properties"]["username"]["pattern"], "^[a-z0-9_.-]{3,32}$");
    assert_eq!(schemas["UserInput"]["properties"]["password"]["minLength"], 8);
    assert_eq!(schemas["LoginRequest"]["properties"]["password"]["minLength"], 1);
    // A download answers under the file's own content type (an image/png, a PDF…).
    assert!(doc["paths"]["/api/v1/files/{id}"]["get"]["responses"]["200"]["content"]["*/*"].is_object());
    let period = doc["paths"]["/api/v1/enterprises/{id}/hazard-report"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "period")
        .unwrap()["schema"]["pattern"]
        .clone();
    assert_eq!(period, "^(20[0-9]{2}|2100)(Q[1-4])?$");
    let e = app.login("enterprise").await;
    let me = app.get("/api/v1/auth/me", &e).await.json();
    let report = format!("/api/v1/enterprises/{}/hazard-report", me["org_id"]);
    assert_eq!(app.get(&format!("{report}?period=2100Q4"), &e).await.status, StatusCode::OK);
    app.get(&format!("{report}?period=1999"), &e).await.problem(422);

    // Texts never hold NUL: a pattern on every free text, and the server refuses it.
    let hazards = doc["paths"]["/api/v1/hazards"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| hazards.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
    assert_eq!(param("q")["pattern"], "^[^\\u0000]*$");
    assert_eq!(schemas["LoginRequest"]["properties"]["password"]["pattern"], "^[^\\u0000]*$");
    app.get("/api/v1/hazards?q=a%00b", &e).await.problem(400);
    // An optional date filter is a date or empty, and the server takes empty as no filter.
    assert_eq!(param("from")["anyOf"], json!([{"format": "date"}, {"maxLength": 0}]));
    assert_eq!(app.get("/api/v1/hazards?from=&to=", &e).await.status, StatusCode::OK);
    app.get("/api/v1/hazards?from=2026-02-30", &e).await.problem(422);
    // A path id that is no integer is a malformed request (400), documented on each such path.
    let get_hazard = &doc["paths"]["/api/v1/hazards/{id}"]["get"]["responses"];
    assert!(get_hazard["400"].is_object() && get_hazard["404"].is_object());
    app.get("/api/v1/hazards/9223372036854775808", &e).await.problem(400);
    // A filter or body naming a row by id may answer 404 (outside the caller's scope).
    assert!(doc["paths"]["/api/v1/hazards/stats"]["get"]["responses"]["404"].is_object());
    assert!(doc["paths"]["/api/v1/risk/bands"]["put"]["responses"]["404"].is_object());
    assert!(doc["paths"]["/api/v1/auth/password"]["post"]["responses"]["404"].is_null());
}

/// Five different errors in three rows are all reported in one pass (one per cell at fault),
/// the report counts rows, and the error workbook holds exactly the bad rows as uploaded with
/// their reasons.
#[tokio::test]
async fn an_import_reports_every_error_of_every_row_at_once_and_gives_them_back_as_a_workbook() {
    let app = TestApp::demo().await;
    let t = app.login("station").await;
    let comm = app.get("/api/v1/jurisdictions?level=community&page_size=1", &t).await.json()["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let headers = anjian_domain::org::import::COLUMNS.map(|c| c.0);
    let blank = |name: &str, code: &str, place: &str| {
        let mut r = vec![String::new(); headers.len()];
        (r[0], r[1], r[2], r[4]) = (name.into(), code.into(), place.into(), "燃气".into());
        r
    };
    let mut rows =
        vec![blank("", "914403001922038216", &comm), blank("错误乙有限公司", "91440300192203821X", "不存在街道")];
    rows[0][10] = "十二".into(); // 从业人数
    let mut third = blank("错误丙有限公司", "91330100716105852F", &comm);
    third[8] = "也许".into(); // 规模以上
    rows.push(third);
    rows.push(blank("正确丁有限公司", "91110000710926094P", &comm));
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    let file = wb.save_to_buffer().unwrap();
    let before = app.count("enterprise").await;
    let v = app.upload("/api/v1/enterprises/import", &t, file.clone()).await.problem(422);
    let got: Vec<(i64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [(2, "企业名称"), (2, "从业人数"), (3, "统一社会信用代码"), (3, "所属辖区"), (4, "规模以上")],
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap().starts_with("共4行，其中3行有误（5处）"), "{v}");
    assert_eq!(app.count("enterprise").await, before);

    let r = app.upload("/api/v1/enterprises/import/errors.xlsx", &t, file.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    let sheet = xlsx_rows(&r.bytes);
    assert_eq!(sheet.len(), 4, "header and the three bad rows: {sheet:?}");
    assert_eq!((sheet[0][0].as_str(), sheet[0].last().unwrap().as_str()), ("行号", "错误原因"));
    assert_eq!(sheet[2][2], "91440300192203821X", "the row as uploaded");
    assert!(sheet[2].last().unwrap().contains("所属辖区："), "{:?}", sheet[2]);
    assert_eq!(app.count("enterprise").await, before, "the error workbook writes nothing");

    let rep = app.upload("/api/v1/enterprises/import?partial=true", &t, file).await.json();
    assert_eq!((rep["rows"].as_i64(), rep["imported"].as_i64(), rep["failed"].as_i64()), (Some(4), Some(1), Some(3)));
}

#[tokio::test]
async fn the_import_template_offers_the_callers_jurisdictions_and_the_sectors_as_dropdowns() {
    use calamine::Reader;
    let app = TestApp::demo().await;
    let t = app.login("station").await;
    let r = app.get("/api/v1/enterprises/import/template.xlsx", &t).await;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.bytes.to_vec())).unwrap();
    assert_eq!(wb.sheet_names(), ["企业导入", "可选值"]);
    let values = wb.worksheet_range("可选值").unwrap();
    let column = |c: usize| -> Vec<String> {
        values.rows().skip(1).filter_map(|r| r.get(c)).map(|v| v.to_string()).filter(|s| !s.is_empty()).collect()
    };
    let places = column(0);
    assert!(places.contains(&"春江街道".to_string()), "{places:?}");
    assert!(!places.iter().any(|p| p.contains("三井")), "only the station's own street and below");
    assert!(column(2).contains(&"危险化学品".to_string()));
    assert_eq!(column(3), ["是", "否"]);
}
