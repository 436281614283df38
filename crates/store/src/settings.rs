//! Settings kept in the database (设置), as key and JSON text value.

use crate::audit::{self, Change};
use crate::db::Q;
use crate::{Actor, Store, StoreError};
use sqlx::Row;

pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let r = Q::new("SELECT value FROM setting WHERE key = ").bind(key).fetch_optional(store.pool()).await?;
    Ok(r.map(|r| r.try_get("value")).transpose()?)
}

/// A setting parsed, or its default when unset (or unreadable after a format change).
pub async fn get_or_default<T: serde::de::DeserializeOwned + Default>(
    store: &Store,
    key: &str,
) -> Result<T, StoreError> {
    Ok(get(store, key).await?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
}

/// Replaces a setting in the caller's transaction (an upsert: two first writes of a key at once
/// must not collide on the key).
pub(crate) async fn put_in(tx: &mut crate::Tx, key: &str, value: &str) -> Result<(), StoreError> {
    Q::new("INSERT INTO setting (key, value) VALUES (")
        .bind(key)
        .push(", ")
        .bind(value)
        .push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Replaces a setting and audits the change (设置变更), before and after, in one transaction.
pub async fn set<T: serde::Serialize>(
    store: &Store,
    actor: &Actor,
    key: &str,
    value: &T,
    summary: &str,
) -> Result<(), StoreError> {
    let after = serde_json::to_value(value).map_err(|e| StoreError::Config(e.to_string()))?;
    let mut tx = store.begin().await?;
    // Read in the transaction, so the audit's "before" is the value this write replaces.
    let before = Q::new("SELECT value FROM setting WHERE key = ")
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?
        .map(|r| r.try_get::<String, _>("value"))
        .transpose()?
        .and_then(|v| serde_json::from_str::<serde_json::Value>(&v).ok());
    put_in(&mut tx, key, &after.to_string()).await?;
    audit::record(
        &mut tx,
        actor,
        Change::new("set", "setting", None, "/", summary.to_string()).before_opt(before).after(after),
    )
    .await?;
    tx.commit().await
}
