//! Hazards (隐患排查治理): the closed loop of 《安全生产事故隐患排查治理暂行规定》 (总局令第16号).
//!
//! `reported → rectifying → pending_verification → closed (销号)`; a failed verification goes
//! back to `rectifying`; `reported → rejected` (not a hazard); a 一般 hazard fixed on the spot
//! goes `reported → closed` with an after-photo (立查立改). A 重大 hazard needs a 治理方案 with
//! the 五到位 before it may enter `rectifying`, and only a regulator verifies and closes it.

use crate::auth::{Action, Role};
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
    /// The 五到位 check: every missing item is named.
    pub fn check_five_in_place(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = vec![];
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

/// An action on a hazard, each an explicit endpoint.
#[derive(Debug, Clone, PartialEq)]
pub enum HazardAction {
    /// 开始整改 (重大: with the 治理方案)
    Rectify { plan: Option<RectificationPlan> },
    /// 提交验收 with after-photos
    Submit { after_photos: usize },
    /// 验收: passing closes it (销号), failing sends it back to rectification
    Verify { passed: bool, comment: String },
    /// 驳回: not a hazard
    Reject { reason: String },
    /// 立查立改: a 一般 hazard fixed on the spot
    Close { after_photos: usize },
}

impl HazardAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Rectify { .. } => "rectify",
            Self::Submit { .. } => "submit",
            Self::Verify { .. } => "verify",
            Self::Reject { .. } => "reject",
            Self::Close { .. } => "close",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Self::Rectify { .. } => "开始整改",
            Self::Submit { .. } => "提交验收",
            Self::Verify { passed: true, .. } => "验收通过（销号）",
            Self::Verify { passed: false, .. } => "验收不通过",
            Self::Reject { .. } => "驳回",
            Self::Close { .. } => "立查立改销号",
        }
    }
}

/// What the rules need to know about a hazard.
#[derive(Debug, Clone, Copy)]
pub struct HazardFacts {
    pub state: HazardState,
    pub grade: HazardGrade,
    pub source: HazardSource,
}

/// Who acts: the role, and whether the actor is the hazard's own enterprise.
#[derive(Debug, Clone, Copy)]
pub struct HazardActor {
    pub role: Role,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum HazardRefusal {
    /// The role may not take this action (403).
    Forbidden(String),
    /// Not allowed from the current state (409).
    IllegalTransition(String),
    /// Input missing or wrong (422).
    Invalid(Vec<FieldError>),
}

/// Regulators (监管方) verify and close 重大 hazards.
pub fn is_regulator(role: Role) -> bool {
    role.is_regulator()
}

impl HazardAction {
    /// The entry of the permission table this action is.
    pub fn permission(&self) -> Action {
        match self {
            Self::Rectify { .. } => Action::RectifyHazard,
            Self::Submit { .. } => Action::SubmitHazard,
            Self::Verify { .. } => Action::VerifyHazard,
            Self::Reject { .. } => Action::RejectHazard,
            Self::Close { .. } => Action::CloseHazard,
        }
    }
}

/// The actions on a hazard, in the order the detail page offers them.
const HAZARD_ACTIONS: [Action; 6] = [
    Action::RectifyHazard,
    Action::SubmitHazard,
    Action::VerifyHazard,
    Action::RejectHazard,
    Action::CloseHazard,
    Action::ListHazard,
];

/// The role part of the rule for one hazard: the permission table, then what the hazard's grade
/// and source add (403 with the reason).
fn role_refusal(h: HazardFacts, role: Role, action: Action) -> Option<String> {
    let why = |m: &str| Some(format!("{}{m}", role.label()));
    let may = role.may(action);
    match action {
        Action::RectifyHazard if !may => why("不能代替企业整改隐患"),
        Action::SubmitHazard if !may => why("不能代替企业提交整改结果"),
        Action::CloseHazard if !may => why("不能立查立改销号"),
        Action::RejectHazard if !may => why("不能驳回隐患，须由监管部门确认"),
        Action::VerifyHazard => match h.grade {
            HazardGrade::Major if !(may && role.is_regulator()) => {
                why("不能验收重大隐患：重大隐患须由监管部门验收销号")
            }
            // A 一般 hazard the enterprise found itself closes in its own loop; others are
            // verified by whoever supervises (including grid inspectors and experts).
            HazardGrade::General if !may || (role == Role::Enterprise && h.source != HazardSource::SelfInspection) => {
                why("不能验收监管方发现的隐患")
            }
            _ => None,
        },
        Action::ListHazard if !may => why("不能挂牌督办"),
        _ if !may => why("无权执行此操作"),
        _ => None,
    }
}

/// The state part of the rule (409 naming the current state).
fn state_refusal(h: HazardFacts, action: Action, listed: bool) -> Option<String> {
    use HazardState::*;
    let wrong = |what: &str| Some(format!("隐患当前状态为「{}」，不能{what}", h.state.label()));
    match action {
        Action::RectifyHazard if h.state != Reported => wrong("开始整改（只有「已上报」的隐患可以开始整改）"),
        Action::SubmitHazard if h.state != Rectifying => wrong("提交验收（须先开始整改）"),
        Action::VerifyHazard if h.state != PendingVerification => wrong("验收（只有「待验收」的隐患可以验收）"),
        Action::RejectHazard if h.state != Reported => wrong("驳回（只有「已上报」的隐患可以驳回）"),
        Action::CloseHazard if h.grade == HazardGrade::Major => {
            Some("重大隐患不能立查立改销号，须制定治理方案并经监管部门验收".into())
        }
        Action::CloseHazard if h.state != Reported => wrong("立查立改销号（只有刚上报的一般隐患可以）"),
        Action::ListHazard => check_listable(h, listed).err().map(|r| match r {
            HazardRefusal::IllegalTransition(m) | HazardRefusal::Forbidden(m) => m,
            HazardRefusal::Invalid(e) => e.into_iter().map(|e| e.message).collect(),
        }),
        _ => None,
    }
}

/// What the role may do to this hazard now (`allowed_actions` of the API): the same role and
/// state rules as [`decide`], without the input.
pub fn allowed_actions(h: HazardFacts, role: Role, listed: bool) -> Vec<Action> {
    HAZARD_ACTIONS
        .into_iter()
        .filter(|a| role_refusal(h, role, *a).is_none() && state_refusal(h, *a, listed).is_none())
        .collect()
}

/// Decides an action: the new state, or why not. Checks, in order: the role, the state, the input.
pub fn decide(h: HazardFacts, actor: HazardActor, action: &HazardAction) -> Result<HazardState, HazardRefusal> {
    use HazardAction::*;
    use HazardState::*;
    if let Some(m) = role_refusal(h, actor.role, action.permission()) {
        return Err(HazardRefusal::Forbidden(m));
    }
    if let Some(m) = state_refusal(h, action.permission(), false) {
        return Err(HazardRefusal::IllegalTransition(m));
    }
    let invalid = |f: &str, m: &str| Err(HazardRefusal::Invalid(vec![FieldError::new(f, m)]));
    match action {
        Rectify { plan } => {
            if h.grade == HazardGrade::Major {
                match plan {
                    None => {
                        return invalid(
                            "plan",
                            "重大隐患须先制定治理方案，落实措施、责任、资金、时限、预案（五到位）后方可整改",
                        )
                    }
                    Some(p) => p.check_five_in_place().map_err(HazardRefusal::Invalid)?,
                }
            }
            Ok(Rectifying)
        }
        Submit { after_photos } => {
            if *after_photos == 0 {
                return invalid("after_photos", "请上传至少一张整改后照片");
            }
            Ok(PendingVerification)
        }
        Verify { passed, comment } => {
            if !passed && comment.trim().is_empty() {
                return invalid("comment", "验收不通过时请填写原因");
            }
            Ok(if *passed { Closed } else { Rectifying })
        }
        Reject { reason } => {
            if reason.trim().is_empty() {
                return invalid("reason", "请填写驳回理由");
            }
            Ok(Rejected)
        }
        Close { after_photos } => {
            if *after_photos == 0 {
                return invalid("after_photos", "立查立改须上传整改后照片");
            }
            Ok(Closed)
        }
    }
}

/// Escalation levels of an overdue hazard (逾期督办): who is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// 提醒企业
    Enterprise = 1,
    /// 提醒属地安监站
    Station = 2,
    /// 提醒安委办
    Committee = 3,
}

/// Days overdue at which each level is reminded (defaults; a setting per jurisdiction).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct EscalationPolicy {
    pub station_after_days: i64,
    pub committee_after_days: i64,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self { station_after_days: 3, committee_after_days: 7 }
    }
}

impl EscalationPolicy {
    /// The highest level due for a hazard `days_overdue` days past its deadline (0 = the first
    /// day after the deadline).
    pub fn level(&self, days_overdue: i64) -> Option<EscalationLevel> {
        if days_overdue < 0 {
            None
        } else if days_overdue >= self.committee_after_days {
            Some(EscalationLevel::Committee)
        } else if days_overdue >= self.station_after_days {
            Some(EscalationLevel::Station)
        } else {
            Some(EscalationLevel::Enterprise)
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

/// 挂牌督办 level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ListingLevel {
    #[serde(rename = "市")]
    City,
    #[serde(rename = "区")]
    District,
    #[serde(rename = "街道")]
    Street,
}

impl ListingLevel {
    pub const ALL: [Self; 3] = [Self::City, Self::District, Self::Street];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::District => "区",
            Self::Street => "街道",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
    /// Who may list at this level: those the permission table lets list (`ListHazard`), the
    /// committee (and admin) at any level, a station at its street's only.
    pub fn may_list(self, role: Role) -> bool {
        role.may(Action::ListHazard) && (role != Role::Station || self == Self::Street)
    }

    /// The levels a role may list at.
    pub fn for_role(role: Role) -> Vec<Self> {
        Self::ALL.into_iter().filter(|l| l.may_list(role)).collect()
    }
}

/// Yearly listing quota per level (seed 001: 市10、区15、街道25, 50 in all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListingQuota {
    pub city: i64,
    pub district: i64,
    pub street: i64,
}

impl Default for ListingQuota {
    fn default() -> Self {
        Self { city: 10, district: 15, street: 25 }
    }
}

impl ListingQuota {
    pub fn of(&self, level: ListingLevel) -> i64 {
        match level {
            ListingLevel::City => self.city,
            ListingLevel::District => self.district,
            ListingLevel::Street => self.street,
        }
    }
}

/// Checks a hazard may be listed: 重大 and still open.
pub fn check_listable(h: HazardFacts, already_listed: bool) -> Result<(), HazardRefusal> {
    if h.grade != HazardGrade::Major {
        return Err(HazardRefusal::IllegalTransition("只有重大事故隐患可以挂牌督办".into()));
    }
    if !h.state.is_open() {
        return Err(HazardRefusal::IllegalTransition(format!("隐患已{}，不能挂牌督办", h.state.label())));
    }
    if already_listed {
        return Err(HazardRefusal::IllegalTransition("该隐患已挂牌督办".into()));
    }
    Ok(())
}

/// A reporting period of the enterprise statistics report (第十四条: 季度、年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    Quarter { year: i16, quarter: i8 },
    Year(i16),
}

impl ReportPeriod {
    /// Parses `2026Q1` or `2026`.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let err = || FieldError::new("period", "统计期应为「2026Q1」（季度）或「2026」（年度）");
        let s = s.trim().to_ascii_uppercase();
        match s.split_once('Q') {
            Some((y, q)) => {
                let year: i16 = y.parse().map_err(|_| err())?;
                let quarter: i8 = q.parse().map_err(|_| err())?;
                if !(1..=4).contains(&quarter) || !(2000..=2100).contains(&year) {
                    return Err(err());
                }
                Ok(Self::Quarter { year, quarter })
            }
            None => {
                let year: i16 = s.parse().map_err(|_| err())?;
                if !(2000..=2100).contains(&year) {
                    return Err(err());
                }
                Ok(Self::Year(year))
            }
        }
    }

    /// First and last day, inclusive.
    pub fn range(self) -> (jiff::civil::Date, jiff::civil::Date) {
        use jiff::civil::date;
        match self {
            Self::Quarter { year, quarter } => {
                let start = date(year, (quarter - 1) * 3 + 1, 1);
                let end =
                    start.checked_add(jiff::Span::new().months(3)).expect("in range").yesterday().expect("in range");
                (start, end)
            }
            Self::Year(y) => (date(y, 1, 1), date(y, 12, 31)),
        }
    }

    /// When the report is due (第十四条: 季度 下一季度15日前, 年度 下一年1月31日前).
    pub fn due(self) -> jiff::civil::Date {
        let (_, end) = self.range();
        let next = end.tomorrow().expect("in range");
        match self {
            Self::Quarter { .. } => next.with().day(15).build().expect("valid"),
            Self::Year(_) => next.with().day(31).build().expect("valid"),
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Quarter { year, quarter } => format!("{year}年第{quarter}季度"),
            Self::Year(y) => format!("{y}年度"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HazardAction::*;
    use HazardState::*;

    fn facts(state: HazardState, grade: HazardGrade) -> HazardFacts {
        HazardFacts { state, grade, source: HazardSource::SelfInspection }
    }
    fn by(role: Role) -> HazardActor {
        HazardActor { role }
    }
    fn plan() -> RectificationPlan {
        RectificationPlan {
            measures: "更换泄爆片，增设隔爆阀".into(),
            responsible: "总经理 张伟".into(),
            funds: "12万元".into(),
            deadline: "2026-12-31".into(),
            contingency: "粉尘爆炸专项应急预案".into(),
            goal: String::new(),
        }
    }

    #[test]
    fn general_hazard_walks_the_whole_loop() {
        let g = HazardGrade::General;
        let e = by(Role::Enterprise);
        assert_eq!(decide(facts(Reported, g), e, &Rectify { plan: None }), Ok(Rectifying));
        assert_eq!(decide(facts(Rectifying, g), e, &Submit { after_photos: 1 }), Ok(PendingVerification));
        // Self-found 一般 hazard: the enterprise closes its own loop.
        assert_eq!(
            decide(facts(PendingVerification, g), e, &Verify { passed: true, comment: String::new() }),
            Ok(Closed)
        );
    }

    #[test]
    fn failed_verification_goes_back_to_rectifying_with_a_reason() {
        let f = facts(PendingVerification, HazardGrade::Major);
        let s = by(Role::Station);
        assert_eq!(decide(f, s, &Verify { passed: false, comment: "泄爆口朝向人员通道".into() }), Ok(Rectifying));
        let r = decide(f, s, &Verify { passed: false, comment: " ".into() });
        assert!(matches!(r, Err(HazardRefusal::Invalid(e)) if e[0].field == "comment"));
    }

    #[test]
    fn major_hazard_needs_all_five_in_place_before_rectifying() {
        let f = facts(Reported, HazardGrade::Major);
        let e = by(Role::Enterprise);
        assert!(
            matches!(decide(f, e, &Rectify { plan: None }), Err(HazardRefusal::Invalid(v)) if v[0].field == "plan")
        );
        for missing in ["plan.measures", "plan.responsible", "plan.funds", "plan.deadline", "plan.contingency"] {
            let mut p = plan();
            match missing {
                "plan.measures" => p.measures.clear(),
                "plan.responsible" => p.responsible.clear(),
                "plan.funds" => p.funds.clear(),
                "plan.deadline" => p.deadline.clear(),
                _ => p.contingency = "  ".into(),
            }
            match decide(f, e, &Rectify { plan: Some(p) }) {
                Err(HazardRefusal::Invalid(errs)) => {
                    assert_eq!(errs.len(), 1);
                    assert_eq!(errs[0].field, missing);
                    assert!(errs[0].message.contains("五到位"));
                }
                other => panic!("{missing}: {other:?}"),
            }
        }
        assert_eq!(decide(f, e, &Rectify { plan: Some(plan()) }), Ok(Rectifying));
        let bad_date = RectificationPlan { deadline: "年底前".into(), ..plan() };
        assert!(matches!(decide(f, e, &Rectify { plan: Some(bad_date) }), Err(HazardRefusal::Invalid(_))));
    }

    #[test]
    fn only_a_regulator_verifies_a_major_hazard() {
        let f = facts(PendingVerification, HazardGrade::Major);
        let pass = Verify { passed: true, comment: String::new() };
        for r in [Role::Enterprise, Role::Grid, Role::Expert] {
            assert!(matches!(decide(f, by(r), &pass), Err(HazardRefusal::Forbidden(_))), "{r:?}");
        }
        for r in [Role::Station, Role::Department, Role::Committee, Role::Admin] {
            assert_eq!(decide(f, by(r), &pass), Ok(Closed), "{r:?}");
        }
    }

    #[test]
    fn enterprise_cannot_verify_what_the_government_found() {
        let f = HazardFacts {
            state: PendingVerification,
            grade: HazardGrade::General,
            source: HazardSource::GovernmentInspection,
        };
        let pass = Verify { passed: true, comment: String::new() };
        assert!(matches!(decide(f, by(Role::Enterprise), &pass), Err(HazardRefusal::Forbidden(_))));
        assert_eq!(decide(f, by(Role::Grid), &pass), Ok(Closed));
    }

    #[test]
    fn on_the_spot_fix_only_for_general_with_a_photo() {
        let e = by(Role::Grid);
        assert_eq!(decide(facts(Reported, HazardGrade::General), e, &Close { after_photos: 1 }), Ok(Closed));
        assert!(matches!(
            decide(facts(Reported, HazardGrade::General), e, &Close { after_photos: 0 }),
            Err(HazardRefusal::Invalid(_))
        ));
        assert!(matches!(
            decide(facts(Reported, HazardGrade::Major), e, &Close { after_photos: 3 }),
            Err(HazardRefusal::IllegalTransition(_))
        ));
        assert!(matches!(
            decide(facts(Rectifying, HazardGrade::General), e, &Close { after_photos: 1 }),
            Err(HazardRefusal::IllegalTransition(_))
        ));
    }

    #[test]
    fn reject_needs_a_regulator_and_a_reason() {
        let f = facts(Reported, HazardGrade::General);
        assert!(matches!(
            decide(f, by(Role::Enterprise), &Reject { reason: "不是隐患".into() }),
            Err(HazardRefusal::Forbidden(_))
        ));
        assert!(matches!(decide(f, by(Role::Station), &Reject { reason: "".into() }), Err(HazardRefusal::Invalid(_))));
        assert_eq!(
            decide(f, by(Role::Station), &Reject { reason: "重复上报，与YH-2026-000012为同一隐患".into() }),
            Ok(Rejected)
        );
    }

    #[test]
    fn every_illegal_transition_is_refused_with_the_current_state_named() {
        let actions = [
            Rectify { plan: Some(plan()) },
            Submit { after_photos: 1 },
            Verify { passed: true, comment: String::new() },
            Reject { reason: "x".into() },
            Close { after_photos: 1 },
        ];
        let legal = |s: HazardState, a: &HazardAction| {
            matches!(
                (s, a),
                (Reported, Rectify { .. })
                    | (Reported, Reject { .. })
                    | (Reported, Close { .. })
                    | (Rectifying, Submit { .. })
                    | (PendingVerification, Verify { .. })
            )
        };
        for s in HazardState::ALL {
            for a in &actions {
                let r = decide(facts(s, HazardGrade::General), by(Role::Admin), a);
                if legal(s, a) {
                    assert!(r.is_ok(), "{s:?} {a:?}");
                } else {
                    match r {
                        Err(HazardRefusal::IllegalTransition(m)) => assert!(m.contains(s.label()), "{m}"),
                        other => panic!("{s:?} {a:?}: {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn allowed_actions_are_exactly_what_decide_lets_through() {
        // For every role, state, grade and source: an action is offered iff `decide` passes it
        // with a complete input.
        let complete = [
            Rectify { plan: Some(plan()) },
            Submit { after_photos: 1 },
            Verify { passed: true, comment: String::new() },
            Reject { reason: "重复上报".into() },
            Close { after_photos: 1 },
        ];
        for role in Role::ALL {
            for state in HazardState::ALL {
                for grade in [HazardGrade::General, HazardGrade::Major] {
                    for source in HazardSource::ALL {
                        let h = HazardFacts { state, grade, source };
                        let offered = allowed_actions(h, role, false);
                        for a in &complete {
                            assert_eq!(
                                offered.contains(&a.permission()),
                                decide(h, by(role), a).is_ok(),
                                "{role:?} {a:?} on {h:?}"
                            );
                        }
                        let listable = grade == HazardGrade::Major && state.is_open() && role.may(Action::ListHazard);
                        assert_eq!(offered.contains(&Action::ListHazard), listable);
                        assert!(!allowed_actions(h, role, true).contains(&Action::ListHazard));
                    }
                }
            }
        }
    }

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
    fn escalation_climbs_enterprise_station_committee() {
        let p = EscalationPolicy::default();
        assert_eq!(p.level(-1), None);
        assert_eq!(p.level(0), Some(EscalationLevel::Enterprise));
        assert_eq!(p.level(2), Some(EscalationLevel::Enterprise));
        assert_eq!(p.level(3), Some(EscalationLevel::Station));
        assert_eq!(p.level(7), Some(EscalationLevel::Committee));
    }

    #[test]
    fn numbers_are_zero_padded() {
        assert_eq!(hazard_number(2026, 123), "YH-2026-000123");
    }

    #[test]
    fn only_open_major_hazards_are_listed_once() {
        let open_major = facts(Rectifying, HazardGrade::Major);
        assert!(check_listable(open_major, false).is_ok());
        assert!(check_listable(open_major, true).is_err());
        assert!(check_listable(facts(Rectifying, HazardGrade::General), false).is_err());
        assert!(check_listable(facts(Closed, HazardGrade::Major), false).is_err());
        assert!(ListingLevel::Street.may_list(Role::Station));
        assert!(!ListingLevel::District.may_list(Role::Station));
        assert!(!ListingLevel::Street.may_list(Role::Enterprise));
        assert_eq!(ListingQuota::default().of(ListingLevel::District), 15);
    }

    #[test]
    fn report_periods_and_their_due_dates() {
        let q = ReportPeriod::parse("2026q1").unwrap();
        assert_eq!(q.range(), ("2026-01-01".parse().unwrap(), "2026-03-31".parse().unwrap()));
        assert_eq!(q.due().to_string(), "2026-04-15");
        let q4 = ReportPeriod::parse("2026Q4").unwrap();
        assert_eq!(q4.range().1.to_string(), "2026-12-31");
        assert_eq!(q4.due().to_string(), "2027-01-15");
        assert_eq!(ReportPeriod::parse("2026").unwrap().due().to_string(), "2027-01-31");
        assert!(ReportPeriod::parse("2026Q5").is_err());
        assert!(ReportPeriod::parse("去年").is_err());
    }
}
