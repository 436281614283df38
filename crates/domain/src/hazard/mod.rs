//! Hazards (隐患排查治理): the closed loop of 《安全生产事故隐患排查治理暂行规定》 (总局令第16号).
//!
//! `reported → rectifying → pending_verification → closed (销号)`; a failed verification goes
//! back to `rectifying`; `reported → rejected` (not a hazard); a 一般 hazard fixed on the spot
//! goes `reported → closed` with an after-photo (立查立改). A 重大 hazard needs a 治理方案 with
//! the 五到位 before it may enter `rectifying`, and only a regulator verifies and closes it.
//!
//! Sub-areas: [`decide`] (the state machine and what a caller may do), [`report`] (a new
//! hazard's input and its rules), [`supervision`] (逾期督办 escalation, 挂牌督办 listing and
//! quotas), [`period`] (the enterprise's statistics report).

mod decide;
mod period;
mod report;
mod supervision;
mod writs;

pub use decide::*;
pub use period::*;
pub use report::*;
pub use supervision::*;
pub use writs::*;

use crate::time::LocalDate;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// 隐患等级
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum HazardGrade {
    /// 一般事故隐患: small harm, can be fixed at once
    #[serde(rename = "一般")]
    General,
    /// 重大事故隐患: needs (partial) stop of production and time, or outside help
    #[serde(rename = "重大")]
    Major,
}

impl HazardGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "一般",
            Self::Major => "重大",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "一般" => Some(Self::General),
            "重大" => Some(Self::Major),
            _ => None,
        }
    }
}

/// 隐患来源
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum HazardSource {
    #[serde(rename = "企业自查")]
    SelfInspection,
    #[serde(rename = "政府检查")]
    GovernmentInspection,
    #[serde(rename = "网格巡查")]
    GridPatrol,
    #[serde(rename = "群众举报")]
    PublicTipoff,
    #[serde(rename = "第三方")]
    ThirdParty,
}

impl HazardSource {
    /// Found on site by a regulator or a grid inspector (现场检查, 网格巡查): the enterprise was
    /// visited that day (本周巡查 reads the last such day).
    pub fn is_on_site_visit(self) -> bool {
        matches!(self, Self::GovernmentInspection | Self::GridPatrol)
    }

    pub const ALL: [Self; 5] =
        [Self::SelfInspection, Self::GovernmentInspection, Self::GridPatrol, Self::PublicTipoff, Self::ThirdParty];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfInspection => "企业自查",
            Self::GovernmentInspection => "政府检查",
            Self::GridPatrol => "网格巡查",
            Self::PublicTipoff => "群众举报",
            Self::ThirdParty => "第三方",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// 隐患状态
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardState {
    /// 已上报
    Reported,
    /// 整改中
    Rectifying,
    /// 待验收
    PendingVerification,
    /// 已销号
    Closed,
    /// 已驳回 (not a hazard)
    Rejected,
}

impl HazardState {
    pub const ALL: [Self; 5] =
        [Self::Reported, Self::Rectifying, Self::PendingVerification, Self::Closed, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Rectifying => "rectifying",
            Self::PendingVerification => "pending_verification",
            Self::Closed => "closed",
            Self::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Reported => "已上报",
            Self::Rectifying => "整改中",
            Self::PendingVerification => "待验收",
            Self::Closed => "已销号",
            Self::Rejected => "已驳回",
        }
    }
    /// Whether the hazard is still open (counts towards overdue).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Rejected)
    }
}

/// 治理方案 of a 重大 hazard. The 五到位 are the first five fields; the rest of Art. 15's
/// contents are welcome but not required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationPlan {
    /// 措施到位: 治理的方法和措施
    #[serde(default)]
    pub measures: String,
    /// 责任到位: 负责治理的机构和人员
    #[serde(default)]
    pub responsible: String,
    /// 资金到位: 经费和物资的落实 (text or amount)
    #[serde(default, deserialize_with = "text_or_number")]
    pub funds: String,
    /// 时限到位: 治理的时限 (YYYY-MM-DD)
    #[serde(default)]
    pub deadline: String,
    /// 预案到位: 安全措施和应急预案
    #[serde(default)]
    pub contingency: String,
    /// 治理的目标和任务
    #[serde(default)]
    pub goal: String,
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

impl RectificationPlan {
    /// Each text of the plan within its limit (any plan, also of a 一般 hazard).
    pub fn check_texts(&self) -> Result<(), Vec<FieldError>> {
        use crate::text::{bounded, single_line, MAX_NAME, MAX_TEXT};
        let mut errs = vec![];
        bounded("plan.measures", "整改措施", &self.measures, MAX_TEXT, &mut errs);
        single_line("plan.responsible", "责任人", &self.responsible, MAX_NAME, &mut errs);
        single_line("plan.funds", "资金", &self.funds, MAX_NAME, &mut errs);
        single_line("plan.deadline", "时限", &self.deadline, MAX_NAME, &mut errs);
        bounded("plan.contingency", "应急预案", &self.contingency, MAX_TEXT, &mut errs);
        bounded("plan.goal", "治理目标", &self.goal, MAX_TEXT, &mut errs);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    /// The 五到位 check: every missing item is named.
    pub fn check_five_in_place(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = self.check_texts().err().unwrap_or_default();
        for (v, field, name) in [
            (&self.measures, "plan.measures", "整改措施"),
            (&self.responsible, "plan.responsible", "责任人"),
            (&self.funds, "plan.funds", "资金"),
            (&self.deadline, "plan.deadline", "时限"),
            (&self.contingency, "plan.contingency", "应急预案"),
        ] {
            if v.trim().is_empty() {
                errs.push(FieldError::new(field, format!("重大隐患治理方案未落实「{name}」（五到位）")));
            }
        }
        if !self.deadline.trim().is_empty() && self.deadline.trim().parse::<jiff::civil::Date>().is_err() {
            errs.push(FieldError::new("plan.deadline", "治理时限应为日期（YYYY-MM-DD）"));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// Days past the deadline on the business date `today` (see [`crate::time::days_past`]): a hazard
/// due today is not overdue until tomorrow; `None` while not overdue.
pub use crate::time::days_past as days_overdue;

/// Overdue is derived, never stored: open and past the deadline's day.
pub fn is_overdue(state: HazardState, deadline: LocalDate, today: LocalDate) -> bool {
    state.is_open() && days_overdue(deadline, today).is_some()
}

/// 隐患编号: `YH-<year>-<seq>`, the sequence counted per jurisdiction and year.
pub fn hazard_number(year: i16, seq: i64) -> String {
    format!("YH-{year}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use HazardState::*;

    #[test]
    fn overdue_counts_from_the_day_after_the_deadline_in_local_time() {
        let deadline: jiff::civil::Date = "2026-03-31".parse().unwrap();
        let cal = crate::time::BusinessCalendar::default();
        let at = |s: &str| cal.date_of(crate::time::Instant::parse(s).unwrap());
        // 2026-03-31 23:30 in 上海 is 15:30 UTC: still the deadline day.
        assert_eq!(days_overdue(deadline, at("2026-03-31T15:30:00Z")), None);
        // 2026-04-01 00:10 in 上海 is 2026-03-31 16:10 UTC: overdue although UTC says March.
        assert_eq!(days_overdue(deadline, at("2026-03-31T16:10:00Z")), Some(0));
        assert_eq!(days_overdue(deadline, at("2026-04-08T02:00:00Z")), Some(7));
        assert!(!is_overdue(Closed, deadline, at("2026-05-01T00:00:00Z")));
    }

    #[test]
    fn numbers_are_zero_padded() {
        assert_eq!(hazard_number(2026, 123), "YH-2026-000123");
    }
}
