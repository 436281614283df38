//! Org units (组织单元) as the administrator and the committee enter them — jurisdiction nodes
//! and departments — and the rule of who may create which enterprise: parsed here, so the store
//! writes only what keeps every rule.

use crate::org::{validate_division_code, validate_sectors, EnterpriseDraft, JurisdictionLevel, ValidEnterprise};
use crate::time::{BusinessCalendar, DEFAULT_TIMEZONE};
use crate::FieldError;
use serde::Deserialize;

/// Longest name of a jurisdiction node or a department, in characters.
pub const MAX_UNIT_NAME: usize = 60;

/// New jurisdiction node.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionInput {
    pub parent_id: Option<i64>,
    pub level: JurisdictionLevel,
    pub code: Option<String>,
    pub name: String,
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    pub timezone: Option<String>,
}

/// Change to a jurisdiction node (a node does not move: paths of everything below depend on it).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionPatch {
    pub name: Option<String>,
    pub code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    pub version: i64,
}

/// The name of a node or department: trimmed, not empty, at most 60 characters.
fn unit_name(name: &str, errs: &mut Vec<FieldError>) -> String {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_UNIT_NAME {
        errs.push(FieldError::new("name", "名称不能为空且不超过60个字"));
    } else {
        crate::text::single_line("name", "名称", n, MAX_UNIT_NAME, errs);
    }
    n.to_string()
}

/// The code of a node, none when empty: GB/T 2260 for 市 and 区县, 6–15 digits below.
fn unit_code(level: JurisdictionLevel, code: Option<String>, errs: &mut Vec<FieldError>) -> Option<String> {
    let code = code.filter(|c| !c.is_empty())?;
    match level {
        JurisdictionLevel::City | JurisdictionLevel::District => {
            if let Err(e) = validate_division_code(&code) {
                errs.push(e);
            }
        }
        _ if code.chars().all(|ch| ch.is_ascii_digit()) && (6..=15).contains(&code.len()) => {}
        _ => errs.push(FieldError::new("code", "区划代码应为6至15位数字")),
    }
    Some(code)
}

/// The parent of a new node, as the store found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentNode<'a> {
    pub level: JurisdictionLevel,
    pub timezone: &'a str,
}

/// A new node that keeps every rule, with the time zone it will read dates in.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidJurisdiction {
    pub parent_id: Option<i64>,
    pub level: JurisdictionLevel,
    pub code: Option<String>,
    pub name: String,
    pub boundary: Option<serde_json::Value>,
    /// The time zone given, else the parent's, else Asia/Shanghai
    pub timezone: String,
}

impl JurisdictionInput {
    /// `parent`: the node `parent_id` names (`None` when there is none). A node sits strictly
    /// below its parent; its code fits its level; a time zone must be known.
    pub fn validate(self, parent: Option<ParentNode<'_>>) -> Result<ValidJurisdiction, Vec<FieldError>> {
        let mut errs = vec![];
        let name = unit_name(&self.name, &mut errs);
        let code = unit_code(self.level, self.code, &mut errs);
        if let Some(tz) = &self.timezone {
            if BusinessCalendar::new(tz).is_none() {
                errs.push(FieldError::new("timezone", "未知的时区"));
            }
        }
        match (self.parent_id, parent) {
            (Some(_), None) => errs.push(FieldError::new("parent_id", "上级区划不存在")),
            (_, Some(p)) if !self.level.may_be_child_of(p.level) => errs.push(FieldError::new(
                "level",
                format!("「{}」不能作为「{}」的下级", self.level.label(), p.level.label()),
            )),
            _ => {}
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let timezone =
            self.timezone.or_else(|| parent.map(|p| p.timezone.to_string())).unwrap_or_else(|| DEFAULT_TIMEZONE.into());
        Ok(ValidJurisdiction {
            parent_id: self.parent_id,
            level: self.level,
            code,
            name,
            boundary: self.boundary,
            timezone,
        })
    }
}

/// What a patch may change of a node, as it is now (and its level, which a code must fit).
#[derive(Debug, Clone, PartialEq)]
pub struct JurisdictionState {
    pub level: JurisdictionLevel,
    pub name: String,
    pub code: Option<String>,
    pub boundary: Option<serde_json::Value>,
}

/// A node as a patch that keeps every rule leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidJurisdictionPatch {
    pub name: String,
    pub code: Option<String>,
    pub boundary: Option<serde_json::Value>,
    pub version: i64,
}

impl JurisdictionPatch {
    /// The node as the patch leaves it: a sent name and code are checked as on creation (an
    /// empty code removes it).
    pub fn validate(self, now: JurisdictionState) -> Result<ValidJurisdictionPatch, Vec<FieldError>> {
        let mut errs = vec![];
        let name = match &self.name {
            Some(n) => unit_name(n, &mut errs),
            None => now.name,
        };
        let code = match self.code {
            Some(c) => unit_code(now.level, Some(c), &mut errs),
            None => now.code,
        };
        let boundary = match self.boundary {
            Some(b) if b.is_null() => None,
            Some(b) => Some(b),
            None => now.boundary,
        };
        if errs.is_empty() {
            Ok(ValidJurisdictionPatch { name, code, boundary, version: self.version })
        } else {
            Err(errs)
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    pub jurisdiction_id: i64,
    pub name: String,
    pub sectors: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub sectors: Option<Vec<String>>,
    pub version: i64,
}

/// A department that keeps every rule: a name and the known sectors it supervises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDepartment {
    pub jurisdiction_id: i64,
    pub name: String,
    /// 监管行业
    pub sectors: Vec<String>,
}

impl DepartmentInput {
    pub fn validate(self) -> Result<ValidDepartment, Vec<FieldError>> {
        let mut errs = vec![];
        let name = unit_name(&self.name, &mut errs);
        if let Err(e) = validate_sectors("sectors", &self.sectors) {
            errs.push(e);
        }
        if errs.is_empty() {
            Ok(ValidDepartment { jurisdiction_id: self.jurisdiction_id, name, sectors: self.sectors })
        } else {
            Err(errs)
        }
    }
}

impl DepartmentPatch {
    /// The department as the patch leaves it: the fields sent, the others as they are now.
    pub fn apply_to(self, now: DepartmentInput) -> DepartmentInput {
        DepartmentInput {
            jurisdiction_id: now.jurisdiction_id,
            name: self.name.unwrap_or(now.name),
            sectors: self.sectors.unwrap_or(now.sectors),
        }
    }
}

/// A jurisdiction node as the store found it, for the rules of where an enterprise sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacedNode<'a> {
    pub level: JurisdictionLevel,
    pub name: &'a str,
    pub path: &'a str,
}

/// Where an enterprise may sit: `jurisdiction` (the node `jurisdiction_id` names, `None` when
/// there is none) is a 区县, 镇街 or 村社区; `grid` (the node `grid_id` names) a grid inside it.
/// Whether the place lies in the caller's scope is the store's question.
pub fn check_placement(
    jurisdiction: Option<PlacedNode<'_>>,
    grid_id: Option<i64>,
    grid: Option<PlacedNode<'_>>,
) -> Result<(), Vec<FieldError>> {
    let mut errs = vec![];
    match jurisdiction {
        None => errs.push(FieldError::new("jurisdiction_id", "所属辖区不存在")),
        Some(j) if matches!(j.level, JurisdictionLevel::City | JurisdictionLevel::Grid) => {
            errs.push(FieldError::new("jurisdiction_id", "所属辖区应为区县、镇街或村社区"))
        }
        Some(_) => {}
    }
    match (grid_id, grid, jurisdiction) {
        (Some(_), None, _) => errs.push(FieldError::new("grid_id", "所属网格不存在")),
        (_, Some(g), Some(j)) if g.level != JurisdictionLevel::Grid || !g.path.starts_with(j.path) => {
            errs.push(FieldError::new("grid_id", format!("网格「{}」不在「{}」辖区内", g.name, j.name)))
        }
        _ => {}
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

impl EnterpriseDraft {
    /// A new enterprise: every rule of [`EnterpriseDraft::validate`], and a department
    /// (`department_sectors`: the sectors it supervises) registers only enterprises of one of them.
    pub fn validate_new(self, department_sectors: Option<&[String]>) -> Result<ValidEnterprise, Vec<FieldError>> {
        let outside = department_sectors.is_some_and(|own| !self.sectors.iter().any(|s| own.contains(s)));
        let mut errs = match self.validate() {
            Ok(v) if !outside => return Ok(v),
            Ok(_) => vec![],
            Err(errs) => errs,
        };
        if outside && !errs.iter().any(|e| e.field == "sectors") {
            errs.push(FieldError::new("sectors", "企业行业领域不在本部门监管范围内"));
        }
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISTRICT: ParentNode<'static> = ParentNode { level: JurisdictionLevel::District, timezone: "Asia/Shanghai" };

    fn street() -> JurisdictionInput {
        JurisdictionInput {
            parent_id: Some(2),
            level: JurisdictionLevel::Street,
            code: Some("320411004".into()),
            name: " 春江街道 ".into(),
            boundary: None,
            timezone: None,
        }
    }

    fn fields<T: std::fmt::Debug>(r: Result<T, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_street_under_a_district_takes_its_time_zone() {
        let v = street().validate(Some(DISTRICT)).unwrap();
        assert_eq!(
            (v.name.as_str(), v.code.as_deref(), v.timezone.as_str()),
            ("春江街道", Some("320411004"), "Asia/Shanghai")
        );
        let kashgar = ParentNode { level: JurisdictionLevel::District, timezone: "Asia/Urumqi" };
        assert_eq!(street().validate(Some(kashgar)).unwrap().timezone, "Asia/Urumqi");
        let city = JurisdictionInput {
            parent_id: None,
            level: JurisdictionLevel::City,
            code: Some("320400".into()),
            name: "常州市".into(),
            ..street()
        };
        assert_eq!(city.validate(None).unwrap().timezone, DEFAULT_TIMEZONE);
    }

    #[test]
    fn a_node_sits_strictly_below_its_parent() {
        let up = JurisdictionInput { level: JurisdictionLevel::District, code: None, ..street() };
        let street_parent = ParentNode { level: JurisdictionLevel::Street, timezone: "Asia/Shanghai" };
        let e = up.validate(Some(street_parent)).unwrap_err();
        assert_eq!(e, [FieldError::new("level", "「区县」不能作为「镇街」的下级")]);
        // A grid may hang under a street as well as under a community.
        let grid =
            JurisdictionInput { level: JurisdictionLevel::Grid, code: None, name: "圩塘1网格".into(), ..street() };
        assert!(grid.validate(Some(street_parent)).is_ok());
    }

    #[test]
    fn every_fault_of_a_node_is_named_at_once() {
        let bad = JurisdictionInput {
            name: "街".repeat(61),
            code: Some("12ab".into()),
            timezone: Some("Asia/Changzhou".into()),
            ..street()
        };
        assert_eq!(fields(bad.validate(None)), ["name", "code", "timezone", "parent_id"]);
        // 市 and 区县 carry a GB/T 2260 code.
        let district =
            JurisdictionInput { level: JurisdictionLevel::District, code: Some("3204110".into()), ..street() };
        let city = ParentNode { level: JurisdictionLevel::City, timezone: "Asia/Shanghai" };
        assert_eq!(district.validate(Some(city)).unwrap_err()[0].message, "行政区划代码应为6位数字（GB/T 2260）");
        // An empty code is no code.
        let v = JurisdictionInput { code: Some(String::new()), ..street() }.validate(Some(DISTRICT)).unwrap();
        assert_eq!(v.code, None);
    }

    #[test]
    fn a_node_patch_checks_what_it_sends() {
        let now = JurisdictionState {
            level: JurisdictionLevel::Community,
            name: "圩塘社区".into(),
            code: Some("320411004001".into()),
            boundary: None,
        };
        let p =
            JurisdictionPatch {
                name: Some(" 圩塘村 ".into()), code: Some(String::new()), boundary: None, version: 4
            };
        let v = p.validate(now.clone()).unwrap();
        assert_eq!((v.name.as_str(), v.code, v.version), ("圩塘村", None, 4));
        let p = JurisdictionPatch { name: Some(" ".into()), code: Some("1".into()), boundary: None, version: 4 };
        assert_eq!(fields(p.validate(now)), ["name", "code"]);
    }

    #[test]
    fn a_department_needs_a_name_and_known_sectors() {
        let d = DepartmentInput {
            jurisdiction_id: 2,
            name: " 新北区应急管理局 ".into(),
            sectors: vec!["危险化学品".into(), "粉尘涉爆".into()],
        };
        let v = d.clone().validate().unwrap();
        assert_eq!(v.name, "新北区应急管理局");
        let bad = DepartmentInput { name: "".into(), sectors: vec!["炼丹".into()], ..d.clone() };
        assert_eq!(fields(bad.validate()), ["name", "sectors"]);
        let p = DepartmentPatch { name: None, sectors: Some(vec![]), version: 2 };
        let e = p.apply_to(d.clone()).validate().unwrap_err();
        assert_eq!(e, [FieldError::new("sectors", "请至少选择一个行业领域")]);
        let p = DepartmentPatch { name: Some("新北区住房和城乡建设局".into()), sectors: None, version: 2 };
        let v = p.apply_to(d).validate().unwrap();
        assert_eq!((v.name.as_str(), v.sectors.len()), ("新北区住房和城乡建设局", 2));
    }

    #[test]
    fn an_enterprise_sits_in_a_district_street_or_community_and_a_grid_inside_it() {
        let node = |level, name, path| PlacedNode { level, name, path };
        let chunjiang = node(JurisdictionLevel::Street, "春江街道", "/1/2/7/");
        let grid = node(JurisdictionLevel::Grid, "圩塘1网格", "/1/2/7/31/90/");
        assert_eq!(check_placement(Some(chunjiang), Some(90), Some(grid)), Ok(()));
        assert_eq!(check_placement(Some(chunjiang), None, None), Ok(()));
        // A grid of another street, a missing grid, a city as the jurisdiction.
        let other = node(JurisdictionLevel::Grid, "罗溪2网格", "/1/2/8/40/120/");
        let e = check_placement(Some(chunjiang), Some(120), Some(other)).unwrap_err();
        assert_eq!(e, [FieldError::new("grid_id", "网格「罗溪2网格」不在「春江街道」辖区内")]);
        let community = node(JurisdictionLevel::Community, "圩塘社区", "/1/2/7/31/");
        let e = check_placement(Some(chunjiang), Some(31), Some(community)).unwrap_err();
        assert_eq!(e[0].field, "grid_id", "a community is not a grid");
        let city = node(JurisdictionLevel::City, "常州市", "/1/");
        assert_eq!(fields(check_placement(Some(city), Some(999), None)), ["jurisdiction_id", "grid_id"]);
        assert_eq!(fields(check_placement(None, Some(90), Some(grid))), ["jurisdiction_id"]);
    }

    fn plant(sectors: &[&str]) -> EnterpriseDraft {
        EnterpriseDraft {
            name: "常州安泰化工有限公司".into(),
            credit_code: "91350100M000100Y43".into(),
            jurisdiction_id: 5,
            sectors: sectors.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_department_registers_only_enterprises_of_its_sectors() {
        let housing = vec!["建筑施工".to_string()];
        let e = plant(&["危险化学品"]).validate_new(Some(&housing)).unwrap_err();
        assert_eq!(e, [FieldError::new("sectors", "企业行业领域不在本部门监管范围内")]);
        assert!(plant(&["危险化学品", "建筑施工"]).validate_new(Some(&housing)).is_ok());
        // Other roles are bound by scope only.
        assert!(plant(&["危险化学品"]).validate_new(None).is_ok());
        // With other faults, all are named, the sector once.
        let bad = EnterpriseDraft { name: "".into(), ..plant(&["危险化学品"]) };
        assert_eq!(fields(bad.validate_new(Some(&housing))), ["name", "sectors"]);
        assert_eq!(fields(plant(&[]).validate_new(Some(&housing))), ["sectors"]);
    }
}
