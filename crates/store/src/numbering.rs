//! Gapless numbers (编号) per sequence and year, such as `YH-2026-000123` for a district's hazards.
//!
//! A number is taken either in the writer's transaction ([`next_numbers`]: the counter row stays
//! locked until commit, fine for the demo and for the batching writer of reported hazards, the
//! only request writer that takes hazard numbers so) or after commit by the linker ([`defer`], then [`assign_pending`]): only committed records are numbered, so
//! the numbers have no gaps, and writers do not queue on the counter. Until then the record
//! holds a placeholder that starts with [`PLACEHOLDER`].

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::{Actor, StoreError, Tx};
use sqlx::Row;

/// What a record waiting for its number holds instead (unique, never shown once linked).
pub const PLACEHOLDER: &str = "待编号-";

/// A unique placeholder number.
pub(crate) fn placeholder() -> String {
    format!("{PLACEHOLDER}{:016x}", rand::random::<u64>())
}

/// Takes `n` numbers of a sequence in the caller's transaction and answers the last: one
/// upsert, so two first numbers of a year racing on PostgreSQL wait on the row instead of one
/// failing its transaction.
async fn take(tx: &mut Tx, sequence: &str, year: i64, n: i64) -> Result<i64, StoreError> {
    let r = Insert::into("number_sequence")
        .set("scope", sequence)
        .set("year", year)
        .set("last", n)
        .query()
        .push(" ON CONFLICT (scope, year) DO UPDATE SET last = number_sequence.last + excluded.last RETURNING last")
        .fetch_one(&mut *tx.tx)
        .await?;
    Ok(r.try_get("last")?)
}

/// The next numbers of the records `keys` (sequence, year) in their order, in the writer's
/// transaction: one counter update per sequence and year.
pub(crate) async fn next_numbers(tx: &mut Tx, keys: &[(&str, i64)]) -> Result<Vec<i64>, StoreError> {
    let mut next: std::collections::BTreeMap<(&str, i64), i64> = Default::default();
    for k in keys {
        *next.entry(*k).or_default() += 1;
    }
    for ((sequence, year), n) in next.iter_mut() {
        *n = take(tx, sequence, *year, *n).await? - *n + 1;
    }
    Ok(keys
        .iter()
        .map(|k| {
            let slot = next.get_mut(k).expect("counted above");
            *slot += 1;
            *slot - 1
        })
        .collect())
}

/// A record left to be numbered after commit (it holds a [`placeholder`]).
pub(crate) struct Pending<'a> {
    pub entity: &'static str,
    pub id: i64,
    pub sequence: &'a str,
    pub year: i64,
    pub scope_path: &'a str,
}

/// Leaves records to be numbered after commit, in their order, with one statement.
pub(crate) async fn defer_all(tx: &mut Tx, records: Vec<Pending<'_>>) -> Result<(), StoreError> {
    let rows = records.into_iter().map(|r| {
        Insert::into("number_pending")
            .set("entity", r.entity)
            .set("entity_id", r.id)
            .set("sequence", r.sequence)
            .set("year", r.year)
            .set("scope_path", r.scope_path)
    });
    if let Some(q) = Insert::many(rows.collect()) {
        q.execute(&mut *tx.tx).await?;
        tx.links_pending = true;
    }
    Ok(())
}

/// How an entity's number is written and the table that keeps it. A new numbered area adds its arm.
fn format(entity: &str, year: i64, seq: i64) -> Option<(String, &'static str)> {
    match entity {
        "hazard" => Some((anjian_domain::hazard::hazard_number(year as i16, seq), "hazard")),
        _ => None,
    }
}

/// Numbers up to `limit` waiting records in the order they were written, each with an audit
/// record, in the linker's transaction (after it locked the chain head, so linkers of several
/// instances never number the same record). Answers how many were numbered.
pub(crate) async fn assign_pending(tx: &mut Tx, limit: i64) -> Result<usize, StoreError> {
    let rows = Q::new("SELECT * FROM number_pending ORDER BY id LIMIT ").bind(limit).fetch_all(&mut *tx.tx).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    struct Waiting {
        id: i64,
        entity: String,
        entity_id: i64,
        key: (String, i64),
        scope_path: String,
    }
    let waiting = rows
        .iter()
        .map(|r| {
            Ok(Waiting {
                id: r.try_get("id")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                key: (r.try_get("sequence")?, r.try_get("year")?),
                scope_path: r.try_get("scope_path")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // One counter update per sequence and year for the whole batch, then the numbers in order.
    let mut next: std::collections::BTreeMap<(String, i64), i64> = Default::default();
    for w in &waiting {
        *next.entry(w.key.clone()).or_default() += 1;
    }
    for (key, n) in next.iter_mut() {
        *n = take(tx, &key.0, key.1, *n).await? - *n + 1;
    }
    let system = Actor::system("系统编号");
    let mut numbered: std::collections::BTreeMap<&'static str, Vec<(i64, String)>> = Default::default();
    let mut changes = Vec::with_capacity(waiting.len());
    for w in &waiting {
        let slot = next.get_mut(&w.key).expect("counted above");
        let seq = *slot;
        *slot += 1;
        let Some((number, table)) = format(&w.entity, w.key.1, seq) else {
            return Err(StoreError::Config(format!("不知道如何为 {} 编号", w.entity)));
        };
        changes.push((
            &system,
            Change::new("number", &w.entity, Some(w.entity_id), &w.scope_path, format!("编号 {number}"))
                .after(serde_json::json!({"number": &number})),
        ));
        numbered.entry(table).or_default().push((w.entity_id, number));
    }
    // One statement per table: number = CASE id WHEN … THEN … END.
    for (table, rows) in numbered {
        let mut q = Q::new("UPDATE ");
        q.push(table).push(" SET number = CASE id");
        for (id, number) in &rows {
            q.push(" WHEN ").bind(*id).push(" THEN ").bind(number.as_str());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        q.push(" END WHERE id IN ").bind_list(&ids);
        q.execute(&mut *tx.tx).await?;
    }
    audit::record_all(tx, changes).await?;
    let ids: Vec<i64> = waiting.iter().map(|w| w.id).collect();
    Q::new("DELETE FROM number_pending WHERE id IN ").bind_list(&ids).execute(&mut *tx.tx).await?;
    Ok(waiting.len())
}
