//! The linker (链接): what a writing transaction leaves for after its commit — records to number
//! and audit records to chain — done by one transaction at a time, in batches.
//!
//! `Tx::commit` runs it before returning, so a caller reads its own write numbered and in the
//! chain; the sealer job runs it too, which finishes the work of a process that stopped between
//! a commit and its linking. Concurrent committers share runs: whoever holds the lock links
//! everything committed so far, and the others find nothing left.

use crate::{audit, numbering, Store, StoreError};
use sqlx::Row;

/// Records numbered per transaction (each one audit record more to link): the linker holds the
/// chain head only briefly, and a statement stays well under the engines' parameter limits.
const BATCH: i64 = 500;

/// Numbers and links everything committed so far.
pub async fn run(store: &Store) -> Result<(), StoreError> {
    let _one = store.link_lock.lock().await;
    while waiting(store).await? {
        let mut tx = store.begin().await?;
        let mut head = audit::lock_head(&mut tx).await?;
        let numbered = numbering::assign_pending(&mut tx, BATCH).await?;
        let linked = audit::link_batch(&mut tx, &mut head, BATCH * 2).await?;
        if numbered == 0 && linked == 0 {
            // Another instance linked them meanwhile.
            return Ok(());
        }
        tx.commit_linker().await?;
    }
    Ok(())
}

/// Whether anything waits, read without a writing transaction (most runs find nothing: a
/// concurrent committer's run took it).
async fn waiting(store: &Store) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM audit_pending LIMIT 1) a) + \
         (SELECT COUNT(*) FROM (SELECT 1 FROM number_pending LIMIT 1) n) AS n",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get::<i64, _>("n")? > 0)
}
