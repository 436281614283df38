//! The batching writer (批量写入) of reported hazards: the reports of concurrent requests share
//! one transaction — one multi-row statement per table, one commit, one read of the answers —
//! instead of each paying for its own. A request waits for the commit of the batch that holds
//! its report, so its answer still means written, audited and numbered: the writer takes the
//! district's numbers and holds the audit chain head in its own transaction, so its records are
//! chained as they are written. The answers of a batch are read beside the writing of the next.
//!
//! A request checks what needs no enterprise; the writer reads the enterprises of a batch with
//! one query and checks each report against its reporter's scope and the domain's rules, so a
//! report costs no statement of its own.
//!
//! The queue has no thread of its own: the report that finds it idle starts a task that writes
//! batches until the queue is empty; reports that arrive meanwhile form the next batch. A batch
//! that fails is halved until the failing report stands alone, so its error is its own.

use super::*;
use crate::idempotency::KeyRef;
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
        tokio::spawn(drain(store.clone()));
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
        let batch = admit(&store, jobs).await;
        if batch.is_empty() {
            continue;
        }
        // A batch that fails is halved until the failing reports stand alone: the others are
        // still written together, and each failing one answers its own error.
        let mut parts = vec![batch];
        while let Some(mut part) = parts.pop() {
            match write_together(&store, &part).await {
                Ok(ids) => {
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
/// a rule. The others are ready to be written.
async fn admit(store: &Store, jobs: Vec<Job>) -> Vec<Ready> {
    let mut ids: Vec<i64> = jobs.iter().map(|j| j.report.input.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let places = match places(store, &ids).await {
        Ok(places) => places,
        Err(e) => {
            tracing::warn!(error = %e, "reading the enterprises of a batch failed");
            for job in jobs {
                let _ = job.reply.send(Err(StoreError::Db(sqlx::Error::Protocol(e.to_string()))));
            }
            return vec![];
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
    ready
}

/// Where each enterprise of `ids` is (one query; unknown ids are missing).
async fn places(store: &Store, ids: &[i64]) -> Result<std::collections::HashMap<i64, Place>, StoreError> {
    let mut q = Q::new("SELECT id, scope_path, sectors, last_visit_day FROM enterprise WHERE id IN ");
    q.bind_list(ids);
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for r in q.fetch_all(store.pool()).await? {
        let sectors: String = r.try_get("sectors")?;
        let visited: Option<String> = r.try_get("last_visit_day")?;
        let place = Place {
            scope_path: r.try_get("scope_path")?,
            sectors: serde_json::from_str(&sectors).unwrap_or_default(),
            last_visit_day: visited.and_then(|d| d.parse().ok()),
        };
        found.insert(r.try_get::<i64, _>("id")?, place);
    }
    Ok(found)
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
    let reports: Vec<(i64, Role, Timestamp)> =
        jobs.iter().zip(&ids).map(|(j, id)| (*id, j.reporter.role, j.hazard.found_at)).collect();
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

/// Writes a batch with its numbers and its audit records chained (in its transaction: one
/// commit). A batch that fails leaves no number taken and no link in the chain, so numbers stay
/// gapless and the chain whole.
async fn write_together(store: &Store, jobs: &[Ready]) -> Result<Vec<i64>, StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
    // Its timeline, visits, audit records, running totals and notices are read by nothing after
    // them in the transaction: on PostgreSQL they go in one statement before commit.
    tx.gather_writes();
    // The batch's audit records are chained as they are written (one transaction at a time
    // writes batches, so the head's lock costs no one a wait worth counting).
    crate::audit::hold_head(&mut tx).await?;
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
            target: crate::notify::Target { enterprise_id: h.enterprise_id, path: &h.scope_path, sector: &h.sector },
            found_by: Some(j.reporter.user_id),
            handover: HazardHandover::Reported { by: j.reporter.role },
            body: j.hazard.description.clone(),
            actor: Some(j.reporter.user_id),
            fresh: true,
        })
        .collect();
    if let Some(first) = jobs.first() {
        crate::notify::hazard_handovers(&mut tx, &notices, first.hazard.found_at).await?;
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
