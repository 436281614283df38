//! Self-inspection checklists (自查清单). The official 重大事故隐患判定标准 are built in, read from
//! `reference/hazard_rules.json`; a finding ticked against one of their items is 重大.

use crate::auth::Role;
use crate::hazard::{HazardGrade, HazardSource};
use crate::text::{bounded, single_line, MAX_CODE, MAX_NAME, MAX_TEXT};
use crate::time::LocalDate;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// The reference file, compiled in (shared/reference/hazard_rules.json, copied into the crate).
const HAZARD_RULES: &str = include_str!("../data/hazard_rules.json");

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Code within the template, e.g. `GM-粉尘-3`
    pub code: String,
    pub text: String,
    /// An item of an official 判定标准: a finding against it is a 重大 hazard.
    pub major: bool,
}

/// A built-in template.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltinChecklist {
    pub name: String,
    /// The sector it is for (DOMAIN.md §1 names)
    pub sector: &'static str,
    /// The document it comes from
    pub basis: String,
    pub items: Vec<ChecklistItem>,
}

/// Which of our sectors a group of the 工贸 2017 standard applies to.
fn gongmao_sector(group: &str) -> &'static str {
    match group {
        "存在粉尘爆炸危险的行业领域" => "粉尘涉爆",
        "使用液氨制冷的行业领域" => "涉氨制冷",
        "有限空间作业相关的行业领域" => "有限空间",
        "冶金行业" | "有色行业" => "金属冶炼",
        "纺织行业" => "劳动密集型加工",
        _ => "其他工贸",
    }
}

fn short(group: &str) -> String {
    group.trim_start_matches("存在").trim_start_matches("使用").chars().take(4).collect()
}

/// The official criteria as checklists: 化工和危险化学品 (20 items) and the 工贸 2017 groups.
pub fn builtin() -> Vec<BuiltinChecklist> {
    let v: serde_json::Value = serde_json::from_str(HAZARD_RULES).expect("reference file is valid JSON");
    let mut out = vec![];
    let chem = &v["chem_major_hazard_criteria"];
    let items = chem["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    out.push(BuiltinChecklist {
        name: "化工和危险化学品重大生产安全事故隐患判定标准".into(),
        sector: "危险化学品",
        basis: format!("{}（{}）", chem["title"].as_str().unwrap_or(""), chem["doc_no"].as_str().unwrap_or("")),
        items: items
            .iter()
            .enumerate()
            .map(|(i, t)| ChecklistItem {
                code: format!("HG-{}", i + 1),
                text: t.as_str().unwrap_or("").into(),
                major: true,
            })
            .collect(),
    });
    let gm = &v["gongmao_2017_criteria"];
    let basis = format!("{}（{}）", gm["title"].as_str().unwrap_or(""), gm["doc_no"].as_str().unwrap_or(""));
    for kind in ["专项类", "行业类"] {
        if let Some(groups) = gm["items"][kind].as_object() {
            for (group, items) in groups {
                let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
                out.push(BuiltinChecklist {
                    name: format!("工贸行业重大事故隐患判定标准 · {group}"),
                    sector: gongmao_sector(group),
                    basis: basis.clone(),
                    items: items
                        .iter()
                        .enumerate()
                        .map(|(i, t)| ChecklistItem {
                            code: format!("GM-{}-{}", short(group), i + 1),
                            text: t.as_str().unwrap_or("").into(),
                            major: true,
                        })
                        .collect(),
                });
            }
        }
    }
    out
}

/// The answer to one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Answer {
    #[serde(rename = "符合")]
    Compliant,
    #[serde(rename = "不符合")]
    NonCompliant,
    #[serde(rename = "不适用")]
    NotApplicable,
}

/// A custom template (企业或部门自定义).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistInput {
    pub name: String,
    pub sector: String,
    #[serde(default)]
    pub basis: String,
    /// Items; `major` marks an item whose finding is a 重大 hazard
    pub items: Vec<ChecklistItem>,
}

/// A custom template that keeps every rule, its texts trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidChecklist {
    pub name: String,
    pub sector: String,
    pub basis: String,
    pub items: Vec<ChecklistItem>,
}

impl ChecklistInput {
    /// A name, a known sector, and at least one item, each with a code and a text, no code twice;
    /// every field at fault is named at once.
    pub fn validate(self) -> Result<ValidChecklist, Vec<FieldError>> {
        let mut errs = vec![];
        let name = single_line("name", "清单名称", &self.name, MAX_NAME, &mut errs);
        if name.is_empty() {
            errs.push(FieldError::new("name", "请填写清单名称"));
        }
        if let Err(e) = crate::org::validate_sectors("sector", std::slice::from_ref(&self.sector)) {
            errs.push(e);
        }
        let basis = bounded("basis", "依据", &self.basis, MAX_TEXT, &mut errs);
        let items: Vec<ChecklistItem> = self
            .items
            .into_iter()
            .enumerate()
            .map(|(i, it)| ChecklistItem {
                code: single_line(&format!("items[{i}].code"), "检查项编号", &it.code, MAX_CODE, &mut errs),
                text: bounded(&format!("items[{i}].text"), "检查项内容", &it.text, MAX_TEXT, &mut errs),
                major: it.major,
            })
            .collect();
        if items.is_empty() || items.iter().any(|i| i.text.is_empty() || i.code.is_empty()) {
            errs.push(FieldError::new("items", "清单至少一项，每项须有编号和内容"));
        }
        let mut codes: Vec<&str> = items.iter().map(|i| i.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            errs.push(FieldError::new("items", "检查项编号不能重复"));
        }
        if errs.is_empty() {
            Ok(ValidChecklist { name, sector: self.sector, basis, items })
        } else {
            Err(errs)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub code: String,
    pub result: Answer,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    pub enterprise_id: i64,
    /// 整改期限 of the hazards found (YYYY-MM-DD)
    pub deadline: String,
    pub answers: Vec<AnswerInput>,
}

/// What the rules of a run need besides the answers: the template, the enterprise, who runs it
/// and the business date.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts<'a> {
    /// The template's sector, 依据 and items
    pub sector: &'a str,
    pub basis: &'a str,
    pub items: &'a [ChecklistItem],
    /// The sectors of the enterprise inspected
    pub enterprise_sectors: &'a [String],
    /// A department's own sectors: the findings must stay in its sight
    pub department_sectors: Option<&'a [String]>,
    /// Who runs the checklist
    pub role: Role,
    /// The business date of the run
    pub today: LocalDate,
}

/// 本周巡查: an enterprise not visited on site (检查, 巡查) within this many days is due a
/// patrol (the 工作台's `not_visited_days=7`).
pub const PATROL_INTERVAL_DAYS: i64 = 7;

/// The category of the hazards a checklist run finds.
pub const FINDING_CATEGORY: &str = "自查清单";

/// A 不符合 answer, as the hazard it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: String,
    /// The item's text, with the inspector's note in brackets
    pub description: String,
    /// 重大 when the item is an official criterion, whatever the inspector thinks
    pub grade: HazardGrade,
    /// The criterion (依据 and item) of a 重大 finding
    pub criterion: Option<String>,
    pub photos: Vec<i64>,
}

/// A run that keeps every rule: the answers as recorded and the hazards they find.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRun {
    pub enterprise_id: i64,
    pub deadline: LocalDate,
    /// 隐患来源 of the findings, by who runs the checklist
    pub source: HazardSource,
    /// The sector the findings are filed under: the template's when the enterprise is in it
    pub sector: String,
    /// Every answer, its note trimmed
    pub answers: Vec<AnswerInput>,
    pub findings: Vec<Finding>,
}

/// 隐患来源 of what a checklist run finds, by the role of who runs it.
pub fn hazard_source_of(role: Role) -> HazardSource {
    match role {
        Role::Enterprise => HazardSource::SelfInspection,
        Role::Grid => HazardSource::GridPatrol,
        Role::Expert => HazardSource::ThirdParty,
        _ => HazardSource::GovernmentInspection,
    }
}

impl RunInput {
    /// A deadline from today on; one answer to every item of the template and none to an item it
    /// has not; notes of at most 2,000 characters. Every 不符合 becomes a [`Finding`].
    pub fn validate(self, f: RunFacts<'_>) -> Result<ValidRun, Vec<FieldError>> {
        let mut errs = vec![];
        let deadline = match self.deadline.trim().parse::<LocalDate>() {
            Ok(d) if d >= f.today => Some(d),
            _ => {
                errs.push(FieldError::new("deadline", "整改期限应为今天或以后的日期（YYYY-MM-DD）"));
                None
            }
        };
        let mut answers: Vec<AnswerInput> = vec![];
        for (i, a) in self.answers.into_iter().enumerate() {
            if !f.items.iter().any(|it| it.code == a.code) {
                errs.push(FieldError::new(format!("answers[{i}].code"), format!("清单中没有检查项 {}", a.code)));
            } else if answers.iter().any(|b| b.code == a.code) {
                errs.push(FieldError::new(format!("answers[{i}].code"), format!("检查项 {} 重复作答", a.code)));
            }
            let note = bounded(&format!("answers[{i}].note"), "说明", &a.note, MAX_TEXT, &mut errs);
            answers.push(AnswerInput { note, ..a });
        }
        for it in f.items {
            if !answers.iter().any(|a| a.code == it.code) {
                errs.push(FieldError::new("answers", format!("检查项 {} 未作答", it.code)));
            }
        }
        let Some(deadline) = deadline.filter(|_| errs.is_empty()) else { return Err(errs) };
        let findings = answers
            .iter()
            .filter(|a| a.result == Answer::NonCompliant)
            .filter_map(|a| f.items.iter().find(|it| it.code == a.code).map(|it| (a, it)))
            .map(|(a, it)| Finding {
                code: it.code.clone(),
                description: if a.note.is_empty() { it.text.clone() } else { format!("{}（{}）", it.text, a.note) },
                grade: if it.major { HazardGrade::Major } else { HazardGrade::General },
                criterion: it.major.then(|| format!("{} {}：{}", f.basis, it.code, it.text)),
                photos: a.photos.clone(),
            })
            .collect();
        // The findings' sector: the template's when the enterprise has it, else the enterprise's
        // first — for a department, only among its own sectors (a finding filed under another
        // sector would leave its sight the moment it is saved).
        let own = |s: &String| f.department_sectors.is_none_or(|d| d.contains(s));
        let sector = f
            .enterprise_sectors
            .iter()
            .find(|s| *s == f.sector && own(s))
            .or_else(|| f.enterprise_sectors.iter().find(|s| own(s)))
            .cloned();
        let Some(sector) = sector else {
            return Err(vec![FieldError::new("enterprise_id", "该企业的行业不在本部门监管范围内")]);
        };
        Ok(ValidRun {
            enterprise_id: self.enterprise_id,
            deadline,
            source: hazard_source_of(f.role),
            sector,
            answers,
            findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_criteria_are_all_there() {
        let all = builtin();
        let chem = all.iter().find(|c| c.sector == "危险化学品").unwrap();
        assert_eq!(chem.items.len(), 20);
        assert!(chem.items[1].text.contains("特种作业人员未持证上岗"));
        let gm: usize = all.iter().filter(|c| c.name.starts_with("工贸")).map(|c| c.items.len()).sum();
        assert_eq!(gm, 59, "工贸 2017: 14 专项类 + 45 行业类");
        let dust = all.iter().find(|c| c.sector == "粉尘涉爆").unwrap();
        assert_eq!(dust.items.len(), 10);
        assert!(all.iter().all(|c| c.items.iter().all(|i| i.major && !i.text.is_empty())));
        let codes: std::collections::HashSet<_> = all.iter().flat_map(|c| c.items.iter().map(|i| &i.code)).collect();
        assert_eq!(codes.len(), 79, "codes are unique");
    }

    fn item(code: &str, text: &str, major: bool) -> ChecklistItem {
        ChecklistItem { code: code.into(), text: text.into(), major }
    }

    fn dust_checklist() -> ChecklistInput {
        ChecklistInput {
            name: " 粉尘涉爆企业日常自查表 ".into(),
            sector: "粉尘涉爆".into(),
            basis: "《粉尘防爆安全规程》GB 15577-2018".into(),
            items: vec![
                item("FC-1", "除尘系统是否按规定设置泄爆、隔爆装置", true),
                item("FC-2", "作业现场积尘是否及时清扫", false),
            ],
        }
    }

    #[test]
    fn a_custom_checklist_is_trimmed() {
        let v = dust_checklist().validate().unwrap();
        assert_eq!(v.name, "粉尘涉爆企业日常自查表");
        assert_eq!(v.items.len(), 2);
    }

    #[test]
    fn every_fault_of_a_checklist_is_named_at_once() {
        let mut c = dust_checklist();
        c.name = " ".into();
        c.sector = "炼丹".into();
        c.items.push(item(" FC-1 ", "重复编号的一项", false));
        c.items.push(item(&"编".repeat(51), "", false));
        let e = c.validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "sector", "items[3].code", "items", "items"]);
        assert_eq!(e[3].message, "清单至少一项，每项须有编号和内容");
        assert_eq!(e[4].message, "检查项编号不能重复");
        let mut c = dust_checklist();
        c.items.clear();
        assert_eq!(c.validate().unwrap_err()[0].field, "items");
    }

    fn answer(code: &str, result: Answer, note: &str) -> AnswerInput {
        AnswerInput { code: code.into(), result, note: note.into(), photos: vec![] }
    }

    fn run(deadline: &str, answers: Vec<AnswerInput>) -> RunInput {
        RunInput { enterprise_id: 7, deadline: deadline.into(), answers }
    }

    fn facts<'a>(items: &'a [ChecklistItem], sectors: &'a [String], role: Role) -> RunFacts<'a> {
        RunFacts {
            sector: "粉尘涉爆",
            basis: "工贸行业重大事故隐患判定标准（应急管理部令第10号）",
            items,
            enterprise_sectors: sectors,
            department_sectors: None,
            role,
            today: "2026-06-16".parse().unwrap(),
        }
    }

    #[test]
    fn a_department_files_findings_under_its_own_sector() {
        let items = dust_checklist().items;
        // 粉尘涉爆 template, an enterprise of 冶金 and 粉尘涉爆, run by the 冶金 department
        let sectors = vec!["冶金".to_string(), "粉尘涉爆".to_string()];
        let own = vec!["冶金".to_string()];
        let answers = items
            .iter()
            .map(|i| AnswerInput {
                code: i.code.clone(),
                result: Answer::Compliant,
                note: String::new(),
                photos: vec![],
            })
            .collect();
        let f = RunFacts { department_sectors: Some(&own), ..facts(&items, &sectors, Role::Department) };
        assert_eq!(run("2026-07-01", answers).validate(f).unwrap().sector, "冶金");
        let answers = items
            .iter()
            .map(|i| AnswerInput {
                code: i.code.clone(),
                result: Answer::Compliant,
                note: String::new(),
                photos: vec![],
            })
            .collect();
        let other = vec!["燃气".to_string()];
        let f = RunFacts { department_sectors: Some(&other), ..facts(&items, &sectors, Role::Department) };
        assert_eq!(run("2026-07-01", answers).validate(f).unwrap_err()[0].field, "enterprise_id");
    }

    #[test]
    fn a_non_compliant_official_item_is_a_major_finding_whatever_the_inspector_thinks() {
        let items = dust_checklist().items;
        let sectors = vec!["其他工贸".to_string(), "粉尘涉爆".to_string()];
        let answers = vec![
            answer("FC-1", Answer::NonCompliant, " 布袋除尘器未设泄爆片 "),
            answer("FC-2", Answer::NonCompliant, ""),
        ];
        let v = run("2026-06-16", answers).validate(facts(&items, &sectors, Role::Enterprise)).unwrap();
        assert_eq!((v.source, v.sector.as_str()), (HazardSource::SelfInspection, "粉尘涉爆"));
        assert_eq!(v.findings.len(), 2);
        let f = &v.findings[0];
        assert_eq!(f.description, "除尘系统是否按规定设置泄爆、隔爆装置（布袋除尘器未设泄爆片）");
        assert_eq!(f.grade, HazardGrade::Major);
        assert_eq!(
            f.criterion.as_deref(),
            Some("工贸行业重大事故隐患判定标准（应急管理部令第10号） FC-1：除尘系统是否按规定设置泄爆、隔爆装置")
        );
        assert_eq!((v.findings[1].grade, v.findings[1].criterion.as_deref()), (HazardGrade::General, None));
    }

    #[test]
    fn compliant_answers_find_nothing_and_the_sector_falls_back_to_the_enterprises_first() {
        let items = dust_checklist().items;
        let sectors = vec!["劳动密集型加工".to_string()];
        let answers = vec![answer("FC-1", Answer::Compliant, ""), answer("FC-2", Answer::NotApplicable, "")];
        let v = run("2026-07-01", answers).validate(facts(&items, &sectors, Role::Grid)).unwrap();
        assert!(v.findings.is_empty());
        assert_eq!((v.source, v.sector.as_str()), (HazardSource::GridPatrol, "劳动密集型加工"));
        assert_eq!(v.deadline.to_string(), "2026-07-01");
    }

    #[test]
    fn every_fault_of_a_run_is_named_at_once() {
        let items = dust_checklist().items;
        let sectors = vec!["粉尘涉爆".to_string()];
        let answers = vec![
            answer("FC-1", Answer::Compliant, ""),
            answer("FC-9", Answer::NonCompliant, ""),
            answer("FC-1", Answer::NonCompliant, &"积".repeat(2001)),
        ];
        // Yesterday in Beijing, an unknown item, an item answered twice with a long note, one unanswered.
        let e = run("2026-06-15", answers).validate(facts(&items, &sectors, Role::Station)).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["deadline", "answers[1].code", "answers[2].code", "answers[2].note", "answers"]);
        assert_eq!(e[4].message, "检查项 FC-2 未作答");
        let e = run("月底前", vec![]).validate(facts(&items, &sectors, Role::Station)).unwrap_err();
        assert_eq!(e[0].message, "整改期限应为今天或以后的日期（YYYY-MM-DD）");
    }

    #[test]
    fn who_runs_the_checklist_decides_the_hazard_source() {
        assert_eq!(hazard_source_of(Role::Enterprise), HazardSource::SelfInspection);
        assert_eq!(hazard_source_of(Role::Grid), HazardSource::GridPatrol);
        assert_eq!(hazard_source_of(Role::Expert), HazardSource::ThirdParty);
        for r in [Role::Admin, Role::Committee, Role::Department, Role::Station] {
            assert_eq!(hazard_source_of(r), HazardSource::GovernmentInspection);
        }
    }
}
