//! The batching writer (批量写入) of reported hazards: the reports of concurrent requests share
//! one transaction — one multi-row statement per table, one commit, one read of the answers —
//! instead of each paying for its own. A request waits for the commit of the batch that holds
//! its report, so its answer still means written, audited and numbered: the writer takes the
//! district's numbers and holds the audit chain head in its own transaction, so its records are
//! chained as they are written. The answers of a batch are read beside the writing of the next.
//!
//! A request checks what needs no enterprise; the writer reads the enterprises of a batch with
//! one query (with their accounts, whom the notices reach; the government units' accounts are
//! held in memory, `notify::Officials`) while its transaction opens, and checks each report
//! against its reporter's scope and the domain's rules, so a report costs no statement of its
//! own. On PostgreSQL the writer has connections of its own (`Store::for_ingest`).
//!
//! The queue has no thread of its own: the report that finds it idle starts a task that writes
//! batches until the queue is empty; reports that arrive meanwhile form the next batch. A batch
//! that fails is halved until the failing report stands alone, so its error is its own.

use super::*;
use crate::idempotency::KeyRef;
use crate::notify::{Audience, Target};
use anjian_domain::notice::HazardHandover;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// Reports written together at most (about 21 parameters each, far below the engines' limits;
/// more would only lengthen the wait of the first).
const MAX_BATCH: usize = 64;

/// The reports waiting for the writer.
#[derive(Default)]
pub(crate) struct Queue {
    state: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    jobs: Vec<Job>,
    /// A task is writing batches (it takes what arrives until the queue is empty). One at a
    /// time: two side by side on PostgreSQL wait on each other's running totals and the chain
    /// head, and were slower (453 against 626 reports/s).
    writing: bool,
}

/// A report as sent, its photos and risk point checked.
pub(crate) struct Report {
    pub input: HazardInput,
    pub at: Timestamp,
    /// `at` in the business calendar
    pub today: Date,
}

/// Where an enterprise is, as a report needs it.
pub(crate) struct Place {
    pub scope_path: String,
    pub sectors: Vec<String>,
    /// 最近巡查
    pub last_visit_day: Option<Date>,
}

struct Job {
    reporter: Principal,
    report: Report,
    /// The request's Idempotency-Key, marked committed with the report.
    key: Option<KeyRef>,
    reply: oneshot::Sender<Result<HazardDetail, StoreError>>,
}

/// A report admitted to its batch: its enterprise in the reporter's scope, its rules kept.
struct Ready {
    reporter: Principal,
    hazard: NewHazard,
    key: Option<KeyRef>,
    reply: oneshot::Sender<Result<HazardDetail, StoreError>>,
}

impl Ready {
    /// Where the hazard's notices go.
    fn target(&self) -> Target<'_> {
        Target { enterprise_id: self.hazard.enterprise_id, path: &self.hazard.scope_path, sector: &self.hazard.sector }
    }
}

/// Writes one report with whatever others are waiting; answers the hazard as the reporter sees
/// it once committed and numbered.
pub(crate) async fn write(store: &Store, p: &Principal, report: Report) -> Result<HazardDetail, StoreError> {
    let key = crate::idempotency::CURRENT.try_with(|k| k.clone()).ok();
    let (reply, answer) = oneshot::channel();
    let start = {
        let mut w = store.hazard_queue.state.lock().expect("queue lock");
        w.jobs.push(Job { reporter: p.clone(), report, key, reply });
        !std::mem::replace(&mut w.writing, true)
    };
    if start {
        tokio::spawn(drain(store.for_ingest()));
    }
    // The writer dropped the job without an answer only if it stopped (a panic, a shutdown).
    answer.await.map_err(|_| StoreError::Db(sqlx::Error::WorkerCrashed))?
}

/// Writes batches until the queue is empty.
async fn drain(store: Store) {
    let mut idle = Idle { store: &store, armed: true };
    loop {
        let jobs: Vec<Job> = {
            let mut w = store.hazard_queue.state.lock().expect("queue lock");
            if w.jobs.is_empty() {
                w.writing = false;
                idle.armed = false;
                return;
            }
            let n = w.jobs.len().min(MAX_BATCH);
            w.jobs.drain(..n).collect()
        };
        let started = std::time::Instant::now();
        let reports = jobs.len();
        // The transaction opens while the enterprises and the accounts to tell are read (two
        // connections, one wait).
        let (admitted, opened) = tokio::join!(admit(&store, jobs), open(&store));
        let Some((batch, audience)) = admitted else { continue };
        let admitted = started.elapsed();
        // A batch that fails is halved until the failing reports stand alone: the others are
        // still written together, and each failing one answers its own error.
        let mut parts = vec![batch];
        let mut opened = Some(opened);
        while let Some(mut part) = parts.pop() {
            let tx = match opened.take() {
                Some(tx) => tx,
                None => open(&store).await,
            };
            match write_together(tx, &part, &audience).await {
                Ok(ids) => {
                    // (for profiling the writer: RUST_LOG=anjian_store::hazard::ingest=trace)
                    let (admit_us, batch_us) = (admitted.as_micros() as u64, started.elapsed().as_micros() as u64);
                    tracing::trace!(reports, admit_us, batch_us, "batch written");
                    tokio::spawn(answer(store.clone(), part, ids));
                }
                Err(e) if part.len() == 1 => {
                    let _ = part.pop().expect("one").reply.send(Err(e));
                }
                Err(e) => {
                    tracing::debug!(error = %e, reports = part.len(), "batch failed: halving it");
                    let second = part.split_off(part.len() / 2);
                    parts.push(second);
                    parts.push(part);
                }
            }
        }
    }
}

/// Reads the enterprises of a batch together and answers the reports they refuse: an enterprise
/// outside its reporter's scope (told apart from none at all by no one), a report that breaks
/// a rule. The others are ready to be written, with the accounts their notices may reach
/// (`None`: no report is left, each has its answer).
async fn admit(store: &Store, jobs: Vec<Job>) -> Option<(Vec<Ready>, Audience)> {
    let mut ids: Vec<i64> = jobs.iter().map(|j| j.report.input.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let read = async {
        let (places, accounts) = places(store, &ids).await?;
        Ok::<_, StoreError>((places, Audience::with_accounts(store, accounts).await?))
    };
    let (places, audience) = match read.await {
        Ok(read) => read,
        Err(e) => {
            tracing::warn!(error = %e, "reading the enterprises of a batch failed");
            for job in jobs {
                let _ = job.reply.send(Err(StoreError::Db(sqlx::Error::Protocol(e.to_string()))));
            }
            return None;
        }
    };
    let mut ready = Vec::with_capacity(jobs.len());
    for Job { reporter, report, key, reply } in jobs {
        let id = report.input.enterprise_id;
        let checked = match places.get(&id).filter(|e| reporter.scope.sees_enterprise(id, &e.scope_path, &e.sectors)) {
            Some(place) => new_hazard(&reporter, place, report.input, report.at, report.today),
            None => Err(StoreError::invalid("enterprise_id", "企业不存在或不在您的管辖范围内")),
        };
        match checked {
            Ok(hazard) => ready.push(Ready { reporter, hazard, key, reply }),
            Err(e) => {
                let _ = reply.send(Err(e));
            }
        }
    }
    (!ready.is_empty()).then_some((ready, audience))
}

/// Where each enterprise of `ids` is (unknown ids are missing), and the active accounts of
/// them (user, enterprise), with one query.
async fn places(
    store: &Store,
    ids: &[i64],
) -> Result<(std::collections::HashMap<i64, Place>, Vec<(i64, i64)>), StoreError> {
    let mut q = Q::new("SELECT e.id, e.scope_path, e.sectors, e.last_visit_day, u.id AS account FROM enterprise e LEFT JOIN app_user u ON u.org_kind = 'enterprise' AND u.org_id = e.id AND u.active = 1 WHERE e.id IN ");
    q.bind_list(ids);
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    let mut accounts = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let id: i64 = r.try_get("id")?;
        if let Some(account) = r.try_get::<Option<i64>, _>("account")? {
            accounts.push((account, id));
        }
        if found.contains_key(&id) {
            continue;
        }
        let sectors: String = r.try_get("sectors")?;
        let visited: Option<String> = r.try_get("last_visit_day")?;
        let place = Place {
            scope_path: r.try_get("scope_path")?,
            sectors: serde_json::from_str(&sectors).unwrap_or_default(),
            last_visit_day: visited.and_then(|d| d.parse().ok()),
        };
        found.insert(id, place);
    }
    Ok((found, accounts))
}

/// Marks the queue idle if the writer stops early (a panic unwinds, the runtime shuts down):
/// the waiting requests get an error instead of waiting for ever, and the next report starts a
/// new writer.
struct Idle<'a> {
    store: &'a Store,
    /// Cleared when the writer leaves the queue idle itself.
    armed: bool,
}

impl Drop for Idle<'_> {
    fn drop(&mut self) {
        if self.armed {
            if let Ok(mut w) = self.store.hazard_queue.state.lock() {
                w.writing = false;
                w.jobs.clear();
            }
        }
    }
}

/// Answers each report of a committed batch, read back together.
async fn answer(store: Store, jobs: Vec<Ready>, ids: Vec<i64>) {
    let reports: Vec<(i64, &Principal, Timestamp)> =
        jobs.iter().zip(&ids).map(|(j, id)| (*id, &j.reporter, j.hazard.found_at)).collect();
    match reported(&store, &reports).await {
        Ok(details) => {
            for (job, detail) in jobs.into_iter().zip(details) {
                let _ = job.reply.send(Ok(detail));
            }
        }
        // Written but not read back together: each reads its own (and answers its own error).
        Err(e) => {
            tracing::warn!(error = %e, "reading a batch back failed: one by one");
            for (job, id) in jobs.into_iter().zip(ids) {
                let _ = job.reply.send(get(&store, &job.reporter, id, job.hazard.found_at).await);
            }
        }
    }
}

/// A batch's transaction, holding the audit chain head.
async fn open(store: &Store) -> Result<Tx, StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    // Its timeline, visits, audit records, running totals and notices are read by nothing after
    // them in the transaction: on PostgreSQL they go in one statement before commit.
    tx.gather_writes();
    // The batch's audit records are chained as they are written (one transaction at a time
    // writes batches, so the head's lock costs no one a wait worth counting).
    crate::audit::hold_head(&mut tx).await?;
    Ok(tx)
}

/// Writes a batch with its numbers and its audit records chained in `tx` (from [`open`]: one
/// commit). A batch that fails leaves no number taken and no link in the chain, so numbers stay
/// gapless and the chain whole.
async fn write_together(
    tx: Result<Tx, StoreError>,
    jobs: &[Ready],
    audience: &Audience,
) -> Result<Vec<i64>, StoreError> {
    let mut tx = tx?;
    let reports: Vec<(&Principal, &NewHazard)> = jobs.iter().map(|j| (&j.reporter, &j.hazard)).collect();
    let refs = insert_all(&mut tx, &reports, Numbering::Now).await?;
    let notices: Vec<_> = jobs
        .iter()
        .zip(&refs)
        .map(|(j, h)| crate::notify::HazardHandoverNotice {
            hazard_id: h.id,
            number: &h.number,
            // (who is told does not depend on it)
            facts: HazardFacts { state: h.state, grade: h.grade, source: h.source, enterprise_on_platform: true },
            target: j.target(),
            found_by: Some(j.reporter.user_id),
            handover: HazardHandover::Reported { by: j.reporter.role },
            body: j.hazard.description.clone(),
            actor: Some(j.reporter.user_id),
            fresh: true,
        })
        .collect();
    if let Some(first) = jobs.first() {
        crate::notify::hazard_handovers_to(&mut tx, &notices, first.hazard.found_at, audience).await?;
    }
    for (job, h) in jobs.iter().zip(&refs) {
        if let Some(key) = &job.key {
            tx.created = Some(("hazard".into(), h.id));
            crate::idempotency::mark_committed(&mut tx, key).await?;
        }
    }
    tx.commit().await?;
    Ok(refs.into_iter().map(|h| h.id).collect())
}
