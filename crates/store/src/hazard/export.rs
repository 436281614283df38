//! The ledger's export (隐患台账导出): one streamed query of the exported columns in the list's order,
//! each row handed on as it is read — no pages, no ids fetched first, no allowed actions.

use super::*;
use futures::TryStreamExt;

/// One row of the exported ledger: the columns of the sheet, in the business calendar.
#[derive(Debug)]
pub struct HazardExport {
    pub number: String,
    pub enterprise_name: String,
    pub jurisdiction_name: String,
    pub sector: String,
    pub location: String,
    pub description: String,
    pub grade: HazardGrade,
    pub source: HazardSource,
    pub state: HazardState,
    pub found_day: String,
    pub deadline: String,
    /// 逾期天数, as the list has it
    pub days_overdue: Option<i64>,
    /// 挂牌督办: level and document number
    pub listing: Option<(ListingLevel, String)>,
    pub responsible: String,
    /// 销号日期
    pub closed_day: Option<String>,
}

const EXPORT_SELECT: &str = "SELECT h.number, e.name AS enterprise_name, j.name AS jurisdiction_name, h.sector, \
    h.location, h.description, h.grade, h.source, h.state, h.found_day, h.deadline, h.responsible, h.closed_at, \
    l.level AS l_level, l.document_number AS l_doc \
    FROM hazard h JOIN enterprise e ON e.id = h.enterprise_id JOIN jurisdiction j ON j.id = e.jurisdiction_id \
    LEFT JOIN hazard_listing l ON l.hazard_id = h.id";

/// How many rows the filter exports, counted up to `cap + 1` (the caller refuses more).
pub async fn export_total(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    at: Timestamp,
    cap: i64,
) -> Result<i64, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    Ok(total(store, p, f, today, Count::Export { cap }).await?.0)
}

/// Sends the rows the filter lists, in its order, to `out` as they are read; stops early when
/// the receiver is gone. Answers how many were sent.
pub async fn export_rows(
    store: &Store,
    p: &Principal,
    f: &HazardFilter,
    at: Timestamp,
    out: tokio::sync::mpsc::Sender<HazardExport>,
) -> Result<u64, StoreError> {
    let cal = store.calendar().await?;
    let today = cal.date_of(at.into());
    let mut q = Q::prefixed(EXPORT_SELECT, &filter_clause(store, p, f, today, PathMatch::Prefix).await?);
    match f.sort {
        Some(sort) => sort.push_order(&mut q, None),
        None => {
            q.push(" ORDER BY h.id DESC");
        }
    }
    let mut rows = q.query().fetch(store.pool());
    let mut sent = 0;
    while let Some(r) = rows.try_next().await? {
        let state = HazardState::parse(&r.try_get::<String, _>("state")?).unwrap_or(HazardState::Reported);
        let deadline: String = r.try_get("deadline")?;
        let closed_at: Option<String> = r.try_get("closed_at")?;
        let level: Option<String> = r.try_get("l_level")?;
        let listing = match level.as_deref().and_then(ListingLevel::parse) {
            Some(level) => Some((level, r.try_get("l_doc")?)),
            None => None,
        };
        let row = HazardExport {
            number: r.try_get("number")?,
            enterprise_name: r.try_get("enterprise_name")?,
            jurisdiction_name: r.try_get("jurisdiction_name")?,
            sector: r.try_get("sector")?,
            location: r.try_get("location")?,
            description: r.try_get("description")?,
            grade: HazardGrade::parse(&r.try_get::<String, _>("grade")?).unwrap_or(HazardGrade::General),
            source: HazardSource::parse(&r.try_get::<String, _>("source")?).unwrap_or(HazardSource::SelfInspection),
            state,
            found_day: r.try_get("found_day")?,
            days_overdue: overdue_days(state, &deadline, today),
            deadline,
            listing,
            responsible: r.try_get("responsible")?,
            closed_day: closed_day(&cal, closed_at.as_deref()),
        };
        if out.send(row).await.is_err() {
            break;
        }
        sent += 1;
    }
    Ok(sent)
}
