//! Risk grading (风险分级管控): the four levels and their bands, the rules a district sets, and
//! the level a point and an enterprise show. Assessment (LEC, LS) is in `assess`, major hazard
//! sources per GB 18218-2018 in `gb18218`, risk points' fields in `point`, and the tables the
//! forms show in `reference`. Value tables and critical quantities are read from the reference
//! files compiled in (`data/`), not retyped.

mod assess;
mod gb18218;
mod point;
mod reference;

pub use assess::*;
pub use gb18218::*;
pub use point::*;
pub use reference::*;

use crate::FieldError;
use serde::{Deserialize, Serialize};

const RISK_METHODS: &str = include_str!("../../data/risk_methods.json");
const GB18218: &str = include_str!("../../data/gb18218_2018.json");

/// 风险等级 with its colour (四色: 红橙黄蓝).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum RiskLevel {
    /// 低风险 (蓝)
    #[serde(rename = "低")]
    Low,
    /// 一般风险 (黄)
    #[serde(rename = "一般")]
    General,
    /// 较大风险 (橙)
    #[serde(rename = "较大")]
    Considerable,
    /// 重大风险 (红)
    #[serde(rename = "重大")]
    Major,
}

impl RiskLevel {
    /// Highest first.
    pub const ALL: [Self; 4] = [Self::Major, Self::Considerable, Self::General, Self::Low];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn color(self) -> &'static str {
        match self {
            Self::Major => "red",
            Self::Considerable => "orange",
            Self::General => "yellow",
            Self::Low => "blue",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "重大",
            Self::Considerable => "较大",
            Self::General => "一般",
            Self::Low => "低",
        }
    }
}

/// Lower bounds (inclusive: "以上" includes the bound, "以下" excludes it) of 重大, 较大 and 一般;
/// anything below the last is 低. A setting per jurisdiction; sources disagree on the boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    pub major: f64,
    pub considerable: f64,
    pub general: f64,
}

impl Bands {
    pub fn level(&self, score: f64) -> RiskLevel {
        if score >= self.major {
            RiskLevel::Major
        } else if score >= self.considerable {
            RiskLevel::Considerable
        } else if score >= self.general {
            RiskLevel::General
        } else {
            RiskLevel::Low
        }
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if self.general > 0.0 && self.general < self.considerable && self.considerable < self.major {
            Ok(())
        } else {
            Err(FieldError::new("bands", "分级阈值须满足 0 < 一般 < 较大 < 重大"))
        }
    }
}

/// The bands of both methods, as a jurisdiction sets them (分级阈值设置).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandSet {
    pub lec: Bands,
    pub ls: Bands,
}

impl Default for BandSet {
    fn default() -> Self {
        let m = methods();
        Self { lec: m.lec_bands, ls: m.ls_bands }
    }
}

impl BandSet {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = vec![];
        for (name, b) in [("lec", self.lec), ("ls", self.ls)] {
            if let Err(mut e) = b.validate() {
                e.field = name.into();
                errs.push(e);
            }
        }
        if self.ls.major > 25.0 {
            errs.push(FieldError::new("ls", "LS 的重大风险阈值不能大于25（L、S 最大为5）"));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// The level a risk point shows: its assessed level, raised to 重大 while a 重大 hazard linked
/// to it is open (动态风险), with the reason.
pub fn effective_level(
    assessed: RiskLevel,
    open_major_hazards: &[String],
    dynamic: bool,
) -> (RiskLevel, Option<String>) {
    match open_major_hazards.first() {
        Some(number) if dynamic && assessed != RiskLevel::Major => {
            (RiskLevel::Major, Some(format!("关联重大事故隐患 {number} 未销号，按重大风险管控")))
        }
        _ => (assessed, None),
    }
}

/// Rules of risk grading that a district decides (风险管控规则), a setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RiskRules {
    /// 动态风险: an open 重大 hazard linked to a point shows the point as 重大 until it is closed
    pub dynamic_level: bool,
    /// Days a review may be overdue before the station (属地安监站) is reminded too
    #[schema(minimum = 1, maximum = 366)]
    pub review_station_after_days: i64,
}

impl Default for RiskRules {
    fn default() -> Self {
        Self { dynamic_level: true, review_station_after_days: 30 }
    }
}

impl RiskRules {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        if (1..=366).contains(&self.review_station_after_days) {
            Ok(())
        } else {
            Err(vec![FieldError::new("review_station_after_days", "提醒安监站的逾期天数应在 1～366 之间")])
        }
    }

    /// Who is due a reminder for a review `days_overdue` days past its date (0 = the first day
    /// after it): the enterprise at once, the station as well after the set days.
    pub fn review_reminder(&self, days_overdue: i64) -> Option<crate::hazard::EscalationLevel> {
        use crate::hazard::EscalationLevel;
        if days_overdue < 0 {
            None
        } else if days_overdue >= self.review_station_after_days {
            Some(EscalationLevel::Station)
        } else {
            Some(EscalationLevel::Enterprise)
        }
    }
}

/// An enterprise's level: the highest of its points, unless the committee overrode it.
pub fn enterprise_level(points: &[RiskLevel], overridden: Option<RiskLevel>) -> Option<RiskLevel> {
    overridden.or_else(|| points.iter().copied().max())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_reminders_reach_the_station_after_the_set_days() {
        use crate::hazard::EscalationLevel::*;
        let r = RiskRules::default();
        assert_eq!(r.review_reminder(-1), None, "not yet overdue");
        assert_eq!(r.review_reminder(0), Some(Enterprise));
        assert_eq!(r.review_reminder(29), Some(Enterprise));
        assert_eq!(r.review_reminder(30), Some(Station));
        assert!(RiskRules { review_station_after_days: 0, ..r }.validate().is_err());
    }

    #[test]
    fn a_linked_open_major_hazard_raises_the_point_to_red() {
        let (l, why) = effective_level(RiskLevel::General, &["YH-2026-000007".into()], true);
        assert_eq!(l, RiskLevel::Major);
        assert!(why.unwrap().contains("YH-2026-000007"));
        assert_eq!(effective_level(RiskLevel::General, &[], true), (RiskLevel::General, None));
        assert_eq!(effective_level(RiskLevel::General, &["YH-1".into()], false), (RiskLevel::General, None));
    }

    #[test]
    fn enterprise_level_is_the_highest_point_unless_overridden() {
        use RiskLevel::*;
        assert_eq!(enterprise_level(&[Low, Considerable, General], None), Some(Considerable));
        assert_eq!(enterprise_level(&[], None), None);
        assert_eq!(enterprise_level(&[Major], Some(General)), Some(General));
    }
}
