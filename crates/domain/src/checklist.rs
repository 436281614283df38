//! Self-inspection checklists (自查清单). The official 重大事故隐患判定标准 are built in, read from
//! `reference/hazard_rules.json`; a finding ticked against one of their items is 重大.

use serde::{Deserialize, Serialize};

/// The reference file, compiled in (shared/reference/hazard_rules.json, copied into the crate).
const HAZARD_RULES: &str = include_str!("../data/hazard_rules.json");

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
}
