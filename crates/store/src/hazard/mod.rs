//! Hazards (隐患排查治理): records, actions through the domain state machine, the timeline,
//! listed supervision (挂牌督办), statistics and the enterprise report — all within scope.
//!
//! This file reads hazards (the ledger and one hazard); [`write`], [`supervision`], [`stats`] and
//! [`report`] hold the rest.

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::org::{enterprise_get, jurisdiction_by_id, stale};
use crate::page::{encode_keyed_cursor, finish, finish_with, Count, Page, PageReq};
use crate::scope::{push_owned_scope, push_owned_scope_as, push_path, push_subtree, PathMatch};
use crate::{files, format_ts, now, Principal, Store, StoreError, Tx};
use anjian_domain::auth::{Action, Role};
use anjian_domain::hazard::{
    allowed_actions, days_overdue, decide, decide_listed_verification, decide_listing, hazard_number, urge_refusal,
    AssessorKind, HazardAction, HazardActor, HazardFacts, HazardGrade, HazardInput, HazardRefusal, HazardSource,
    HazardState, ListedClosingInput, ListingInput, ListingLevel, ListingQuota, ListingTally, ListingUnit,
    RectificationPlan, ReportFacts, ReportPeriod, ValidListedClosing, ValidListing, ValidReport, MAX_PICKED,
};
use anjian_domain::scope::{JurisdictionView, Scope};
use anjian_domain::time::{BusinessCalendar, Instant};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

mod counts;
mod export;
pub(crate) mod ingest;
mod report;
mod stats;
mod supervision;
mod todos;
mod write;
mod writs;

pub use counts::*;
pub use export::*;
pub use report::*;
pub use stats::*;
pub use supervision::*;
pub use todos::todos;
pub use write::*;
pub use writs::*;

/// 隐患 as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hazard {
    pub id: i64,
    /// 隐患编号 YH-2026-000123
    pub number: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub jurisdiction_name: String,
    pub sector: String,
    /// 部位/风险点
    pub location: String,
    pub description: String,
    pub grade: HazardGrade,
    /// 隐患类别 (e.g. 设备设施, 作业环境, 管理缺陷)
    pub category: String,
    pub source: HazardSource,
    pub state: HazardState,
    pub state_label: String,
    /// Derived at read time from the deadline in the business time zone
    pub overdue: bool,
    /// 逾期天数: 1 on the first day after the deadline; null while not overdue
    pub days_overdue: Option<i64>,
    pub found_by_name: String,
    /// The user who found it (re-checks what it found: the hand-over notice of 提交验收)
    #[serde(skip)]
    pub found_by: Option<i64>,
    /// Its enterprise has an active account (it takes its own steps of the loop)
    #[serde(skip)]
    pub enterprise_on_platform: bool,
    pub found_at: String,
    /// 发现日期 in the business time zone (YYYY-MM-DD)
    pub found_day: String,
    /// 整改期限 (YYYY-MM-DD)
    pub deadline: String,
    /// 整改责任人
    pub responsible: String,
    /// 治理方案 (重大)
    pub plan: Option<RectificationPlan>,
    /// The official criterion a checklist finding matched
    pub criterion: Option<String>,
    /// 风险点
    pub risk_point_id: Option<i64>,
    /// 上报位置 (WGS-84), when the reporter's device gave it
    pub found_longitude: Option<f64>,
    pub found_latitude: Option<f64>,
    pub listing: Option<Listing>,
    pub escalation_level: i64,
    pub closed_at: Option<String>,
    /// 销号日期 in the business time zone (YYYY-MM-DD)
    pub closed_day: Option<String>,
    pub rectified_on_time: Option<bool>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// What the caller may do to it now (the permission table and the hazard's grade, source
    /// and state: `domain::hazard::allowed_actions`)
    pub allowed_actions: Vec<Action>,
    /// The levels the caller may list it at (挂牌督办), when `list_hazard` is allowed
    pub listing_levels: Vec<ListingLevel>,
    #[serde(skip)]
    pub scope_path: String,
}

/// 挂牌督办 of a hazard.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Listing {
    pub level: ListingLevel,
    /// 督办单位
    pub supervising_unit: String,
    /// 督办文号
    pub document_number: String,
    /// 督办期限 (YYYY-MM-DD)
    pub deadline: String,
    pub year: i64,
    pub listed_by: String,
    pub listed_at: String,
    /// The listing department (部门挂牌), when a department listed it
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// 签字负责人 (一把手) and the day signed; the signed file is among the hazard's files
    /// (kind `listing_signed`)
    pub signed_by: Option<String>,
    pub signed_on: Option<String>,
    /// 责令停产停业治理: closing it is also the consent to resume production (复产)
    pub suspended: bool,
    /// The closing's assessment (整改评估), once closed: who (experts or agency), when, what
    /// they concluded; the report and the enterprise's application are among the files
    /// (`assessment_report`, `closing_application`)
    pub assessor_kind: Option<AssessorKind>,
    pub assessor: Option<String>,
    pub assessed_on: Option<String>,
    pub assessment_conclusion: Option<String>,
    pub closed_by: Option<String>,
    #[serde(skip)]
    pub unit_path: Option<String>,
}

impl Listing {
    /// The unit that listed the hazard.
    pub(crate) fn unit(&self) -> ListingUnit {
        let path = self.unit_path.clone().unwrap_or_else(|| "/".into());
        match self.department_id {
            Some(id) => ListingUnit::Department { id, path },
            None => ListingUnit::Government { path },
        }
    }
}

/// A hazard with its photos and timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub hazard: Hazard,
    pub photos: Vec<Photo>,
    pub events: Vec<Event>,
}

pub use crate::files::Photo;

/// One step of the timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub action: String,
    pub action_label: String,
    pub from_state: Option<HazardState>,
    pub to_state: HazardState,
    pub actor_name: String,
    pub comment: String,
    pub at: String,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HazardFilter {
    pub state: Option<HazardState>,
    pub grade: Option<HazardGrade>,
    pub source: Option<HazardSource>,
    pub sector: Option<String>,
    /// 辖区 (includes everything below it)
    pub jurisdiction_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// 只看逾期 / 未逾期
    pub overdue: Option<bool>,
    /// 只看挂牌 / 未挂牌
    pub listed: Option<bool>,
    /// 编号或描述
    pub q: Option<String>,
    /// 发现日期起 (YYYY-MM-DD)
    #[param(format = Date)]
    pub from: Option<String>,
    /// 发现日期止 (YYYY-MM-DD, inclusive)
    #[param(format = Date)]
    pub to: Option<String>,
    /// 挂牌级别 (市/区/街道)
    pub listing_level: Option<ListingLevel>,
    /// 挂牌年度
    #[param(minimum = 2000, maximum = 2100)]
    pub listing_year: Option<i64>,
    /// 挂牌督办逾期: listed, still open and past the listing's own deadline (督办期限) / listed and not so
    pub listing_overdue: Option<bool>,
    /// 未销号 (open: 已上报, 整改中, 待验收) / 已结束
    pub open: Option<bool>,
    /// 即将到期: open, with the deadline today or within this many days (0–90)
    #[param(minimum = 0, maximum = 90)]
    pub due_within_days: Option<i64>,
    /// 验收未通过: back in 整改中 after a failed verification
    pub failed_verification: Option<bool>,
    /// 只看这些隐患 (勾选后导出): ids separated by commas, at most 200
    #[param(pattern = r"^([0-9]{1,18}(,[0-9]{1,18}){0,199})?$")]
    pub ids: Option<String>,
    /// 排序 (default: newest report first)
    pub sort: Option<HazardSort>,
}

/// 排序: the columns a ledger is sorted by; ties go by report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardSort {
    /// 发现时间 新→旧
    FoundDesc,
    /// 发现时间 旧→新
    FoundAsc,
    /// 整改期限 早→晚 (open ones: 逾期天数 多→少)
    DeadlineAsc,
    /// 整改期限 晚→早
    DeadlineDesc,
    /// 等级: 重大 first
    Grade,
}

impl HazardSort {
    /// The sort column over `hazard h`, and whether it runs descending.
    fn column(self) -> (&'static str, bool) {
        match self {
            Self::FoundDesc => ("h.found_at", true),
            Self::FoundAsc => ("h.found_at", false),
            Self::DeadlineAsc => ("h.deadline", false),
            Self::DeadlineDesc => ("h.deadline", true),
            Self::Grade => ("CASE WHEN h.grade = '重大' THEN '1' ELSE '0' END", true),
        }
    }

    /// A hazard's value of the sort column, as the cursor carries it.
    fn value(self, h: &Hazard) -> String {
        match self {
            Self::FoundDesc | Self::FoundAsc => h.found_at.clone(),
            Self::DeadlineAsc | Self::DeadlineDesc => h.deadline.clone(),
            Self::Grade => if h.grade == HazardGrade::Major { "1" } else { "0" }.into(),
        }
    }

    /// `ORDER BY` and, after the cursor's row, the condition for the rows that follow it.
    fn push_order(self, q: &mut Q, after: Option<(i64, &str)>) {
        let (col, desc) = self.column();
        let cmp = if desc { " < " } else { " > " };
        if let Some((id, key)) = after {
            q.push(" AND (").push(col).push(cmp).bind(key.to_string());
            q.push(" OR (").push(col).push(" = ").bind(key.to_string());
            q.push(" AND h.id").push(cmp).bind(id).push("))");
        }
        let dir = if desc { " DESC" } else { " ASC" };
        q.push(" ORDER BY ").push(col).push(dir).push(", h.id").push(dir);
    }
}

/// The ids of `ids=1,2,3`.
fn picked_ids(s: &str) -> Result<Vec<i64>, StoreError> {
    let ids: Vec<i64> = s
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::invalid("ids", "隐患编号列表应为以逗号分隔的数字"))?;
    if ids.len() > MAX_PICKED {
        return Err(StoreError::invalid("ids", format!("一次最多选择{MAX_PICKED}条隐患")));
    }
    Ok(ids)
}

/// The longest 即将到期 window a list takes.
pub const MAX_DUE_WITHIN_DAYS: i64 = 90;

const SELECT: &str = "SELECT h.*, e.name AS enterprise_name, j.name AS jurisdiction_name, \
    CASE WHEN EXISTS (SELECT 1 FROM app_user u WHERE u.org_kind = 'enterprise' AND u.org_id = h.enterprise_id AND u.active = 1) THEN 1 ELSE 0 END AS on_platform, \
    l.level AS l_level, l.supervising_unit AS l_unit, l.document_number AS l_doc, l.deadline AS l_deadline, \
    l.year AS l_year, l.listed_by AS l_by, l.listed_at AS l_at, l.unit_path AS l_unit_path, \
    l.department_id AS l_department_id, ld.name AS l_department_name, l.signed_by AS l_signed_by, \
    l.signed_on AS l_signed_on, l.suspended AS l_suspended, l.assessor_kind AS l_assessor_kind, \
    l.assessor AS l_assessor, l.assessed_on AS l_assessed_on, l.assessment_conclusion AS l_conclusion, \
    l.closed_by AS l_closed_by \
    FROM hazard h JOIN enterprise e ON e.id = h.enterprise_id JOIN jurisdiction j ON j.id = e.jurisdiction_id \
    LEFT JOIN hazard_listing l ON l.hazard_id = h.id LEFT JOIN department ld ON ld.id = l.department_id";

fn row_to_hazard(r: &AnyRow, cal: &BusinessCalendar, today: Date, p: &Principal) -> Result<Hazard, StoreError> {
    let role = p.role;
    let state = HazardState::parse(&r.try_get::<String, _>("state")?).unwrap_or(HazardState::Reported);
    let deadline: String = r.try_get("deadline")?;
    let days = overdue_days(state, &deadline, today);
    let closed_at: Option<String> = r.try_get("closed_at")?;
    let closed_day = closed_day(cal, closed_at.as_deref());
    let plan: Option<String> = r.try_get("plan")?;
    let level: Option<String> = r.try_get("l_level")?;
    let listing = match level.as_deref().and_then(ListingLevel::parse) {
        Some(level) => Some(Listing {
            level,
            supervising_unit: r.try_get("l_unit")?,
            document_number: r.try_get("l_doc")?,
            deadline: r.try_get("l_deadline")?,
            year: r.try_get("l_year")?,
            listed_by: r.try_get("l_by")?,
            listed_at: r.try_get("l_at")?,
            department_id: r.try_get("l_department_id")?,
            department_name: r.try_get("l_department_name")?,
            signed_by: r.try_get("l_signed_by")?,
            signed_on: r.try_get("l_signed_on")?,
            suspended: r.try_get::<i64, _>("l_suspended")? != 0,
            assessor_kind: r.try_get::<Option<String>, _>("l_assessor_kind")?.as_deref().and_then(AssessorKind::parse),
            assessor: r.try_get("l_assessor")?,
            assessed_on: r.try_get("l_assessed_on")?,
            assessment_conclusion: r.try_get("l_conclusion")?,
            closed_by: r.try_get("l_closed_by")?,
            unit_path: r.try_get("l_unit_path")?,
        }),
        None => None,
    };
    let grade = HazardGrade::parse(&r.try_get::<String, _>("grade")?).unwrap_or(HazardGrade::General);
    let source = HazardSource::parse(&r.try_get::<String, _>("source")?).unwrap_or(HazardSource::SelfInspection);
    let enterprise_on_platform = r.try_get::<i64, _>("on_platform")? == 1;
    let mut allowed_actions =
        allowed_actions(HazardFacts { state, grade, source, enterprise_on_platform }, role, listing.is_some());
    // A listed hazard is verified and closed by its listing unit or one above (16号令 Art. 18).
    if listing.as_ref().is_some_and(|l| !l.unit().may_be_closed_by(&p.acting_unit())) {
        allowed_actions.retain(|a| *a != Action::VerifyHazard);
    }
    let listing_levels =
        if allowed_actions.contains(&Action::ListHazard) { ListingLevel::for_unit(role, p.unit_tier) } else { vec![] };
    // (a unit that may list in general but at no level of its own, e.g. a department of a
    // community, is not offered the action)
    if listing_levels.is_empty() {
        allowed_actions.retain(|a| *a != Action::ListHazard);
    }
    Ok(Hazard {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        enterprise_id: r.try_get("enterprise_id")?,
        enterprise_name: r.try_get("enterprise_name")?,
        jurisdiction_name: r.try_get("jurisdiction_name")?,
        sector: r.try_get("sector")?,
        location: r.try_get("location")?,
        description: r.try_get("description")?,
        grade,
        category: r.try_get("category")?,
        source,
        state,
        state_label: state.label().into(),
        overdue: days.is_some(),
        days_overdue: days,
        found_by_name: r.try_get("found_by_name")?,
        found_by: r.try_get("found_by")?,
        enterprise_on_platform,
        found_at: r.try_get("found_at")?,
        found_day: r.try_get("found_day")?,
        deadline,
        responsible: r.try_get("responsible")?,
        plan: plan.and_then(|p| serde_json::from_str(&p).ok()),
        criterion: r.try_get("criterion")?,
        risk_point_id: r.try_get("risk_point_id")?,
        found_longitude: r.try_get("found_longitude")?,
        found_latitude: r.try_get("found_latitude")?,
        listing,
        escalation_level: r.try_get("escalation_level")?,
        closed_at,
        closed_day,
        rectified_on_time: r.try_get::<Option<i64>, _>("rectified_on_time")?.map(|v| v != 0),
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        allowed_actions,
        listing_levels,
        scope_path: r.try_get("scope_path")?,
    })
}

/// 逾期天数 of an open hazard past its deadline (1 on the first day after it), else none.
fn overdue_days(state: HazardState, deadline: &str, today: Date) -> Option<i64> {
    deadline.parse::<Date>().ok().filter(|_| state.is_open()).and_then(|d| days_overdue(d, today)).map(|d| d + 1)
}

/// 销号日期: the stored closing instant's date in the business calendar.
fn closed_day(cal: &BusinessCalendar, closed_at: Option<&str>) -> Option<String> {
    closed_at.and_then(Instant::parse).map(|c| cal.date_of(c).to_string())
}

pub(crate) fn parse_date(field: &str, s: &str) -> Result<Date, StoreError> {
    s.trim().parse::<Date>().map_err(|_| StoreError::invalid(field, "日期格式应为 YYYY-MM-DD"))
}

/// Builds the WHERE clause of a hazard list (scope and filters) over `hazard h` alone; filters
/// on the enterprise or the listing are subqueries, so the planner starts from the hazards.
async fn filter_clause(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    today: Date,
    how: PathMatch,
) -> Result<Q, StoreError> {
    let mut w = Q::new(" WHERE 1=1");
    push_owned_scope_as(&mut w, &p.scope, how);
    if let Some(s) = f.state {
        w.push(" AND h.state = ").bind(s.as_str());
    }
    if let Some(g) = f.grade {
        w.push(" AND h.grade = ").bind(g.as_str());
    }
    if let Some(s) = f.source {
        w.push(" AND h.source = ").bind(s.as_str());
    }
    if let Some(s) = f.sector.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND h.sector = ").bind(s);
    }
    if let Some(jid) = f.jurisdiction_id {
        match jurisdiction_by_id(store, jid).await? {
            Some(j) => {
                w.push(" AND ");
                push_path(&mut w, "h.scope_path", &j.path, how);
            }
            None => {
                w.push(" AND 1=0");
            }
        }
    }
    if let Some(e) = f.enterprise_id {
        w.push(" AND h.enterprise_id = ").bind(e);
    }
    if let Some(ids) = f.ids.as_deref().filter(|s| !s.trim().is_empty()) {
        let ids = picked_ids(ids)?;
        if ids.is_empty() {
            w.push(" AND 1=0");
        } else {
            w.push(" AND h.id IN ").bind_list(&ids);
        }
    }
    if let Some(o) = f.overdue {
        let open = concat!(" h.state IN ", crate::open_states!(), " AND h.deadline < ");
        if o {
            w.push(" AND").push(open).bind(today.to_string());
        } else {
            w.push(" AND NOT (").push(open).bind(today.to_string()).push(")");
        }
    }
    match f.open {
        Some(true) => {
            w.push(concat!(" AND h.state IN ", crate::open_states!()));
        }
        Some(false) => {
            w.push(concat!(" AND h.state NOT IN ", crate::open_states!()));
        }
        None => {}
    }
    if let Some(n) = f.due_within_days {
        if !(0..=MAX_DUE_WITHIN_DAYS).contains(&n) {
            return Err(StoreError::invalid("due_within_days", "即将到期的天数应在 0 到 90 之间"));
        }
        let last = today.checked_add(jiff::Span::new().days(n)).map_err(|e| StoreError::Config(e.to_string()))?;
        w.push(concat!(" AND h.state IN ", crate::open_states!(), " AND h.deadline >= "));
        w.bind(today.to_string()).push(" AND h.deadline <= ").bind(last.to_string());
    }
    match f.failed_verification {
        Some(true) => {
            w.push(" AND h.state = ").bind(HazardState::Rectifying.as_str());
            w.push(
                " AND EXISTS (SELECT 1 FROM hazard_event ev WHERE ev.hazard_id = h.id AND ev.action = 'verify_fail')",
            );
        }
        Some(false) => {
            w.push(" AND NOT (h.state = ").bind(HazardState::Rectifying.as_str());
            w.push(
                " AND EXISTS (SELECT 1 FROM hazard_event ev WHERE ev.hazard_id = h.id AND ev.action = 'verify_fail'))",
            );
        }
        None => {}
    }
    let listing_cond = f.listing_level.is_some() || f.listing_year.is_some() || f.listing_overdue.is_some();
    if f.listed == Some(true) || listing_cond {
        w.push(" AND EXISTS (SELECT 1 FROM hazard_listing l WHERE l.hazard_id = h.id");
        // (open and past the 督办期限 the day after it, in the business calendar, as a hazard's own)
        match f.listing_overdue {
            Some(true) => {
                w.push(concat!(" AND h.state IN ", crate::open_states!(), " AND l.deadline < "))
                    .bind(today.to_string());
            }
            Some(false) => {
                w.push(concat!(" AND (h.state NOT IN ", crate::open_states!(), " OR l.deadline >= "));
                w.bind(today.to_string()).push(")");
            }
            None => {}
        }
        if let Some(l) = f.listing_level {
            w.push(" AND l.level = ").bind(l.as_str());
        }
        if let Some(y) = f.listing_year {
            let y = anjian_domain::time::check_year("listing_year", y).map_err(|e| StoreError::Invalid(vec![e]))?;
            w.push(" AND l.year = ").bind(y);
        }
        w.push(")");
    } else if f.listed == Some(false) {
        w.push(" AND NOT EXISTS (SELECT 1 FROM hazard_listing l WHERE l.hazard_id = h.id)");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.push(" AND (h.number = ").bind(q.to_ascii_uppercase()).push(" OR ").push_contains("h.description", q);
        w.push(" OR h.enterprise_id IN (SELECT id FROM enterprise WHERE ").push_contains("name", q).push("))");
    }
    if let Some(from) = f.from.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND h.found_day >= ").bind(parse_date("from", from)?.to_string());
    }
    if let Some(to) = f.to.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND h.found_day <= ").bind(parse_date("to", to)?.to_string());
    }
    Ok(w)
}

/// How to write the subtree for the capped count. On SQLite, over a broad subtree (a city, a
/// district, a street) with a selective filter, walking the filter's index and checking the path
/// finds the first rows at once; over a narrow one (a community, a grid) the subtree's own index
/// is shorter. Measured on 2,000,000 hazards: 0.6 ms against 23 ms, and 20 ms against 167 ms.
/// PostgreSQL's planner does this itself from the range, and misjudges the `SUBSTR` form (it
/// guessed 296 rows for 59,000 and read them all: 140 ms against 10 ms), so it always gets the range.
async fn count_form(store: &Store, p: &Principal, f: &HazardFilter) -> Result<PathMatch, StoreError> {
    if store.backend == crate::Backend::Postgres {
        return Ok(PathMatch::Range);
    }
    let selective = f.state.is_some()
        || f.grade.is_some()
        || f.source.is_some()
        || f.sector.is_some()
        || f.overdue == Some(true)
        || f.open == Some(true)
        || f.due_within_days.is_some()
        || f.failed_verification == Some(true);
    let mut depth = match &p.scope {
        Scope::Subtree { path } | Scope::Sectors { path, .. } => path.matches('/').count() - 1,
        _ => 0,
    };
    if let Some(j) = f.jurisdiction_id {
        if let Some(j) = jurisdiction_by_id(store, j).await? {
            depth = depth.max(j.path.matches('/').count() - 1);
        }
    }
    Ok(if selective && depth <= 3 { PathMatch::Prefix } else { PathMatch::Range })
}

/// The total a list answers and the cap it was counted to (`counted > cap`: "at least").
async fn total(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    today: Date,
    count: Count,
) -> Result<(i64, i64), StoreError> {
    // The total: index-friendly form, stopped at the cap (exports count everything they take).
    let cap = match count {
        Count::Exact => COUNT_CAP,
        Count::Export { cap } => cap,
        Count::Skip => return Ok((0, 0)),
    };
    // The running totals give the exact total where they can (a state tab over a district:
    // 6 ms instead of counting 2,001 rows of the state index); otherwise count up to the cap.
    Ok(match tallied_total(store, p, f, today).await? {
        Some(n) => (n, i64::MAX),
        None => (capped_count(store, p, f, today, cap).await?, cap),
    })
}

/// Lists count exactly up to this many rows; beyond it the answer says "at least".
pub const COUNT_CAP: i64 = 2000;

/// The number of hazards the filter lists, counted up to `cap + 1` (more means "at least `cap`").
async fn capped_count(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    today: Date,
    cap: i64,
) -> Result<i64, StoreError> {
    let w = filter_clause(store, p, f, today, count_form(store, p, f).await?).await?;
    let mut count = Q::prefixed("SELECT COUNT(*) AS n FROM (SELECT 1 FROM hazard h", &w);
    count.push(" LIMIT ").bind(cap + 1).push(") t");
    Ok(count.fetch_one(store.pool()).await?.try_get("n")?)
}

pub async fn list(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    page: PageReq,
    at: Timestamp,
) -> Result<Page<Hazard>, StoreError> {
    let cal = store.calendar().await?;
    let today = cal.date_of(at.into());
    let (counted, cap) = total(store, p, f, today, page.count).await?;
    // The page: the newest ids first, found on the hazard table alone, then their details.
    let mut ids =
        Q::prefixed("SELECT h.id FROM hazard h", &filter_clause(store, p, f, today, PathMatch::Prefix).await?);
    match f.sort {
        None => {
            if let Some(a) = page.after {
                ids.push(" AND h.id < ").bind(a);
            }
            ids.push(" ORDER BY h.id DESC");
        }
        Some(sort) => {
            let after = page.after.zip(page.after_key.as_deref());
            sort.push_order(&mut ids, after);
        }
    }
    ids.push(" LIMIT ").bind(page.size + 1);
    let ids: Vec<i64> = ids.fetch_all(store.pool()).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let items = if ids.is_empty() {
        vec![]
    } else {
        let mut q = Q::new(SELECT);
        q.push(" WHERE h.id IN ").bind_list(&ids);
        let mut rows: std::collections::HashMap<i64, Hazard> = q
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| row_to_hazard(r, &cal, today, p).map(|h| (h.id, h)))
            .collect::<Result<_, _>>()?;
        // in the order the ids were found
        ids.iter().filter_map(|id| rows.remove(id)).collect()
    };
    let mut out = match f.sort {
        None => finish(items, page, counted.min(cap), |h| h.id),
        Some(sort) => finish_with(items, page, counted.min(cap), |h| encode_keyed_cursor(h.id, &sort.value(h))),
    };
    out.total_capped = counted > cap;
    Ok(out)
}

async fn get_row(store: &Store, p: &Principal, id: i64, at: Timestamp) -> Result<Hazard, StoreError> {
    let cal = store.calendar().await?;
    let mut q = Q::new(SELECT);
    q.push(" WHERE h.id = ").bind(id);
    push_owned_scope(&mut q, &p.scope);
    let row = q.fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    row_to_hazard(&row, &cal, cal.date_of(at.into()), p)
}

pub async fn get(store: &Store, p: &Principal, id: i64, at: Timestamp) -> Result<HazardDetail, StoreError> {
    let hazard = get_row(store, p, id, at).await?;
    Ok(details(store, vec![hazard]).await?.pop().expect("one hazard, one detail"))
}

/// Hazards just reported, each as its reporter sees it at the time of its report: the batching
/// writer's answers, read together (its reporters' enterprises were checked in scope before
/// the write).
pub(crate) async fn reported(
    store: &Store,
    reports: &[(i64, &Principal, Timestamp)],
) -> Result<Vec<HazardDetail>, StoreError> {
    let cal = store.calendar().await?;
    let ids: Vec<i64> = reports.iter().map(|(id, ..)| *id).collect();
    let mut q = Q::new(SELECT);
    q.push(" WHERE h.id IN ").bind_list(&ids);
    let rows: std::collections::HashMap<i64, AnyRow> = q
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("id")?, r)))
        .collect::<Result<_, StoreError>>()?;
    let hazards = reports
        .iter()
        .map(|(id, p, at)| {
            let row = rows.get(id).ok_or(StoreError::NotFound)?;
            row_to_hazard(row, &cal, cal.date_of((*at).into()), p)
        })
        .collect::<Result<Vec<_>, _>>()?;
    details(store, hazards).await
}

/// The hazards with their photos and timelines (two queries for all).
async fn details(store: &Store, hazards: Vec<Hazard>) -> Result<Vec<HazardDetail>, StoreError> {
    let ids: Vec<i64> = hazards.iter().map(|h| h.id).collect();
    let mut photos = files::attached(store, "hazard", &ids).await?;
    let mut events = std::collections::HashMap::<i64, Vec<Event>>::new();
    let mut q = Q::new("SELECT * FROM hazard_event WHERE hazard_id IN ");
    q.bind_list(&ids).push(" ORDER BY id");
    for r in q.fetch_all(store.pool()).await? {
        let action: String = r.try_get("action")?;
        let from: Option<String> = r.try_get("from_state")?;
        events.entry(r.try_get("hazard_id")?).or_default().push(Event {
            action_label: action_label(&action).into(),
            action,
            from_state: from.as_deref().and_then(HazardState::parse),
            to_state: HazardState::parse(&r.try_get::<String, _>("to_state")?).unwrap_or(HazardState::Reported),
            actor_name: r.try_get("actor_name")?,
            comment: r.try_get("comment")?,
            at: r.try_get("at")?,
        });
    }
    Ok(hazards
        .into_iter()
        .map(|hazard| HazardDetail {
            photos: photos.remove(&hazard.id).unwrap_or_default(),
            events: events.remove(&hazard.id).unwrap_or_default(),
            hazard,
        })
        .collect())
}

fn action_label(a: &str) -> &'static str {
    match a {
        "report" => "上报",
        "rectify" => "开始整改",
        "submit" => "提交验收",
        "verify_pass" => "验收通过（销号）",
        "verify_fail" => "验收不通过",
        "reject" => "驳回",
        "close" => "立查立改销号",
        "list" => "挂牌督办",
        "close_listing" => "挂牌督办销号",
        "escalate" => "逾期提醒",
        "urge" => "催办",
        _ => "其他",
    }
}
