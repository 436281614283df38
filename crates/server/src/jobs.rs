//! Background jobs. Each is safe with several server instances: the work it claims is claimed
//! by a compare-and-set in the database (see `store::notify::escalate`).

use crate::Clock;
use anjian_domain::hazard::EscalationPolicy;
use anjian_store::Store;
use std::time::Duration;

/// Runs the overdue escalation of hazards, the reminders of overdue risk reviews and the purge
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
