//! The permission table (`domain::auth`) against the endpoints: for every role and every action,
//! what `/auth/me` and the objects' `allowed_actions` promise is what the endpoint then does —
//! an allowed action passes the permission gate (whatever validation says after it), a refused
//! one answers 403.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, ROLES};
use serde_json::{json, Value};

/// A valid 统一社会信用代码 from its first 17 characters.
fn credit_code(first17: &str) -> String {
    format!("{first17}{}", anjian_domain::org::credit_code_check_char(first17).unwrap())
}

/// A probe of one action: the request that takes it.
struct Probe {
    action: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
}

fn probe(action: &'static str, method: Method, path: impl Into<String>, body: Option<Value>) -> Option<Probe> {
    Some(Probe { action, method, path: path.into(), body })
}

/// An enterprise of the demo line the role sees (each role sees 安泰化工 except the expert,
/// who sees only what it is assigned).
async fn visible_enterprise(app: &TestApp, token: &str) -> Value {
    let mine = app.get("/api/v1/enterprises?q=安泰化工", token).await.json();
    match mine["items"].get(0) {
        Some(e) => e.clone(),
        None => app.get("/api/v1/enterprises?page_size=1", token).await.json()["items"][0].clone(),
    }
}

async fn probes(app: &TestApp, role: &str, token: &str) -> Vec<Probe> {
    let admin = app.login("admin").await;
    let ent = visible_enterprise(app, token).await;
    let ent_id = ent["id"].as_i64().unwrap();
    let line = visible_enterprise(app, &admin).await;
    // An enterprise without accounts in the line's grid, for deleting.
    let spare = app
        .post(
            "/api/v1/enterprises",
            &admin,
            json!({"name": "常州权限测试材料有限公司", "credit_code": credit_code("91320411MA1TE0010"), "address": "新北区测试路2号",
                   "longitude": line["longitude"], "latitude": line["latitude"], "jurisdiction_id": line["jurisdiction_id"],
                   "grid_id": line["grid_id"], "sectors": ["危险化学品"], "employees": 12, "contact_phone": "0519-85000000"}),
        )
        .await
        .json();
    let district = app.get("/api/v1/jurisdictions?level=district", &admin).await.json()["items"][0]["id"].clone();
    let street = line["jurisdiction_id"].clone();
    let checklist = app.get("/api/v1/checklists?sector=危险化学品", &admin).await.json()[0]["id"].clone();
    let source = if role == "enterprise" { "企业自查" } else { "政府检查" };
    let new_enterprise = json!({"name": "常州权限新建有限公司", "credit_code": credit_code("91320411MA1TE0020"), "address": "新北区测试路3号",
        "longitude": line["longitude"], "latitude": line["latitude"], "jurisdiction_id": line["jurisdiction_id"],
        "grid_id": line["grid_id"], "sectors": ["危险化学品"], "employees": 20, "contact_phone": "0519-85000001"});
    // Objects outside the caller's scope answer 404 before any permission is asked, so each probe
    // acts on something the role sees: its own jurisdiction, its own enterprise.
    let own_node = app.get("/api/v1/jurisdictions?page_size=1", token).await.json()["items"][0]["id"].clone();
    let deletable = if ["enterprise", "expert"].contains(&role) { json!(ent_id) } else { spare["id"].clone() };
    let bands = json!({"jurisdiction_id": own_node, "lec": {"major": 320, "considerable": 160, "general": 70},
                       "ls": {"major": 17, "considerable": 11, "general": 5}});
    let hazard = app.get("/api/v1/hazards?page_size=1", token).await.json()["items"][0]["id"].as_i64().unwrap_or(1);
    let probes: Vec<Option<Probe>> = vec![
        probe("read_org", Method::GET, "/api/v1/jurisdictions/tree", None),
        probe("read_enterprise", Method::GET, format!("/api/v1/enterprises/{ent_id}"), None),
        probe("create_enterprise", Method::POST, "/api/v1/enterprises", Some(new_enterprise)),
        probe(
            "update_enterprise",
            Method::PATCH,
            format!("/api/v1/enterprises/{ent_id}"),
            Some(json!({"version": ent["version"], "contact_phone": "0519-85999999"})),
        ),
        probe(
            "update_enterprise_placement",
            Method::PATCH,
            format!("/api/v1/enterprises/{ent_id}"),
            Some(json!({"version": ent["version"], "key_enterprise": !ent["key_enterprise"].as_bool().unwrap()})),
        ),
        probe("delete_enterprise", Method::DELETE, format!("/api/v1/enterprises/{deletable}?version=1"), None),
        probe(
            "manage_departments",
            Method::POST,
            "/api/v1/departments",
            Some(json!({"jurisdiction_id": district, "name": "新北区权限测试局", "sectors": ["燃气"]})),
        ),
        probe(
            "manage_jurisdictions",
            Method::POST,
            "/api/v1/jurisdictions",
            Some(json!({"parent_id": street, "level": "community", "name": "权限测试社区"})),
        ),
        probe("manage_users", Method::GET, "/api/v1/users", None),
        probe("read_audit", Method::GET, "/api/v1/audit", None),
        probe("export_audit_checkpoints", Method::GET, "/api/v1/audit/checkpoints", None),
        probe(
            "report_hazard",
            Method::POST,
            "/api/v1/hazards",
            Some(
                json!({"enterprise_id": ent_id, "description": "配电室门口堆放纸箱", "grade": "一般", "source": source,
                        "deadline": "2026-07-01", "sector": ent["sectors"][0]}),
            ),
        ),
        probe("read_listings", Method::GET, "/api/v1/hazard-listings", None),
        probe("urge_hazard", Method::POST, "/api/v1/hazards/urge", Some(json!({"ids": [hazard]}))),
        probe("issue_hazard_notice", Method::GET, format!("/api/v1/hazards/{hazard}/writ"), None),
        probe(
            "set_listing_quota",
            Method::PUT,
            "/api/v1/hazard-listings/quota",
            Some(json!({"year": 2026, "city": 10, "district": 15, "street": 25})),
        ),
        probe("read_hazard_stats", Method::GET, "/api/v1/hazards/stats", None),
        probe(
            "run_checklist",
            Method::POST,
            format!("/api/v1/checklists/{checklist}/runs"),
            Some(json!({"enterprise_id": ent_id, "deadline": "2026-07-15", "answers": []})),
        ),
        probe(
            "create_checklist",
            Method::POST,
            "/api/v1/checklists",
            Some(
                json!({"name": "仓库防火检查", "sector": "危险化学品", "items": [{"code": "1", "text": "消防通道畅通", "major": false}]}),
            ),
        ),
        probe(
            "write_risk_point",
            Method::POST,
            "/api/v1/risk/points",
            Some(
                json!({"enterprise_id": ent_id, "name": "配电室", "kind": "场所", "location": "一楼", "hazard_factors": "触电",
                        "accident_types": ["触电"], "measures": {"engineering": "漏电保护", "management": "巡检", "ppe": "绝缘手套", "emergency": "触电处置"},
                        "responsible": "张伟", "control_level": "车间", "scores": {"method": "LS", "l": 2, "s": 2}, "next_review": "2027-06-30"}),
            ),
        ),
        probe(
            "override_enterprise_risk",
            Method::PUT,
            format!("/api/v1/enterprises/{ent_id}/risk"),
            Some(json!({"level": "较大", "reason": "近期发生泄漏险情"})),
        ),
        probe(
            "write_major_hazard",
            Method::POST,
            "/api/v1/risk/major-hazards",
            Some(json!({"enterprise_id": ent_id, "name": "液氨储罐区", "unit_kind": "storage", "exposed_people": 10,
                        "substances": [{"name": "氨", "cas": "7664-41-7", "quantity_t": 5}]})),
        ),
        probe("read_risk_stats", Method::GET, "/api/v1/risk/stats", None),
        // A role that sees no jurisdiction (enterprise, expert) is answered 404 for any: not probed.
        if own_node.is_null() { None } else { probe("set_risk_bands", Method::PUT, "/api/v1/risk/bands", Some(bands)) },
        probe(
            "set_risk_rules",
            Method::PUT,
            "/api/v1/risk/rules",
            Some(json!({"dynamic_level": true, "review_station_after_days": 7})),
        ),
        probe("set_map_settings", Method::PUT, "/api/v1/map/settings", Some(json!({}))),
    ];
    probes.into_iter().flatten().collect()
}

/// Actions that are pages (their data is scoped, no endpoint refuses them), or actions on one
/// object whose rules the object decides (the hazard test below walks them).
const NOT_PROBED_HERE: [&str; 11] = [
    "browse_org_tree",
    "read_api_docs",
    "browse_enterprises",
    "browse_risk_map",
    "import_enterprises",
    "rectify_hazard",
    "submit_hazard",
    "verify_hazard",
    "reject_hazard",
    "close_hazard",
    "list_hazard",
];

#[tokio::test]
async fn every_role_and_action_agrees_with_the_endpoint() {
    for role in ROLES {
        let app = TestApp::demo_sealed().await;
        let token = app.login(role).await;
        let me = app.get("/api/v1/auth/me", &token).await.json();
        let permitted: Vec<String> =
            me["permissions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        let probes = probes(&app, role, &token).await;
        for p in &probes {
            let r = app.call(p.method.clone(), &p.path, Some(&token), p.body.clone()).await;
            let allowed = permitted.iter().any(|a| a == p.action);
            let body = String::from_utf8_lossy(&r.bytes);
            if allowed {
                assert!(
                    r.status != StatusCode::FORBIDDEN && r.status != StatusCode::NOT_FOUND && r.status.as_u16() < 500,
                    "{role} may {} but {} {} answered {}: {body}",
                    p.action,
                    p.method,
                    p.path,
                    r.status
                );
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{role} may not {} ({} {}): {body}",
                    p.action,
                    p.method,
                    p.path
                );
            }
        }
        // Every action of the table is probed here or named as not probed.
        let all: Vec<String> = anjian_domain::auth::Action::ALL.iter().map(|a| a.code()).collect();
        for a in &all {
            assert!(
                probes.iter().any(|p| p.action == a)
                    || NOT_PROBED_HERE.contains(&a.as_str())
                    || (a == "set_risk_bands" && ["enterprise", "expert"].contains(&role)),
                "no probe for {a}"
            );
        }
    }
}

/// The hazard actions of the detail page, by the hazard's `allowed_actions`, against the
/// endpoints: in every state a hazard passes through, for every role.
#[tokio::test]
async fn a_hazards_allowed_actions_are_what_its_endpoints_do() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let line = visible_enterprise(&app, &admin).await["id"].as_i64().unwrap();
    let tokens: Vec<(&str, String)> = {
        let mut t = vec![];
        for r in ROLES {
            t.push((r, app.login(r).await));
        }
        t
    };
    let plan = json!({"measures": "更换阀门", "responsible": "王伟", "funds": "5万元", "deadline": "2026-08-31", "contingency": "泄漏处置方案"});
    let (station, e) = (tokens[3].1.clone(), tokens[5].1.clone());
    // A hazard of this grade and source taken to reported (0), rectifying (1) or 待验收 (2).
    let hazard_at = |grade: &'static str, source: &'static str, depth: usize| {
        let (app, plan, station, e) = (&app, plan.clone(), station.clone(), e.clone());
        async move {
            let finder = if source == "企业自查" { &e } else { &station };
            let body = json!({"enterprise_id": line, "description": "储罐区阀门渗漏", "grade": grade, "source": source, "deadline": "2026-07-01"});
            let id = app.post("/api/v1/hazards", finder, body).await.json()["id"].as_i64().unwrap();
            if depth >= 1 {
                let b = if grade == "重大" { json!({"plan": plan}) } else { json!({}) };
                assert_eq!(app.post(&format!("/api/v1/hazards/{id}/rectify"), &e, b).await.status, StatusCode::OK);
            }
            if depth >= 2 {
                let photo = app.photo(&e).await;
                let r = app.post(&format!("/api/v1/hazards/{id}/submit"), &e, json!({"after_photos": [photo]})).await;
                assert_eq!(r.status, StatusCode::OK);
            }
            id
        }
    };
    let mut checked = 0;
    for (grade, source) in [("一般", "企业自查"), ("一般", "政府检查"), ("重大", "政府检查")] {
        for depth in 0..3 {
            for (role, token) in &tokens {
                for (action, path) in [
                    ("rectify_hazard", "rectify"),
                    ("submit_hazard", "submit"),
                    ("verify_hazard", "verify"),
                    ("reject_hazard", "reject"),
                    ("close_hazard", "close"),
                    ("list_hazard", "listing"),
                ] {
                    // Each action on a fresh hazard in the state: one that succeeds moves it.
                    let id = hazard_at(grade, source, depth).await;
                    let h = app.get(&format!("/api/v1/hazards/{id}"), token).await.json();
                    if h["id"].is_null() {
                        break; // outside this role's scope
                    }
                    let body = match action {
                        "rectify_hazard" if grade == "重大" => json!({"plan": plan}),
                        "submit_hazard" | "close_hazard" => json!({"after_photos": [app.photo(token).await]}),
                        "verify_hazard" => json!({"passed": true}),
                        "reject_hazard" => json!({"reason": "重复上报"}),
                        "list_hazard" => {
                            // (signed by the head: a department's listing needs it, anyone's may carry it)
                            json!({"level": h["listing_levels"].get(0).unwrap_or(&json!("街道")), "supervising_unit": "新北区安委办",
                                   "document_number": "新安委督〔2026〕9号", "deadline": "2026-09-30",
                                   "signed_by": "张明", "signed_on": "2026-06-16", "signed_file_id": app.photo(token).await})
                        }
                        _ => json!({}),
                    };
                    let may = h["allowed_actions"].as_array().unwrap().iter().any(|a| a == action);
                    let r = app.post(&format!("/api/v1/hazards/{id}/{path}"), token, body).await;
                    assert_eq!(
                        may,
                        r.status == StatusCode::OK,
                        "{role} on a {grade}/{source} hazard in {}: allowed_actions says {may} for {action}, the endpoint answered {}: {}",
                        h["state"],
                        r.status,
                        String::from_utf8_lossy(&r.bytes)
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "{checked}");
}
