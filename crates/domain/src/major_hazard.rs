//! Major hazard sources (重大危险源) as an enterprise registers its identification units: parsed
//! here, identified and graded per GB 18218-2018 (`risk::assess_major_hazard`), so the store
//! writes a unit with its result and never computes one.

use crate::risk::{assess_major_hazard, MajorHazardResult, SubstanceInput, UnitKind};
use crate::text::{single_line, MAX_CODE, MAX_NAME};
use crate::FieldError;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    pub enterprise_id: i64,
    pub name: String,
    pub unit_kind: UnitKind,
    pub substances: Vec<SubstanceInput>,
    pub exposed_people: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcePatch {
    pub name: Option<String>,
    pub unit_kind: Option<UnitKind>,
    pub substances: Option<Vec<SubstanceInput>>,
    pub exposed_people: Option<i64>,
    pub version: i64,
}

/// An identification unit that keeps every rule, with its identification and grading.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSource {
    pub enterprise_id: i64,
    /// 单元名称 (trimmed)
    pub name: String,
    pub unit_kind: UnitKind,
    /// The substances as entered, their texts trimmed
    pub substances: Vec<SubstanceInput>,
    pub exposed_people: i64,
    pub result: MajorHazardResult,
}

impl SourceInput {
    /// Checks the unit's name, the texts of its substances and everything the calculator needs,
    /// naming every field at fault at once (`name`, `substances[1].category`, …).
    pub fn validate(self) -> Result<ValidSource, Vec<FieldError>> {
        let mut errs = vec![];
        let name = single_line("name", "单元名称", &self.name, MAX_NAME, &mut errs);
        if name.is_empty() {
            errs.push(FieldError::new("name", "请填写单元名称"));
        }
        let substances: Vec<SubstanceInput> = self
            .substances
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let f = |k: &str| format!("substances[{i}].{k}");
                SubstanceInput {
                    name: s.name.as_deref().map(|v| single_line(&f("name"), "物质名称", v, MAX_NAME, &mut errs)),
                    cas: s.cas.as_deref().map(|v| single_line(&f("cas"), "CAS号", v, MAX_CODE, &mut errs)),
                    category: s
                        .category
                        .as_deref()
                        .map(|v| single_line(&f("category"), "危险性类别", v, MAX_CODE, &mut errs)),
                    quantity_t: s.quantity_t,
                }
            })
            .collect();
        let result = assess_major_hazard(self.unit_kind, &substances, self.exposed_people)
            .map_err(|mut e| errs.append(&mut e))
            .ok();
        match result {
            Some(result) if errs.is_empty() => Ok(ValidSource {
                enterprise_id: self.enterprise_id,
                name,
                unit_kind: self.unit_kind,
                substances,
                exposed_people: self.exposed_people,
                result,
            }),
            _ => Err(errs),
        }
    }
}

impl SourcePatch {
    /// The unit as the patch leaves it: the fields sent, the others as they are now.
    pub fn apply_to(self, now: SourceInput) -> SourceInput {
        SourceInput {
            enterprise_id: now.enterprise_id,
            name: self.name.unwrap_or(now.name),
            unit_kind: self.unit_kind.unwrap_or(now.unit_kind),
            substances: self.substances.unwrap_or(now.substances),
            exposed_people: self.exposed_people.unwrap_or(now.exposed_people),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(name: &str, category: &str, q: f64) -> SubstanceInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        SubstanceInput { name: opt(name), cas: None, category: opt(category), quantity_t: q }
    }

    fn methanol_tanks() -> SourceInput {
        SourceInput {
            enterprise_id: 12,
            name: " 甲醇罐区 ".into(),
            unit_kind: UnitKind::Storage,
            substances: vec![sub(" 甲醇 ", "W5.3", 1200.0), sub("苯", "W5.3", 40.0)],
            exposed_people: 45,
        }
    }

    #[test]
    fn a_unit_is_identified_and_graded_on_validation() {
        let v = methanol_tanks().validate().unwrap();
        assert_eq!((v.name.as_str(), v.substances[0].name.as_deref()), ("甲醇罐区", Some("甲醇")));
        // 甲醇 Q = 500 t (表1): S = 1200/500 + 40/50 = 3.2 → a major hazard source.
        assert!(v.result.is_major, "{:?}", v.result);
        assert_eq!(v.result.s, 3.2);
        assert!(v.result.grade.is_some());
    }

    #[test]
    fn the_name_and_the_substances_are_named_together() {
        let mut i = methanol_tanks();
        i.name = "   ".into();
        i.substances.push(sub("", "", 3.0));
        let e = i.validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "substances[2].name"]);
        assert_eq!(e[0].message, "请填写单元名称");
    }

    #[test]
    fn long_texts_are_refused_by_field() {
        let mut i = methanol_tanks();
        i.name = "罐".repeat(101);
        i.substances[1].cas = Some("7".repeat(51));
        let e = i.validate().unwrap_err();
        assert_eq!(e[0], FieldError::new("name", "单元名称不能超过100字"));
        assert_eq!(e[1].field, "substances[1].cas");
    }

    #[test]
    fn a_patch_changes_only_what_it_sends() {
        let p = SourcePatch { name: None, unit_kind: None, substances: None, exposed_people: Some(120), version: 2 };
        let v = p.apply_to(methanol_tanks()).validate().unwrap();
        assert_eq!((v.name.as_str(), v.exposed_people, v.result.alpha), ("甲醇罐区", 120, 2.0));
    }
}
