//! Listed supervision (挂牌督办): listing a hazard, quotas, and the year's results per level.

use super::*;
pub use anjian_domain::hazard::UrgeInput;

/// Lists (挂牌督办) a 重大 hazard.
pub async fn list_hazard(
    store: &Store,
    p: &Principal,
    id: i64,
    input: ListingInput,
    at: Timestamp,
) -> Result<HazardDetail, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let h = get_row(store, p, id, at).await?;
    let facts = HazardFacts {
        state: h.state,
        grade: h.grade,
        source: h.source,
        enterprise_on_platform: h.enterprise_on_platform,
    };
    let listing = decide_listing(facts, p.role, h.listing.is_some(), &input, today).map_err(refusal)?;
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    write_listing(&mut tx, &p.actor(), &HazardRef::of(&h), &listing, today.year() as i64, at).await?;
    let notice = crate::notify::HazardHandoverNotice {
        hazard_id: h.id,
        number: &h.number,
        facts,
        target: crate::notify::Target { enterprise_id: h.enterprise_id, path: &h.scope_path, sector: &h.sector },
        found_by: h.found_by,
        handover: anjian_domain::notice::HazardHandover::Listed,
        body: format!(
            "{}级挂牌督办，督办单位 {}，文号 {}，督办期限 {}",
            listing.level.as_str(),
            listing.supervising_unit,
            listing.document_number,
            listing.deadline
        ),
        actor: Some(p.user_id),
        fresh: false,
    };
    crate::notify::hazard_handovers(&mut tx, &[notice], at).await?;
    tx.commit().await?;
    get(store, p, id, at).await
}

/// Writes a listing with its timeline entry and audit record in the caller's transaction.
pub(crate) async fn write_listing(
    tx: &mut Tx,
    actor: &crate::Actor,
    h: &HazardRef,
    input: &ValidListing,
    year: i64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let id = h.id;
    let ts = format_ts(at);
    let mut q = Q::new("INSERT INTO hazard_listing (hazard_id, level, supervising_unit, document_number, deadline, year, listed_by, listed_at) VALUES (");
    q.bind(id)
        .push(", ")
        .bind(input.level.as_str())
        .push(", ")
        .bind(input.supervising_unit.as_str())
        .push(", ")
        .bind(input.document_number.as_str());
    q.push(", ")
        .bind(input.deadline.to_string())
        .push(", ")
        .bind(year)
        .push(", ")
        .bind(actor.name.as_str())
        .push(", ")
        .bind(ts.as_str())
        .push(")");
    q.execute(&mut *tx.tx).await.map_err(|e| {
        if e.unique_violation().is_some() {
            StoreError::Conflict("该隐患已挂牌督办".into())
        } else {
            e
        }
    })?;
    let comment = format!(
        "{}级挂牌督办，督办单位 {}，文号 {}，期限 {}",
        input.level.as_str(),
        input.supervising_unit,
        input.document_number,
        input.deadline
    );
    add_event(tx, id, "list", Some(h.state), h.state, actor, &comment, &ts).await?;
    tally(tx, h, TallyDelta { listed: 1, ..Default::default() }).await?;
    audit::record(
        tx,
        actor,
        Change::new("list", "hazard", Some(id), &h.scope_path, format!("隐患 {} {}", h.number, comment)).after(serde_json::json!({"level": input.level, "document_number": input.document_number, "deadline": input.deadline.to_string()})),
    )
    .await?;
    Ok(())
}

/// Quota and results of one listing level in a year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListingSummary {
    pub level: ListingLevel,
    pub quota: i64,
    pub used: i64,
    pub closed: i64,
    /// Closed on or before the listing deadline
    pub closed_on_time: i64,
    /// closed_on_time / used, in percent (100 when nothing is listed)
    pub on_time_rate: f64,
}

pub async fn quota(store: &Store, year: i64) -> Result<ListingQuota, StoreError> {
    crate::settings::get_or_default(store, &format!("listing_quota:{year}")).await
}

pub async fn set_quota(store: &Store, p: &Principal, year: i64, q: ListingQuota) -> Result<(), StoreError> {
    p.require(Action::SetListingQuota)?;
    let errs: Vec<_> =
        [anjian_domain::time::check_year("year", year).err(), q.validate().err()].into_iter().flatten().collect();
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let summary = format!("设置{year}年挂牌督办指标：市级{}、区级{}、街道{}", q.city, q.district, q.street);
    crate::settings::set(store, &p.actor(), &format!("listing_quota:{year}"), &q, &summary).await
}

pub async fn listing_summary(store: &Store, p: &Principal, year: i64) -> Result<Vec<ListingSummary>, StoreError> {
    p.require(Action::ReadListings)?;
    let quota = quota(store, year).await?;
    let cal = store.calendar().await?;
    // A year's listings are tens, not thousands: read them and decide "on time" in the business
    // calendar (a UTC date compared with a local deadline counted 00:00–08:00 of the next day in).
    let mut q = Q::new("SELECT l.level AS level, l.deadline AS deadline, h.state AS state, h.closed_at AS closed_at FROM hazard_listing l JOIN hazard h ON h.id = l.hazard_id WHERE l.year = ");
    q.bind(year);
    push_owned_scope(&mut q, &p.scope);
    let mut counts: std::collections::HashMap<String, (i64, i64, i64)> = Default::default();
    for r in q.fetch_all(store.pool()).await? {
        let c = counts.entry(r.try_get("level")?).or_default();
        c.0 += 1;
        if r.try_get::<String, _>("state")? == HazardState::Closed.as_str() {
            c.1 += 1;
            let closed = r.try_get::<Option<String>, _>("closed_at")?.as_deref().and_then(Instant::parse);
            let deadline = r.try_get::<String, _>("deadline")?.parse::<Date>().ok();
            if let (Some(closed), Some(deadline)) = (closed, deadline) {
                c.2 += cal.on_time(closed, deadline) as i64;
            }
        }
    }
    let mut out = vec![];
    for level in ListingLevel::ALL {
        let (used, closed, on_time) = counts.get(level.as_str()).copied().unwrap_or_default();
        out.push(ListingSummary {
            level,
            quota: quota.of(level),
            used,
            closed,
            closed_on_time: on_time,
            on_time_rate: if used == 0 { 100.0 } else { (on_time as f64 * 1000.0 / used as f64).round() / 10.0 },
        });
    }
    Ok(out)
}

/// What a 催办 did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UrgeResult {
    /// 隐患编号 of the hazards pressed
    pub urged: Vec<String>,
    /// Those passed over, with why
    pub skipped: Vec<UrgeSkipped>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UrgeSkipped {
    pub id: i64,
    /// 隐患编号 (empty when the caller does not see it)
    pub number: String,
    pub reason: String,
}

/// 催办: presses the enterprises of the ticked hazards that wait on them (a notice each, to the
/// enterprise or the unit above when it has no account; a timeline entry and an audit record),
/// in one transaction; the others are answered as skipped with the reason.
pub async fn urge(store: &Store, p: &Principal, input: UrgeInput, at: Timestamp) -> Result<UrgeResult, StoreError> {
    p.require(Action::UrgeHazard)?;
    let input = input.validate().map_err(StoreError::Invalid)?;
    let ids = input.ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let f = HazardFilter { ids: Some(ids), ..Default::default() };
    let page = PageReq { size: MAX_PICKED as i64, after: None, after_key: None, count: Count::Skip };
    let seen = list(store, p, &f, page, at).await?.items;
    let mut skipped: Vec<UrgeSkipped> = input
        .ids
        .iter()
        .filter(|id| !seen.iter().any(|h| h.id == **id))
        .map(|id| UrgeSkipped {
            id: *id, number: String::new(), reason: "隐患不存在或不在您的管辖范围内".into()
        })
        .collect();
    let (pressed, refused): (Vec<&Hazard>, Vec<&Hazard>) = seen.iter().partition(|h| urge_refusal(h.state).is_none());
    skipped.extend(refused.iter().map(|h| UrgeSkipped {
        id: h.id,
        number: h.number.clone(),
        reason: urge_refusal(h.state).unwrap_or_default().into(),
    }));
    let (actor, ts) = (p.actor(), format_ts(at));
    let mut tx = store.begin().await?;
    let mut notices = vec![];
    for h in &pressed {
        let r = HazardRef::of(h);
        let comment = if input.message.is_empty() {
            format!("请于整改期限 {} 前完成整改", h.deadline)
        } else {
            input.message.clone()
        };
        add_event(&mut tx, h.id, "urge", Some(h.state), h.state, &actor, &comment, &ts).await?;
        audit::record(
            &mut tx,
            &actor,
            Change::new("urge", "hazard", Some(h.id), &r.scope_path, format!("隐患 {}：催办", h.number))
                .after(serde_json::json!({"comment": comment})),
        )
        .await?;
        notices.push(crate::notify::HazardHandoverNotice {
            hazard_id: h.id,
            number: &h.number,
            facts: HazardFacts {
                state: h.state,
                grade: h.grade,
                source: h.source,
                enterprise_on_platform: h.enterprise_on_platform,
            },
            target: crate::notify::Target { enterprise_id: h.enterprise_id, path: &h.scope_path, sector: &h.sector },
            found_by: h.found_by,
            handover: anjian_domain::notice::HazardHandover::Urged,
            body: format!("{}催办：{comment}（{}）", p.display_name, h.description),
            actor: Some(p.user_id),
            fresh: false,
        });
    }
    crate::notify::hazard_handovers(&mut tx, &notices, at).await?;
    tx.commit().await?;
    Ok(UrgeResult { urged: pressed.iter().map(|h| h.number.clone()).collect(), skipped })
}
