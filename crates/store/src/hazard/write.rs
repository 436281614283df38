//! Writing hazards: numbers, reports, the timeline, actions through the state machine, and the
//! running totals they change — each in the writer's transaction with its audit record.

use super::*;
use anjian_domain::notice::HazardHandover;
use anjian_domain::time::met_deadline;

/// The district-level node of each path (numbers are counted per district and year), with one
/// query for all of them.
async fn number_scopes<'a>(
    tx: &mut Tx,
    paths: impl Iterator<Item = &'a str>,
) -> Result<std::collections::HashMap<&'a str, i64>, StoreError> {
    /// Paths remembered at most (a district has a few thousand grids).
    const REMEMBERED: usize = 20_000;
    let mut found = std::collections::HashMap::new();
    let mut unknown: Vec<(&str, Vec<i64>)> = vec![];
    {
        let cache = tx.store.number_scopes.lock().expect("number scope cache");
        for p in paths {
            match cache.get(p) {
                Some(scope) => {
                    found.insert(p, *scope);
                }
                None if !unknown.iter().any(|(u, _)| *u == p) => {
                    unknown.push((p, anjian_domain::scope::path_ids(p)));
                }
                None => {}
            }
        }
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let mut ids: Vec<i64> = unknown.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut districts = std::collections::HashSet::new();
    if !ids.is_empty() {
        let mut q = Q::new("SELECT id FROM jurisdiction WHERE level = 'district' AND id IN ");
        q.bind_list(&ids);
        for r in q.fetch_all(&mut *tx.tx).await? {
            districts.insert(r.try_get::<i64, _>("id")?);
        }
    }
    let mut cache = tx.store.number_scopes.lock().expect("number scope cache");
    if cache.len() > REMEMBERED {
        cache.clear();
    }
    for (p, ids) in unknown {
        let scope = ids.iter().copied().find(|id| districts.contains(id)).or(ids.first().copied()).unwrap_or(0);
        // Ids are never reused (AUTOINCREMENT, identity), so even a path of a jurisdiction whose
        // creation rolled back cannot come to mean another one.
        cache.insert(p.to_string(), scope);
        found.insert(p, scope);
    }
    Ok(found)
}

pub(super) fn refusal(r: HazardRefusal) -> StoreError {
    match r {
        HazardRefusal::Forbidden(m) => StoreError::Forbidden(m),
        HazardRefusal::IllegalTransition(m) => StoreError::Conflict(m),
        HazardRefusal::Invalid(e) => StoreError::Invalid(e),
    }
}

/// Reports a hazard of an enterprise in the caller's scope. What needs no enterprise is checked
/// here (photos attachable, the risk point the enterprise's); the batching writer (`ingest`)
/// then reads the enterprises of the reports that came in meanwhile together, refuses a report
/// whose enterprise is outside its reporter's scope, checks the rest by the domain's rules
/// (`HazardInput::validate`) and writes them.
pub async fn create(
    store: &Store,
    p: &Principal,
    input: HazardInput,
    at: Timestamp,
) -> Result<HazardDetail, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    files::check_attachable(store, p, "before_photos", &input.before_photos).await?;
    if let Some(rp) = input.risk_point_id {
        let owner =
            Q::new("SELECT enterprise_id FROM risk_point WHERE id = ").bind(rp).fetch_optional(store.pool()).await?;
        if owner.map(|r| r.try_get::<i64, _>("enterprise_id")).transpose()? != Some(input.enterprise_id) {
            return Err(StoreError::invalid("risk_point_id", "风险点不存在或不属于该企业"));
        }
    }
    ingest::write(store, p, ingest::Report { input, at, today }).await
}

/// A checked report of `p` at the enterprise found at `place`, as the row it becomes.
pub(crate) fn new_hazard(
    p: &Principal,
    place: &ingest::Place,
    input: HazardInput,
    at: Timestamp,
    today: Date,
) -> Result<NewHazard, StoreError> {
    let facts = ReportFacts {
        role: p.role,
        department_sectors: p.department_sectors(),
        enterprise_sectors: &place.sectors,
        today,
    };
    let report: ValidReport = input.validate(facts).map_err(StoreError::Invalid)?;
    Ok(NewHazard {
        enterprise_id: report.enterprise_id,
        scope_path: place.scope_path.clone(),
        sector: report.sector,
        location: report.location,
        description: report.description,
        grade: report.grade,
        category: report.category,
        source: report.source,
        deadline: report.deadline,
        responsible: report.responsible,
        criterion: None,
        checklist_run_id: None,
        risk_point_id: report.risk_point_id,
        found_at: at,
        found_day: today,
        photos: report.before_photos,
        position: report.position,
        last_visit_day: place.last_visit_day,
    })
}

/// The fields of a new hazard row.
pub(crate) struct NewHazard {
    pub enterprise_id: i64,
    pub scope_path: String,
    pub sector: String,
    pub location: String,
    pub description: String,
    pub grade: HazardGrade,
    pub category: String,
    pub source: HazardSource,
    pub deadline: Date,
    pub responsible: String,
    pub criterion: Option<String>,
    pub checklist_run_id: Option<i64>,
    pub risk_point_id: Option<i64>,
    pub found_at: Timestamp,
    /// 发现日期: `found_at` in the business calendar
    pub found_day: Date,
    /// 整改前照片 (uploaded files, checked attachable)
    pub photos: Vec<i64>,
    /// 上报位置 (longitude, latitude), WGS-84
    pub position: Option<(f64, f64)>,
    /// The enterprise's 最近巡查 day as read with it, if it was (an on-site report of a day
    /// already marked need not mark it again).
    pub last_visit_day: Option<Date>,
}

/// When a new hazard takes its number (see `numbering`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbering {
    /// In the writer's transaction: the demo (its history refers to the numbers at once) and
    /// the batching writer (one writer at a time: nobody queues behind its hold of the counter).
    Now,
    /// After commit, by the linker (other requests: writers do not queue on the district's counter).
    AfterCommit,
}

/// Inserts a hazard with its number (or a placeholder until the linker numbers it), first
/// event, photos and audit record.
pub(crate) async fn insert(
    tx: &mut Tx,
    p: &Principal,
    n: NewHazard,
    numbering: Numbering,
) -> Result<HazardRef, StoreError> {
    let mut refs = insert_all(tx, &[(p, &n)], numbering).await?;
    Ok(refs.remove(0))
}

/// [`insert`] for several reports, each by its reporter, with one statement per table (the
/// batching writer and a checklist run with several findings). Answers them in their order.
pub(crate) async fn insert_all(
    tx: &mut Tx,
    reports: &[(&Principal, &NewHazard)],
    numbering: Numbering,
) -> Result<Vec<HazardRef>, StoreError> {
    if reports.is_empty() {
        return Ok(vec![]);
    }
    let scopes = number_scopes(tx, reports.iter().map(|(_, n)| n.scope_path.as_str())).await?;
    let keys: Vec<(i64, i64, String)> = reports
        .iter()
        .map(|(_, n)| {
            let scope = scopes[n.scope_path.as_str()];
            (scope, n.found_day.year() as i64, format!("hazard:{scope}"))
        })
        .collect();
    let taken = match numbering {
        Numbering::Now => {
            let seq: Vec<(&str, i64)> = keys.iter().map(|(_, year, sequence)| (sequence.as_str(), *year)).collect();
            crate::numbering::next_numbers(tx, &seq).await?
        }
        Numbering::AfterCommit => vec![],
    };
    let numbers: Vec<(i64, i64, String, String)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, (scope, year, sequence))| {
            let number = match numbering {
                Numbering::Now => hazard_number(year as i16, taken[i]),
                Numbering::AfterCommit => crate::numbering::placeholder(),
            };
            (scope, year, sequence, number)
        })
        .collect();
    let actors: Vec<crate::Actor> = reports.iter().map(|(p, _)| p.actor()).collect();
    let rows = reports.iter().zip(&numbers).zip(&actors).map(|(((p, n), (scope, _, _, number)), actor)| {
        let ts = format_ts(n.found_at);
        Insert::into("hazard")
            .set("number", number.as_str())
            .set("number_scope", *scope)
            .set("enterprise_id", n.enterprise_id)
            .set("scope_path", &n.scope_path)
            .set("sector", &n.sector)
            .set("location", &n.location)
            .set("description", &n.description)
            .set("grade", n.grade.as_str())
            .set("category", &n.category)
            .set("source", n.source.as_str())
            .set("state", HazardState::Reported.as_str())
            .set("found_by", p.user_id)
            .set("found_by_name", actor.name.as_str())
            .set("found_at", ts.as_str())
            .set("found_day", n.found_day.to_string())
            .set("deadline", n.deadline.to_string())
            .set("responsible", &n.responsible)
            .set("criterion", n.criterion.clone())
            .set("checklist_run_id", n.checklist_run_id)
            .set("risk_point_id", n.risk_point_id)
            .set("found_longitude", n.position.map(|p| p.0))
            .set("found_latitude", n.position.map(|p| p.1))
            .stamped(&ts)
    });
    let mut q = Insert::many(rows.collect()).expect("at least one report");
    // Rows come back in no promised order: each is known by its number (unique: a placeholder
    // or a number just taken).
    q.push(" RETURNING id, number");
    let mut ids = std::collections::HashMap::new();
    for r in q.fetch_all(&mut *tx.tx).await? {
        ids.insert(r.try_get::<String, _>("number")?, r.try_get::<i64, _>("id")?);
    }
    let ids: Vec<i64> = numbers.iter().map(|(_, _, _, number)| ids[number.as_str()]).collect();

    let events = reports.iter().zip(&ids).zip(&actors).map(|(((_, n), id), actor)| {
        event_row(
            *id,
            "report",
            None,
            HazardState::Reported,
            actor,
            &format!("{}隐患：{}", n.grade.as_str(), n.description),
            &format_ts(n.found_at),
        )
    });
    tx.write_later(Insert::many(events.collect()).expect("at least one report")).await?;
    let visits: Vec<(i64, Date)> = reports
        .iter()
        .filter(|(_, n)| n.source.is_on_site_visit() && n.last_visit_day.is_none_or(|d| d < n.found_day))
        .map(|(_, n)| (n.enterprise_id, n.found_day))
        .collect();
    crate::org::mark_visited(tx, &visits).await?;
    for ((_, n), id) in reports.iter().zip(&ids) {
        let owner = files::Owner {
            entity: "hazard",
            id: *id,
            enterprise_id: n.enterprise_id,
            scope_path: &n.scope_path,
            sector: &n.sector,
        };
        files::attach(tx, &owner, "before", "before_photos", &n.photos).await?;
    }
    if numbering == Numbering::AfterCommit {
        let waiting = reports.iter().zip(&ids).zip(&numbers).map(|(((_, n), id), (_, year, sequence, _))| {
            crate::numbering::Pending { entity: "hazard", id: *id, sequence, year: *year, scope_path: &n.scope_path }
        });
        crate::numbering::defer_all(tx, waiting.collect()).await?;
    }
    let mut changes = Vec::with_capacity(reports.len());
    for ((((_, n), id), (_, _, _, number)), actor) in reports.iter().zip(&ids).zip(&numbers).zip(&actors) {
        let mut after = serde_json::json!({"enterprise_id": n.enterprise_id, "grade": n.grade, "source": n.source, "deadline": n.deadline.to_string(), "description": &n.description});
        let summary = match numbering {
            Numbering::Now => {
                after["number"] = serde_json::json!(number);
                format!("上报{}隐患 {}", n.grade.as_str(), number)
            }
            // The number follows in its own record (`numbering::assign_pending`).
            Numbering::AfterCommit => format!("上报{}隐患", n.grade.as_str()),
        };
        changes.push((actor, Change::created("hazard", *id, &n.scope_path, summary).after(after)));
    }
    audit::record_all(tx, changes).await?;

    let refs: Vec<HazardRef> = reports
        .iter()
        .zip(ids)
        .zip(numbers)
        .map(|(((_, n), id), (_, _, _, number))| HazardRef {
            id,
            enterprise_id: n.enterprise_id,
            number,
            state: HazardState::Reported,
            deadline: n.deadline.to_string(),
            scope_path: n.scope_path.clone(),
            sector: n.sector.clone(),
            source: n.source,
            grade: n.grade,
            found_day: n.found_day.to_string(),
            listed: false,
        })
        .collect();
    let deltas: Vec<(&HazardRef, TallyDelta)> = refs
        .iter()
        .map(|h| (h, TallyDelta { found: 1, major: (h.grade == HazardGrade::Major) as i64, ..Default::default() }))
        .collect();
    tally_all(tx, &deltas).await?;
    let states: Vec<(&HazardRef, HazardState, i64)> = refs.iter().map(|h| (h, HazardState::Reported, 1)).collect();
    tally_state_all(tx, &states).await?;
    Ok(refs)
}

/// A timeline row.
fn event_row(
    hazard_id: i64,
    action: &str,
    from: Option<HazardState>,
    to: HazardState,
    actor: &crate::Actor,
    comment: &str,
    at: &str,
) -> Insert {
    Insert::into("hazard_event")
        .set("hazard_id", hazard_id)
        .set("action", action)
        .set("from_state", from.map(|s| s.as_str().to_string()))
        .set("to_state", to.as_str())
        .set("actor_id", actor.id)
        .set("actor_name", actor.name.as_str())
        .set("comment", comment)
        .set("at", at)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn add_event(
    tx: &mut Tx,
    hazard_id: i64,
    action: &str,
    from: Option<HazardState>,
    to: HazardState,
    actor: &crate::Actor,
    comment: &str,
    at: &str,
) -> Result<(), StoreError> {
    event_row(hazard_id, action, from, to, actor, comment, at).query().execute(&mut *tx.tx).await?;
    Ok(())
}

/// An action request as the API receives it.
#[derive(Debug, Clone)]
pub enum ActionInput {
    Rectify {
        plan: Option<RectificationPlan>,
    },
    Submit {
        after_photos: Vec<i64>,
        note: String,
    },
    /// `closing`: the assessment and application a listed hazard's 销号 needs
    Verify {
        passed: bool,
        comment: String,
        closing: Option<ListedClosingInput>,
    },
    Reject {
        reason: String,
    },
    Close {
        after_photos: Vec<i64>,
        note: String,
    },
}

impl ActionInput {
    /// The action as the domain state machine sees it.
    pub fn domain(&self) -> HazardAction {
        match self {
            ActionInput::Rectify { plan } => HazardAction::Rectify { plan: plan.clone() },
            ActionInput::Submit { after_photos, .. } => HazardAction::Submit { after_photos: after_photos.len() },
            ActionInput::Verify { passed, comment, .. } => {
                HazardAction::Verify { passed: *passed, comment: comment.clone() }
            }
            ActionInput::Reject { reason } => HazardAction::Reject { reason: reason.clone() },
            ActionInput::Close { after_photos, .. } => HazardAction::Close { after_photos: after_photos.len() },
        }
    }
}

/// What writing a transition needs to know of a hazard.
#[derive(Debug, Clone)]
pub(crate) struct HazardRef {
    pub id: i64,
    pub enterprise_id: i64,
    pub number: String,
    pub state: HazardState,
    pub deadline: String,
    pub scope_path: String,
    pub sector: String,
    pub source: HazardSource,
    pub grade: HazardGrade,
    pub found_day: String,
    pub listed: bool,
}

impl HazardRef {
    /// The hazard as the owner of attached files.
    pub(crate) fn owner(&self) -> files::Owner<'_> {
        files::Owner {
            entity: "hazard",
            id: self.id,
            enterprise_id: self.enterprise_id,
            scope_path: &self.scope_path,
            sector: &self.sector,
        }
    }
}

impl HazardRef {
    pub(super) fn of(h: &Hazard) -> Self {
        Self {
            id: h.id,
            enterprise_id: h.enterprise_id,
            number: h.number.clone(),
            state: h.state,
            deadline: h.deadline.clone(),
            scope_path: h.scope_path.clone(),
            sector: h.sector.clone(),
            source: h.source,
            grade: h.grade,
            found_day: h.found_day.clone(),
            listed: h.listing.is_some(),
        }
    }
}

/// A change to the running totals of a hazard's group (see `hazard_tally`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TallyDelta {
    pub found: i64,
    pub rectified: i64,
    pub on_time: i64,
    pub major: i64,
    pub listed: i64,
}

pub(crate) async fn tally(tx: &mut Tx, h: &HazardRef, d: TallyDelta) -> Result<(), StoreError> {
    tally_all(tx, &[(h, d)]).await
}

/// [`tally`] for several hazards: the changes summed per group first (a group appears once in
/// the statement, as PostgreSQL's upsert requires), in the groups' order (concurrent writers
/// lock the rows in the same order).
pub(crate) async fn tally_all(tx: &mut Tx, changes: &[(&HazardRef, TallyDelta)]) -> Result<(), StoreError> {
    let mut groups: std::collections::BTreeMap<(&str, &str, &str, &str, &str), TallyDelta> = Default::default();
    for (h, d) in changes {
        let month = h.found_day.get(..7).unwrap_or("");
        let g = groups.entry((&h.scope_path, &h.sector, h.source.as_str(), h.grade.as_str(), month)).or_default();
        g.found += d.found;
        g.rectified += d.rectified;
        g.on_time += d.on_time;
        g.major += d.major;
        g.listed += d.listed;
    }
    let rows = groups.into_iter().map(|((path, sector, source, grade, month), d)| {
        Insert::into("hazard_tally")
            .set("scope_path", path)
            .set("sector", sector)
            .set("source", source)
            .set("grade", grade)
            .set("month", month)
            .set("found", d.found)
            .set("rectified", d.rectified)
            .set("on_time", d.on_time)
            .set("major", d.major)
            .set("listed", d.listed)
    });
    let Some(mut q) = Insert::many(rows.collect()) else { return Ok(()) };
    q.push(" ON CONFLICT (scope_path, sector, source, grade, month) DO UPDATE SET found = hazard_tally.found + excluded.found, rectified = hazard_tally.rectified + excluded.rectified, on_time = hazard_tally.on_time + excluded.on_time, major = hazard_tally.major + excluded.major, listed = hazard_tally.listed + excluded.listed");
    tx.write_later(q).await
}

/// Changes to the number of hazards of a path, sector and state (see `hazard_state_tally`),
/// summed per group and in the groups' order.
pub(crate) async fn tally_state_all(tx: &mut Tx, changes: &[(&HazardRef, HazardState, i64)]) -> Result<(), StoreError> {
    let mut groups: std::collections::BTreeMap<(&str, &str, &str), i64> = Default::default();
    for (h, state, n) in changes {
        *groups.entry((&h.scope_path, &h.sector, state.as_str())).or_default() += n;
    }
    let rows = groups.into_iter().map(|((path, sector, state), n)| {
        Insert::into("hazard_state_tally").set("scope_path", path).set("sector", sector).set("state", state).set("n", n)
    });
    let Some(mut q) = Insert::many(rows.collect()) else { return Ok(()) };
    q.push(" ON CONFLICT (scope_path, sector, state) DO UPDATE SET n = hazard_state_tally.n + excluded.n");
    tx.write_later(q).await
}

/// Takes an action on a hazard: the domain decides, the store writes state, timeline and audit
/// in one transaction. The state read is re-checked at write time, so two racing actions
/// cannot both pass.
pub async fn act(
    store: &Store,
    p: &Principal,
    id: i64,
    input: ActionInput,
    at: Timestamp,
) -> Result<HazardDetail, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let h = get_row(store, p, id, at).await?;
    let action = input.domain();
    let facts = HazardFacts {
        state: h.state,
        grade: h.grade,
        source: h.source,
        enterprise_on_platform: h.enterprise_on_platform,
    };
    let to = decide(facts, HazardActor { role: p.role }, &action).map_err(refusal)?;
    if let ActionInput::Submit { after_photos, note } | ActionInput::Close { after_photos, note } = &input {
        anjian_domain::text::check("note", "说明", note, anjian_domain::text::MAX_TEXT)
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        files::check_attachable(store, p, "after_photos", after_photos).await?;
    }
    let closing = listed_closing(store, p, &h, &input, today).await?;
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    let href = HazardRef::of(&h);
    write_transition(&mut tx, &p.actor(), &href, to, &input, &action, at, today).await?;
    if let (Some(closing), Some(listing)) = (&closing, &h.listing) {
        close_listing(&mut tx, &p.actor(), &href, closing, listing.suspended, at).await?;
    }
    if let Some((handover, body)) = handover_of(&input) {
        let notice = crate::notify::HazardHandoverNotice {
            hazard_id: h.id,
            number: &h.number,
            facts,
            target: crate::notify::Target { enterprise_id: h.enterprise_id, path: &h.scope_path, sector: &h.sector },
            found_by: h.found_by,
            handover,
            body: if body.trim().is_empty() { h.description.clone() } else { format!("{}：{body}", action.label()) },
            actor: Some(p.user_id),
            fresh: false,
        };
        crate::notify::hazard_handovers(&mut tx, &[notice], at).await?;
    }
    tx.commit().await?;
    get(store, p, id, at).await
}

/// The rules of verifying a listed hazard (domain `decide_listed_verification`), and the closing's
/// files the caller's own.
async fn listed_closing(
    store: &Store,
    p: &Principal,
    h: &Hazard,
    input: &ActionInput,
    today: Date,
) -> Result<Option<ValidListedClosing>, StoreError> {
    let ActionInput::Verify { passed, closing, .. } = input else { return Ok(None) };
    let unit = h.listing.as_ref().map(Listing::unit);
    let decided = decide_listed_verification(unit.as_ref(), &p.acting_unit(), *passed, closing.as_ref(), today)
        .map_err(refusal)?;
    if let Some(valid) = &decided {
        files::check_attachable(store, p, "closing.report_file_id", &[valid.report_file_id]).await?;
        files::check_attachable(store, p, "closing.application_file_id", &[valid.application_file_id]).await?;
    }
    Ok(decided)
}

/// Records the closing (销号) of a listed hazard: the assessment (with its timeline entry and
/// audit record, [`write_assessment`]), the report and the application attached.
async fn close_listing(
    tx: &mut Tx,
    actor: &crate::Actor,
    h: &HazardRef,
    c: &ValidListedClosing,
    suspended: bool,
    at: Timestamp,
) -> Result<(), StoreError> {
    write_assessment(tx, actor, h, c, suspended, at).await?;
    files::attach(tx, &h.owner(), "assessment_report", "closing.report_file_id", &[c.report_file_id]).await?;
    files::attach(tx, &h.owner(), "closing_application", "closing.application_file_id", &[c.application_file_id]).await
}

/// Writes the assessment of a listed hazard's closing on its listing, a timeline entry and an
/// audit record (a 停产停业 listing's closing is the consent to resume production, 复产). Its
/// files are the caller's (the demo's history has none).
pub(crate) async fn write_assessment(
    tx: &mut Tx,
    actor: &crate::Actor,
    h: &HazardRef,
    c: &ValidListedClosing,
    suspended: bool,
    at: Timestamp,
) -> Result<(), StoreError> {
    let ts = format_ts(at);
    let mut q = Q::new("UPDATE hazard_listing SET assessor_kind = ");
    q.bind(c.assessor_kind.as_str())
        .push(", assessor = ")
        .bind(c.assessor.as_str())
        .push(", assessed_on = ")
        .bind(c.assessed_on.to_string())
        .push(", assessment_conclusion = ")
        .bind(c.conclusion.as_str())
        .push(", closed_by = ")
        .bind(actor.name.as_str())
        .push(" WHERE hazard_id = ")
        .bind(h.id);
    q.execute(&mut *tx.tx).await?;
    let mut comment = format!(
        "经{} {} 于 {} 评估：{}；企业书面申请已收",
        c.assessor_kind.label(),
        c.assessor,
        c.assessed_on,
        c.conclusion
    );
    if suspended {
        comment.push_str("；审查同意恢复生产经营（复产）");
    }
    add_event(tx, h.id, "close_listing", Some(HazardState::Closed), HazardState::Closed, actor, &comment, &ts).await?;
    audit::record(
        tx,
        actor,
        Change::new("close_listing", "hazard", Some(h.id), &h.scope_path, format!("隐患 {} 挂牌督办销号：{comment}", h.number))
            .after(serde_json::json!({"assessor_kind": c.assessor_kind, "assessor": c.assessor, "assessed_on": c.assessed_on.to_string(), "conclusion": c.conclusion, "resumed": suspended})),
    )
    .await
}

/// The hand-over an action is (交接: the next one to act is told), with what its notice says.
/// 开始整改 stays with the enterprise and 立查立改 ends the loop on the spot: neither hands over.
fn handover_of(input: &ActionInput) -> Option<(HazardHandover, &str)> {
    match input {
        ActionInput::Submit { note, .. } => Some((HazardHandover::Submitted, note)),
        ActionInput::Verify { passed, comment, .. } => Some((HazardHandover::Verified { passed: *passed }, comment)),
        ActionInput::Reject { reason } => Some((HazardHandover::Rejected, reason)),
        ActionInput::Rectify { .. } | ActionInput::Close { .. } => None,
    }
}

/// Writes a decided transition: state, plan, closing facts, photos, timeline and audit, in the
/// caller's transaction. The update is conditional on the state read, so two racing actions
/// cannot both pass.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_transition(
    tx: &mut Tx,
    actor: &crate::Actor,
    h: &HazardRef,
    to: HazardState,
    input: &ActionInput,
    action: &HazardAction,
    at: Timestamp,
    today: Date,
) -> Result<(), StoreError> {
    let ts = format_ts(at);
    let (event, comment) = match input {
        ActionInput::Rectify { plan: Some(pl) } => (
            "rectify",
            format!(
                "治理方案：措施 {}；责任 {}；资金 {}；时限 {}；预案 {}",
                pl.measures, pl.responsible, pl.funds, pl.deadline, pl.contingency
            ),
        ),
        ActionInput::Rectify { plan: None } => ("rectify", String::new()),
        ActionInput::Submit { note, .. } => ("submit", note.clone()),
        ActionInput::Verify { passed: true, comment, .. } => ("verify_pass", comment.clone()),
        ActionInput::Verify { passed: false, comment, .. } => ("verify_fail", comment.clone()),
        ActionInput::Reject { reason } => ("reject", reason.clone()),
        ActionInput::Close { note, .. } => ("close", note.clone()),
    };
    let photos: &[i64] = match input {
        ActionInput::Submit { after_photos, .. } | ActionInput::Close { after_photos, .. } => after_photos,
        _ => &[],
    };
    let mut q = Q::new("UPDATE hazard SET state = ");
    q.bind(to.as_str()).push(", version = version + 1, updated_at = ").bind(ts.as_str());
    if let ActionInput::Rectify { plan: Some(pl) } = input {
        q.push(", plan = ").bind(serde_json::to_string(pl).unwrap_or_default());
        if !pl.responsible.trim().is_empty() {
            q.push(", responsible = ").bind(pl.responsible.trim());
        }
    }
    // `today` is the business date of `at`: closing at 01:00 Beijing time on the day after the
    // deadline is late, whatever the UTC date says.
    let on_time = h.deadline.parse::<Date>().is_ok_and(|d| met_deadline(today, d));
    if to == HazardState::Closed {
        q.push(", closed_at = ").bind(ts.as_str()).push(", rectified_on_time = ").bind(on_time);
    }
    q.push(" WHERE id = ").bind(h.id).push(" AND state = ").bind(h.state.as_str());
    if q.execute(&mut *tx.tx).await? == 0 {
        return Err(stale());
    }
    tally_state_all(tx, &[(h, h.state, -1), (h, to, 1)]).await?;
    match to {
        HazardState::Closed => {
            tally(tx, h, TallyDelta { rectified: 1, on_time: on_time as i64, ..Default::default() }).await?
        }
        // A rejected report was never a hazard: it leaves the totals.
        HazardState::Rejected => {
            let major = (h.grade == HazardGrade::Major) as i64;
            tally(tx, h, TallyDelta { found: -1, major: -major, listed: -(h.listed as i64), ..Default::default() })
                .await?
        }
        _ => {}
    }
    files::attach(tx, &h.owner(), "after", "after_photos", photos).await?;
    add_event(tx, h.id, event, Some(h.state), to, actor, &comment, &ts).await?;
    audit::record(
        tx,
        actor,
        Change::new(event, "hazard", Some(h.id), &h.scope_path, format!("隐患 {}：{}", h.number, action.label()))
            .before(serde_json::json!({"state": h.state}))
            .after(serde_json::json!({"state": to, "comment": comment})),
    )
    .await
}
