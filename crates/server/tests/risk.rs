//! The risk calculators through the real router.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn lec_and_ls_calculators() {
    let app = TestApp::admin_only().await;
    let t = app.login("admin").await;
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
    let app = TestApp::admin_only().await;
    let t = app.login("admin").await;
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

fn point(enterprise: i64, name: &str, scores: serde_json::Value) -> serde_json::Value {
    json!({"enterprise_id": enterprise, "name": name, "kind": "场所", "location": "罐区", "hazard_factors": "液氯泄漏",
           "accident_types": ["中毒和窒息"], "measures": {"engineering": "泄漏报警与紧急切断", "management": "巡检制度",
           "ppe": "正压式空气呼吸器", "emergency": "泄漏现场处置方案"}, "responsible": "张伟", "control_level": "公司",
           "scores": scores, "next_review": "2027-06-30"})
}

/// Reports an open 重大 hazard at a risk point of `enterprise`.
async fn major_hazard_at(app: &TestApp, token: &str, enterprise: i64, point: &serde_json::Value) -> serde_json::Value {
    let body = json!({"enterprise_id": enterprise, "description": "包装机防护联锁失效", "grade": "重大",
                      "source": "政府检查", "deadline": "2026-08-01", "risk_point_id": point});
    let r = app.post("/api/v1/hazards", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()
}

async fn line_enterprise(app: &TestApp) -> i64 {
    let a = app.login("admin").await;
    app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn risk_points_are_assessed_and_the_enterprise_takes_the_highest() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let e = app.login("enterprise").await;
    let v = app
        .post("/api/v1/risk/points", &e, point(line, "", json!({"method": "LEC", "l": 7, "e": 6, "c": 15})))
        .await
        .problem(422);
    let fields: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "scores.l"]);
    let r = app
        .post("/api/v1/risk/points", &e, point(line, "液氯储罐区", json!({"method": "LEC", "l": 6, "e": 6, "c": 15})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let tank = r.json();
    assert_eq!(
        (tank["score"].as_f64(), tank["level"].as_str(), tank["color"].as_str()),
        (Some(540.0), Some("重大"), Some("red"))
    );
    app.post("/api/v1/risk/points", &e, point(line, "包装车间", json!({"method": "LS", "l": 2, "s": 3}))).await;
    let risk = app.get(&format!("/api/v1/enterprises/{line}/risk"), &e).await.json();
    assert_eq!((risk["level"].as_str(), risk["source"].as_str()), (Some("重大"), Some("computed")));
    // Lowering the tank's assessment lowers the enterprise.
    let r = app
        .patch(
            &format!("/api/v1/risk/points/{}", tank["id"]),
            &e,
            json!({"scores": {"method": "LEC", "l": 3, "e": 6, "c": 15}, "version": 1}),
        )
        .await;
    assert_eq!(r.json()["level"], "较大");
    assert_eq!(app.get(&format!("/api/v1/enterprises/{line}/risk"), &e).await.json()["level"], "较大");
    // The register exports.
    let x = app.get("/api/v1/risk/points/export.xlsx", &e).await;
    let rows = common::xlsx_rows(&x.bytes);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1], "风险点");
}

#[tokio::test]
async fn an_open_major_hazard_at_a_point_shows_it_red_until_closed() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let s = app.login("station").await;
    let p = app
        .post("/api/v1/risk/points", &s, point(line, "包装车间", json!({"method": "LS", "l": 2, "s": 3})))
        .await
        .json();
    assert_eq!(p["level"], "一般");
    let h = major_hazard_at(&app, &s, line, &p["id"]).await;
    let now = app.get(&format!("/api/v1/risk/points/{}", p["id"]), &s).await.json();
    assert_eq!((now["level"].as_str(), now["assessed_level"].as_str()), (Some("重大"), Some("一般")));
    assert!(now["level_reason"].as_str().unwrap().contains(h["number"].as_str().unwrap()));
    assert_eq!(app.get(&format!("/api/v1/enterprises/{line}/risk"), &s).await.json()["level"], "重大");
    app.post(&format!("/api/v1/hazards/{}/reject", h["id"]), &s, json!({"reason": "复核为一般隐患"})).await;
    assert_eq!(app.get(&format!("/api/v1/risk/points/{}", p["id"]), &s).await.json()["level"], "一般");
    // A risk point of another enterprise cannot be linked.
    let a = app.login("admin").await;
    let other = app.get("/api/v1/enterprises?page_size=5", &a).await.json()["items"][2]["id"].clone();
    let v = app
        .post(
            "/api/v1/hazards",
            &a,
            json!({"enterprise_id": other, "description": "x", "grade": "一般",
        "source": "政府检查", "deadline": "2026-08-01", "risk_point_id": p["id"]}),
        )
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["field"], "risk_point_id");
}

#[tokio::test]
async fn only_the_committee_overrides_an_enterprise_level_with_a_reason() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let e = app.login("enterprise").await;
    app.post("/api/v1/risk/points", &e, point(line, "包装车间", json!({"method": "LS", "l": 2, "s": 3}))).await;
    let body = json!({"level": "较大", "reason": "涉及两重点一重大，按较大风险管控"});
    for role in ["enterprise", "station", "department", "grid"] {
        let t = app.login(role).await;
        app.call(axum::http::Method::PUT, &format!("/api/v1/enterprises/{line}/risk"), Some(&t), Some(body.clone()))
            .await
            .problem(403);
    }
    let c = app.login("committee").await;
    app.call(
        axum::http::Method::PUT,
        &format!("/api/v1/enterprises/{line}/risk"),
        Some(&c),
        Some(json!({"level": "较大", "reason": ""})),
    )
    .await
    .problem(422);
    let r = app
        .call(axum::http::Method::PUT, &format!("/api/v1/enterprises/{line}/risk"), Some(&c), Some(body))
        .await
        .json();
    assert_eq!(
        (r["level"].as_str(), r["source"].as_str(), r["computed_level"].as_str()),
        (Some("较大"), Some("override"), Some("一般"))
    );
    let log = app.get("/api/v1/audit?action=risk_override", &c).await.json();
    assert!(log["items"][0]["summary"].as_str().unwrap().contains("两重点一重大"));
    let r = app
        .call(
            axum::http::Method::PUT,
            &format!("/api/v1/enterprises/{line}/risk"),
            Some(&c),
            Some(json!({"level": null})),
        )
        .await
        .json();
    assert_eq!((r["level"].as_str(), r["source"].as_str()), (Some("一般"), Some("computed")));
}

#[tokio::test]
async fn risk_points_follow_scope() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let a = app.login("admin").await;
    let ids: Vec<i64> = app.get("/api/v1/enterprises?page_size=60", &a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let s = app.login("station").await;
    let mine: Vec<i64> = app.get("/api/v1/enterprises?page_size=60", &s).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let other = *ids.iter().find(|i| !mine.contains(i)).unwrap();
    let theirs = app
        .post("/api/v1/risk/points", &a, point(other, "外街道风险点", json!({"method": "LS", "l": 1, "s": 1})))
        .await
        .json();
    let ours = app
        .post("/api/v1/risk/points", &a, point(line, "本街道风险点", json!({"method": "LS", "l": 1, "s": 1})))
        .await
        .json();
    for role in ["station", "grid", "enterprise"] {
        let t = app.login(role).await;
        app.get(&format!("/api/v1/risk/points/{}", theirs["id"]), &t).await.problem(404);
        assert_eq!(app.get(&format!("/api/v1/risk/points/{}", ours["id"]), &t).await.status, StatusCode::OK, "{role}");
        let v =
            app.post("/api/v1/risk/points", &t, point(other, "越界", json!({"method": "LS", "l": 1, "s": 1}))).await;
        assert!(
            v.status == StatusCode::UNPROCESSABLE_ENTITY || v.status == StatusCode::FORBIDDEN,
            "{role}: {}",
            v.status
        );
    }
    // Grid inspectors and experts read but do not keep the register.
    let g = app.login("grid").await;
    app.post("/api/v1/risk/points", &g, point(line, "网格员新增", json!({"method": "LS", "l": 1, "s": 1})))
        .await
        .problem(403);
}

#[tokio::test]
async fn map_layers_are_scoped_coloured_and_boxed() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let e = app.login("enterprise").await;
    app.post("/api/v1/risk/points", &e, point(line, "液氯储罐区", json!({"method": "LEC", "l": 6, "e": 6, "c": 15})))
        .await;
    let c = app.login("committee").await;
    let all = app.get("/api/v1/map/layers/enterprises", &c).await.json();
    assert_eq!(all["type"], "FeatureCollection");
    assert_eq!(all["features"].as_array().unwrap().len(), 60);
    let red = app.get("/api/v1/map/layers/enterprises?level=重大", &c).await.json();
    assert_eq!(red["features"].as_array().unwrap().len(), 1);
    let f = &red["features"][0];
    assert_eq!((f["properties"]["id"].as_i64(), f["properties"]["color"].as_str()), (Some(line), Some("red")));
    // A box around the point keeps it; a box elsewhere does not.
    let [lon, lat] =
        [f["geometry"]["coordinates"][0].as_f64().unwrap(), f["geometry"]["coordinates"][1].as_f64().unwrap()];
    let near = app
        .get(
            &format!(
                "/api/v1/map/layers/enterprises?bbox={},{},{},{}",
                lon - 0.001,
                lat - 0.001,
                lon + 0.001,
                lat + 0.001
            ),
            &c,
        )
        .await
        .json();
    assert!(near["features"].as_array().unwrap().iter().any(|x| x["properties"]["id"] == line));
    let far = app.get("/api/v1/map/layers/enterprises?bbox=100,20,100.1,20.1", &c).await.json();
    assert_eq!(far["features"].as_array().unwrap().len(), 0);
    app.get("/api/v1/map/layers/enterprises?bbox=1,2,3", &c).await.problem(422);
    // Scope: the enterprise sees itself only, the station its street.
    assert_eq!(app.get("/api/v1/map/layers/enterprises", &e).await.json()["features"].as_array().unwrap().len(), 1);
    let s = app.login("station").await;
    let st = app.get("/api/v1/map/layers/enterprises", &s).await.json()["features"].as_array().unwrap().len();
    assert_eq!(st as i64, app.get("/api/v1/enterprises", &s).await.json()["total"].as_i64().unwrap());
    // Boundaries: 6 streets for the committee, its own for the station, none for an enterprise.
    assert_eq!(app.get("/api/v1/map/layers/boundaries", &c).await.json()["features"].as_array().unwrap().len(), 6);
    assert_eq!(app.get("/api/v1/map/layers/boundaries", &s).await.json()["features"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/map/layers/boundaries?level=grid", &s).await.json()["features"].as_array().unwrap().len(),
        20
    );
    assert_eq!(app.get("/api/v1/map/layers/boundaries", &e).await.json()["features"].as_array().unwrap().len(), 0);
    // Open 重大 hazards layer.
    app.post("/api/v1/hazards", &s, json!({"enterprise_id": line, "description": "液氯钢瓶库无泄漏报警", "grade": "重大", "source": "政府检查", "deadline": "2026-08-01"})).await;
    let hz = app.get("/api/v1/map/layers/hazards", &c).await.json();
    assert_eq!(hz["features"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/map/layers/hazards", &app.login("grid").await).await.json()["features"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_district_sets_its_own_bands_and_points_are_relevelled() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let e = app.login("enterprise").await;
    // D = 3 × 6 × 15 = 270: 较大 under the defaults.
    let p = app
        .post("/api/v1/risk/points", &e, point(line, "储罐区", json!({"method": "LEC", "l": 3, "e": 6, "c": 15})))
        .await
        .json();
    assert_eq!(p["level"], "较大");
    let c = app.login("committee").await;
    let district = app.get("/api/v1/jurisdictions?level=district", &c).await.json()["items"][0]["id"].clone();
    let defaults = app.get("/api/v1/risk/bands", &c).await.json();
    assert_eq!(
        (defaults["bands"]["lec"]["major"].as_f64(), defaults["set_by_jurisdiction_id"].is_null()),
        (Some(320.0), true)
    );
    let strict = json!({"jurisdiction_id": district, "lec": {"major": 240, "considerable": 120, "general": 50}, "ls": {"major": 16, "considerable": 10, "general": 4}});
    let s = app.login("station").await;
    // The district is outside the station's view (404); its own street it may see but not set (403).
    app.call(axum::http::Method::PUT, "/api/v1/risk/bands", Some(&s), Some(strict.clone())).await.problem(404);
    let street = app.get("/api/v1/jurisdictions?level=street", &s).await.json()["items"][0]["id"].clone();
    let mut own = strict.clone();
    own["jurisdiction_id"] = street;
    app.call(axum::http::Method::PUT, "/api/v1/risk/bands", Some(&s), Some(own)).await.problem(403);
    let bad = json!({"jurisdiction_id": district, "lec": {"major": 100, "considerable": 120, "general": 50}, "ls": {"major": 16, "considerable": 10, "general": 4}});
    assert_eq!(
        app.call(axum::http::Method::PUT, "/api/v1/risk/bands", Some(&c), Some(bad)).await.problem(422)["errors"][0]
            ["field"],
        "lec"
    );
    let r = app.call(axum::http::Method::PUT, "/api/v1/risk/bands", Some(&c), Some(strict)).await;
    assert_eq!(r.json()["relevelled"], 1);
    // The point is now 重大 (270 ≥ 240), and new assessments in the district use the new bands.
    assert_eq!(app.get(&format!("/api/v1/risk/points/{}", p["id"]), &e).await.json()["level"], "重大");
    let r = app.post("/api/v1/risk/assess", &e, json!({"method": "LEC", "l": 3, "e": 6, "c": 15})).await.json();
    assert_eq!(r["level"], "重大");
    let in_force = app.get("/api/v1/risk/bands", &e).await.json();
    assert_eq!(in_force["set_by_jurisdiction_id"], district);
}

#[tokio::test]
async fn major_hazard_sources_are_identified_on_save_and_scoped() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let e = app.login("enterprise").await;
    let unit = json!({"enterprise_id": line, "name": "液氯储罐区", "unit_kind": "storage", "exposed_people": 120,
        "substances": [{"name": "氯", "cas": "7782-50-5", "quantity_t": 10}, {"category": "W5.3", "quantity_t": 300}]});
    let r = app.post("/api/v1/risk/major-hazards", &e, unit).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.bytes));
    let src = r.json();
    assert_eq!(
        (src["is_major"].as_bool(), src["grade"].as_str(), src["r"].as_f64()),
        (Some(true), Some("三级"), Some(16.6))
    );
    assert_eq!(src["terms"].as_array().unwrap().len(), 2);
    // Less chlorine: re-identified on save.
    let r = app
        .patch(
            &format!("/api/v1/risk/major-hazards/{}", src["id"]),
            &e,
            json!({"substances": [{"name": "氯", "quantity_t": 1}], "version": 1}),
        )
        .await
        .json();
    assert_eq!((r["is_major"].as_bool(), r["grade"].is_null()), (Some(false), true));
    let v = app
        .post(
            "/api/v1/risk/major-hazards",
            &e,
            json!({"enterprise_id": line, "name": "甲苯罐", "unit_kind": "storage", "exposed_people": 0,
        "substances": [{"name": "甲苯", "quantity_t": 600}]}),
        )
        .await
        .problem(422);
    assert_eq!(v["errors"][0]["field"], "substances[0].category");
    let c = app.login("committee").await;
    assert_eq!(app.get("/api/v1/risk/major-hazards", &c).await.json()["total"], 1);
    let a = app.login("admin").await;
    let other = app.get("/api/v1/enterprises?page_size=60", &a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .find(|id| *id != line)
        .unwrap();
    let theirs = app
        .post(
            "/api/v1/risk/major-hazards",
            &a,
            json!({"enterprise_id": other, "name": "外单位", "unit_kind": "production", "exposed_people": 10,
        "substances": [{"name": "氨", "quantity_t": 20}]}),
        )
        .await
        .json();
    app.get(&format!("/api/v1/risk/major-hazards/{}", theirs["id"]), &e).await.problem(404);
    assert_eq!(app.get("/api/v1/risk/major-hazards", &e).await.json()["total"], 1);
}

#[tokio::test]
async fn the_reference_tables_come_from_the_standards() {
    let app = TestApp::demo().await;
    let t = app.login("grid").await;
    let v = app.get("/api/v1/risk/reference", &t).await.json();
    assert_eq!(v["accident_types"].as_array().unwrap().len(), 20);
    assert_eq!(v["accident_types"][18], "中毒和窒息");
    assert_eq!(v["lec"]["c"][0], json!({"value": 100.0, "desc": "大灾难,许多人死亡"}));
    assert_eq!(v["ls"]["l"].as_array().unwrap().len(), 5);
    assert_eq!(v["bands"]["bands"]["lec"], json!({"major": 320.0, "considerable": 160.0, "general": 70.0}));
    assert_eq!(v["rules"]["dynamic_level"], true);
    let named = v["gb18218"]["named"].as_array().unwrap();
    let phosgene = named.iter().find(|n| n["cas"] == "75-44-5").unwrap();
    assert_eq!((phosgene["critical_q"].as_f64(), phosgene["beta"].as_f64()), (Some(0.3), Some(20.0)));
    let j1 = v["gb18218"]["categories"].as_array().unwrap().iter().find(|c| c["symbol"] == "J1").unwrap().clone();
    assert_eq!((j1["critical_q"].as_f64(), j1["beta"].as_f64()), (Some(5.0), Some(4.0)));
    assert_eq!(v["gb18218"]["grades"][0]["grade"], "一级");
}

#[tokio::test]
async fn overdue_reviews_remind_the_enterprise_then_the_station_once_per_review() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let (e, s, c) = (app.login("enterprise").await, app.login("station").await, app.login("committee").await);
    let mut body = point(line, "液氯储罐区", json!({"method": "LEC", "l": 6, "e": 6, "c": 15}));
    body["next_review"] = json!("2026-06-20");
    let p = app.post("/api/v1/risk/points", &e, body).await.json();
    let id = p["id"].as_i64().unwrap();
    let remind = || async {
        let rules = anjian_store::risk::rules(&app.store).await.unwrap();
        anjian_store::notify::remind_reviews(&app.store, app.now(), rules).await.unwrap()
    };
    let inbox = |t: String| {
        let app = &app;
        async move { app.get("/api/v1/notifications?unread=true", &t).await.json() }
    };
    // On the review date itself nothing is due (the clock starts on 06-16 in 上海).
    app.advance_days(4);
    assert_eq!(remind().await, 0);
    assert_eq!(app.get("/api/v1/risk/points?review_overdue=true", &e).await.json()["total"], 0);
    // The day after, the enterprise is reminded — once, however often the job runs.
    app.advance_days(1);
    assert_eq!(app.get("/api/v1/risk/points?review_overdue=true", &e).await.json()["total"], 1);
    assert_eq!(remind().await, 1);
    assert_eq!(remind().await, 0);
    let n = inbox(e.clone()).await;
    assert_eq!(n["total"], 1);
    assert_eq!(n["items"][0]["risk_point_id"].as_i64(), Some(id));
    assert!(n["items"][0]["title"].as_str().unwrap().contains("液氯储罐区"), "{}", n["items"][0]);
    assert_eq!(inbox(s.clone()).await["total"], 0);
    // Thirty days overdue, the station too; never the committee.
    app.advance_days(29);
    assert_eq!(remind().await, 0);
    app.advance_days(1);
    assert!(remind().await >= 1);
    assert_eq!(remind().await, 0);
    assert_eq!(
        (inbox(e.clone()).await["total"].as_i64(), inbox(s.clone()).await["total"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(inbox(c.clone()).await["total"], 0);
    // Reviewing sets a new date; when that one passes the reminders start afresh.
    let r =
        app.patch(&format!("/api/v1/risk/points/{id}"), &e, json!({"next_review": "2026-08-01", "version": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(remind().await, 0);
    app.advance_days(12);
    assert_eq!(remind().await, 1);
    // The new reminder replaces the unread one of the old date (the same reminder never piles up).
    let n = inbox(e.clone()).await;
    assert_eq!(n["total"], 1);
    assert!(n["items"][0]["body"].as_str().unwrap().contains("2026-08-01"), "{}", n["items"][0]);
    // Every reminder is audited, attributed to the job.
    let a = app.login("admin").await;
    let log = app.get("/api/v1/audit?entity=risk_point&action=review_reminder", &a).await.json();
    assert_eq!(log["total"], 3, "{log}");
    // The station's threshold is a rule of the whole installation: the administrator sets it.
    let admin = app.login("admin").await;
    let put = |t: String, body: serde_json::Value| {
        let app = &app;
        async move { app.call(axum::http::Method::PUT, "/api/v1/risk/rules", Some(&t), Some(body)).await }
    };
    put(s.clone(), json!({"dynamic_level": true, "review_station_after_days": 10})).await.problem(403);
    put(c.clone(), json!({"dynamic_level": true, "review_station_after_days": 10})).await.problem(403);
    let r = put(admin.clone(), json!({"dynamic_level": true, "review_station_after_days": 0})).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "review_station_after_days");
    // A misspelt field is refused, not silently reset to the default.
    put(admin.clone(), json!({"dynamic_level": true, "review_station_after_day": 10})).await.problem(422);
}

#[tokio::test]
async fn the_dynamic_rule_is_a_setting() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let s = app.login("station").await;
    let p = app
        .post("/api/v1/risk/points", &s, point(line, "包装车间", json!({"method": "LS", "l": 2, "s": 3})))
        .await
        .json();
    major_hazard_at(&app, &s, line, &p["id"]).await;
    let level = || async {
        let pt = app.get(&format!("/api/v1/risk/points/{}", p["id"]), &s).await.json()["level"].clone();
        let ent = app.get("/api/v1/map/layers/enterprises", &s).await.json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"].as_i64() == Some(line))
            .map(|f| f["properties"]["level"].clone())
            .unwrap();
        (pt, ent)
    };
    assert_eq!(level().await, (json!("重大"), json!("重大")));
    let admin = app.login("admin").await;
    let before = app.count("audit_log").await;
    let r = app
        .call(
            axum::http::Method::PUT,
            "/api/v1/risk/rules",
            Some(&admin),
            Some(json!({"dynamic_level": false, "review_station_after_days": 30})),
        )
        .await;
    assert_eq!(r.json()["dynamic_level"], false);
    assert_eq!(app.count("audit_log").await, before + 1);
    assert_eq!(level().await, (json!("一般"), json!("一般")));
    assert_eq!(app.get("/api/v1/risk/rules", &s).await.json()["dynamic_level"], false);
}

#[tokio::test]
async fn risk_statistics_add_up_and_follow_scope() {
    let app = TestApp::demo_with_history().await;
    let c = app.login("committee").await;
    let v = app.get("/api/v1/risk/stats", &c).await.json();
    let level_sum = |x: &serde_json::Value| -> i64 {
        ["major", "considerable", "general", "low"].iter().map(|k| x[*k].as_i64().unwrap()).sum()
    };
    // Totals equal the registers counted directly.
    let points_total = app.get("/api/v1/risk/points?size=1", &c).await.json()["total"].as_i64().unwrap();
    assert!(points_total > 0);
    assert_eq!(level_sum(&v["totals"]["points"]), points_total);
    for (key, level) in [("major", "重大"), ("considerable", "较大"), ("general", "一般"), ("low", "低")] {
        let n = app.get(&format!("/api/v1/risk/points?size=1&level={level}"), &c).await.json()["total"].clone();
        assert_eq!(v["totals"]["points"][key], n, "{level}");
    }
    let enterprises = app.get("/api/v1/enterprises?page_size=1", &c).await.json()["total"].as_i64().unwrap();
    assert_eq!(
        level_sum(&v["totals"]["enterprises"]) + v["totals"]["unassessed_enterprises"].as_i64().unwrap(),
        enterprises
    );
    let red =
        app.get("/api/v1/map/layers/enterprises?level=重大", &c).await.json()["features"].as_array().unwrap().len();
    assert_eq!(v["totals"]["enterprises"]["major"].as_i64(), Some(red as i64));
    let sources = app.get("/api/v1/risk/major-hazards?size=1&is_major=true", &c).await.json()["total"].clone();
    assert_eq!(v["totals"]["major_hazard_sources"], sources);
    // The streets add up to the district.
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 6, "six streets");
    let street_points: i64 = groups.iter().map(|g| level_sum(&g["points"])).sum();
    assert_eq!(street_points, points_total);
    // By sector the totals are the same.
    let by_sector = app.get("/api/v1/risk/stats?group_by=sector", &c).await.json();
    assert_eq!(by_sector["totals"]["points"], v["totals"]["points"]);
    assert!(by_sector["groups"].as_array().unwrap().iter().any(|g| g["label"] == "危险化学品"));
    // A station sees its own street only; the enterprise its own points.
    let s = app.login("station").await;
    let mine = app.get("/api/v1/risk/stats", &s).await.json();
    let station_points = app.get("/api/v1/risk/points?size=1", &s).await.json()["total"].as_i64().unwrap();
    assert_eq!(level_sum(&mine["totals"]["points"]), station_points);
    assert!(station_points < points_total);
    let e = app.login("enterprise").await;
    let own = app.get("/api/v1/risk/stats", &e).await.json();
    assert_eq!(level_sum(&own["totals"]["enterprises"]) + own["totals"]["unassessed_enterprises"].as_i64().unwrap(), 1);
    app.get("/api/v1/risk/stats?group_by=street", &c).await.problem(400);
    // The table exports with the same figures and a 合计 row.
    let rows = common::xlsx_rows(&app.get("/api/v1/risk/stats/export.xlsx", &c).await.bytes);
    assert_eq!(rows.len(), 1 + 6 + 1);
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("辖区", "重大风险企业"));
    assert_eq!(rows[7][0], "合计");
    assert_eq!(rows[7][6], v["totals"]["points"]["major"].to_string());
}

#[tokio::test]
async fn the_register_moves_with_the_enterprise_and_review_dates_are_canonical() {
    let app = TestApp::demo().await;
    let line = line_enterprise(&app).await;
    let (a, s) = (app.login("admin").await, app.login("station").await);
    let mut body = point(line, "液氯储罐区", json!({"method": "LEC", "l": 6, "e": 6, "c": 15}));
    body["next_review"] = json!("20270301");
    let p = app.post("/api/v1/risk/points", &s, body).await.json();
    assert_eq!(p["next_review"], "2027-03-01", "stored in the form the reminders compare");
    assert_eq!(app.get("/api/v1/risk/points?size=1", &s).await.json()["total"], 1);
    // The enterprise moves to a grid of 三井街道: its register goes with it, out of 春江's view.
    let sanjing =
        app.get("/api/v1/jurisdictions?level=street&q=三井", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let grid = app.get("/api/v1/jurisdictions?level=grid&page_size=200", &a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["path"].as_str().unwrap().contains(&format!("/{sanjing}/")))
        .unwrap()
        .clone();
    let ent = app.get(&format!("/api/v1/enterprises/{line}"), &a).await.json();
    let r = app
        .patch(
            &format!("/api/v1/enterprises/{line}"),
            &a,
            json!({"jurisdiction_id": grid["parent_id"], "grid_id": grid["id"], "version": ent["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(app.get("/api/v1/risk/points?size=1", &s).await.json()["total"], 0);
    app.get(&format!("/api/v1/risk/points/{}", p["id"]), &s).await.problem(404);
    let stats = app.get(&format!("/api/v1/risk/stats?jurisdiction_id={sanjing}"), &a).await.json();
    assert_eq!(stats["totals"]["points"]["major"], 1);
}
