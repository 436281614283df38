//! Identification and grading of major hazard sources per GB 18218-2018
//! (危险化学品重大危险源辨识).

use super::*;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One chemical of GB 18218-2018 Table 1.
#[derive(Debug, Clone)]
pub struct NamedChemical {
    pub name: String,
    pub aliases: Vec<String>,
    pub cas: String,
    pub critical_t: f64,
}

/// The tables of GB 18218-2018.
pub struct Gb18218 {
    pub named: Vec<NamedChemical>,
    /// Table 2: category symbol → (category, description, critical quantity t)
    pub categories: Vec<(String, String, String, f64)>,
    /// Table 3: named toxic gas → β
    pub toxic_beta: Vec<(String, f64)>,
    /// Table 4: category symbol → β
    pub category_beta: Vec<(String, f64)>,
    /// Table 5: (min people, α), highest first
    pub alpha: Vec<(i64, f64)>,
    /// Table 6: (grade, R lower bound inclusive), highest first
    pub grades: Vec<(String, f64)>,
}

pub fn gb18218() -> &'static Gb18218 {
    static T: OnceLock<Gb18218> = OnceLock::new();
    T.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(GB18218).expect("gb18218_2018.json is valid");
        let arr = |k: &str| v[k]["entries"].as_array().cloned().unwrap_or_default();
        let s = |x: &serde_json::Value, k: &str| x[k].as_str().unwrap_or("").to_string();
        let f = |x: &serde_json::Value, k: &str| x[k].as_f64().unwrap_or(0.0);
        let mut alpha: Vec<(i64, f64)> = arr("table5_alpha_exposed_people")
            .iter()
            .map(|e| (e["min"].as_i64().unwrap_or(0), f(e, "alpha")))
            .collect();
        alpha.sort_by_key(|a| std::cmp::Reverse(a.0));
        let mut grades: Vec<(String, f64)> = arr("table6_grading")
            .iter()
            .map(|e| (s(e, "level"), e["r_min_inclusive"].as_f64().unwrap_or(f64::NEG_INFINITY)))
            .collect();
        grades.sort_by(|a, b| b.1.total_cmp(&a.1));
        Gb18218 {
            named: arr("table1_named_chemicals")
                .iter()
                .map(|e| NamedChemical {
                    name: s(e, "name"),
                    aliases: e["aliases"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                        .unwrap_or_default(),
                    cas: s(e, "cas"),
                    critical_t: f(e, "critical_quantity_t"),
                })
                .collect(),
            categories: arr("table2_categories")
                .iter()
                .map(|e| (s(e, "symbol"), s(e, "category"), s(e, "description"), f(e, "critical_quantity_t")))
                .collect(),
            toxic_beta: arr("table3_beta_toxic_gases").iter().map(|e| (s(e, "name"), f(e, "beta"))).collect(),
            category_beta: arr("table4_beta_categories").iter().map(|e| (s(e, "symbol"), f(e, "beta"))).collect(),
            alpha,
            grades,
        }
    })
}

/// 辨识单元: 生产单元 or 储存单元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Production,
    Storage,
}

/// A substance present in a unit: named (by CAS or name) and/or by hazard category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubstanceInput {
    pub name: Option<String>,
    pub cas: Option<String>,
    /// Hazard category symbol of Table 2/4, e.g. `W5.3`, `J1`
    pub category: Option<String>,
    /// 实际存在量 q, in tonnes
    pub quantity_t: f64,
}

/// One term of S and R, to show the working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Term {
    pub substance: String,
    /// q (t)
    pub q: f64,
    /// Q (t)
    pub critical_q: f64,
    /// Where Q comes from: 表1 or 表2 with the category
    pub critical_q_source: String,
    pub beta: f64,
    /// Where β comes from: 表3 or 表4
    pub beta_source: String,
    /// q / Q
    pub ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MajorHazardResult {
    /// S = Σ q/Q
    pub s: f64,
    /// S ≥ 1
    pub is_major: bool,
    /// R = α Σ β q/Q
    pub r: f64,
    pub alpha: f64,
    /// 一级…四级 when it is a major hazard source
    pub grade: Option<String>,
    pub terms: Vec<Term>,
}

fn norm(s: &str) -> String {
    s.trim().replace(['（', '）'], "").replace(['(', ')'], "")
}

/// A Table 1 name without its qualification: `硝酸铵(含可燃物≤0.2%)` → `硝酸铵`.
fn stem(name: &str) -> &str {
    name.split(['(', '（', '[']).next().unwrap_or(name).trim()
}

/// Whether a (normalised) name given by the user names this entry by an alias or by its stem.
fn loosely_named(c: &NamedChemical, name: &str) -> bool {
    c.aliases.iter().any(|a| norm(a) == name) || norm(stem(&c.name)) == name
}

/// Of the Table 1 entries that match, the one whose full (normalised) name is given; else the
/// strictest of those named by an alias or stem; else the strictest.
fn pick_entry<'a>(found: Vec<&'a NamedChemical>, name: Option<&str>) -> Option<&'a NamedChemical> {
    let strictest = |v: Vec<&'a NamedChemical>| v.into_iter().min_by(|a, b| a.critical_t.total_cmp(&b.critical_t));
    if let Some(n) = name {
        if let Some(c) = found.iter().find(|c| norm(&c.name) == n) {
            return Some(c);
        }
        let loose: Vec<&NamedChemical> = found.iter().copied().filter(|c| loosely_named(c, n)).collect();
        if !loose.is_empty() {
            return strictest(loose);
        }
    }
    strictest(found)
}

impl Gb18218 {
    /// A Table 1 chemical by CAS first, then by name, alias or the name without its qualification
    /// (`硝酸铵` for both 硝酸铵 entries). Some entries share a CAS number, an alias or a stem
    /// (硝酸铵 by combustible content, 硝化纤维素 by nitrogen, water or alcohol): the entry whose
    /// full name is given wins, otherwise the strictest (smallest critical quantity), which errs on
    /// the side of safety and shows in the term so the clerk can name it exactly.
    pub fn find_named(&self, name: Option<&str>, cas: Option<&str>) -> Option<&NamedChemical> {
        let name = name.map(norm).filter(|n| !n.is_empty());
        if let Some(cas) = cas.map(str::trim).filter(|c| !c.is_empty()) {
            let by_cas: Vec<&NamedChemical> = self.named.iter().filter(|c| c.cas == cas).collect();
            if !by_cas.is_empty() {
                return pick_entry(by_cas, name.as_deref());
            }
        }
        let n = name.as_deref()?;
        pick_entry(self.named.iter().filter(|c| norm(&c.name) == n || loosely_named(c, n)).collect(), Some(n))
    }

    /// β of a Table 1 chemical that is one of the toxic gases of Table 3.
    pub fn toxic_beta_of(&self, n: &NamedChemical) -> Option<f64> {
        self.toxic_beta
            .iter()
            .find(|(gas, _)| norm(gas) == norm(&n.name) || n.aliases.iter().any(|a| norm(a) == norm(gas)))
            .map(|g| g.1)
    }

    /// α for the people exposed within 500 m of the unit.
    pub fn alpha_for(&self, people: i64) -> f64 {
        self.alpha.iter().find(|(min, _)| people >= *min).map(|a| a.1).unwrap_or(0.5)
    }

    pub fn grade_for(&self, r: f64) -> String {
        self.grades.iter().find(|(_, min)| r >= *min).map(|g| g.0.clone()).unwrap_or_default()
    }
}

/// Identification (S = Σ q/Q) and grading (R = α Σ β q/Q) of a unit, per GB 18218-2018. A
/// chemical named in Table 1 takes its Table 1 critical quantity even when a category is also
/// given; β comes from Table 3 for the named toxic gases, otherwise from the category (Table 4),
/// so a named chemical outside Table 3 needs its category.
pub fn assess_major_hazard(
    _unit: UnitKind,
    substances: &[SubstanceInput],
    exposed_people: i64,
) -> Result<MajorHazardResult, Vec<FieldError>> {
    let t = gb18218();
    let mut errs = vec![];
    let mut terms = vec![];
    if substances.is_empty() {
        errs.push(FieldError::new("substances", "请至少填写一种危险化学品"));
    }
    if exposed_people < 0 {
        errs.push(FieldError::new("exposed_people", "暴露人数不能为负"));
    }
    for (i, s) in substances.iter().enumerate() {
        let field = |k: &str| format!("substances[{i}].{k}");
        if !(s.quantity_t.is_finite() && s.quantity_t >= 0.0) {
            errs.push(FieldError::new(field("quantity_t"), "实际存在量应为不小于0的吨数"));
            continue;
        }
        let named = t.find_named(s.name.as_deref(), s.cas.as_deref());
        let category = s.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(|c| c.to_ascii_uppercase());
        let cat_row = category.as_deref().and_then(|c| t.categories.iter().find(|r| r.0 == c));
        if category.is_some() && cat_row.is_none() {
            errs.push(FieldError::new(
                field("category"),
                format!("未知的危险性类别「{}」（应为表2中的 J1…J5、W1.1…W11）", category.as_deref().unwrap_or("")),
            ));
            continue;
        }
        let label = named
            .map(|n| n.name.clone())
            .or_else(|| s.name.clone().filter(|n| !n.trim().is_empty()))
            .or_else(|| cat_row.map(|c| format!("{}（{}）", c.1, c.0)))
            .unwrap_or_else(|| format!("第{}项", i + 1));
        let (critical_q, q_source) = match (named, cat_row) {
            (Some(n), _) => (n.critical_t, "表1".to_string()),
            (None, Some(c)) => (c.3, format!("表2 {}", c.0)),
            (None, None) => {
                let what = if s.name.is_some() || s.cas.is_some() {
                    "该物质不在表1中，请填写其危险性类别（表2）"
                } else {
                    "请填写物质名称、CAS号或危险性类别"
                };
                errs.push(FieldError::new(
                    field(if s.name.is_some() || s.cas.is_some() { "category" } else { "name" }),
                    format!("「{label}」：{what}"),
                ));
                continue;
            }
        };
        let toxic = named.and_then(|n| t.toxic_beta_of(n));
        let (beta, beta_source) = match (toxic, cat_row) {
            (Some(b), _) => (b, "表3".to_string()),
            (None, Some(c)) => match t.category_beta.iter().find(|(sym, _)| *sym == c.0) {
                Some((_, b)) => (*b, format!("表4 {}", c.0)),
                None => {
                    errs.push(FieldError::new(field("category"), format!("类别 {} 在表4中没有校正系数β", c.0)));
                    continue;
                }
            },
            (None, None) => {
                errs.push(FieldError::new(
                    field("category"),
                    format!("「{label}」不是表3所列毒性气体，须填写危险性类别以确定校正系数β（表4）"),
                ));
                continue;
            }
        };
        terms.push(Term {
            substance: label,
            q: s.quantity_t,
            critical_q,
            critical_q_source: q_source,
            beta,
            beta_source,
            ratio: s.quantity_t / critical_q,
        });
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let s_sum: f64 = terms.iter().map(|t| t.ratio).sum();
    let alpha = t.alpha_for(exposed_people);
    let r = alpha * terms.iter().map(|t| t.beta * t.ratio).sum::<f64>();
    let is_major = s_sum >= 1.0 - 1e-12;
    Ok(MajorHazardResult {
        s: round(s_sum),
        is_major,
        r: round(r),
        alpha,
        grade: is_major.then(|| t.grade_for(round(r))),
        terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(name: &str, cas: &str, category: &str, q: f64) -> SubstanceInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        SubstanceInput { name: opt(name), cas: opt(cas), category: opt(category), quantity_t: q }
    }

    #[test]
    fn chlorine_alone_at_its_critical_quantity_is_a_major_hazard() {
        // 氯: Q = 5 t (表1), β = 4 (表3). q = 5 t → S = 1 (以上 includes) → a major hazard source.
        let r = assess_major_hazard(UnitKind::Storage, &[sub("液氯", "", "", 5.0)], 0).unwrap();
        assert_eq!(r.terms[0].critical_q, 5.0);
        assert_eq!(r.terms[0].beta, 4.0);
        assert_eq!(r.s, 1.0);
        assert!(r.is_major);
        // α = 0.5 with nobody within 500 m: R = 0.5 × 4 × 1 = 2 → 四级.
        assert_eq!((r.alpha, r.r, r.grade.as_deref()), (0.5, 2.0, Some("四级")));
        let below = assess_major_hazard(UnitKind::Storage, &[sub("氯", "", "", 4.99)], 0).unwrap();
        assert!(!below.is_major);
        assert_eq!(below.grade, None);
    }

    #[test]
    fn named_chemical_keeps_table_1_even_with_a_category_and_cas_wins() {
        // 氨 by CAS with a (wrong) category: Q stays 10 t from 表1; β 2 from 表3.
        let r = assess_major_hazard(UnitKind::Storage, &[sub("随便写的名字", "7664-41-7", "W2", 12.0)], 120).unwrap();
        let t = &r.terms[0];
        assert_eq!((t.substance.as_str(), t.critical_q, t.beta), ("氨", 10.0, 2.0));
        assert_eq!(t.critical_q_source, "表1");
        assert_eq!(r.alpha, 2.0);
        assert_eq!(r.r, 2.0 * 2.0 * 1.2);
    }

    #[test]
    fn entries_sharing_a_cas_take_the_named_one_else_the_strictest() {
        let t = gb18218();
        let an = |name: &str| t.find_named(Some(name), Some("6484-52-2")).map(|c| c.critical_t);
        assert_eq!(an("硝酸铵(含可燃物≤0.2%)"), Some(50.0));
        assert_eq!(an("硝酸铵"), Some(5.0), "not told the combustible content: the stricter entry");
        assert_eq!(t.find_named(Some("硝化棉"), None).map(|c| c.critical_t), Some(1.0));
        // A plain name finds the qualified entries (not the far larger 表2 quantity of its category).
        assert_eq!(t.find_named(Some("硝酸铵"), None).map(|c| c.critical_t), Some(5.0));
        assert_eq!(t.find_named(Some("硝化纤维素"), None).map(|c| c.critical_t), Some(1.0));
        assert_eq!(
            t.find_named(Some("硝酸铵肥料"), None).map(|c| c.critical_t),
            Some(200.0),
            "a stem names only its own entries"
        );
        // With a shared CAS, an alias picks among the entries that carry it.
        assert_eq!(t.find_named(Some("硝化棉溶液"), Some("9004-70-0")).map(|c| c.critical_t), Some(50.0));
        assert_eq!(t.find_named(Some("硝化纤维素(含乙醇≥25%)"), None).map(|c| c.critical_t), Some(10.0));
    }

    #[test]
    fn the_tianjin_port_warehouse_was_a_major_hazard_source() {
        // 天津港"8·12"瑞海公司危险品仓库特别重大火灾爆炸事故 (2015): the investigation report lists
        // among the goods in store about 800 t of ammonium nitrate, 680.5 t of sodium cyanide and
        // 229.37 t of nitrocellulose. Taking the most lenient entries — 硝酸铵 with ≤0.2 % combustibles
        // (Q 50 t), 硝化棉 wetted with ≥25 % alcohol (Q 10 t) — and sodium cyanide, which is not in
        // 表1, by its category J2 (acute toxicity cat. 1, solid: Q 50 t):
        let goods = [
            sub("硝酸铵(含可燃物≤0.2%)", "6484-52-2", "W9.2", 800.0),
            sub("氰化钠", "143-33-9", "J2", 680.5),
            sub("硝化纤维素(含乙醇≥25%)", "9004-70-0", "W10", 229.37),
        ];
        // S = 800/50 + 680.5/50 + 229.37/10 = 16 + 13.61 + 22.937 = 52.547: fifty times the threshold.
        let nobody = assess_major_hazard(UnitKind::Storage, &goods, 0).unwrap();
        assert_eq!(nobody.s, 52.547);
        assert!(nobody.is_major);
        assert_eq!(nobody.terms[1].critical_q_source, "表2 J2");
        // All β are 1 (表4 W9.2, J2, W10): R = α × 52.547. Even with nobody within 500 m (α 0.5) it is
        // 三级; with the port's workers and neighbours (100 or more, α 2) it is 一级.
        assert_eq!((nobody.r, nobody.grade.as_deref()), (26.2735, Some("三级")));
        let crowded = assess_major_hazard(UnitKind::Storage, &goods, 100).unwrap();
        assert_eq!((crowded.r, crowded.grade.as_deref()), (105.094, Some("一级")));
    }

    #[test]
    fn mixture_of_named_and_category_substances() {
        // The example: 氯 10 t (Q 5, β 4) and W5.3 300 t (Q 1000, β 1), 120 people (α 2).
        let r = assess_major_hazard(
            UnitKind::Storage,
            &[sub("氯", "7782-50-5", "", 10.0), sub("", "", "W5.3", 300.0)],
            120,
        )
        .unwrap();
        assert_eq!(r.terms[1].critical_q, 1000.0);
        assert_eq!(r.terms[1].beta_source, "表4 W5.3");
        assert_eq!(r.s, 2.3); // 10/5 + 300/1000
        assert_eq!(r.r, 2.0 * (4.0 * 2.0 + 1.0 * 0.3)); // 16.6
        assert_eq!(r.grade.as_deref(), Some("三级"));
    }

    #[test]
    fn alpha_boundaries() {
        let t = gb18218();
        let cases =
            [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)];
        for (people, alpha) in cases {
            assert_eq!(t.alpha_for(people), alpha, "{people}");
        }
    }

    #[test]
    fn grade_boundaries_include_the_lower_bound() {
        let t = gb18218();
        let cases = [
            (100.0, "一级"),
            (99.99, "二级"),
            (50.0, "二级"),
            (49.99, "三级"),
            (10.0, "三级"),
            (9.99, "四级"),
            (1.0, "四级"),
        ];
        for (r, g) in cases {
            assert_eq!(t.grade_for(r), g, "R={r}");
        }
    }

    #[test]
    fn missing_category_or_unknown_substance_is_named() {
        // 苯 is not in 表3: without a category there is no β.
        let e = assess_major_hazard(UnitKind::Storage, &[sub("甲苯", "", "", 100.0)], 10).unwrap_err();
        assert_eq!(e[0].field, "substances[0].category");
        let e = assess_major_hazard(UnitKind::Production, &[sub("", "", "W99", 1.0)], 10).unwrap_err();
        assert!(e[0].message.contains("W99"));
        let e = assess_major_hazard(UnitKind::Production, &[sub("", "", "", 1.0)], 10).unwrap_err();
        assert_eq!(e[0].field, "substances[0].name");
        assert!(assess_major_hazard(UnitKind::Production, &[], 10).is_err());
    }
}
