//! The hazard area's to-dos on the 工作台 (see `crate::todo`): per role, what waits for it in
//! the ledger, each counted by the ledger itself.

use super::{list, HazardFilter};
use crate::page::PageReq;
use crate::todo::{Todo, TodoDef, Tone};
use crate::{Principal, Store, StoreError};
use anjian_domain::auth::Role;
use jiff::Timestamp;

const AREA: &str = "隐患排查治理";

/// 即将到期: the deadline today or within three days.
const DUE_SOON: TodoDef = TodoDef {
    key: "hazard.due_soon",
    label: "即将到期（3天内）",
    tone: Tone::Warning,
    path: "/hazards",
    query: "due_within_days=3",
};
const OVERDUE: TodoDef =
    TodoDef {
        key: "hazard.overdue", label: "逾期未整改", tone: Tone::Danger, path: "/hazards", query: "overdue=true"
    };
const NEW: TodoDef = TodoDef {
    key: "hazard.reported",
    label: "新上报待整改",
    tone: Tone::Primary,
    path: "/hazards",
    query: "state=reported",
};
const TO_VERIFY: TodoDef = TodoDef {
    key: "hazard.pending_verification",
    label: "待验收",
    tone: Tone::Warning,
    path: "/hazards",
    query: "state=pending_verification",
};
const MAJOR_OPEN: TodoDef = TodoDef {
    key: "hazard.major_open",
    label: "重大隐患未销号",
    tone: Tone::Danger,
    path: "/hazards",
    query: "grade=重大&open=true",
};
const LISTED_OPEN: TodoDef = TodoDef {
    key: "hazard.listed_open",
    label: "挂牌督办未销号",
    tone: Tone::Danger,
    path: "/hazards",
    query: "listed=true&open=true",
};
/// 挂牌督办逾期: listed hazards still open after the listing's 督办期限.
const LISTING_OVERDUE: TodoDef = TodoDef {
    key: "hazard.listing_overdue",
    label: "挂牌督办逾期未销号",
    tone: Tone::Danger,
    path: "/hazards",
    query: "listing_overdue=true",
};

/// What each role finds waiting. The enterprise: its own steps of the closed loop (start, submit,
/// redo after a failed verification) and its deadlines; the grid: reports to re-check and what is
/// overdue in its grid; stations and departments: verification, overdue, new and 重大 hazards and
/// listings; the committee (and the administrator): the district's overdue, 重大 and listed ones.
fn defs(role: Role) -> &'static [TodoDef] {
    match role {
        Role::Enterprise => &[
            TodoDef {
                key: "hazard.to_rectify",
                label: "待整改",
                tone: Tone::Warning,
                path: "/hazards",
                query: "state=reported",
            },
            TodoDef {
                key: "hazard.to_submit",
                label: "整改中待提交验收",
                tone: Tone::Primary,
                path: "/hazards",
                query: "state=rectifying",
            },
            TodoDef {
                key: "hazard.failed_verification",
                label: "验收未通过待重新整改",
                tone: Tone::Danger,
                path: "/hazards",
                query: "failed_verification=true",
            },
            DUE_SOON,
            OVERDUE,
        ],
        Role::Grid => &[
            TodoDef {
                key: "hazard.pending_verification",
                label: "待复查",
                tone: Tone::Warning,
                path: "/hazards",
                query: "state=pending_verification",
            },
            NEW,
            OVERDUE,
            DUE_SOON,
        ],
        Role::Station | Role::Department => &[TO_VERIFY, OVERDUE, NEW, MAJOR_OPEN, LISTED_OPEN, LISTING_OVERDUE],
        Role::Committee | Role::Admin => &[OVERDUE, MAJOR_OPEN, LISTED_OPEN, LISTING_OVERDUE, TO_VERIFY],
        Role::Expert => &[],
    }
}

/// The caller's hazard to-dos, each the total of the ledger with the to-do's filters.
pub async fn todos(store: &Store, p: &Principal, at: Timestamp) -> Result<Vec<Todo>, StoreError> {
    let mut out = vec![];
    for def in defs(p.role) {
        let f: HazardFilter = def.filter()?;
        let page = list(store, p, &f, PageReq::total_only(), at).await?;
        out.push(def.counted(AREA, page.total, page.total_capped));
    }
    Ok(out)
}
