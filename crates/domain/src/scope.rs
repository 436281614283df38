//! Data scope (数据权限): which objects a principal may see. The store turns a [`Scope`] into
//! SQL; the rule of which role gets which scope, and the in-memory predicate, live here.

use crate::auth::Role;
use serde::Serialize;

/// What a principal may see. Jurisdiction subtrees are given by materialised path
/// (`/1/4/17/`), so "inside" is a prefix test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Everything (系统管理员).
    All,
    /// A jurisdiction subtree (安委办, 街道安监站, 网格员).
    Subtree { path: String },
    /// Enterprises of some sectors inside a subtree (行业监管部门: 管行业必须管安全).
    Sectors { path: String, sectors: Vec<String> },
    /// One enterprise (企业).
    Enterprise { id: i64 },
    /// Enterprises assigned to an expert or third-party service (专家).
    Assigned { enterprise_ids: Vec<i64> },
}

/// The facts about a user's org unit the scope rule needs.
pub struct OrgFacts<'a> {
    pub role: Role,
    /// Materialised path of the user's jurisdiction (for a department: the department's).
    pub jurisdiction_path: Option<&'a str>,
    pub department_sectors: &'a [String],
    pub enterprise_id: Option<i64>,
    pub assigned_enterprises: &'a [i64],
}

impl Scope {
    /// The scope rule of DESIGN.md: admin everything, committee/station/grid their subtree,
    /// department its sectors in its jurisdiction, enterprise itself, expert what it is assigned.
    /// A user whose org unit is missing sees nothing rather than everything.
    pub fn for_user(f: &OrgFacts<'_>) -> Scope {
        let nothing = Scope::Assigned { enterprise_ids: vec![] };
        match f.role {
            Role::Admin => Scope::All,
            Role::Committee | Role::Station | Role::Grid => match f.jurisdiction_path {
                Some(p) => Scope::Subtree { path: p.to_string() },
                None => nothing,
            },
            Role::Department => match f.jurisdiction_path {
                Some(p) => Scope::Sectors { path: p.to_string(), sectors: f.department_sectors.to_vec() },
                None => nothing,
            },
            Role::Enterprise => match f.enterprise_id {
                Some(id) => Scope::Enterprise { id },
                None => nothing,
            },
            Role::Expert => Scope::Assigned { enterprise_ids: f.assigned_enterprises.to_vec() },
        }
    }

    /// Whether an enterprise at `path` with `sectors` is visible.
    pub fn sees_enterprise(&self, id: i64, path: &str, sectors: &[String]) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path: p } => path.starts_with(p.as_str()),
            Scope::Sectors { path: p, sectors: s } => {
                path.starts_with(p.as_str()) && sectors.iter().any(|x| s.contains(x))
            }
            Scope::Enterprise { id: e } => *e == id,
            Scope::Assigned { enterprise_ids } => enterprise_ids.contains(&id),
        }
    }

    /// Whether a hazard of enterprise `enterprise_id` at `path` in `sector` is visible: like its
    /// enterprise, except that a department sees only the hazards of its own sectors.
    pub fn sees_hazard(&self, enterprise_id: i64, path: &str, sector: &str) -> bool {
        match self {
            Scope::Sectors { path: p, sectors } => path.starts_with(p.as_str()) && sectors.iter().any(|s| s == sector),
            other => other.sees_enterprise(enterprise_id, path, &[]),
        }
    }

    /// The subtree of the jurisdiction tree this scope may browse; `None` means the whole tree.
    /// Enterprise and expert users browse no tree (they see their enterprises directly).
    pub fn jurisdiction_root(&self) -> JurisdictionView<'_> {
        match self {
            Scope::All => JurisdictionView::All,
            Scope::Subtree { path } | Scope::Sectors { path, .. } => JurisdictionView::Subtree(path),
            Scope::Enterprise { .. } | Scope::Assigned { .. } => JurisdictionView::None,
        }
    }
}

/// Which part of the jurisdiction tree a scope may browse.
#[derive(Debug, PartialEq, Eq)]
pub enum JurisdictionView<'a> {
    All,
    Subtree(&'a str),
    None,
}

/// The ids of a materialised path, from the top down (`/1/4/17/` → 1, 4, 17).
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// The node a materialised path ends in (`/1/4/17/` → 17).
pub fn path_node(path: &str) -> Option<i64> {
    path_ids(path).last().copied()
}

/// Materialised path of a node given its parent's path.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(role: Role) -> OrgFacts<'static> {
        OrgFacts {
            role,
            jurisdiction_path: Some("/1/2/"),
            department_sectors: &[],
            enterprise_id: Some(9),
            assigned_enterprises: &[],
        }
    }

    #[test]
    fn station_sees_its_subtree_only() {
        let s = Scope::for_user(&facts(Role::Station));
        assert!(s.sees_enterprise(1, "/1/2/7/", &[]));
        assert!(!s.sees_enterprise(1, "/1/3/7/", &[]));
        // "/1/2/" must not match "/1/22/": paths end in a slash for that reason.
        assert!(!s.sees_enterprise(1, "/1/22/", &[]));
    }

    #[test]
    fn department_sees_only_its_sectors_in_its_jurisdiction() {
        let sectors = vec!["危险化学品".to_string()];
        let f = OrgFacts { department_sectors: &sectors, ..facts(Role::Department) };
        let s = Scope::for_user(&f);
        assert!(s.sees_enterprise(1, "/1/2/5/", &["危险化学品".into(), "燃气".into()]));
        assert!(!s.sees_enterprise(1, "/1/2/5/", &["建筑施工".into()]));
        assert!(!s.sees_enterprise(1, "/1/3/5/", &["危险化学品".into()]));
    }

    #[test]
    fn enterprise_sees_itself_and_missing_org_sees_nothing() {
        let s = Scope::for_user(&facts(Role::Enterprise));
        assert!(s.sees_enterprise(9, "/anything/", &[]));
        assert!(!s.sees_enterprise(10, "/1/2/", &[]));
        let orphan = Scope::for_user(&OrgFacts { jurisdiction_path: None, ..facts(Role::Committee) });
        assert!(!orphan.sees_enterprise(1, "/1/", &[]));
        assert_eq!(Scope::for_user(&facts(Role::Admin)), Scope::All);
    }

    #[test]
    fn child_paths_nest() {
        assert_eq!(child_path(None, 1), "/1/");
        assert_eq!(child_path(Some("/1/"), 4), "/1/4/");
        assert_eq!(path_ids("/1/4/17/"), [1, 4, 17]);
        assert_eq!((path_node("/1/4/17/"), path_node("/")), (Some(17), None));
    }
}
