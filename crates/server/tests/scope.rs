//! Data scope (数据权限): every endpoint × every role × an object inside and one outside the
//! role's scope. Outside answers 404 (never 403), inside answers by the role's permission.

mod common;

use anjian_domain::org::{EnterpriseDraft, JurisdictionLevel};
use anjian_store::auth::system_principal;
use anjian_store::org::{enterprise_create, jurisdiction_create, JurisdictionInput};
use anjian_store::Actor;
use common::{TestApp, ROLES};
use serde_json::json;
use std::collections::BTreeSet;

struct World {
    app: TestApp,
    /// The demo line's enterprise: in every role's scope.
    line: i64,
    /// In another street, a sector no demo department account supervises: outside every
    /// role but admin and committee.
    other_street: i64,
    /// In another district: outside every role but admin.
    other_district: i64,
    line_grid: i64,
    other_street_grid: i64,
    other_district_node: i64,
    emergency_department: i64,
}

fn draft(name: &str, code: &str, jurisdiction_id: i64, grid_id: Option<i64>, sector: &str) -> EnterpriseDraft {
    EnterpriseDraft {
        name: name.into(),
        credit_code: code.into(),
        jurisdiction_id,
        grid_id,
        sectors: vec![sector.into()],
        ..Default::default()
    }
}

async fn world() -> World {
    let app = TestApp::demo().await;
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0].clone();
    let sanjing =
        app.get("/api/v1/jurisdictions?level=street&q=三井", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let sanjing_grid = app.get("/api/v1/jurisdictions?level=grid&page_size=200", &a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["path"].as_str().unwrap().contains(&format!("/{sanjing}/")))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let sys = system_principal("test");
    let other = enterprise_create(
        &app.store,
        &sys,
        draft("三井建设工程有限公司", "914403001922038216", sanjing, Some(sanjing_grid), "建筑施工"),
    )
    .await
    .unwrap();
    let city = app.get("/api/v1/jurisdictions?level=city", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let wujin = jurisdiction_create(
        &app.store,
        &Actor::system("test"),
        JurisdictionInput {
            parent_id: Some(city),
            level: JurisdictionLevel::District,
            code: Some("320412".into()),
            name: "武进区".into(),
            boundary: None,
            timezone: None,
        },
    )
    .await
    .unwrap();
    let far = enterprise_create(
        &app.store,
        &sys,
        draft("武进化工有限公司", "91330100716105852F", wujin.id, None, "危险化学品"),
    )
    .await
    .unwrap();
    let dept = app.get("/api/v1/departments?q=应急管理局", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    World {
        line: line["id"].as_i64().unwrap(),
        line_grid: line["grid_id"].as_i64().unwrap(),
        other_street: other.id,
        other_street_grid: sanjing_grid,
        other_district: far.id,
        other_district_node: wujin.id,
        emergency_department: dept,
        app,
    }
}

/// The out-of-scope enterprise for a role (admin has none).
fn outside(w: &World, role: &str) -> Option<i64> {
    match role {
        "admin" => None,
        "committee" => Some(w.other_district),
        _ => Some(w.other_street),
    }
}

#[tokio::test]
async fn enterprise_endpoints_by_role_inside_and_outside_scope() {
    let w = world().await;
    for role in ROLES {
        let t = w.app.login(role).await;
        let path = format!("/api/v1/enterprises/{}", w.line);
        let got = w.app.get(&path, &t).await;
        assert_eq!(got.status, 200, "{role} GET inside");
        let version = got.json()["version"].clone();

        let patch = w.app.patch(&path, &t, json!({"employees": 99, "version": version})).await;
        let may_update = role != "expert";
        assert_eq!(
            patch.status,
            if may_update { 200 } else { 403 },
            "{role} PATCH inside: {}",
            String::from_utf8_lossy(&patch.bytes)
        );

        // The line enterprise has a user account, so a role that may delete gets 409.
        let del = w.app.delete(&format!("{path}?version=999"), &t).await;
        let may_delete = matches!(role, "admin" | "committee" | "station");
        assert_eq!(del.status, if may_delete { 409 } else { 403 }, "{role} DELETE inside");

        if let Some(out) = outside(&w, role) {
            let p = format!("/api/v1/enterprises/{out}");
            w.app.get(&p, &t).await.problem(404);
            w.app.patch(&p, &t, json!({"employees": 1, "version": 1})).await.problem(404);
            w.app.delete(&format!("{p}?version=1"), &t).await.problem(404);
        }
    }
    // Nothing outside changed.
    let a = w.app.login("admin").await;
    assert_eq!(w.app.get(&format!("/api/v1/enterprises/{}", w.other_street), &a).await.json()["version"], 1);
}

#[tokio::test]
async fn enterprise_cannot_move_itself_or_change_its_credit_code() {
    let w = world().await;
    let t = w.app.login("enterprise").await;
    let path = format!("/api/v1/enterprises/{}", w.line);
    w.app.patch(&path, &t, json!({"grid_id": w.other_street_grid, "version": 1})).await.problem(403);
    w.app.patch(&path, &t, json!({"key_enterprise": false, "version": 1})).await.problem(403);
    // A station may not move an enterprise out of its own street either.
    let s = w.app.login("station").await;
    let v = w.app.patch(&path, &s, json!({"grid_id": w.other_street_grid, "version": 1})).await.problem(422);
    assert_eq!(v["errors"][0]["field"], "grid_id");
}

#[tokio::test]
async fn lists_show_exactly_what_the_scope_rule_allows() {
    use sqlx::Row;
    let w = world().await;
    // Every enterprise with the facts the domain's scope rule looks at, straight from the table.
    let rows =
        sqlx::query("SELECT id, scope_path, sectors FROM enterprise").fetch_all(w.app.store.pool()).await.unwrap();
    let all: Vec<(i64, String, Vec<String>)> = rows
        .iter()
        .map(|r| (r.get("id"), r.get("scope_path"), serde_json::from_str(&r.get::<String, _>("sectors")).unwrap()))
        .collect();
    for role in ROLES {
        let user = anjian_store::auth::all_users(&w.app.store)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == role)
            .unwrap();
        let p = anjian_store::auth::principal_for(&w.app.store, &user).await.unwrap();
        let expected: BTreeSet<i64> =
            all.iter().filter(|(id, path, sectors)| p.scope.sees_enterprise(*id, path, sectors)).map(|e| e.0).collect();
        let t = w.app.login(role).await;
        let listed = w.app.get("/api/v1/enterprises?page_size=200", &t).await.json();
        let got: BTreeSet<i64> =
            listed["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(got, expected, "{role}");
        assert_eq!(listed["total"].as_i64().unwrap() as usize, expected.len());
        assert!(got.contains(&w.line), "{role} sees the line enterprise");
        let sees_other_street = matches!(role, "admin" | "committee");
        assert_eq!(got.contains(&w.other_street), sees_other_street, "{role} and the other street");
        assert_eq!(got.contains(&w.other_district), role == "admin", "{role} and the other district");
    }
    // The roles really differ: the line runs from many to one.
    let count = |role: &'static str| {
        let app = &w.app;
        async move {
            let t = app.login(role).await;
            app.get("/api/v1/enterprises", &t).await.json()["total"].as_i64().unwrap()
        }
    };
    let (c, s, g, e) =
        (count("committee").await, count("station").await, count("grid").await, count("enterprise").await);
    assert!(c > s && s > g && g >= e && e == 1, "committee {c} > station {s} > grid {g} >= enterprise {e}");
}

#[tokio::test]
async fn jurisdiction_and_department_reads_by_role() {
    let w = world().await;
    for role in ROLES {
        let t = w.app.login(role).await;
        let sees_tree = !matches!(role, "enterprise" | "expert");
        let r = w.app.get(&format!("/api/v1/jurisdictions/{}", w.line_grid), &t).await;
        assert_eq!(r.status, if sees_tree { 200 } else { 404 }, "{role} grid node");
        // Another street's grid: only district-wide roles see it.
        let r = w.app.get(&format!("/api/v1/jurisdictions/{}", w.other_street_grid), &t).await;
        let district_wide = matches!(role, "admin" | "committee" | "department");
        assert_eq!(r.status, if district_wide { 200 } else { 404 }, "{role} other street node");
        let r = w.app.get(&format!("/api/v1/jurisdictions/{}", w.other_district_node), &t).await;
        assert_eq!(r.status, if role == "admin" { 200 } else { 404 }, "{role} other district node");
        let r = w.app.get(&format!("/api/v1/departments/{}", w.emergency_department), &t).await;
        assert_eq!(r.status, if district_wide { 200 } else { 404 }, "{role} department");
        // Writes on the tree are admin's; others get 403 inside their view and 404 outside.
        let r = w
            .app
            .patch(&format!("/api/v1/jurisdictions/{}", w.line_grid), &t, json!({"name": "改名网格", "version": 1}))
            .await;
        let expect = if role == "admin" {
            200
        } else if sees_tree {
            403
        } else {
            404
        };
        assert_eq!(r.status, expect, "{role} rename grid");
        if role == "admin" {
            w.app
                .patch(&format!("/api/v1/jurisdictions/{}", w.line_grid), &t, json!({"name": "恢复", "version": 2}))
                .await;
        }
    }
}

#[tokio::test]
async fn users_and_audit_are_admin_business() {
    let w = world().await;
    let users = anjian_store::auth::all_users(&w.app.store).await.unwrap();
    let committee_id = users.iter().find(|u| u.username == "committee").unwrap().id;
    for role in ROLES {
        let t = w.app.login(role).await;
        let r = w.app.get(&format!("/api/v1/users/{committee_id}"), &t).await;
        assert_eq!(
            r.status,
            if matches!(role, "admin" | "committee") { 200 } else { 404 },
            "{role} reads committee user"
        );
        let r = w.app.get("/api/v1/users", &t).await;
        assert_eq!(r.status, if role == "admin" { 200 } else { 403 }, "{role} lists users");
        let r = w.app.get("/api/v1/audit", &t).await;
        assert_eq!(r.status, if matches!(role, "admin" | "committee") { 200 } else { 403 }, "{role} reads audit");
    }
}

#[tokio::test]
async fn committee_audit_view_is_limited_to_its_district() {
    let w = world().await;
    let c = w.app.login("committee").await;
    let log = w.app.get("/api/v1/audit?entity=enterprise&page_size=200", &c).await.json();
    let ids: Vec<i64> = log["items"].as_array().unwrap().iter().filter_map(|r| r["entity_id"].as_i64()).collect();
    assert!(ids.contains(&w.other_street));
    assert!(!ids.contains(&w.other_district), "the other district's changes are not the committee's business");
}
