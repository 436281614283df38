//! 上报隐患: a new hazard as sent, and the rules it must keep before it is written.

use super::{HazardGrade, HazardSource};
use crate::auth::Role;
use crate::text::{bounded, deadline, single_line, MAX_NAME, MAX_TEXT};
use crate::time::LocalDate;
use crate::FieldError;
use serde::Deserialize;

/// New hazard.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardInput {
    pub enterprise_id: i64,
    pub description: String,
    pub grade: HazardGrade,
    pub source: HazardSource,
    /// 整改期限 YYYY-MM-DD
    pub deadline: String,
    /// Defaults to the enterprise's first sector
    pub sector: Option<String>,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub before_photos: Vec<i64>,
    /// 风险点 of the same enterprise where it was found
    #[serde(default)]
    pub risk_point_id: Option<i64>,
    /// 上报位置: where the reporter stood (WGS-84, from the device when the user allows it)
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub latitude: Option<f64>,
}

/// What the rules of a report need to know besides the input.
#[derive(Debug, Clone, Copy)]
pub struct ReportFacts<'a> {
    /// Who reports
    pub role: Role,
    /// The sectors a department supervises (`None` for other roles)
    pub department_sectors: Option<&'a [String]>,
    /// The sectors of the enterprise the hazard is found at
    pub enterprise_sectors: &'a [String],
    /// The business date of the report
    pub today: LocalDate,
}

/// A report that keeps every rule: the store writes it as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReport {
    pub enterprise_id: i64,
    pub description: String,
    pub grade: HazardGrade,
    pub source: HazardSource,
    pub deadline: LocalDate,
    pub sector: String,
    pub location: String,
    pub category: String,
    pub responsible: String,
    pub before_photos: Vec<i64>,
    pub risk_point_id: Option<i64>,
    /// 上报位置 (longitude, latitude), WGS-84
    pub position: Option<(f64, f64)>,
}

/// Longest 隐患描述, in characters.
pub const MAX_DESCRIPTION: usize = MAX_TEXT;

impl HazardInput {
    /// Checks every rule of a report at once and names each field at fault: a description of up to
    /// 2,000 characters; a deadline from today on (in the business calendar); a known sector,
    /// within a department's own; an enterprise reports only what it found itself (企业自查).
    pub fn validate(self, f: ReportFacts<'_>) -> Result<ValidReport, Vec<FieldError>> {
        let mut errs = vec![];
        let description = bounded("description", "隐患描述", &self.description, MAX_DESCRIPTION, &mut errs);
        if description.is_empty() {
            errs.push(FieldError::new("description", "请填写隐患描述（不超过2000字）"));
        }
        let deadline = deadline("deadline", "整改期限", &self.deadline, f.today, &mut errs);
        let sector = self
            .sector
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string())
            .or_else(|| f.enterprise_sectors.first().cloned())
            .unwrap_or_default();
        if !crate::org::SECTORS.contains(&sector.as_str()) {
            errs.push(FieldError::new("sector", format!("未知的行业领域「{sector}」")));
        } else if f.department_sectors.is_some_and(|own| !own.contains(&sector)) {
            errs.push(FieldError::new("sector", "该行业不在本部门监管范围内"));
        }
        if f.role == Role::Enterprise && self.source != HazardSource::SelfInspection {
            errs.push(FieldError::new("source", "企业上报的隐患来源应为「企业自查」"));
        }
        let location = single_line("location", "部位", &self.location, MAX_NAME, &mut errs);
        let category = single_line("category", "隐患类别", &self.category, MAX_NAME, &mut errs);
        let responsible = single_line("responsible", "整改责任人", &self.responsible, MAX_NAME, &mut errs);
        let position = match (self.longitude, self.latitude) {
            (Some(lon), Some(lat)) => match crate::org::validate_coordinates(lon, lat) {
                Ok(()) => Some((lon, lat)),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            (None, None) => None,
            _ => {
                errs.push(FieldError::new("longitude", "经度和纬度须同时填写"));
                None
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidReport {
            enterprise_id: self.enterprise_id,
            description,
            grade: self.grade,
            source: self.source,
            deadline,
            sector,
            location,
            category,
            responsible,
            before_photos: self.before_photos,
            risk_point_id: self.risk_point_id,
            position,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> HazardInput {
        HazardInput {
            enterprise_id: 7,
            description: " 二号仓库消防通道堆放物料 ".into(),
            grade: HazardGrade::General,
            source: HazardSource::GovernmentInspection,
            deadline: "2026-06-25".into(),
            sector: None,
            location: "二号仓库".into(),
            category: "作业环境".into(),
            responsible: "仓储主管 李强".into(),
            before_photos: vec![3],
            risk_point_id: None,
            longitude: Some(119.97),
            latitude: Some(31.93),
        }
    }

    fn facts<'a>(role: Role, sectors: &'a [String], own: Option<&'a [String]>) -> ReportFacts<'a> {
        ReportFacts { role, department_sectors: own, enterprise_sectors: sectors, today: "2026-06-16".parse().unwrap() }
    }

    fn fields(r: Result<ValidReport, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_station_report_takes_the_enterprises_first_sector_and_trims() {
        let sectors = vec!["危险化学品".to_string(), "粉尘涉爆".to_string()];
        let v = input().validate(facts(Role::Station, &sectors, None)).unwrap();
        assert_eq!((v.sector.as_str(), v.description.as_str()), ("危险化学品", "二号仓库消防通道堆放物料"));
        assert_eq!(v.deadline.to_string(), "2026-06-25");
    }

    #[test]
    fn the_position_is_kept_when_whole_and_on_earth() {
        let sectors = vec!["危险化学品".to_string()];
        let v = input().validate(facts(Role::Grid, &sectors, None)).unwrap();
        assert_eq!(v.position, Some((119.97, 31.93)));
        let half = HazardInput { latitude: None, ..input() };
        assert_eq!(fields(half.validate(facts(Role::Grid, &sectors, None))), ["longitude"]);
        let off = HazardInput { latitude: Some(95.0), ..input() };
        assert!(!fields(off.validate(facts(Role::Grid, &sectors, None))).is_empty());
        let none = HazardInput { longitude: None, latitude: None, ..input() };
        assert_eq!(none.validate(facts(Role::Grid, &sectors, None)).unwrap().position, None);
    }

    #[test]
    fn a_deadline_of_yesterday_in_beijing_is_refused() {
        let sectors = vec!["粉尘涉爆".to_string()];
        let mut i = input();
        // 06-15 is still "today" by the UTC date at 01:00 Beijing time on 06-16 — not by the business calendar.
        i.deadline = "2026-06-15".into();
        assert_eq!(fields(i.validate(facts(Role::Grid, &sectors, None))), ["deadline"]);
        let mut i = input();
        i.deadline = "6月底".into();
        assert_eq!(fields(i.validate(facts(Role::Grid, &sectors, None))), ["deadline"]);
    }

    #[test]
    fn every_fault_is_named_at_once() {
        let sectors = vec!["危险化学品".to_string()];
        let own = vec!["建筑施工".to_string()];
        let mut i = input();
        i.description = "  ".into();
        i.location = "库".repeat(101);
        // A department of 建筑施工 reporting at a chemical plant, and an empty description.
        assert_eq!(
            fields(i.validate(facts(Role::Department, &sectors, Some(&own)))),
            ["description", "sector", "location"]
        );
        let mut i = input();
        i.sector = Some("炼丹".into());
        assert_eq!(fields(i.validate(facts(Role::Station, &sectors, None))), ["sector"]);
    }

    #[test]
    fn an_enterprise_reports_only_its_own_findings() {
        let sectors = vec!["粉尘涉爆".to_string()];
        assert_eq!(fields(input().validate(facts(Role::Enterprise, &sectors, None))), ["source"]);
        let mut i = input();
        i.source = HazardSource::SelfInspection;
        assert!(i.validate(facts(Role::Enterprise, &sectors, None)).is_ok());
    }
}
