//! Settings kept in the database (设置), as key and text value.

use crate::db::Q;
use crate::{Store, StoreError};
use sqlx::Row;

pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let r = Q::new("SELECT value FROM setting WHERE key = ").bind(key).fetch_optional(store.pool()).await?;
    Ok(r.map(|r| r.try_get("value")).transpose()?)
}

pub async fn set(store: &Store, key: &str, value: &str) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    Q::new("DELETE FROM setting WHERE key = ").bind(key).execute(&mut *tx.tx).await?;
    Q::new("INSERT INTO setting (key, value) VALUES (")
        .bind(key)
        .push(", ")
        .bind(value)
        .push(")")
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
