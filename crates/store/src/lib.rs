//! Anjian store: persistence on SQLite or PostgreSQL, with data scope enforced here.
//!
//! Functions that read scoped data take the caller's [`Principal`]; there is no unscoped
//! variant outside the admin tools (CLI, demo). Every write happens in a [`Tx`] together with
//! its audit record.

pub mod audit;
pub mod auth;
pub mod bench;
pub mod checklist;
mod db;
pub mod demo;
pub mod files;
pub mod hazard;
pub mod idempotency;
pub mod links;
pub mod major_hazard;
pub mod map;
pub mod notify;
pub mod numbering;
pub mod org;
pub mod outbound;
pub mod page;
pub mod risk;
pub mod scope;
pub mod settings;
pub mod todo;

pub use anjian_domain as domain;

/// The SQL list of the open hazard states (those `HazardState::is_open` calls open), as a literal
/// for `concat!`; a test checks it against the domain so the rule stays in one place.
macro_rules! open_states {
    () => {
        "('reported', 'rectifying', 'pending_verification')"
    };
}
pub use db::{Backend, Insert, Store, StoreOptions, Tx, Val, Q};
use domain::FieldError;
pub(crate) use open_states;

impl Store {
    /// Prepares a database for use, in order: the migrations (schema), then the built-in data
    /// (the official 重大事故隐患 checklists). Two steps so that `db` knows no business area.
    pub async fn bootstrap(&self) -> Result<(), StoreError> {
        self.migrate().await?;
        checklist::ensure_builtin(self).await
    }
}

/// What can go wrong in the store, in terms the HTTP layer can map one to one.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not found, or outside the caller's scope (the two are not told apart).
    #[error("未找到")]
    NotFound,
    /// The caller's role may not do this to an object it can see.
    #[error("{0}")]
    Forbidden(String),
    /// Stale version, or a state that forbids the change.
    #[error("{0}")]
    Conflict(String),
    /// A unique value that is already taken, with the field that holds it.
    #[error("{message}")]
    Duplicate { field: &'static str, message: String },
    /// Input broke a rule.
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    #[error("配置错误：{0}")]
    Config(String),
    /// A quota is used up (an upload over one's allowance of files not yet attached).
    #[error("{0}")]
    TooLarge(String),
    /// A rate ceiling is reached: try again after `retry_after` seconds.
    #[error("{message}")]
    TooMany { message: String, retry_after: i64 },
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    /// A file beside the database (the audit key, the checkpoint file) could not be used.
    #[error("{0}")]
    File(String),
}

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The text of a unique-constraint violation, if this is one. Both engines name the
    /// column or index in it, so callers can tell which key collided.
    pub fn unique_violation(&self) -> Option<String> {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                Some(format!("{} {}", e.message(), e.constraint().unwrap_or("")))
            }
            _ => None,
        }
    }

    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
    }
}

/// The current instant as stored: UTC, millisecond precision, fixed width so text order is
/// time order.
pub fn now() -> String {
    format_ts(jiff::Timestamp::now())
}

pub fn format_ts(ts: jiff::Timestamp) -> String {
    domain::time::Instant(ts).to_db()
}

/// Who makes a change, as written in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    /// Changes made by the command line or the demo generator.
    pub fn system(name: &str) -> Self {
        Self { id: None, name: name.to_string() }
    }
}

/// An authenticated user with the scope of what it may see.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: domain::auth::Role,
    pub org_kind: domain::auth::OrgKind,
    pub org_id: i64,
    pub scope: domain::scope::Scope,
    /// The tier of the unit's jurisdiction (a department's: the one it belongs to), which sets
    /// the level it lists hazards at; none for an enterprise or the command line.
    pub unit_tier: Option<domain::org::JurisdictionLevel>,
}

impl Principal {
    /// A department's own sectors (its scope is by sector); none for every other unit.
    pub fn department_sectors(&self) -> Option<&[String]> {
        match &self.scope {
            domain::scope::Scope::Sectors { sectors, .. } => Some(sectors),
            _ => None,
        }
    }

    /// The unit acting, as the rules of a listed hazard see it (`ListingUnit::may_be_closed_by`).
    pub fn acting_unit(&self) -> domain::hazard::ActingUnit {
        use domain::hazard::ActingUnit;
        use domain::scope::Scope;
        match (&self.scope, self.org_kind) {
            (Scope::All, _) if self.role == domain::auth::Role::Admin => ActingUnit::Admin,
            (Scope::Subtree { path }, domain::auth::OrgKind::Jurisdiction) => {
                ActingUnit::Government { role: self.role, path: path.clone() }
            }
            (Scope::Sectors { path, .. }, domain::auth::OrgKind::Department) => {
                ActingUnit::Department { id: self.org_id, path: path.clone() }
            }
            _ => ActingUnit::Other,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor { id: Some(self.user_id), name: format!("{}({})", self.display_name, self.username) }
    }

    /// Refuses an action the role may not take (403; scope has already hidden what is outside).
    pub fn require(&self, action: domain::auth::Action) -> Result<(), StoreError> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(StoreError::Forbidden(format!("{}无权{}", self.role.label(), action.label())))
        }
    }
}

#[cfg(test)]
mod tests {
    use anjian_domain::hazard::HazardState;

    #[test]
    fn open_states_sql_matches_the_domain() {
        let open: Vec<String> =
            HazardState::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(open_states!(), format!("({})", open.join(", ")));
    }
}
