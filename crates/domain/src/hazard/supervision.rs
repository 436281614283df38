//! Supervision of open hazards: reminders when overdue (逾期督办) and listing (挂牌督办) with
//! its yearly quotas.

use super::{HazardFacts, HazardGrade, HazardRefusal, HazardState};
use crate::auth::{Action, Role};
use crate::text::{bounded, deadline, past_day, single_line, MAX_NAME, MAX_TEXT};
use crate::time::LocalDate;
use crate::FieldError;
use serde::{Deserialize, Serialize};

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
    /// Who may list at this level: those the permission table lets list (`ListHazard`); the
    /// committee (and admin) at any level (recording a listing of the government above too), a
    /// station or a department (seed 001 三9: "各属地及负有安全监管职责的部门") at its own
    /// government's level only — `tier` is the tier of the unit's jurisdiction (a department's:
    /// the jurisdiction it belongs to; a station's: its street).
    pub fn may_list(self, role: Role, tier: Option<crate::org::JurisdictionLevel>) -> bool {
        role.may(Action::ListHazard)
            && match role {
                Role::Station | Role::Department => tier.and_then(Self::of_tier) == Some(self),
                _ => true,
            }
    }

    /// The levels a unit may list at.
    pub fn for_unit(role: Role, tier: Option<crate::org::JurisdictionLevel>) -> Vec<Self> {
        Self::ALL.into_iter().filter(|l| l.may_list(role, tier)).collect()
    }
}

impl ListingLevel {
    /// The tier of the jurisdiction tree a level is named after.
    pub fn jurisdiction_level(self) -> crate::org::JurisdictionLevel {
        match self {
            Self::City => crate::org::JurisdictionLevel::City,
            Self::District => crate::org::JurisdictionLevel::District,
            Self::Street => crate::org::JurisdictionLevel::Street,
        }
    }

    /// The level a jurisdiction of `tier` lists at, and so the only tiers that hold a quota (a
    /// community or a grid lists nothing).
    pub fn of_tier(tier: crate::org::JurisdictionLevel) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.jurisdiction_level() == tier)
    }

    /// What the level is called in this installation, from the names of its jurisdictions of
    /// that tier: a county says 县 and 镇, a city's district 区 and 街道 (seed 003: "县、镇(街道)").
    /// The commonest ending names the level and the others follow in brackets ("镇（街道）");
    /// with no jurisdiction of the tier (a district's installation has no city node) the
    /// level keeps its own name.
    pub fn name_among<'a>(self, names: impl IntoIterator<Item = &'a str>) -> String {
        // Longest first: 街道 before 道-less endings, 开发区 and 园区 are 区.
        const ENDINGS: [&str; 9] = ["街道", "镇", "乡", "苏木", "县", "旗", "区", "市", "州"];
        let mut counts: Vec<(&str, usize)> = vec![];
        for name in names {
            let Some(end) = ENDINGS.iter().find(|e| name.trim().ends_with(*e)) else { continue };
            match counts.iter_mut().find(|(e, _)| e == end) {
                Some((_, n)) => *n += 1,
                None => counts.push((end, 1)),
            }
        }
        counts.sort_by_key(|(e, n)| (std::cmp::Reverse(*n), ENDINGS.iter().position(|x| x == e)));
        match counts.split_first() {
            None => self.as_str().to_string(),
            Some(((main, _), [])) => main.to_string(),
            Some(((main, _), rest)) => {
                format!("{main}（{}）", rest.iter().map(|(e, _)| *e).collect::<Vec<_>>().join("、"))
            }
        }
    }
}

/// A year's listings of one level as the on-time rate counts them (挂牌整改率): a listing is due
/// once it is closed or its deadline has passed; one open within its deadline is in progress and
/// counts in neither part of the rate, so mid-year, with nothing overdue, the rate is 100 %.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListingTally {
    pub used: i64,
    pub closed: i64,
    /// closed on or before the listing deadline (in the business calendar)
    pub closed_on_time: i64,
    /// closed, or open past the deadline
    pub due: i64,
    /// open within the deadline (整改中)
    pub in_progress: i64,
    /// open past the deadline (逾期未销号)
    pub overdue: i64,
}

impl ListingTally {
    /// Counts one listing: `closed` says whether it was closed and, if so, on time.
    pub fn add(&mut self, closed: Option<bool>, deadline: LocalDate, today: LocalDate) {
        self.used += 1;
        match closed {
            Some(on_time) => {
                self.closed += 1;
                self.closed_on_time += on_time as i64;
                self.due += 1;
            }
            None if today > deadline => {
                self.overdue += 1;
                self.due += 1;
            }
            None => self.in_progress += 1,
        }
    }

    /// closed on time ÷ due, in percent to one decimal (100 when none is due yet).
    pub fn on_time_rate(&self) -> f64 {
        if self.due == 0 {
            100.0
        } else {
            (self.closed_on_time as f64 * 1000.0 / self.due as f64).round() / 10.0
        }
    }
}

/// Yearly listing quota per level (seed 001: 市10、区15、街道25, 50 in all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

impl ListingQuota {
    /// Each level's quota between 0 and 10,000.
    pub fn validate(&self) -> Result<(), FieldError> {
        if [self.city, self.district, self.street].iter().any(|v| !(0..=10_000).contains(v)) {
            return Err(FieldError::new("quota", "指标应在0至10000之间"));
        }
        Ok(())
    }
}

/// 挂牌督办 as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingInput {
    pub level: ListingLevel,
    pub supervising_unit: String,
    pub document_number: String,
    /// 督办期限 YYYY-MM-DD
    pub deadline: String,
    /// The head (一把手) who signed the listing (seed 003: "部门“一把手”签字备案"); required for a
    /// department's listing
    #[serde(default)]
    pub signed_by: String,
    /// The day it was signed, YYYY-MM-DD (required with `signed_by`)
    #[serde(default)]
    pub signed_on: Option<String>,
    /// The signed listing document (file id from POST /api/v1/files; required with `signed_by`)
    #[serde(default)]
    pub signed_file_id: Option<i64>,
    /// 责令全部或者局部停产停业治理 (16号令 Art. 15): production resumes (复产) only with the
    /// closing's review
    #[serde(default)]
    pub suspended: bool,
}

/// The head's signature of a listing (一把手签字).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub by: String,
    pub on: LocalDate,
    pub file_id: i64,
}

/// A listing that keeps the rules: unit and document named, deadline from today on, the head's
/// signature where one is needed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidListing {
    pub level: ListingLevel,
    pub supervising_unit: String,
    pub document_number: String,
    pub deadline: LocalDate,
    pub signature: Option<Signature>,
    pub suspended: bool,
}

impl ListingInput {
    /// Checks the listing; `signature_required` for a department's (一把手签字备案).
    pub fn validate(&self, today: LocalDate, signature_required: bool) -> Result<ValidListing, Vec<FieldError>> {
        let mut errs = vec![];
        let signed_by = single_line("signed_by", "签字负责人", &self.signed_by, MAX_NAME, &mut errs);
        let signature = if signed_by.is_empty() && self.signed_on.is_none() && self.signed_file_id.is_none() {
            if signature_required {
                errs.push(FieldError::new(
                    "signed_by",
                    "部门挂牌督办须由部门主要负责人（一把手）签字备案，请填写签字人",
                ));
            }
            None
        } else {
            if signed_by.is_empty() {
                errs.push(FieldError::new("signed_by", "请填写签字负责人"));
            }
            let on = match self.signed_on.as_deref() {
                Some(d) => past_day("signed_on", "签字日期", d, today, &mut errs),
                None => {
                    errs.push(FieldError::new("signed_on", "请填写签字日期"));
                    today
                }
            };
            match self.signed_file_id {
                Some(file_id) => Some(Signature { by: signed_by, on, file_id }),
                None => {
                    errs.push(FieldError::new("signed_file_id", "请上传签字的挂牌督办文件"));
                    None
                }
            }
        };
        let unit = single_line("supervising_unit", "督办单位", &self.supervising_unit, MAX_NAME, &mut errs);
        if unit.is_empty() {
            errs.push(FieldError::new("supervising_unit", "请填写督办单位"));
        }
        let doc = single_line("document_number", "督办文号", &self.document_number, MAX_NAME, &mut errs);
        if doc.is_empty() {
            errs.push(FieldError::new("document_number", "请填写督办文号"));
        }
        let deadline = deadline("deadline", "督办期限", &self.deadline, today, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidListing {
            level: self.level,
            supervising_unit: unit,
            document_number: doc,
            deadline,
            signature,
            suspended: self.suspended,
        })
    }
}

/// Decides a listing (挂牌督办): the role and level (403), the hazard (409: 重大, open, not yet
/// listed), the input (422). `tier` is the tier of the lister's jurisdiction.
pub fn decide_listing(
    h: HazardFacts,
    role: Role,
    tier: Option<crate::org::JurisdictionLevel>,
    listed: bool,
    input: &ListingInput,
    today: LocalDate,
) -> Result<ValidListing, HazardRefusal> {
    if !role.may(Action::ListHazard) {
        return Err(HazardRefusal::Forbidden(format!("{}无权{}", role.label(), Action::ListHazard.label())));
    }
    if !input.level.may_list(role, tier) {
        return Err(HazardRefusal::Forbidden(format!(
            "{}只能在本级进行挂牌督办，不能进行{}级挂牌督办",
            role.label(),
            input.level.as_str()
        )));
    }
    check_listable(h, listed)?;
    input.validate(today, role == Role::Department).map_err(HazardRefusal::Invalid)
}

/// The unit that listed a hazard (挂牌督办单位): a government, by the path of its jurisdiction,
/// or a department (with the path of the jurisdiction it belongs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingUnit {
    Government { path: String },
    Department { id: i64, path: String },
}

/// The unit of someone acting on a listed hazard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActingUnit {
    Admin,
    /// a committee, station or grid: its jurisdiction's path
    Government {
        role: Role,
        path: String,
    },
    Department {
        id: i64,
        path: String,
    },
    /// an enterprise, an expert
    Other,
}

impl ListingUnit {
    /// Whether `actor` is this unit or a unit above it (16号令 Art. 18: a listed hazard is closed
    /// by who listed it): the government of the unit's jurisdiction or of one containing it
    /// (a committee, or a station for its street's listing), the listing department itself. A
    /// station is below a district listing; a department is not above a government's listing.
    pub fn may_be_closed_by(&self, actor: &ActingUnit) -> bool {
        let above = |unit_path: &str, actor_path: &str| unit_path.starts_with(actor_path);
        match (self, actor) {
            (_, ActingUnit::Admin) => true,
            (Self::Government { path }, ActingUnit::Government { role, path: a }) => {
                matches!(role, Role::Committee | Role::Station) && above(path, a)
            }
            (Self::Department { path, .. }, ActingUnit::Government { role, path: a }) => {
                *role == Role::Committee && above(path, a)
            }
            (Self::Department { id, .. }, ActingUnit::Department { id: a, .. }) => id == a,
            _ => false,
        }
    }
}

/// Who assessed the rectification of a listed hazard (整改评估, 16号令 Art. 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessorKind {
    /// 专家组
    Experts,
    /// 安全评价机构
    Agency,
}

impl AssessorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Experts => "experts",
            Self::Agency => "agency",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Experts, Self::Agency].into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Experts => "专家组",
            Self::Agency => "安全评价机构",
        }
    }
}

/// The closing (销号) of a listed hazard as sent with a passing verification: the assessment of
/// the rectification and the enterprise's written application (16号令 Art. 18).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListedClosingInput {
    pub assessor_kind: Option<AssessorKind>,
    /// the experts' names or the agency's name
    #[serde(default)]
    pub assessor: String,
    /// 评估日期 YYYY-MM-DD
    pub assessed_on: Option<String>,
    /// 评估结论
    #[serde(default)]
    pub conclusion: String,
    /// 评估报告 (file id)
    pub report_file_id: Option<i64>,
    /// 企业书面销号（复产）申请 (file id)
    pub application_file_id: Option<i64>,
}

/// A closing that keeps the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidListedClosing {
    pub assessor_kind: AssessorKind,
    pub assessor: String,
    pub assessed_on: LocalDate,
    pub conclusion: String,
    pub report_file_id: i64,
    pub application_file_id: i64,
}

impl ListedClosingInput {
    /// Every missing or wrong part named by its field (under `closing.`), in one pass.
    pub fn validate(&self, today: LocalDate) -> Result<ValidListedClosing, Vec<FieldError>> {
        let mut errs = vec![];
        let f = |name: &str| format!("closing.{name}");
        if self.assessor_kind.is_none() {
            errs.push(FieldError::new(f("assessor_kind"), "请选择评估方式：专家组或安全评价机构"));
        }
        let assessor = single_line(&f("assessor"), "评估单位或专家", &self.assessor, MAX_NAME, &mut errs);
        if assessor.is_empty() {
            errs.push(FieldError::new(f("assessor"), "请填写评估的专家或安全评价机构"));
        }
        let assessed_on = match self.assessed_on.as_deref() {
            Some(d) => past_day(&f("assessed_on"), "评估日期", d, today, &mut errs),
            None => {
                errs.push(FieldError::new(f("assessed_on"), "请填写评估日期"));
                today
            }
        };
        let conclusion = bounded(&f("conclusion"), "评估结论", &self.conclusion, MAX_TEXT, &mut errs);
        if conclusion.trim().is_empty() {
            errs.push(FieldError::new(f("conclusion"), "请填写评估结论"));
        }
        if self.report_file_id.is_none() {
            errs.push(FieldError::new(f("report_file_id"), "请上传整改评估报告"));
        }
        if self.application_file_id.is_none() {
            errs.push(FieldError::new(f("application_file_id"), "请上传企业的书面销号申请"));
        }
        match (self.assessor_kind, self.report_file_id, self.application_file_id) {
            (Some(assessor_kind), Some(report_file_id), Some(application_file_id)) if errs.is_empty() => {
                Ok(ValidListedClosing {
                    assessor_kind,
                    assessor,
                    assessed_on,
                    conclusion: conclusion.trim().to_string(),
                    report_file_id,
                    application_file_id,
                })
            }
            _ => Err(errs),
        }
    }
}

/// Decides a verification (验收) beyond [`decide`]'s rules where the hazard is listed (`unit`:
/// who listed it; 16号令 Art. 18): only the listing unit or one above verifies (403), and one
/// that passes closes it only with the assessment and the application (422, under `closing.`).
/// A closing sent for a hazard not listed is refused (422 `closing`).
///
/// [`decide`]: super::decide
pub fn decide_listed_verification(
    unit: Option<&ListingUnit>,
    actor: &ActingUnit,
    passed: bool,
    input: Option<&ListedClosingInput>,
    today: LocalDate,
) -> Result<Option<ValidListedClosing>, HazardRefusal> {
    let Some(unit) = unit else {
        return match input {
            Some(_) => {
                Err(HazardRefusal::Invalid(vec![FieldError::new("closing", "该隐患未挂牌督办，验收无需销号评估材料")]))
            }
            None => Ok(None),
        };
    };
    if !unit.may_be_closed_by(actor) {
        return Err(HazardRefusal::Forbidden(
            "挂牌督办的重大隐患只能由挂牌督办单位或其上级验收销号（16号令第十八条）".into(),
        ));
    }
    if !passed {
        return Ok(None);
    }
    let empty = ListedClosingInput::default();
    input.unwrap_or(&empty).validate(today).map(Some).map_err(HazardRefusal::Invalid)
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

/// 催办 as sent: the hazards ticked on the ledger and what the reminder says.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeInput {
    #[schema(min_items = 1, max_items = 200)]
    pub ids: Vec<i64>,
    /// 催办意见 (optional: the notice then names the deadline)
    #[serde(default)]
    pub message: String,
}

/// A 催办 that keeps the rules: some hazards, at most a page's worth, each once.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUrge {
    pub ids: Vec<i64>,
    pub message: String,
}

/// The most hazards ticked at once (a page of the ledger): one 催办, one export of the ticked rows.
pub const MAX_PICKED: usize = 200;

impl UrgeInput {
    pub fn validate(&self) -> Result<ValidUrge, Vec<FieldError>> {
        let mut errs = vec![];
        let mut ids = self.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            errs.push(FieldError::new("ids", "请选择要催办的隐患"));
        } else if ids.len() > MAX_PICKED {
            errs.push(FieldError::new("ids", format!("一次最多催办{MAX_PICKED}条隐患")));
        }
        let message = crate::text::bounded("message", "催办意见", &self.message, crate::text::MAX_TEXT, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidUrge { ids, message })
    }
}

/// Why a hazard cannot be pressed now, or none when it can: only while the enterprise is the
/// one to act (已上报, 整改中); a submitted one waits on its verifier, a closed one is done.
pub fn urge_refusal(state: HazardState) -> Option<&'static str> {
    match state {
        HazardState::Reported | HazardState::Rectifying => None,
        HazardState::PendingVerification => Some("已提交验收，待监管方验收"),
        HazardState::Closed => Some("已销号"),
        HazardState::Rejected => Some("已驳回"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_follow_the_installations_jurisdictions() {
        // 海盐县 (seed 003): a county of five 镇 and four 街道.
        let towns =
            ["武原街道", "西塘桥街道", "秦山街道", "沈荡镇", "百步镇", "于城镇", "澉浦镇", "通元镇", "望海街道"];
        assert_eq!(ListingLevel::Street.name_among(towns), "镇（街道）", "five 镇, four 街道");
        assert_eq!(ListingLevel::District.name_among(["海盐县"]), "县");
        // 新北区 (seed 002) and its 街道 and 镇.
        assert_eq!(ListingLevel::District.name_among(["新北区"]), "区");
        assert_eq!(ListingLevel::Street.name_among(["春江街道", "三井街道", "河海街道"]), "街道");
        assert_eq!(ListingLevel::Street.name_among(["孟河镇", "罗溪镇", "薛家镇", "春江街道"]), "镇（街道）");
        // 苏州工业园区 (seed 001) is a 区; an installation without a city node keeps 市.
        assert_eq!(ListingLevel::District.name_among(["苏州工业园区"]), "区");
        assert_eq!(ListingLevel::City.name_among([]), "市");
    }

    #[test]
    fn the_on_time_rate_counts_only_listings_that_are_due() {
        let d = |s: &str| s.parse::<LocalDate>().unwrap();
        let today = d("2026-06-16");
        let mut t = ListingTally::default();
        // Mid-year: one closed by its deadline, two still within theirs.
        t.add(Some(true), d("2026-05-31"), today);
        t.add(None, d("2026-09-30"), today);
        t.add(None, d("2026-06-16"), today);
        assert_eq!((t.used, t.due, t.in_progress, t.overdue), (3, 1, 2, 0));
        assert_eq!(t.on_time_rate(), 100.0, "nothing overdue mid-year is 100 %");
        // One open past its deadline and one closed late: 1 of 3 due on time.
        t.add(None, d("2026-06-15"), today);
        t.add(Some(false), d("2026-04-30"), today);
        assert_eq!((t.due, t.overdue, t.closed, t.closed_on_time), (3, 1, 2, 1));
        assert_eq!(t.on_time_rate(), 33.3);
        assert_eq!(ListingTally::default().on_time_rate(), 100.0);
    }

    use crate::hazard::{HazardSource, HazardState::*};

    #[test]
    fn only_hazards_waiting_on_the_enterprise_are_urged() {
        assert_eq!(urge_refusal(Reported), None);
        assert_eq!(urge_refusal(Rectifying), None);
        assert!(urge_refusal(PendingVerification).is_some());
        assert!(urge_refusal(Closed).is_some());
        assert!(urge_refusal(Rejected).is_some());
        let none = UrgeInput { ids: vec![], message: String::new() }.validate().unwrap_err();
        assert_eq!(none[0].field, "ids");
        let many = UrgeInput { ids: (1..=201).collect(), message: String::new() }.validate().unwrap_err();
        assert!(many[0].message.contains("200"));
        let twice = UrgeInput { ids: vec![3, 1, 3], message: " 请本周内完成 ".into() }.validate().unwrap();
        assert_eq!(twice.ids, [1, 3]);
    }

    fn facts(state: crate::hazard::HazardState, grade: HazardGrade) -> HazardFacts {
        HazardFacts { state, grade, source: HazardSource::SelfInspection, enterprise_on_platform: false }
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
    fn a_listing_names_its_unit_and_document_and_a_deadline_ahead() {
        let today: LocalDate = "2026-06-16".parse().unwrap();
        let ok = ListingInput {
            level: ListingLevel::District,
            supervising_unit: " 新北区安委办 ".into(),
            document_number: "新安委督〔2026〕3号".into(),
            deadline: "2026-09-30".into(),
            signed_by: String::new(),
            signed_on: None,
            signed_file_id: None,
            suspended: false,
        };
        assert_eq!(ok.validate(today, false).unwrap().supervising_unit, "新北区安委办");
        let bad = ListingInput {
            supervising_unit: "".into(),
            document_number: "".into(),
            deadline: "2026-06-15".into(),
            ..ok.clone()
        };
        let fields: Vec<String> = bad.validate(today, false).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["supervising_unit", "document_number", "deadline"]);
        // A department's listing carries its head's signature (seed 003: 一把手签字备案).
        let unsigned = ok.validate(today, true).unwrap_err();
        assert_eq!(unsigned[0].field, "signed_by");
        let half = ListingInput { signed_by: "王建国".into(), signed_on: Some("2026-06-17".into()), ..ok.clone() };
        let fields: Vec<String> = half.validate(today, true).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["signed_on", "signed_file_id"], "a signature in the future and without its file");
        let signed = ListingInput { signed_on: Some("2026-06-16".into()), signed_file_id: Some(7), ..half };
        let v = signed.validate(today, true).unwrap();
        assert_eq!(v.signature, Some(Signature { by: "王建国".into(), on: today, file_id: 7 }));
        assert!(ListingQuota { city: 10, district: 15, street: 25 }.validate().is_ok());
        assert_eq!(ListingQuota { city: -1, district: 15, street: 25 }.validate().unwrap_err().field, "quota");
    }

    #[test]
    fn only_open_major_hazards_are_listed_once() {
        let open_major = facts(Rectifying, HazardGrade::Major);
        assert!(check_listable(open_major, false).is_ok());
        assert!(check_listable(open_major, true).is_err());
        assert!(check_listable(facts(Rectifying, HazardGrade::General), false).is_err());
        assert!(check_listable(facts(Closed, HazardGrade::Major), false).is_err());
        use crate::org::JurisdictionLevel as T;
        assert!(ListingLevel::Street.may_list(Role::Station, Some(T::Street)));
        assert!(!ListingLevel::District.may_list(Role::Station, Some(T::Street)));
        assert!(!ListingLevel::Street.may_list(Role::Enterprise, None));
        // A department lists at its own government's level: a district's bureau at 区 (县).
        assert_eq!(ListingLevel::for_unit(Role::Department, Some(T::District)), [ListingLevel::District]);
        assert_eq!(ListingLevel::for_unit(Role::Committee, Some(T::District)), ListingLevel::ALL);
        assert!(ListingLevel::for_unit(Role::Grid, Some(T::Grid)).is_empty());
        assert_eq!(ListingQuota::default().of(ListingLevel::District), 15);
    }

    #[test]
    fn a_listed_hazard_is_closed_by_its_listing_unit_or_one_above() {
        let district = ListingUnit::Government { path: "/1/".into() };
        let street = ListingUnit::Government { path: "/1/2/".into() };
        let bureau = ListingUnit::Department { id: 9, path: "/1/".into() };
        let gov = |role, path: &str| ActingUnit::Government { role, path: path.into() };
        let committee = gov(Role::Committee, "/1/");
        let station = gov(Role::Station, "/1/2/");
        let other_station = gov(Role::Station, "/1/3/");
        // A station cannot close a hazard listed at district level; it closes its street's.
        assert!(!district.may_be_closed_by(&station));
        assert!(street.may_be_closed_by(&station));
        assert!(!street.may_be_closed_by(&other_station));
        assert!(district.may_be_closed_by(&committee) && street.may_be_closed_by(&committee));
        assert!(!street.may_be_closed_by(&gov(Role::Grid, "/1/2/5/")));
        // The listing department itself, or the government above it; not another department.
        assert!(bureau.may_be_closed_by(&ActingUnit::Department { id: 9, path: "/1/".into() }));
        assert!(!bureau.may_be_closed_by(&ActingUnit::Department { id: 10, path: "/1/".into() }));
        assert!(bureau.may_be_closed_by(&committee));
        assert!(!bureau.may_be_closed_by(&station));
        assert!(!district.may_be_closed_by(&ActingUnit::Department { id: 9, path: "/1/".into() }));
        assert!(district.may_be_closed_by(&ActingUnit::Admin));
        assert!(!district.may_be_closed_by(&ActingUnit::Other));
    }

    #[test]
    fn closing_a_listed_hazard_needs_the_assessment_and_the_application() {
        let today: LocalDate = "2026-06-16".parse().unwrap();
        let district = ListingUnit::Government { path: "/1/".into() };
        let committee = ActingUnit::Government { role: Role::Committee, path: "/1/".into() };
        let Err(HazardRefusal::Invalid(errs)) =
            decide_listed_verification(Some(&district), &committee, true, None, today)
        else {
            panic!("closing without an assessment must be refused")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "closing.assessor_kind",
                "closing.assessor",
                "closing.assessed_on",
                "closing.conclusion",
                "closing.report_file_id",
                "closing.application_file_id"
            ]
        );
        let input = ListedClosingInput {
            assessor_kind: Some(AssessorKind::Agency),
            assessor: "江苏安评科技有限公司".into(),
            assessed_on: Some("2026-06-12".into()),
            conclusion: "泄爆、隔爆设施已按 GB 15577 整改到位，同意销号".into(),
            report_file_id: Some(3),
            application_file_id: Some(4),
        };
        let ok = decide_listed_verification(Some(&district), &committee, true, Some(&input), today).unwrap().unwrap();
        assert_eq!((ok.assessor_kind, ok.report_file_id, ok.application_file_id), (AssessorKind::Agency, 3, 4));
        let station = ActingUnit::Government { role: Role::Station, path: "/1/2/".into() };
        assert!(matches!(
            decide_listed_verification(Some(&district), &station, true, Some(&input), today),
            Err(HazardRefusal::Forbidden(_))
        ));
        // Nor may it fail the verification; the committee fails it without any closing.
        assert!(matches!(
            decide_listed_verification(Some(&district), &station, false, None, today),
            Err(HazardRefusal::Forbidden(_))
        ));
        assert_eq!(decide_listed_verification(Some(&district), &committee, false, None, today), Ok(None));
        // A closing for a hazard that is not listed is refused, naming it.
        let Err(HazardRefusal::Invalid(e)) = decide_listed_verification(None, &committee, true, Some(&input), today)
        else {
            panic!("a closing without a listing must be refused")
        };
        assert_eq!(e[0].field, "closing");
        assert_eq!(decide_listed_verification(None, &station, true, None, today), Ok(None));
        let later = ListedClosingInput { assessed_on: Some("2026-06-17".into()), ..input };
        assert!(decide_listed_verification(Some(&district), &committee, true, Some(&later), today).is_err());
    }
}
