//! Everything the forms and calculators offer and explain (参考表).

use super::*;
use serde::Serialize;
use std::sync::OnceLock;

/// A value of a score table with what it means.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoreOption {
    pub value: f64,
    pub desc: String,
}

/// A Table 1 chemical as the reference tables show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamedChemicalRef {
    pub name: String,
    pub aliases: Vec<String>,
    pub cas: String,
    /// 临界量 Q (t), 表1
    pub critical_q: f64,
    /// β when the chemical is one of the toxic gases of 表3
    pub beta: Option<f64>,
}

/// A hazard category of 表2 with its β of 表4.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryRef {
    pub symbol: String,
    /// 健康危害 / 物理危险
    pub group: String,
    pub category: String,
    pub description: String,
    pub critical_q: f64,
    pub beta: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlphaRef {
    pub label: String,
    /// 最少人数 (inclusive)
    pub min: i64,
    pub alpha: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeRef {
    pub grade: String,
    pub expression: String,
    /// R lower bound (inclusive); null for the lowest grade
    pub r_min: Option<f64>,
}

/// The GB 18218-2018 tables (表1–表6).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Gb18218Ref {
    pub named: Vec<NamedChemicalRef>,
    pub categories: Vec<CategoryRef>,
    pub toxic_gases: Vec<ScoreOption>,
    pub alpha: Vec<AlphaRef>,
    pub grades: Vec<GradeRef>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LecRef {
    pub l: Vec<ScoreOption>,
    pub e: Vec<ScoreOption>,
    pub c: Vec<ScoreOption>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LsRef {
    pub l: Vec<ScoreOption>,
    pub s: Vec<ScoreOption>,
}

/// Everything the forms and calculators offer and explain (参考表), read from the reference
/// files, so clients never keep copies of the standards' tables.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reference {
    pub accident_types: Vec<String>,
    pub point_kinds: Vec<String>,
    pub control_levels: Vec<String>,
    pub lec: LecRef,
    pub ls: LsRef,
    pub gb18218: Gb18218Ref,
}

pub fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| {
        let m: serde_json::Value = serde_json::from_str(RISK_METHODS).expect("risk_methods.json is valid");
        let g: serde_json::Value = serde_json::from_str(GB18218).expect("gb18218_2018.json is valid");
        let options = |v: &serde_json::Value, desc: &str| -> Vec<ScoreOption> {
            let mut out: Vec<ScoreOption> = v["values"]
                .as_array()
                .expect("score table")
                .iter()
                .map(|x| ScoreOption {
                    value: x["score"].as_f64().unwrap_or(0.0),
                    desc: x[desc].as_str().unwrap_or("").to_string(),
                })
                .collect();
            out.sort_by(|a, b| b.value.total_cmp(&a.value));
            out
        };
        let t = gb18218();
        let entries = |k: &str| g[k]["entries"].as_array().cloned().unwrap_or_default();
        let text = |x: &serde_json::Value, k: &str| x[k].as_str().unwrap_or("").to_string();
        Reference {
            accident_types: ACCIDENT_TYPES.iter().map(|s| s.to_string()).collect(),
            point_kinds: POINT_KINDS.iter().map(|s| s.to_string()).collect(),
            control_levels: CONTROL_LEVELS.iter().map(|s| s.to_string()).collect(),
            lec: LecRef {
                l: options(&m["LEC"]["L"], "desc"),
                e: options(&m["LEC"]["E"], "desc"),
                c: options(&m["LEC"]["C"], "desc"),
            },
            ls: LsRef {
                l: options(&m["LS"]["L_criteria_example"], "偏差发生率"),
                s: options(&m["LS"]["S_criteria_example"], "人员"),
            },
            gb18218: Gb18218Ref {
                named: t
                    .named
                    .iter()
                    .map(|n| NamedChemicalRef {
                        name: n.name.clone(),
                        aliases: n.aliases.clone(),
                        cas: n.cas.clone(),
                        critical_q: n.critical_t,
                        beta: t.toxic_beta_of(n),
                    })
                    .collect(),
                categories: entries("table2_categories")
                    .iter()
                    .map(|e| {
                        let symbol = text(e, "symbol");
                        CategoryRef {
                            beta: t.category_beta.iter().find(|(s, _)| *s == symbol).map(|b| b.1),
                            symbol,
                            group: text(e, "group"),
                            category: text(e, "category"),
                            description: text(e, "description"),
                            critical_q: e["critical_quantity_t"].as_f64().unwrap_or(0.0),
                        }
                    })
                    .collect(),
                toxic_gases: t.toxic_beta.iter().map(|(n, b)| ScoreOption { value: *b, desc: n.clone() }).collect(),
                alpha: entries("table5_alpha_exposed_people")
                    .iter()
                    .map(|e| AlphaRef {
                        label: text(e, "label"),
                        min: e["min"].as_i64().unwrap_or(0),
                        alpha: e["alpha"].as_f64().unwrap_or(0.0),
                    })
                    .collect(),
                grades: entries("table6_grading")
                    .iter()
                    .map(|e| GradeRef {
                        grade: text(e, "level"),
                        expression: text(e, "expression"),
                        r_min: e["r_min_inclusive"].as_f64(),
                    })
                    .collect(),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_tables_carry_what_the_forms_show() {
        let r = reference();
        assert_eq!(r.accident_types.len(), 20);
        assert_eq!(r.lec.l.iter().map(|o| o.value).collect::<Vec<_>>(), [10.0, 6.0, 3.0, 1.0, 0.5, 0.2, 0.1]);
        assert_eq!(r.lec.c[0].value, 100.0);
        assert_eq!(r.ls.s.len(), 5);
        assert!(r.ls.s[0].desc.contains("死亡"), "{}", r.ls.s[0].desc);
        let chlorine = r.gb18218.named.iter().find(|n| n.cas == "7782-50-5").unwrap();
        assert_eq!((chlorine.critical_q, chlorine.beta), (5.0, Some(4.0)));
        let benzene = r.gb18218.named.iter().find(|n| n.name == "苯").unwrap();
        assert_eq!(benzene.beta, None, "苯 is not a toxic gas of 表3: its β comes from its category");
        let w53 = r.gb18218.categories.iter().find(|c| c.symbol == "W5.3").unwrap();
        assert_eq!((w53.critical_q, w53.beta), (1000.0, Some(1.0)));
        assert_eq!(r.gb18218.alpha.first().map(|a| (a.min, a.alpha)), Some((100, 2.0)));
        assert_eq!(r.gb18218.grades.len(), 4);
    }
}
