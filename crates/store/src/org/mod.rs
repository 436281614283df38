//! Organisation (组织机构): jurisdictions, departments and enterprises, scoped by the caller.

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::scope::push_subtree;
use crate::{now, Actor, Principal, Store, StoreError, Tx};
use anjian_domain::auth::{Action, Role, ENTERPRISE_ACTIONS};
use anjian_domain::org::{EnterpriseDraft, JurisdictionLevel, Supervision, ValidEnterprise};
use anjian_domain::org_unit::{
    check_placement, JurisdictionState, ParentNode, PlacedNode, ValidDepartment, ValidJurisdiction,
};
pub use anjian_domain::org_unit::{DepartmentInput, DepartmentPatch, JurisdictionInput, JurisdictionPatch};
use anjian_domain::scope::{child_path, JurisdictionView, Scope};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

mod department;
mod enterprise;
mod import;
mod jurisdiction;

pub use department::*;
pub use enterprise::*;
pub use import::*;
pub use jurisdiction::*;
