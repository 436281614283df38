//! Risk points (风险点) as a clerk enters them and the committee's adjustment of an enterprise's
//! level (企业风险等级调整): parsed here into commands the store writes as they are.

use crate::risk::{check_point, Assessment, BandSet, ControlMeasures, RiskLevel, Scores};
use crate::text::{bounded, single_line, MAX_NAME, MAX_TEXT};
use crate::time::LocalDate;
use crate::FieldError;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPointInput {
    pub enterprise_id: i64,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub hazard_factors: String,
    pub accident_types: Vec<String>,
    #[serde(default)]
    pub measures: ControlMeasures,
    #[serde(default)]
    pub responsible: String,
    pub control_level: String,
    pub scores: Scores,
    pub next_review: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPointPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub location: Option<String>,
    pub hazard_factors: Option<String>,
    pub accident_types: Option<Vec<String>>,
    pub measures: Option<ControlMeasures>,
    pub responsible: Option<String>,
    pub control_level: Option<String>,
    pub scores: Option<Scores>,
    pub next_review: Option<String>,
    pub version: i64,
}

/// A risk point that keeps every rule, assessed with the bands in force where it lies: texts
/// trimmed, the review date in its one canonical form (`YYYY-MM-DD`, which the reminders compare).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRiskPoint {
    pub enterprise_id: i64,
    pub name: String,
    /// 场所 / 工艺 / 设备
    pub kind: String,
    pub location: String,
    pub hazard_factors: String,
    pub accident_types: Vec<String>,
    pub measures: ControlMeasures,
    pub responsible: String,
    /// 公司 / 车间 / 班组 / 岗位
    pub control_level: String,
    pub scores: Scores,
    pub assessment: Assessment,
    pub next_review: LocalDate,
}

impl RiskPointInput {
    /// Checks every rule of a risk point at once, naming each field at fault: the descriptive
    /// fields (`risk::check_point`), the lengths of the texts, and the scores against the value
    /// tables (`scores.l`, …), assessed with `bands` (those in force at the enterprise).
    pub fn validate(self, bands: &BandSet) -> Result<ValidRiskPoint, Vec<FieldError>> {
        let mut errs =
            check_point(&self.name, &self.kind, &self.accident_types, &self.control_level, &self.next_review);
        let location = single_line("location", "位置", &self.location, MAX_NAME, &mut errs);
        let hazard_factors = bounded("hazard_factors", "危险有害因素", &self.hazard_factors, MAX_TEXT, &mut errs);
        let m = &self.measures;
        let measures = ControlMeasures {
            engineering: bounded("measures.engineering", "工程技术措施", &m.engineering, MAX_TEXT, &mut errs),
            management: bounded("measures.management", "管理措施", &m.management, MAX_TEXT, &mut errs),
            ppe: bounded("measures.ppe", "个体防护措施", &m.ppe, MAX_TEXT, &mut errs),
            emergency: bounded("measures.emergency", "应急处置措施", &m.emergency, MAX_TEXT, &mut errs),
        };
        let responsible = single_line("responsible", "责任人", &self.responsible, MAX_NAME, &mut errs);
        let assessment = self
            .scores
            .assess_with(Some(bands))
            .map_err(|e| {
                errs.extend(e.into_iter().map(|f| FieldError::new(format!("scores.{}", f.field), f.message)));
            })
            .ok();
        let next_review = self.next_review.trim().parse::<LocalDate>().ok();
        match (assessment, next_review) {
            (Some(assessment), Some(next_review)) if errs.is_empty() => Ok(ValidRiskPoint {
                enterprise_id: self.enterprise_id,
                name: self.name.trim().to_string(),
                kind: self.kind,
                location,
                hazard_factors,
                accident_types: self.accident_types,
                measures,
                responsible,
                control_level: self.control_level,
                scores: self.scores,
                assessment,
                next_review,
            }),
            _ => Err(errs),
        }
    }
}

impl RiskPointPatch {
    /// The point as the patch leaves it: the fields sent, the others as they are now.
    pub fn apply_to(self, now: RiskPointInput) -> RiskPointInput {
        RiskPointInput {
            enterprise_id: now.enterprise_id,
            name: self.name.unwrap_or(now.name),
            kind: self.kind.unwrap_or(now.kind),
            location: self.location.unwrap_or(now.location),
            hazard_factors: self.hazard_factors.unwrap_or(now.hazard_factors),
            accident_types: self.accident_types.unwrap_or(now.accident_types),
            measures: self.measures.unwrap_or(now.measures),
            responsible: self.responsible.unwrap_or(now.responsible),
            control_level: self.control_level.unwrap_or(now.control_level),
            scores: self.scores.unwrap_or(now.scores),
            next_review: self.next_review.unwrap_or(now.next_review),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// The level to set, or null to return to the computed level
    pub level: Option<RiskLevel>,
    #[serde(default)]
    pub reason: String,
}

/// The committee's adjustment of an enterprise's level, as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidOverride {
    /// Set the level, with the reason (trimmed).
    Set { level: RiskLevel, reason: String },
    /// Return to the level computed from the points.
    Clear,
}

/// Shortest reason for an adjustment, in characters.
pub const MIN_OVERRIDE_REASON: usize = 4;

impl OverrideBody {
    /// A level is set with a reason of at least four characters (and at most 2,000); clearing
    /// needs none.
    pub fn validate(self) -> Result<ValidOverride, Vec<FieldError>> {
        let Some(level) = self.level else { return Ok(ValidOverride::Clear) };
        let mut errs = vec![];
        let reason = bounded("reason", "调整理由", &self.reason, MAX_TEXT, &mut errs);
        if reason.chars().count() < MIN_OVERRIDE_REASON {
            errs.push(FieldError::new("reason", "请填写调整理由（至少4个字）"));
        }
        if errs.is_empty() {
            Ok(ValidOverride::Set { level, reason })
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chlorine_tank() -> RiskPointInput {
        RiskPointInput {
            enterprise_id: 12,
            name: " 液氯储罐区 ".into(),
            kind: "场所".into(),
            location: "厂区东北角 ".into(),
            hazard_factors: "液氯泄漏；储罐超压".into(),
            accident_types: vec!["中毒和窒息".into(), "容器爆炸".into()],
            measures: ControlMeasures {
                engineering: "设置氯气泄漏检测报警和碱液吸收装置".into(),
                management: "每班巡检两次，落实双人双锁".into(),
                ppe: "配备正压式空气呼吸器".into(),
                emergency: "编制液氯泄漏现场处置方案，每半年演练".into(),
            },
            responsible: "安全科 王建国".into(),
            control_level: "公司".into(),
            scores: Scores::Lec { l: 6.0, e: 6.0, c: 15.0 },
            next_review: "20270630".into(),
        }
    }

    fn fields(r: Result<ValidRiskPoint, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_point_is_trimmed_assessed_and_its_review_date_made_canonical() {
        let v = chlorine_tank().validate(&BandSet::default()).unwrap();
        assert_eq!((v.name.as_str(), v.location.as_str()), ("液氯储罐区", "厂区东北角"));
        assert_eq!((v.assessment.score, v.assessment.level), (540.0, RiskLevel::Major));
        assert_eq!(v.next_review.to_string(), "2027-06-30");
    }

    #[test]
    fn the_bands_in_force_decide_the_level() {
        // A district that counts D ≥ 600 as 重大 grades the same tank 较大.
        let mut bands = BandSet::default();
        bands.lec.major = 600.0;
        let v = chlorine_tank().validate(&bands).unwrap();
        assert_eq!(v.assessment.level, RiskLevel::Considerable);
    }

    #[test]
    fn every_fault_is_named_at_once() {
        let mut i = chlorine_tank();
        i.name = "  ".into();
        i.scores = Scores::Lec { l: 7.0, e: 6.0, c: 15.0 };
        assert_eq!(fields(i.validate(&BandSet::default())), ["name", "scores.l"]);
        let mut i = chlorine_tank();
        i.kind = "车间".into();
        i.next_review = "明年六月".into();
        i.location = "区".repeat(101);
        i.measures.ppe = "防".repeat(2001);
        i.responsible = "人".repeat(101);
        i.scores = Scores::Ls { l: 6.0, s: 0.0 };
        assert_eq!(
            fields(i.validate(&BandSet::default())),
            ["kind", "next_review", "location", "measures.ppe", "responsible", "scores.l", "scores.s"]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_sends() {
        let patch = RiskPointPatch {
            name: None,
            kind: None,
            location: None,
            hazard_factors: None,
            accident_types: None,
            measures: None,
            responsible: Some("安全科 李明".into()),
            control_level: None,
            scores: Some(Scores::Ls { l: 2.0, s: 3.0 }),
            next_review: None,
            version: 3,
        };
        let i = patch.apply_to(chlorine_tank());
        assert_eq!((i.name.as_str(), i.responsible.as_str()), (" 液氯储罐区 ", "安全科 李明"));
        let v = i.validate(&BandSet::default()).unwrap();
        // R = 2 × 3 = 6: 一般 under ls-17-11-5.
        assert_eq!(v.assessment.level, RiskLevel::General);
    }

    #[test]
    fn an_override_needs_a_reason_of_four_characters_and_clearing_none() {
        let set = |level, reason: &str| OverrideBody { level, reason: reason.into() }.validate();
        assert_eq!(
            set(Some(RiskLevel::Considerable), " 涉及两重点一重大，按较大风险管控 "),
            Ok(ValidOverride::Set {
                level: RiskLevel::Considerable,
                reason: "涉及两重点一重大，按较大风险管控".into()
            })
        );
        let e = set(Some(RiskLevel::Major), " 整改中 ").unwrap_err();
        assert_eq!(e, [FieldError::new("reason", "请填写调整理由（至少4个字）")]);
        assert_eq!(set(Some(RiskLevel::Major), &"理".repeat(2001)).unwrap_err()[0].message, "调整理由不能超过2000字");
        assert_eq!(set(None, ""), Ok(ValidOverride::Clear));
    }
}
