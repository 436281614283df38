//! Self-inspection checklists (自查清单): templates and runs; every 不符合 becomes a hazard.

use crate::db::{Insert, Q};
use crate::hazard::{insert_all, NewHazard};
use crate::org::enterprise_get;
use crate::{files, format_ts, Principal, Store, StoreError};
use anjian_domain::auth::{Action, Role};
use anjian_domain::checklist::{builtin, ChecklistItem, RunFacts, FINDING_CATEGORY};
pub use anjian_domain::checklist::{AnswerInput, ChecklistInput, RunInput};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub id: i64,
    pub name: String,
    pub sector: String,
    /// 依据
    pub basis: String,
    /// A built-in official 判定标准
    pub official: bool,
    /// The enterprise whose own checklist this is (企业自建); none: the installation's
    pub enterprise_id: Option<i64>,
    pub item_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ChecklistItem>,
}

/// Inserts the built-in templates that are not there yet (run at start; idempotent by name).
pub async fn ensure_builtin(store: &Store) -> Result<(), StoreError> {
    for c in builtin() {
        let exists = Q::new("SELECT id FROM checklist_template WHERE official = 1 AND name = ")
            .bind(c.name.as_str())
            .fetch_optional(store.pool())
            .await?;
        if exists.is_some() {
            continue;
        }
        let mut tx = store.begin().await?;
        let mut q =
            Q::new("INSERT INTO checklist_template (name, sector, basis, official, items, created_at) VALUES (");
        q.bind(c.name.as_str()).push(", ").bind(c.sector).push(", ").bind(c.basis.as_str()).push(", 1, ");
        q.bind(serde_json::to_string(&c.items).unwrap_or_default()).push(", ").bind(crate::now()).push(")");
        q.execute(&mut *tx.tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

fn row_to_checklist(r: &sqlx::any::AnyRow, with_items: bool) -> Result<Checklist, StoreError> {
    let items: Vec<ChecklistItem> = serde_json::from_str(&r.try_get::<String, _>("items")?).unwrap_or_default();
    Ok(Checklist {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        sector: r.try_get("sector")?,
        basis: r.try_get("basis")?,
        official: r.try_get::<i64, _>("official")? != 0,
        enterprise_id: r.try_get("enterprise_id")?,
        item_count: items.len(),
        items: if with_items { items } else { vec![] },
    })
}

/// The checklists a principal sees: the installation's, and an enterprise's own.
fn push_visible(q: &mut Q, p: &Principal) {
    match p.role {
        Role::Enterprise => q.push(" AND (enterprise_id IS NULL OR enterprise_id = ").bind(p.org_id).push(")"),
        _ => q.push(" AND enterprise_id IS NULL"),
    };
}

pub async fn list(store: &Store, p: &Principal, sector: Option<&str>) -> Result<Vec<Checklist>, StoreError> {
    let mut q = Q::new("SELECT * FROM checklist_template WHERE 1=1");
    push_visible(&mut q, p);
    if let Some(s) = sector.filter(|s| !s.is_empty()) {
        q.push(" AND sector = ").bind(s);
    }
    q.push(" ORDER BY official DESC, id");
    q.fetch_all(store.pool()).await?.iter().map(|r| row_to_checklist(r, false)).collect()
}

pub async fn get(store: &Store, p: &Principal, id: i64) -> Result<Checklist, StoreError> {
    let mut q = Q::new("SELECT * FROM checklist_template WHERE id = ");
    q.bind(id);
    push_visible(&mut q, p);
    let r = q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    row_to_checklist(&r, true)
}

pub async fn create(store: &Store, p: &Principal, input: ChecklistInput) -> Result<Checklist, StoreError> {
    p.require(Action::CreateChecklist)?;
    let input = input.validate().map_err(StoreError::Invalid)?;
    // an enterprise's checklist is its own; the committee's serves the installation
    let owner = match p.role {
        Role::Enterprise => Some(enterprise_get(store, p, p.org_id).await?),
        _ => None,
    };
    let mut tx = store.begin().await?;
    let id: i64 = Insert::into("checklist_template")
        .set("name", input.name.as_str())
        .set("sector", input.sector.as_str())
        .set("basis", input.basis.as_str())
        .set("official", 0i64)
        .set("items", serde_json::to_string(&input.items).unwrap_or_default())
        .set("enterprise_id", owner.as_ref().map(|e| e.id))
        .set("created_at", crate::now())
        .returning_id()
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
    let scope = owner.as_ref().map_or("/", |e| e.scope_path.as_str());
    crate::audit::record(
        &mut tx,
        &p.actor(),
        crate::audit::Change::created("checklist", id, scope, format!("新建检查清单「{}」", input.name)),
    )
    .await?;
    tx.commit().await?;
    get(store, p, id).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunResult {
    pub run_id: i64,
    pub hazards: Vec<crate::hazard::Hazard>,
}

/// Runs a checklist on an enterprise: every 不符合 becomes a hazard in one transaction, graded
/// 重大 when the item is an official criterion (whatever the inspector thinks).
pub async fn run(
    store: &Store,
    p: &Principal,
    template_id: i64,
    input: RunInput,
    at: Timestamp,
) -> Result<RunResult, StoreError> {
    p.require(Action::RunChecklist)?;
    let tpl = get(store, p, template_id).await?;
    let ent = enterprise_get(store, p, input.enterprise_id)
        .await
        .map_err(|_| StoreError::invalid("enterprise_id", "企业不存在或不在您的管辖范围内"))?;
    let today = store.calendar().await?.date_of(at.into());
    let run = input
        .validate(RunFacts {
            sector: &tpl.sector,
            basis: &tpl.basis,
            items: &tpl.items,
            enterprise_sectors: &ent.sectors,
            department_sectors: p.department_sectors(),
            role: p.role,
            today,
        })
        .map_err(StoreError::Invalid)?;
    let all_photos: Vec<i64> = run.answers.iter().flat_map(|a| a.photos.iter().copied()).collect();
    files::check_attachable(store, p, "photos", &all_photos).await?;
    let mut tx = store.begin().await?;
    let mut q = Q::new("INSERT INTO checklist_run (template_id, enterprise_id, run_by, answers, created_at) VALUES (");
    q.bind(template_id).push(", ").bind(ent.id).push(", ").bind(p.actor().name).push(", ");
    q.bind(
        serde_json::to_string(
            &run.answers
                .iter()
                .map(|a| serde_json::json!({"code": a.code, "result": a.result, "note": a.note}))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
    );
    q.push(", ").bind(format_ts(at)).push(") RETURNING id");
    let run_id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get("id")?;
    let findings: Vec<NewHazard> = run
        .findings
        .iter()
        .map(|f| NewHazard {
            enterprise_id: ent.id,
            scope_path: ent.scope_path.clone(),
            sector: run.sector.clone(),
            location: String::new(),
            description: f.description.clone(),
            grade: f.grade,
            category: FINDING_CATEGORY.into(),
            source: run.source,
            deadline: run.deadline,
            responsible: String::new(),
            criterion: f.criterion.clone(),
            checklist_run_id: Some(run_id),
            risk_point_id: None,
            found_at: at,
            found_day: today,
            photos: f.photos.clone(),
        })
        .collect();
    let reports: Vec<(&Principal, &NewHazard)> = findings.iter().map(|n| (p, n)).collect();
    let refs = insert_all(&mut tx, &reports, crate::hazard::Numbering::AfterCommit).await?;
    let found: Vec<_> = refs
        .iter()
        .map(|h| {
            let facts = anjian_domain::hazard::HazardFacts {
                state: h.state,
                grade: h.grade,
                source: h.source,
                enterprise_on_platform: true,
            };
            (facts, crate::notify::Target { enterprise_id: h.enterprise_id, path: &h.scope_path, sector: &h.sector })
        })
        .collect();
    crate::notify::hazard_group(&mut tx, &ent.name, &found, p.role, p.user_id, at).await?;
    let ids: Vec<i64> = refs.iter().map(|h| h.id).collect();
    tx.commit().await?;
    let mut hazards = vec![];
    for id in ids {
        hazards.push(crate::hazard::get(store, p, id, at).await?.hazard);
    }
    Ok(RunResult { run_id, hazards })
}
