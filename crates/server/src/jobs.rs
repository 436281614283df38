//! Background jobs: reminders every 5 minutes, cleanup every hour. Each is safe with several server instances: the work it claims is claimed
//! by a compare-and-set in the database (see `store::notify::escalate`).

use crate::Clock;
use anjian_domain::hazard::EscalationPolicy;
use anjian_store::Store;
use std::time::Duration;

/// Runs the overdue escalation of hazards, the reminders of near deadlines and of overdue risk reviews and the purge
/// of expired idempotency keys every `every`, starting at once.
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
            match anjian_store::notify::remind_due(&store, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "deadlines near reminded"),
                Err(e) => tracing::error!(error = %e, "due-soon reminder job failed"),
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
            match anjian_store::idempotency::purge(&store, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "expired idempotency keys forgotten"),
                Err(e) => tracing::error!(error = %e, "idempotency purge failed"),
            }
        }
    })
}

/// What one cleanup removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleanup {
    /// Uploads never attached within `files::UNATTACHED_HOURS`
    pub files: u64,
    /// Login failures older than the throttling window
    pub login_failures: u64,
}

/// One cleanup at `now` (the server's clock): unattached uploads, old login failures. Safe on
/// several instances at once: each removal is one conditional `DELETE`.
pub async fn cleanup(store: &Store, now: jiff::Timestamp) -> Result<Cleanup, anjian_store::StoreError> {
    let files = anjian_store::files::remove_unattached(store, now).await?;
    let login_failures = anjian_store::auth::prune_login_failures(store, now.as_second()).await?;
    Ok(Cleanup { files, login_failures })
}

/// Runs [`cleanup`] every `every`, starting at once.
pub fn spawn_cleanup(store: Store, clock: Clock, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match cleanup(&store, clock.now()).await {
                Ok(c) if c == Cleanup::default() => {}
                Ok(c) => tracing::info!(files = c.files, login_failures = c.login_failures, "cleanup done"),
                Err(e) => tracing::error!(error = %e, "cleanup job failed"),
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
