//! Data scope in SQL (数据权限): the rule is `domain::scope`; these write it as WHERE conditions
//! over materialised paths (`/1/2/17/`), the same for every area.

use crate::db::Q;
use anjian_domain::scope::Scope;

/// Appends a subtree condition on a materialised-path column: `col` starts with `path`.
/// Written as a range so that both engines use the index (paths end in `/`, and `0` is the
/// character after `/`).
pub fn push_subtree(q: &mut Q, col: &str, path: &str) {
    let upper = format!("{}0", &path[..path.len() - 1]);
    q.push(&format!("{col} >= ")).bind(path).push(&format!(" AND {col} < ")).bind(upper);
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

pub(crate) fn push_path(q: &mut Q, col: &str, path: &str, how: PathMatch) {
    match how {
        PathMatch::Range => push_subtree(q, col, path),
        PathMatch::Prefix => {
            q.push(&format!("SUBSTR({col}, 1, {}) = ", path.len())).bind(path);
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
