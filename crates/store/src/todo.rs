//! 工作台待办 (to-dos): what waits for the caller, each the total of a list the caller can open,
//! with the link that opens it.
//!
//! A to-do is written as the link of its list (`/hazards?state=pending_verification`); its count
//! is that list's own `total`, read by parsing the link's query the way the list endpoint parses
//! it and calling the list. So a count cannot drift from the list it opens. The web path of a
//! list is its API path without `/api/v1` (a test reads every to-do's list through the API).
//!
//! **Adding an area's to-dos:** write `<area>::todos(store, p, at) -> Vec<Todo>` next to the
//! area's lists and add one line to [`todos`] below: that is the one registration point.

use crate::{Principal, Store, StoreError};
use jiff::Timestamp;
use serde::Serialize;

/// One to-do of the 工作台.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    /// Stable key, e.g. `hazard.pending_verification`
    pub key: String,
    /// The business area it belongs to (隐患排查治理, 风险分级管控 …)
    pub area: String,
    pub label: String,
    pub count: i64,
    /// The list's count stopped at its cap: there are at least `count`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
    /// The web page of the list (`/hazards?…`); the same path under `/api/v1` is the list's API.
    pub link: String,
    /// How urgent it reads: `danger` (overdue, 重大), `warning` (due soon, waiting for the
    /// caller), `primary` (to look at).
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Danger,
    Warning,
    Primary,
}

/// A to-do as an area declares it: the list's page and query, before it is counted.
pub(crate) struct TodoDef {
    pub key: &'static str,
    pub label: &'static str,
    pub tone: Tone,
    /// The list's web path, e.g. `/hazards`
    pub path: &'static str,
    /// The list's query, e.g. `state=reported&grade=重大` (written as the list endpoint reads it)
    pub query: &'static str,
}

impl TodoDef {
    /// The query as the list endpoint would parse it.
    pub fn filter<F: serde::de::DeserializeOwned>(&self) -> Result<F, StoreError> {
        serde_urlencoded::from_str(self.query)
            .map_err(|e| StoreError::Config(format!("待办「{}」的筛选条件有误：{e}", self.label)))
    }

    pub fn counted(&self, area: &str, total: i64, capped: bool) -> Todo {
        let query: String = serde_urlencoded::to_string(
            serde_urlencoded::from_str::<Vec<(String, String)>>(self.query).unwrap_or_default(),
        )
        .unwrap_or_default();
        Todo {
            key: self.key.into(),
            area: area.into(),
            label: self.label.into(),
            count: total,
            capped,
            link: if query.is_empty() { self.path.into() } else { format!("{}?{query}", self.path) },
            tone: self.tone,
        }
    }
}

/// The caller's to-dos, area by area (with nothing waiting too: the 工作台 keeps its layout).
pub async fn todos(store: &Store, p: &Principal, at: Timestamp) -> Result<Vec<Todo>, StoreError> {
    let mut all = crate::hazard::todos(store, p, at).await?;
    all.extend(crate::risk::todos(store, p, at).await?);
    all.extend(crate::checklist::todos(store, p, at).await?);
    all.extend(crate::org::todos(store, p, at).await?);
    Ok(all)
}
