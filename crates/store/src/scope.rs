//! Data scope in SQL (数据权限): the rule is `domain::scope`; these write it as WHERE conditions
//! over materialised paths (`/1/2/17/`), the same for every area.

use crate::db::Q;
use anjian_domain::scope::Scope;

/// Appends a subtree condition on a materialised-path column: `col` starts with `path`.
/// Written as a range so that both engines use the index (paths end in `/`, and `0` is the
/// character after `/`).
pub fn push_subtree(q: &mut Q, col: &'static str, path: &str) {
    let upper = format!("{}0", &path[..path.len() - 1]);
    q.push(col).push(" >= ").bind(path).push(" AND ").push(col).push(" < ").bind(upper);
}

/// How a subtree condition is written. `Range` lets the planner use the scope index (counts
/// and totals over a subtree read only that index); `Prefix` keeps it off that index, so a
/// newest-first page walks the primary key (or the state index) backwards and stops after a
/// page instead of sorting the whole subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathMatch {
    Range,
    Prefix,
}

pub(crate) fn push_path(q: &mut Q, col: &'static str, path: &str, how: PathMatch) {
    match how {
        PathMatch::Range => push_subtree(q, col, path),
        PathMatch::Prefix => {
            // The length is bound like any value (PostgreSQL's SUBSTR takes an INTEGER).
            q.push("SUBSTR(").push(col).push(", 1, CAST(").bind(path.chars().count() as i64).push(" AS INTEGER)) = ");
            q.bind(path);
        }
    }
}

/// Appends the condition that a row owned by an enterprise, read as `h` (a hazard, a risk point,
/// a major hazard source: `h.scope_path`, `h.sector`, `h.enterprise_id`), is visible in `scope`
/// (SQL form of [`Scope::sees_hazard`]).
pub fn push_owned_scope(q: &mut Q, scope: &Scope) {
    push_owned_scope_as(q, scope, PathMatch::Range)
}

pub(crate) fn push_owned_scope_as(q: &mut Q, scope: &Scope, how: PathMatch) {
    match scope {
        Scope::All => {}
        Scope::Subtree { path } => {
            q.push(" AND ");
            push_path(q, "h.scope_path", path, how);
        }
        Scope::Sectors { path, sectors } => {
            q.push(" AND ");
            push_path(q, "h.scope_path", path, how);
            if sectors.is_empty() {
                q.push(" AND 1=0");
            } else {
                q.push(" AND h.sector IN ").bind_list(sectors);
            }
        }
        Scope::Enterprise { id } => {
            q.push(" AND h.enterprise_id = ").bind(*id);
        }
        Scope::Assigned { enterprise_ids } if enterprise_ids.is_empty() => {
            q.push(" AND 1=0");
        }
        Scope::Assigned { enterprise_ids } => {
            q.push(" AND h.enterprise_id IN ").bind_list(enterprise_ids);
        }
    }
}

/// The tables whose rows an enterprise owns: each has `enterprise_id`, `scope_path` (a copy of the
/// enterprise's, so scope needs no join) and `sector`, and is read with [`push_owned_scope`].
/// Registers describe the enterprise as it is now and move with it when it changes street or
/// grid; records keep the place where they happened (a hazard stays where it was found).
/// A new area adds its table to one of the two lists; a test checks the schema against them.
pub const MOVES_WITH_ENTERPRISE: &[&str] = &["risk_point", "major_hazard_source"];
/// See [`MOVES_WITH_ENTERPRISE`]. `attachment` rows follow their owner (moved when it moves).
pub const STAYS_WHERE_RECORDED: &[&str] = &["hazard", "attachment"];

/// Moves the registers of an enterprise (and the files attached to them) to its new place, in
/// the caller's transaction.
pub(crate) async fn move_enterprise_rows(
    tx: &mut crate::Tx,
    enterprise_id: i64,
    scope_path: &str,
    sector: &str,
) -> Result<(), crate::StoreError> {
    for table in MOVES_WITH_ENTERPRISE {
        let mut q = Q::new("UPDATE ");
        q.push(table).push(" SET scope_path = ").bind(scope_path).push(", sector = ").bind(sector);
        q.push(" WHERE enterprise_id = ").bind(enterprise_id);
        q.execute(&mut *tx.tx).await?;
    }
    let mut q = Q::new("UPDATE attachment SET scope_path = ");
    q.bind(scope_path).push(", sector = ").bind(sector).push(" WHERE enterprise_id = ").bind(enterprise_id);
    q.push(" AND entity IN ").bind_list(MOVES_WITH_ENTERPRISE);
    q.execute(&mut *tx.tx).await?;
    Ok(())
}
