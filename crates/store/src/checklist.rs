//! Self-inspection checklists (自查清单): templates and runs; every 不符合 becomes a hazard.

use crate::db::{Insert, Q};
use crate::hazard::{insert_all, NewHazard};
use crate::org::enterprise_get;
use crate::org::push_enterprise_scope;
use crate::page::{Keyset, Page, PageReq};
use crate::{files, format_ts, Principal, Store, StoreError};
use anjian_domain::auth::{Action, Role};
use anjian_domain::checklist::{builtin, ChecklistItem, RunFacts, FINDING_CATEGORY};
pub use anjian_domain::checklist::{AnswerInput, ChecklistInput, RunInput};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
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

/// A run as it is recorded (检查记录).
pub(crate) struct RunRecord<'a> {
    pub template: &'a Checklist,
    /// id, name, scope path
    pub enterprise: (i64, &'a str, &'a str),
    pub role: Role,
    pub user_id: Option<i64>,
    pub day: jiff::civil::Date,
    pub at: Timestamp,
    pub answers: &'a [serde_json::Value],
    pub findings: usize,
}

/// Records a run in the caller's transaction: the record, the visit when it was on site (a
/// regulator's or grid inspector's), and its audit record. Answers its id.
pub(crate) async fn write_run(tx: &mut crate::Tx, actor: &crate::Actor, r: &RunRecord<'_>) -> Result<i64, StoreError> {
    let (enterprise_id, enterprise_name, scope_path) = r.enterprise;
    let run_id: i64 = Insert::into("checklist_run")
        .set("template_id", r.template.id)
        .set("enterprise_id", enterprise_id)
        .set("run_by", actor.name.as_str())
        .set("run_by_role", r.role.as_str())
        .set("user_id", r.user_id)
        .set("run_day", r.day.to_string())
        .set("item_count", r.answers.len() as i64)
        .set("finding_count", r.findings as i64)
        .set("answers", serde_json::to_string(r.answers).unwrap_or_default())
        .set("created_at", format_ts(r.at))
        .returning_id()
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
    if anjian_domain::checklist::hazard_source_of(r.role).is_on_site_visit() {
        crate::org::mark_visited(tx, &[(enterprise_id, r.day)]).await?;
    }
    let what = if r.role == Role::Enterprise { "自查" } else { "检查" };
    crate::audit::record(
        tx,
        actor,
        crate::audit::Change::created(
            "checklist_run",
            run_id,
            scope_path,
            format!("{enterprise_name}{what}「{}」：{}项，不符合{}项", r.template.name, r.answers.len(), r.findings),
        ),
    )
    .await?;
    Ok(run_id)
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
    let answers: Vec<serde_json::Value> =
        run.answers.iter().map(|a| serde_json::json!({"code": a.code, "result": a.result, "note": a.note})).collect();
    let record = RunRecord {
        template: &tpl,
        enterprise: (ent.id, &ent.name, &ent.scope_path),
        role: p.role,
        user_id: Some(p.user_id),
        day: today,
        at,
        answers: &answers,
        findings: run.findings.len(),
    };
    let run_id = write_run(&mut tx, &p.actor(), &record).await?;
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
            position: None,
            last_visit_day: None,
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

/// 检查记录: one run of a checklist at an enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistRun {
    pub id: i64,
    pub template_id: i64,
    pub template_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// 检查人
    pub run_by: String,
    /// The role it was run in: `enterprise` is a 自查, any other a 巡查/检查 (none: recorded before roles were kept)
    pub run_by_role: Option<Role>,
    /// 检查日期 in the business calendar (YYYY-MM-DD)
    pub run_day: String,
    /// 检查项数
    pub item_count: i64,
    /// 不符合项 (each became a hazard)
    pub finding_count: i64,
    pub created_at: String,
}

impl crate::page::Keyed for ChecklistRun {
    fn key(&self) -> i64 {
        self.id
    }
}

/// Who ran a checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunBy {
    /// 企业自查
    #[serde(rename = "self")]
    SelfInspection,
    /// 监管检查、网格巡查
    Regulator,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunFilter {
    pub enterprise_id: Option<i64>,
    pub template_id: Option<i64>,
    /// self: 企业自查; regulator: 监管检查、网格巡查
    pub by: Option<RunBy>,
    /// 本月 (the business calendar's month of today)
    pub this_month: Option<bool>,
    /// 检查日期起 (YYYY-MM-DD)
    #[param(format = Date)]
    pub from: Option<String>,
    /// 检查日期止 (YYYY-MM-DD, inclusive)
    #[param(format = Date)]
    pub to: Option<String>,
    /// 企业名称
    pub q: Option<String>,
}

const RUNS: Keyset = Keyset {
    select: "SELECT r.id, r.template_id, t.name AS template_name, r.enterprise_id, e.name AS enterprise_name, r.run_by, \
        r.run_by_role, r.run_day, r.item_count, r.finding_count, r.created_at \
        FROM checklist_run r JOIN checklist_template t ON t.id = r.template_id JOIN enterprise e ON e.id = r.enterprise_id",
    count_from: "FROM checklist_run r JOIN enterprise e ON e.id = r.enterprise_id",
    id: "r.id",
    descending: true,
};

/// 检查记录: the runs at the enterprises the caller sees, newest first.
pub async fn runs(
    store: &Store,
    p: &Principal,
    f: &RunFilter,
    page: PageReq,
    at: Timestamp,
) -> Result<Page<ChecklistRun>, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let mut w = Q::new(" WHERE 1=1");
    push_enterprise_scope(&mut w, &p.scope);
    if let Some(e) = f.enterprise_id {
        w.push(" AND r.enterprise_id = ").bind(e);
    }
    if let Some(t) = f.template_id {
        w.push(" AND r.template_id = ").bind(t);
    }
    match f.by {
        Some(RunBy::SelfInspection) => w.push(" AND r.run_by_role = 'enterprise'"),
        Some(RunBy::Regulator) => w.push(" AND r.run_by_role <> 'enterprise'"),
        None => &mut w,
    };
    if f.this_month == Some(true) {
        w.push(" AND r.run_day >= ").bind(today.first_of_month().to_string());
        w.push(" AND r.run_day <= ").bind(today.to_string());
    }
    if let Some(from) = f.from.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND r.run_day >= ").bind(crate::hazard::parse_date("from", from)?.to_string());
    }
    if let Some(to) = f.to.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND r.run_day <= ").bind(crate::hazard::parse_date("to", to)?.to_string());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.push(" AND ").push_contains("e.name", q);
    }
    RUNS.page(store, &w, page, |r| {
        let role: Option<String> = r.try_get("run_by_role")?;
        Ok(ChecklistRun {
            id: r.try_get("id")?,
            template_id: r.try_get("template_id")?,
            template_name: r.try_get("template_name")?,
            enterprise_id: r.try_get("enterprise_id")?,
            enterprise_name: r.try_get("enterprise_name")?,
            run_by: r.try_get("run_by")?,
            run_by_role: role.as_deref().and_then(Role::parse),
            run_day: r.try_get("run_day")?,
            item_count: r.try_get("item_count")?,
            finding_count: r.try_get("finding_count")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .await
}

/// The checklist area's to-dos (see `crate::todo`): an enterprise sees how often it has
/// inspected itself this month (本月自查; none yet reads as a task).
pub async fn todos(store: &Store, p: &Principal, at: Timestamp) -> Result<Vec<crate::todo::Todo>, StoreError> {
    use crate::todo::{TodoDef, Tone};
    if p.role != Role::Enterprise {
        return Ok(vec![]);
    }
    let def = TodoDef {
        key: "checklist.self_inspections_this_month",
        label: "本月自查（次）",
        tone: Tone::Primary,
        path: "/checklist-runs",
        query: "by=self&this_month=true",
    };
    let f: RunFilter = def.filter()?;
    let page = runs(store, p, &f, PageReq::total_only(), at).await?;
    Ok(vec![def.counted("隐患排查治理", page.total, page.total_capped)])
}
