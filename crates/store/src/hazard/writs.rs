//! The hazard's notices (隐患整改通知书, 挂牌督办通知书) as the domain writes them.

use super::*;
use anjian_domain::hazard::{hazard_writ, HazardWritKind, WritHazard, WritListing};
use anjian_domain::writ::{issuing_unit, Writ};

/// The notice of `kind` for a hazard the caller sees, issued by `issuer` or else by the caller's
/// unit as a notice names it; 409 when there is no such notice (a listing notice of a hazard
/// not listed).
pub async fn writ(
    store: &Store,
    p: &Principal,
    id: i64,
    kind: HazardWritKind,
    issuer: Option<&str>,
    at: Timestamp,
) -> Result<Writ, StoreError> {
    p.require(Action::IssueHazardNotice)?;
    let h = get_row(store, p, id, at).await?;
    let issuer = match issuer.map(str::trim).filter(|s| !s.is_empty()) {
        Some(i) => {
            let mut errs = vec![];
            let name =
                anjian_domain::text::single_line("issuer", "检查单位", i, anjian_domain::text::MAX_NAME, &mut errs);
            if !errs.is_empty() {
                return Err(StoreError::Invalid(errs));
            }
            name
        }
        None => issuing_unit(p.role, &crate::auth::org_name(store, p).await?),
    };
    let cal = store.calendar().await?;
    let listed_on = h.listing.as_ref().and_then(|l| Instant::parse(&l.listed_at)).map(|i| cal.date_of(i).to_string());
    let subject = WritHazard {
        number: &h.number,
        enterprise_name: &h.enterprise_name,
        found_day: &h.found_day,
        found_by_name: &h.found_by_name,
        source: h.source,
        location: &h.location,
        description: &h.description,
        grade: h.grade,
        state: h.state,
        criterion: h.criterion.as_deref(),
        deadline: &h.deadline,
        responsible: &h.responsible,
        plan: h.plan.as_ref(),
        listing: h.listing.as_ref().map(|l| WritListing {
            level: l.level.as_str(),
            supervising_unit: &l.supervising_unit,
            document_number: &l.document_number,
            deadline: &l.deadline,
            listed_on: listed_on.as_deref().unwrap_or(""),
        }),
    };
    let today = cal.date_of(at.into()).to_string();
    hazard_writ(subject, kind, &issuer, &today).map_err(|m| StoreError::Conflict(m.into()))
}
