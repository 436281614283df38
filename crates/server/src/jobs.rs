//! Background jobs. Each is safe with several server instances: the work it claims is claimed
//! by a compare-and-set in the database (see `store::notify::escalate`).

use crate::Clock;
use anjian_domain::hazard::EscalationPolicy;
use anjian_store::Store;
use std::time::Duration;

/// Runs the overdue escalation of hazards and the reminders of overdue risk reviews every
/// `every`, starting at once.
pub fn spawn_reminders(store: Store, clock: Clock, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match anjian_store::notify::escalate(&store, clock.now(), EscalationPolicy::default()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "overdue hazards escalated"),
                Err(e) => tracing::error!(error = %e, "escalation job failed"),
            }
            let reviews = match anjian_store::risk::rules(&store).await {
                Ok(rules) => anjian_store::notify::remind_reviews(&store, clock.now(), rules).await,
                Err(e) => Err(e),
            };
            match reviews {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "overdue risk reviews reminded"),
                Err(e) => tracing::error!(error = %e, "review reminder job failed"),
            }
        }
    })
}

/// When the sealer signs a checkpoint: after `records` new audit records, or `every` after the
/// last checkpoint if anything was written since, looking every `poll`. The first records of
/// an installation are signed at the first look.
#[derive(Debug, Clone, Copy)]
pub struct SealPolicy {
    pub records: i64,
    pub every: Duration,
    pub poll: Duration,
}

impl Default for SealPolicy {
    fn default() -> Self {
        Self { records: 1000, every: Duration::from_secs(300), poll: Duration::from_secs(2) }
    }
}

/// Signs audit checkpoints by [`SealPolicy`]. A refusal (the database no longer agrees with the
/// last checkpoint) is logged at every look and nothing is signed.
pub fn spawn_sealer(
    store: Store,
    sealer: std::sync::Arc<anjian_store::audit::Sealer>,
    policy: SealPolicy,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(policy.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut since = tokio::time::Instant::now();
        loop {
            tick.tick().await;
            let pending = match sealer.pending(&store).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "audit sealer could not read the head");
                    continue;
                }
            };
            let first = sealer.last().await.is_none();
            if pending <= 0 || !(first || pending >= policy.records || since.elapsed() >= policy.every) {
                continue;
            }
            match sealer.checkpoint(&store).await {
                Ok(Some(cp)) => {
                    since = tokio::time::Instant::now();
                    tracing::debug!(seq = cp.seq, "audit checkpoint signed");
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "audit checkpoint refused"),
            }
        }
    })
}
