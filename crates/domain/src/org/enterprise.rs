//! 企业 as entered by a clerk or an import row, and its validation.

use super::*;

/// 企业 as entered by a clerk or an import row, before validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseDraft {
    /// 企业名称
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    /// 地址
    #[serde(default)]
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// 坐标系: WGS84 (default) or GCJ02
    #[serde(default)]
    pub coord_system: Option<String>,
    /// 所属辖区 (街道或社区)
    pub jurisdiction_id: i64,
    /// 所属网格
    #[serde(default)]
    pub grid_id: Option<i64>,
    /// 行业领域
    #[serde(default)]
    pub sectors: Vec<String>,
    /// 规模以上
    #[serde(default)]
    pub above_scale: bool,
    /// 重点企业
    #[serde(default)]
    pub key_enterprise: bool,
    /// 从业人数
    #[serde(default)]
    pub employees: i64,
    /// 法定代表人
    #[serde(default)]
    pub legal_representative: String,
    /// 安全负责人
    #[serde(default)]
    pub safety_manager: String,
    /// 联系电话
    #[serde(default)]
    pub contact_phone: String,
}

/// What places an enterprise under supervision: its 属地 and 网格, its 行业领域 (which department
/// sees it), 重点企业 and 规上 (which plans count it), and its credit code. Changing any of it
/// takes `Action::UpdateEnterprisePlacement`: an enterprise account that changed its own sectors
/// took itself, its risk points and its major hazard sources out of its department's sight.
#[derive(Debug, Clone, Copy)]
pub struct Supervision<'a> {
    pub jurisdiction_id: i64,
    pub grid_id: Option<i64>,
    pub sectors: &'a [String],
    pub key_enterprise: bool,
    pub above_scale: bool,
    pub credit_code: &'a str,
}

impl Supervision<'_> {
    /// Whether `after` places the enterprise elsewhere than `self` (sectors as a set).
    pub fn moved_by(&self, after: &Supervision<'_>) -> bool {
        let set = |s: &[String]| s.iter().map(|x| x.trim().to_string()).collect::<std::collections::BTreeSet<_>>();
        self.jurisdiction_id != after.jurisdiction_id
            || self.grid_id != after.grid_id
            || set(self.sectors) != set(after.sectors)
            || self.key_enterprise != after.key_enterprise
            || self.above_scale != after.above_scale
            || self.credit_code.trim() != after.credit_code.trim()
    }
}

impl EnterpriseDraft {
    pub fn supervision(&self) -> Supervision<'_> {
        Supervision {
            jurisdiction_id: self.jurisdiction_id,
            grid_id: self.grid_id,
            sectors: &self.sectors,
            key_enterprise: self.key_enterprise,
            above_scale: self.above_scale,
            credit_code: &self.credit_code,
        }
    }
}

/// A draft that passed every rule that needs no database.
#[derive(Debug, Clone)]
pub struct ValidEnterprise {
    pub draft: EnterpriseDraft,
    pub credit_code: CreditCode,
    pub coord_system: CoordSystem,
}

impl EnterpriseDraft {
    /// Trims text fields and checks every field, collecting all errors so a clerk sees them at once.
    pub fn validate(mut self) -> Result<ValidEnterprise, Vec<FieldError>> {
        let mut errors = vec![];
        for f in [
            &mut self.name,
            &mut self.address,
            &mut self.legal_representative,
            &mut self.safety_manager,
            &mut self.contact_phone,
        ] {
            *f = f.trim().to_string();
        }
        use crate::text::{single_line, MAX_NAME, MAX_TEXT};
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "企业名称不能为空"));
        } else {
            single_line("name", "企业名称", &self.name, MAX_NAME, &mut errors);
        }
        single_line("address", "地址", &self.address, MAX_TEXT / 10, &mut errors);
        single_line("legal_representative", "法定代表人", &self.legal_representative, MAX_NAME, &mut errors);
        single_line("safety_manager", "安全负责人", &self.safety_manager, MAX_NAME, &mut errors);
        let code = CreditCode::parse(&self.credit_code).map_err(|e| errors.push(e)).ok();
        match (self.longitude, self.latitude) {
            (Some(lon), Some(lat)) => {
                if let Err(e) = validate_coordinates(lon, lat) {
                    errors.push(e)
                }
            }
            (None, None) => {}
            _ => errors.push(FieldError::new("longitude", "经度和纬度须同时填写")),
        }
        let coord_system = CoordSystem::parse(self.coord_system.as_deref().unwrap_or("WGS84")).unwrap_or_else(|| {
            errors.push(FieldError::new("coord_system", "坐标系只能是 WGS84 或 GCJ02"));
            CoordSystem::Wgs84
        });
        if let Err(e) = validate_sectors("sectors", &self.sectors) {
            errors.push(e);
        }
        if !(0..=1_000_000).contains(&self.employees) {
            errors.push(FieldError::new("employees", "从业人数应在0至1000000之间"));
        }
        if !self.contact_phone.is_empty() {
            if let Err(e) = validate_phone("contact_phone", &self.contact_phone) {
                errors.push(e);
            }
        }
        match code {
            Some(credit_code) if errors.is_empty() => Ok(ValidEnterprise {
                credit_code,
                coord_system,
                draft: EnterpriseDraft { coord_system: Some(coord_system.as_str().into()), ..self },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> EnterpriseDraft {
        EnterpriseDraft {
            name: " 常州某化工有限公司 ".into(),
            credit_code: "91350100M000100Y43".into(),
            longitude: Some(119.97),
            latitude: Some(31.86),
            jurisdiction_id: 3,
            sectors: vec!["危险化学品".into()],
            employees: 120,
            contact_phone: "13912345678".into(),
            ..Default::default()
        }
    }

    #[test]
    fn placement_is_where_supervision_looks() {
        let d = draft();
        let same = EnterpriseDraft { employees: 999, sectors: vec![" 危险化学品".into()], ..draft() };
        assert!(!d.supervision().moved_by(&same.supervision()), "staff numbers and spacing move nothing");
        for moved in [
            EnterpriseDraft { sectors: vec!["工贸".into()], ..draft() },
            EnterpriseDraft { sectors: vec!["危险化学品".into(), "工贸".into()], ..draft() },
            EnterpriseDraft { key_enterprise: true, ..draft() },
            EnterpriseDraft { above_scale: true, ..draft() },
            EnterpriseDraft { grid_id: Some(9), ..draft() },
            EnterpriseDraft { jurisdiction_id: 4, ..draft() },
        ] {
            assert!(d.supervision().moved_by(&moved.supervision()), "{moved:?}");
        }
    }

    #[test]
    fn valid_draft_is_trimmed() {
        let v = draft().validate().unwrap();
        assert_eq!(v.draft.name, "常州某化工有限公司");
        assert_eq!(v.coord_system, CoordSystem::Wgs84);
    }

    #[test]
    fn all_errors_are_reported_together() {
        let d = EnterpriseDraft {
            name: "".into(),
            credit_code: "123".into(),
            longitude: Some(200.0),
            latitude: Some(31.0),
            sectors: vec![],
            ..draft()
        };
        let errs = d.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "credit_code", "longitude", "sectors"]);
    }
}
