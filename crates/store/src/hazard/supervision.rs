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
    let listing = decide_listing(facts, p.role, p.unit_tier, h.listing.is_some(), &input, today).map_err(refusal)?;
    if let Some(sig) = &listing.signature {
        files::check_attachable(store, p, "signed_file_id", &[sig.file_id]).await?;
    }
    let unit = match (&p.scope, p.role) {
        (anjian_domain::scope::Scope::Sectors { path, .. }, Role::Department) => {
            ListingUnit::Department { id: p.org_id, path: path.clone() }
        }
        _ => government_unit(store, &h.scope_path, listing.level).await?,
    };
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    let href = HazardRef::of(&h);
    write_listing(&mut tx, &p.actor(), &href, &listing, &unit, today.year() as i64, at).await?;
    if let Some(sig) = &listing.signature {
        files::attach(&mut tx, &href.owner(), "listing_signed", "signed_file_id", &[sig.file_id]).await?;
    }
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

/// The government that lists at `level` a hazard at `path`: the jurisdiction of the level's tier
/// that holds it, or the top of the tree when the installation has none of that tier (a
/// district's installation records a 市级 listing under its district).
pub(crate) async fn government_unit(store: &Store, path: &str, level: ListingLevel) -> Result<ListingUnit, StoreError> {
    let ids = anjian_domain::scope::path_ids(path);
    let top = ids.first().map_or("/".to_string(), |id| format!("/{id}/"));
    if ids.is_empty() {
        return Ok(ListingUnit::Government { path: top });
    }
    let mut q = Q::new("SELECT path FROM jurisdiction WHERE level = ");
    q.bind(level.jurisdiction_level().as_str()).push(" AND id IN ").bind_list(&ids);
    let found: Option<String> = q.fetch_optional(store.pool()).await?.map(|r| r.try_get("path")).transpose()?;
    Ok(ListingUnit::Government { path: found.unwrap_or(top) })
}

/// Writes a listing by `unit` with its timeline entry and audit record in the caller's
/// transaction.
pub(crate) async fn write_listing(
    tx: &mut Tx,
    actor: &crate::Actor,
    h: &HazardRef,
    input: &ValidListing,
    unit: &ListingUnit,
    year: i64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let id = h.id;
    let ts = format_ts(at);
    let (unit_path, department_id) = match unit {
        ListingUnit::Government { path } => (path.as_str(), None),
        ListingUnit::Department { id, path } => (path.as_str(), Some(*id)),
    };
    let sig = input.signature.as_ref();
    let mut q = Q::new("INSERT INTO hazard_listing (hazard_id, level, supervising_unit, document_number, deadline, year, listed_by, listed_at, unit_path, department_id, signed_by, signed_on, suspended) VALUES (");
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
        .push(", ")
        .bind(unit_path)
        .push(", ")
        .bind(department_id)
        .push(", ")
        .bind(sig.map(|s| s.by.as_str()))
        .push(", ")
        .bind(sig.map(|s| s.on.to_string()))
        .push(", ")
        .bind(i64::from(input.suspended))
        .push(")");
    q.execute(&mut *tx.tx).await.map_err(|e| {
        if e.unique_violation().is_some() {
            StoreError::Conflict("该隐患已挂牌督办".into())
        } else {
            e
        }
    })?;
    let mut comment = format!(
        "{}级挂牌督办，督办单位 {}，文号 {}，期限 {}",
        input.level.as_str(),
        input.supervising_unit,
        input.document_number,
        input.deadline
    );
    if let Some(sig) = sig {
        comment.push_str(&format!("，{} {} 签字", sig.by, sig.on));
    }
    if input.suspended {
        comment.push_str("，责令停产停业治理");
    }
    add_event(tx, id, "list", Some(h.state), h.state, actor, &comment, &ts).await?;
    tally(tx, h, TallyDelta { listed: 1, ..Default::default() }).await?;
    audit::record(
        tx,
        actor,
        Change::new("list", "hazard", Some(id), &h.scope_path, format!("隐患 {} {}", h.number, comment)).after(serde_json::json!({"level": input.level, "document_number": input.document_number, "deadline": input.deadline.to_string(), "signed_by": sig.map(|s| &s.by), "suspended": input.suspended})),
    )
    .await?;
    Ok(())
}

/// A listing level and what this installation calls it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListingLevelName {
    pub level: ListingLevel,
    /// 县, 镇（街道）, 区, 街道 … (from the names of the jurisdictions of the level's tier)
    pub label: String,
}

/// What `level` is called among `names` (from [`listing_levels`]).
fn label_of(names: &[ListingLevelName], level: ListingLevel) -> String {
    names.iter().find(|n| n.level == level).map_or(level.as_str().to_string(), |n| n.label.clone())
}

/// The listing levels under the names of this installation's jurisdictions
/// (`ListingLevel::name_among`).
pub async fn listing_levels(store: &Store) -> Result<Vec<ListingLevelName>, StoreError> {
    let rows = Q::new("SELECT level, name FROM jurisdiction WHERE level IN ('city', 'district', 'street')")
        .fetch_all(store.pool())
        .await?;
    let mut names: Vec<(String, String)> = vec![];
    for r in rows {
        names.push((r.try_get("level")?, r.try_get("name")?));
    }
    Ok(ListingLevel::ALL
        .into_iter()
        .map(|level| {
            let tier = level.jurisdiction_level().as_str();
            let label = level.name_among(names.iter().filter(|(l, _)| l == tier).map(|(_, n)| n.as_str()));
            ListingLevelName { level, label }
        })
        .collect())
}

/// Quota and results of one listing level in a year, for one jurisdiction.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListingSummary {
    pub level: ListingLevel,
    /// The level's name here (县, 镇（街道）…)
    pub label: String,
    /// The jurisdiction whose quota and listings these are
    pub jurisdiction_id: i64,
    pub jurisdiction_name: String,
    /// That jurisdiction's quota for the level in the year; null when none is set
    pub quota: Option<i64>,
    /// used, closed, closed on time, due (closed or past the deadline: what the rate is over),
    /// in progress, overdue
    #[serde(flatten)]
    pub tally: ListingTally,
    /// closed_on_time / due, in percent (100 when none is due)
    pub on_time_rate: f64,
}

/// The jurisdiction a listing summary or quota is for: the one asked for, within the caller's
/// scope (404 outside it), or the caller's own (a committee's district, a station's street; the
/// top of the tree for the administrator).
async fn listing_jurisdiction(
    store: &Store,
    p: &Principal,
    id: Option<i64>,
) -> Result<crate::org::Jurisdiction, StoreError> {
    if let Some(id) = id {
        return crate::org::jurisdiction_get(store, p, id).await;
    }
    let own = match p.scope.jurisdiction_root() {
        JurisdictionView::Subtree(path) => anjian_domain::scope::path_node(path),
        JurisdictionView::All => {
            let top = Q::new("SELECT id FROM jurisdiction WHERE parent_id IS NULL ORDER BY id LIMIT 1")
                .fetch_optional(store.pool())
                .await?;
            top.map(|r| r.try_get::<i64, _>("id")).transpose()?
        }
        JurisdictionView::None => None,
    };
    match own {
        Some(id) => crate::org::jurisdiction_get(store, p, id).await,
        None => Err(StoreError::NotFound),
    }
}

/// A jurisdiction's quota for a year: its own row, or for the top of the tree the
/// installation-wide setting of before quotas were per jurisdiction (`listing_quota:YEAR`).
pub async fn quota(store: &Store, j: &crate::org::Jurisdiction, year: i64) -> Result<Option<ListingQuota>, StoreError> {
    let row = Q::new("SELECT city, district, street FROM listing_quota WHERE jurisdiction_id = ")
        .bind(j.id)
        .push(" AND year = ")
        .bind(year)
        .fetch_optional(store.pool())
        .await?;
    if let Some(r) = row {
        return Ok(Some(ListingQuota {
            city: r.try_get("city")?,
            district: r.try_get("district")?,
            street: r.try_get("street")?,
        }));
    }
    if j.parent_id.is_none() {
        let legacy = crate::settings::get(store, &format!("listing_quota:{year}")).await?;
        return Ok(legacy.and_then(|v| serde_json::from_str(&v).ok()));
    }
    Ok(None)
}

/// Sets a jurisdiction's quota for a year (the committee of that jurisdiction or above: its
/// scope holds it).
pub async fn set_quota(
    store: &Store,
    p: &Principal,
    jurisdiction_id: Option<i64>,
    year: i64,
    q: ListingQuota,
    at: Timestamp,
) -> Result<(), StoreError> {
    p.require(Action::SetListingQuota)?;
    let errs: Vec<_> =
        [anjian_domain::time::check_year("year", year).err(), q.validate().err()].into_iter().flatten().collect();
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let j = listing_jurisdiction(store, p, jurisdiction_id).await?;
    if ListingLevel::of_tier(j.level).is_none() {
        return Err(StoreError::invalid("jurisdiction_id", "挂牌督办指标只能设到市、区县或镇街"));
    }
    let before = quota(store, &j, year).await?;
    let names = listing_levels(store).await?;
    let mut tx = store.begin().await?;
    write_quota(&mut tx, &p.actor(), &j, year, q, before, &names, at).await?;
    tx.commit().await
}

/// Writes a jurisdiction's quota for a year with its audit record, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_quota(
    tx: &mut Tx,
    actor: &crate::Actor,
    j: &crate::org::Jurisdiction,
    year: i64,
    q: ListingQuota,
    before: Option<ListingQuota>,
    names: &[ListingLevelName],
    at: Timestamp,
) -> Result<(), StoreError> {
    let summary = format!(
        "设置{}{year}年挂牌督办指标：{}级{}、{}级{}、{}级{}",
        j.name,
        label_of(names, ListingLevel::City),
        q.city,
        label_of(names, ListingLevel::District),
        q.district,
        label_of(names, ListingLevel::Street),
        q.street
    );
    let mut ins =
        Q::new("INSERT INTO listing_quota (jurisdiction_id, year, city, district, street, set_by, set_at) VALUES (");
    ins.bind(j.id).push(", ").bind(year).push(", ").bind(q.city).push(", ").bind(q.district).push(", ").bind(q.street);
    ins.push(", ").bind(actor.name.as_str()).push(", ").bind(format_ts(at)).push(")");
    ins.push(" ON CONFLICT (jurisdiction_id, year) DO UPDATE SET city = excluded.city, district = excluded.district, street = excluded.street, set_by = excluded.set_by, set_at = excluded.set_at");
    ins.execute(&mut *tx.tx).await?;
    let change = Change::new("set", "listing_quota", Some(j.id), &j.path, summary)
        .after(serde_json::json!({"year": year, "quota": q}))
        .before_opt(before.map(|b| serde_json::json!({"year": year, "quota": b})));
    audit::record(tx, actor, change).await
}

/// A jurisdiction's listings of a year by level against its quota: those of hazards in its
/// subtree (and in the caller's scope), counted as due, in progress or overdue in the business
/// calendar (`ListingTally`).
pub async fn listing_summary(
    store: &Store,
    p: &Principal,
    year: i64,
    jurisdiction_id: Option<i64>,
    at: Timestamp,
) -> Result<Vec<ListingSummary>, StoreError> {
    p.require(Action::ReadListings)?;
    let j = listing_jurisdiction(store, p, jurisdiction_id).await?;
    let quota = quota(store, &j, year).await?;
    let names = listing_levels(store).await?;
    let cal = store.calendar().await?;
    let today = cal.date_of(at.into());
    // A year's listings are tens, not thousands: read them and decide "on time" in the business
    // calendar (a UTC date compared with a local deadline counted 00:00–08:00 of the next day in).
    let mut q = Q::new("SELECT l.level AS level, l.deadline AS deadline, h.state AS state, h.closed_at AS closed_at FROM hazard_listing l JOIN hazard h ON h.id = l.hazard_id WHERE l.year = ");
    q.bind(year).push(" AND ");
    push_subtree(&mut q, "h.scope_path", &j.path);
    push_owned_scope(&mut q, &p.scope);
    let mut tallies: std::collections::HashMap<String, ListingTally> = Default::default();
    for r in q.fetch_all(store.pool()).await? {
        let Ok(deadline) = r.try_get::<String, _>("deadline")?.parse::<Date>() else { continue };
        let closed = match r.try_get::<String, _>("state")? == HazardState::Closed.as_str() {
            true => {
                let closed = r.try_get::<Option<String>, _>("closed_at")?.as_deref().and_then(Instant::parse);
                Some(closed.is_some_and(|c| cal.on_time(c, deadline)))
            }
            false => None,
        };
        tallies.entry(r.try_get("level")?).or_default().add(closed, deadline, today);
    }
    Ok(ListingLevel::ALL
        .into_iter()
        .map(|level| {
            let t = tallies.get(level.as_str()).copied().unwrap_or_default();
            ListingSummary {
                level,
                label: label_of(&names, level),
                jurisdiction_id: j.id,
                jurisdiction_name: j.name.clone(),
                quota: quota.map(|q| q.of(level)),
                tally: t,
                on_time_rate: t.on_time_rate(),
            }
        })
        .collect())
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
