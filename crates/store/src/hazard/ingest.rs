//! The batching writer (批量写入) of reported hazards: the reports of concurrent requests share
//! one transaction — one multi-row statement per table, one commit, one read of the answers —
//! instead of each paying for its own. A request waits for the commit of the batch that holds
//! its report, so its answer still means written, audited and numbered: the writer takes the
//! district's numbers and holds the audit chain head in its own transaction, so its records are
//! chained as they are written. The answers of a batch are read beside the writing of the next.
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

struct Job {
    reporter: Principal,
    hazard: NewHazard,
    /// The request's Idempotency-Key, marked committed with the report.
    key: Option<KeyRef>,
    reply: oneshot::Sender<Result<HazardDetail, StoreError>>,
}

/// Writes one report with whatever others are waiting; answers the hazard as the reporter sees
/// it once committed and numbered.
pub(crate) async fn write(store: &Store, p: &Principal, hazard: NewHazard) -> Result<HazardDetail, StoreError> {
    let key = crate::idempotency::CURRENT.try_with(|k| k.clone()).ok();
    let (reply, answer) = oneshot::channel();
    let start = {
        let mut w = store.hazard_queue.state.lock().expect("queue lock");
        w.jobs.push(Job { reporter: p.clone(), hazard, key, reply });
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
        let batch: Vec<Job> = {
            let mut w = store.hazard_queue.state.lock().expect("queue lock");
            if w.jobs.is_empty() {
                w.writing = false;
                idle.armed = false;
                return;
            }
            let n = w.jobs.len().min(MAX_BATCH);
            w.jobs.drain(..n).collect()
        };
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
async fn answer(store: Store, jobs: Vec<Job>, ids: Vec<i64>) {
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
async fn write_together(store: &Store, jobs: &[Job]) -> Result<Vec<i64>, StoreError> {
    let mut tx = store.begin().await?;
    tx.keeps_sessions = true;
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
