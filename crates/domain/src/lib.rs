//! Anjian domain: the rules of work-safety supervision, free of I/O.
//!
//! Every rule (a checksum, a grade, a transition, who may see what) is written here once and
//! tested here with plain unit tests; the store and the server call it and never re-derive it.

pub mod audit;
pub mod auth;
pub mod checklist;
pub mod hazard;
pub mod major_hazard;
pub mod notice;
pub mod org;
pub mod org_unit;
pub mod risk;
pub mod risk_point;
pub mod scope;
pub mod settings;
pub mod text;
pub mod time;
pub mod user;
pub mod writ;

/// A rule was broken by the input: a Chinese message a clerk can act on, and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
