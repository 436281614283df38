//! The ledger's tabs (全部 / 已上报 / 整改中 / 待验收 / 已逾期 / 已销号 / 已驳回): how many hazards
//! each would list for the caller. Each figure is the `total` the list answers with the same
//! filters and the tab's state (or `overdue=true`).

use super::{capped_count, HazardFilter, COUNT_CAP};
use crate::db::Q;
use crate::org::jurisdiction_by_id;
use crate::scope::{push_owned_scope, push_subtree};
use crate::{Principal, Store, StoreError};
use anjian_domain::hazard::HazardState;
use anjian_domain::scope::Scope;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// One tab of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TabCount {
    /// `all`, a state (`reported` …) or `overdue`
    pub key: String,
    pub label: String,
    pub count: i64,
    /// The count stopped at the list's cap: there are at least `count`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// 隐患台账 tab counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HazardCounts {
    pub tabs: Vec<TabCount>,
}

/// The tabs in the ledger's order: everything, the open states, overdue, then the ends. The
/// state tabs carry the domain's labels.
fn tabs() -> Vec<TabCount> {
    use HazardState::*;
    let tab = |key: &str, label: &str| TabCount { key: key.into(), label: label.into(), count: 0, capped: false };
    let state = |s: HazardState| tab(s.as_str(), s.label());
    vec![
        tab("all", "全部"),
        state(Reported),
        state(Rectifying),
        state(PendingVerification),
        tab("overdue", "已逾期"),
        state(Closed),
        state(Rejected),
    ]
}

/// Whether the filter only narrows the place (so the running totals answer it).
fn only_place(f: &HazardFilter) -> bool {
    let HazardFilter {
        state: _,
        overdue: _,
        jurisdiction_id: _,
        grade,
        source,
        sector,
        enterprise_id,
        listed,
        q,
        from,
        to,
        listing_level,
        listing_year,
        listing_overdue,
        open,
        due_within_days,
        failed_verification,
        ids,
        sort: _,
    } = f;
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    grade.is_none()
        && source.is_none()
        && blank(sector)
        && enterprise_id.is_none()
        && listed.is_none()
        && blank(q)
        && blank(ids)
        && blank(from)
        && blank(to)
        && listing_level.is_none()
        && listing_year.is_none()
        && listing_overdue.is_none()
        && open.is_none()
        && due_within_days.is_none()
        && failed_verification.is_none()
}

/// The place a tallied count covers: the caller's scope, narrowed to a jurisdiction if asked
/// (`Some(None)`: a jurisdiction that does not exist, so nothing).
struct Place<'a> {
    scope: &'a Scope,
    within: Option<Option<String>>,
}

impl Place<'_> {
    fn narrow(&self, q: &mut Q) {
        push_owned_scope(q, self.scope);
        match &self.within {
            Some(Some(path)) => {
                q.push(" AND ");
                push_subtree(q, "h.scope_path", path);
            }
            Some(None) => {
                q.push(" AND 1=0");
            }
            None => {}
        }
    }
}

/// The place of a filter that the running totals can answer: a jurisdiction scope and no filter
/// but a place (the state and overdue filters aside); `None` otherwise.
async fn tallied_place<'a>(store: &Store, p: &'a Principal, f: &HazardFilter) -> Result<Option<Place<'a>>, StoreError> {
    if !matches!(p.scope, Scope::All | Scope::Subtree { .. } | Scope::Sectors { .. }) || !only_place(f) {
        return Ok(None);
    }
    let within = match f.jurisdiction_id {
        Some(id) => Some(jurisdiction_by_id(store, id).await?.map(|j| j.path)),
        None => None,
    };
    Ok(Some(Place { scope: &p.scope, within }))
}

/// Hazards per state from `hazard_state_tally` (a few rows per grid and sector). PostgreSQL sums
/// BIGINT into NUMERIC, hence the cast.
async fn state_sums(
    store: &Store,
    place: &Place<'_>,
    only: Option<HazardState>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut q = Q::new("SELECT h.state, CAST(SUM(h.n) AS BIGINT) AS n FROM hazard_state_tally h WHERE 1=1");
    // Each state named, so the covering index is read one state's range at a time (3 ms over
    // the synthetic district's 10,800 rows; without it SQLite visited the table: 8–12 ms).
    let states: Vec<&str> = match only {
        Some(s) => vec![s.as_str()],
        None => HazardState::ALL.iter().map(|s| s.as_str()).collect(),
    };
    q.push(" AND h.state IN ").bind_list(&states);
    place.narrow(&mut q);
    q.push(" GROUP BY h.state");
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("state")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0))))
        .collect()
}

/// Open hazards past their deadline, from the partial index of open deadlines. SQLite's planner
/// took the `(state, deadline)` index and read every row (150–270 ms at 2,000,000 hazards) where
/// the partial index answers alone (25 ms), so it is named.
async fn overdue_count(store: &Store, place: &Place<'_>, today: Date) -> Result<i64, StoreError> {
    let mut q = Q::new("SELECT COUNT(*) AS n FROM hazard h");
    if store.backend == crate::Backend::Sqlite {
        q.push(" INDEXED BY hazard_overdue");
    }
    q.push(concat!(" WHERE h.state IN ", crate::open_states!(), " AND h.deadline < "));
    q.bind(today.to_string());
    place.narrow(&mut q);
    Ok(q.fetch_one(store.pool()).await?.try_get("n")?)
}

/// The exact total of a list the running totals answer (no filter but a place, and at most one
/// of a state and `overdue=true`), or `None` when the list must count.
pub(super) async fn tallied_total(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    today: Date,
) -> Result<Option<i64>, StoreError> {
    let Some(place) = tallied_place(store, p, f).await? else { return Ok(None) };
    Ok(match (f.state, f.overdue) {
        (None, None) => Some(state_sums(store, &place, None).await?.iter().map(|(_, n)| n).sum()),
        (Some(s), None) => Some(state_sums(store, &place, Some(s)).await?.iter().map(|(_, n)| n).sum()),
        (None, Some(true)) => Some(overdue_count(store, &place, today).await?),
        _ => None,
    })
}

/// Counts for each tab. Over a jurisdiction's scope with no filter but a place, the states come
/// from the running totals and 已逾期 from the index of open deadlines; otherwise each tab is
/// counted like the list's total, up to the same cap.
pub async fn counts(store: &Store, p: &Principal, f: &HazardFilter, at: Timestamp) -> Result<HazardCounts, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let mut f = f.clone();
    f.state = None;
    f.overdue = None;
    let mut tabs = tabs();
    if let Some(place) = tallied_place(store, p, &f).await? {
        for (state, n) in state_sums(store, &place, None).await? {
            if let Some(t) = tabs.iter_mut().find(|t| t.key == state) {
                t.count = n;
            }
            tabs[0].count += n;
        }
        tabs[4].count = overdue_count(store, &place, today).await?;
        return Ok(HazardCounts { tabs });
    }
    for tab in &mut tabs {
        let mut tf = f.clone();
        match tab.key.as_str() {
            "all" => {}
            "overdue" => tf.overdue = Some(true),
            s => tf.state = HazardState::parse(s),
        }
        let n = capped_count(store, p, &tf, today, COUNT_CAP).await?;
        tab.count = n.min(COUNT_CAP);
        tab.capped = n > COUNT_CAP;
    }
    Ok(HazardCounts { tabs })
}
