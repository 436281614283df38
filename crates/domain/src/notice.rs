//! Notices (站内提醒): who learns of each hand-over (交接) and what it is called. A notice goes
//! to units — the enterprise, the station of its street, the department of its sector, the
//! committee — and a unit without an active account passes it to the unit above
//! ([`Unit::above`]), so no notice is sent to nobody. Later areas add their kinds here.

use crate::auth::Role;
use crate::hazard::{HazardFacts, HazardGrade, HazardSource};
use serde::{Deserialize, Serialize};

/// 提醒类别 — what a notice is about (the message centre filters by it; a user keeps at most
/// one unread notice of a kind per object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 新隐患: a hazard reported against the enterprise
    Reported,
    /// 重大隐患上报
    MajorReported,
    /// 待验收: rectified and submitted to the verifying unit
    Submitted,
    /// 验收通过（销号）
    Verified,
    /// 验收不通过
    VerifyFailed,
    /// 已驳回
    Rejected,
    /// 挂牌督办
    Listed,
    /// 即将到期
    DueSoon,
    /// 逾期督办
    Overdue,
    /// 风险评审逾期
    ReviewOverdue,
    /// 催办: a regulator presses for the rectification
    Urged,
}

impl NoticeKind {
    pub const ALL: [Self; 11] = [
        Self::Reported,
        Self::MajorReported,
        Self::Submitted,
        Self::Verified,
        Self::VerifyFailed,
        Self::Rejected,
        Self::Listed,
        Self::DueSoon,
        Self::Overdue,
        Self::ReviewOverdue,
        Self::Urged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::MajorReported => "major_reported",
            Self::Submitted => "submitted",
            Self::Verified => "verified",
            Self::VerifyFailed => "verify_failed",
            Self::Rejected => "rejected",
            Self::Listed => "listed",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::ReviewOverdue => "review_overdue",
            Self::Urged => "urged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reported => "新隐患",
            Self::MajorReported => "重大隐患上报",
            Self::Submitted => "待验收",
            Self::Verified => "验收通过",
            Self::VerifyFailed => "验收不通过",
            Self::Rejected => "已驳回",
            Self::Listed => "挂牌督办",
            Self::DueSoon => "即将到期",
            Self::Overdue => "逾期督办",
            Self::ReviewOverdue => "评审逾期",
            Self::Urged => "催办",
        }
    }
}

/// The kinds that also go out by SMS or WeChat Work when a channel is set (`outbound_kinds`):
/// what cannot wait for the next login.
pub const DEFAULT_OUTBOUND_KINDS: [NoticeKind; 5] =
    [NoticeKind::MajorReported, NoticeKind::Listed, NoticeKind::Overdue, NoticeKind::Urged, NoticeKind::DueSoon];

impl NoticeKind {
    /// `major_reported,listed` → the kinds; an unknown one is named.
    pub fn parse_list(s: &str) -> Result<Vec<NoticeKind>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| NoticeKind::parse(k).ok_or_else(|| format!("未知的提醒类别「{k}」")))
            .collect()
    }
}

/// The text a notice goes out with (短信, 企业微信): the platform's mark, whom it is for, the
/// title and what it says.
pub fn outbound_text(user_name: &str, title: &str, body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        format!("【安监平台】{user_name}：{title}")
    } else {
        format!("【安监平台】{user_name}：{title}。{body}")
    }
}

/// A unit a notice is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// 企业: the hazard's enterprise
    Enterprise,
    /// 属地安监站: the station of the enterprise's street
    Station,
    /// 行业主管部门: a department supervising the hazard's sector there
    Department,
    /// 安委办: the committee above the enterprise
    Committee,
    /// 系统管理员: where a notice lands when no unit above has an account
    Admin,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Self::Enterprise => "企业",
            Self::Station => "属地安监站",
            Self::Department => "行业主管部门",
            Self::Committee => "安委办",
            Self::Admin => "系统管理员",
        }
    }

    /// The unit that receives a notice for this one when it has no active account.
    pub fn above(self) -> Option<Unit> {
        match self {
            Self::Enterprise => Some(Self::Station),
            Self::Station | Self::Department => Some(Self::Committee),
            Self::Committee => Some(Self::Admin),
            Self::Admin => None,
        }
    }
}

/// A hand-over in a hazard's closed loop: the next one to act learns of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardHandover {
    /// 上报 by a user of this role
    Reported { by: Role },
    /// 提交验收
    Submitted,
    /// 验收 (passed or failed)
    Verified { passed: bool },
    /// 驳回
    Rejected,
    /// 挂牌督办
    Listed,
    /// 整改期限将到
    DueSoon,
    /// 催办 by a regulator
    Urged,
}

/// Whom a hand-over tells: units, and whether the user who found the hazard too (the finding
/// unit re-checks what it found, DOMAIN.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressees {
    pub kind: NoticeKind,
    pub units: Vec<Unit>,
    pub finder: bool,
}

/// The notice of a hand-over, or none when the one who acts next is the one who acted (an
/// enterprise's own 一般 hazard closes in its own loop: 自查自改).
pub fn hazard_addressees(h: HazardFacts, handover: HazardHandover) -> Option<Addressees> {
    use Unit::*;
    let major = h.grade == HazardGrade::Major;
    let own_loop = !major && h.source == HazardSource::SelfInspection;
    let (kind, units, finder) = match handover {
        HazardHandover::Reported { by: Role::Enterprise } if own_loop => return None,
        // The enterprise's own 重大 report: its regulators must follow it.
        HazardHandover::Reported { by: Role::Enterprise } => {
            (NoticeKind::MajorReported, vec![Station, Department], false)
        }
        HazardHandover::Reported { .. } if major => {
            (NoticeKind::MajorReported, vec![Enterprise, Station, Department], false)
        }
        HazardHandover::Reported { .. } => (NoticeKind::Reported, vec![Enterprise, Station], false),
        HazardHandover::Submitted if own_loop => return None,
        // A 重大 hazard is verified by a regulator; another 一般 one is re-checked by whoever found
        // it or the station.
        HazardHandover::Submitted if major => (NoticeKind::Submitted, vec![Station, Department], false),
        HazardHandover::Submitted => (NoticeKind::Submitted, vec![Station], true),
        HazardHandover::Verified { passed: true } if own_loop => return None,
        HazardHandover::Verified { passed: true } => (NoticeKind::Verified, vec![Enterprise], false),
        HazardHandover::Verified { passed: false } => (NoticeKind::VerifyFailed, vec![Enterprise], false),
        HazardHandover::Rejected => (NoticeKind::Rejected, vec![Enterprise], false),
        HazardHandover::Listed => (NoticeKind::Listed, vec![Enterprise, Station], false),
        HazardHandover::DueSoon => (NoticeKind::DueSoon, vec![Enterprise], false),
        HazardHandover::Urged => (NoticeKind::Urged, vec![Enterprise], false),
    };
    Some(Addressees { kind, units, finder })
}

/// Days before the deadline at which the responsible is reminded (整改期限前提醒).
pub const DUE_SOON_DAYS: i64 = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hazard::HazardState;

    fn facts(grade: HazardGrade, source: HazardSource) -> HazardFacts {
        HazardFacts { state: HazardState::Reported, grade, source, enterprise_on_platform: true }
    }

    #[test]
    fn outbound_kinds_are_read_from_a_list_and_an_unknown_one_is_named() {
        assert_eq!(NoticeKind::parse_list("listed, urged,").unwrap(), [NoticeKind::Listed, NoticeKind::Urged]);
        assert!(NoticeKind::parse_list("listed,sms").unwrap_err().contains("sms"));
        assert_eq!(
            outbound_text("王伟", "隐患 YH-2026-000001 被催办", ""),
            "【安监平台】王伟：隐患 YH-2026-000001 被催办"
        );
    }

    #[test]
    fn every_kind_round_trips_and_has_a_chinese_label() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty() && !k.label().is_ascii());
        }
    }

    #[test]
    fn a_regulators_report_goes_to_the_enterprise_and_its_station_and_a_major_one_to_the_department() {
        let general = hazard_addressees(
            facts(HazardGrade::General, HazardSource::GovernmentInspection),
            HazardHandover::Reported { by: Role::Grid },
        )
        .unwrap();
        assert_eq!((general.kind, general.units), (NoticeKind::Reported, vec![Unit::Enterprise, Unit::Station]));
        let major = hazard_addressees(
            facts(HazardGrade::Major, HazardSource::GovernmentInspection),
            HazardHandover::Reported { by: Role::Station },
        )
        .unwrap();
        assert_eq!(major.kind, NoticeKind::MajorReported);
        assert_eq!(major.units, [Unit::Enterprise, Unit::Station, Unit::Department]);
        // The enterprise's own 重大 report tells its regulators, not itself.
        let own_major = hazard_addressees(
            facts(HazardGrade::Major, HazardSource::SelfInspection),
            HazardHandover::Reported { by: Role::Enterprise },
        )
        .unwrap();
        assert_eq!(own_major.units, [Unit::Station, Unit::Department]);
    }

    #[test]
    fn the_enterprises_own_general_hazard_hands_over_to_nobody() {
        let own = facts(HazardGrade::General, HazardSource::SelfInspection);
        for h in [
            HazardHandover::Reported { by: Role::Enterprise },
            HazardHandover::Submitted,
            HazardHandover::Verified { passed: true },
        ] {
            assert_eq!(hazard_addressees(own, h), None, "{h:?}");
        }
    }

    #[test]
    fn submitted_goes_to_who_verifies() {
        let found = hazard_addressees(facts(HazardGrade::General, HazardSource::GridPatrol), HazardHandover::Submitted)
            .unwrap();
        assert_eq!((found.units, found.finder), (vec![Unit::Station], true));
        let major =
            hazard_addressees(facts(HazardGrade::Major, HazardSource::SelfInspection), HazardHandover::Submitted)
                .unwrap();
        assert_eq!((major.units, major.finder), (vec![Unit::Station, Unit::Department], false));
    }

    #[test]
    fn a_unit_without_accounts_passes_to_the_one_above_and_the_chain_ends() {
        let mut u = Unit::Enterprise;
        let mut seen = vec![u];
        while let Some(next) = u.above() {
            seen.push(next);
            u = next;
        }
        assert_eq!(seen, [Unit::Enterprise, Unit::Station, Unit::Committee, Unit::Admin]);
        assert_eq!(Unit::Department.above(), Some(Unit::Committee));
    }
}
