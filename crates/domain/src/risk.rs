//! Risk grading (风险分级管控): LEC and LS assessment, and the identification and grading of
//! major hazard sources per GB 18218-2018 (危险化学品重大危险源辨识). Value tables and critical
//! quantities are read from the reference files compiled in (`data/`), not retyped.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const RISK_METHODS: &str = include_str!("../data/risk_methods.json");
const GB18218: &str = include_str!("../data/gb18218_2018.json");

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

/// The value tables of LEC and LS and their default bands, from `risk_methods.json`.
pub struct Methods {
    pub lec_l: Vec<f64>,
    pub lec_e: Vec<f64>,
    pub lec_c: Vec<f64>,
    /// D ≥ 320 重大, ≥ 160 较大, ≥ 70 一般 (four_color_mapping_common, boundaries owned by the upper band)
    pub lec_bands: Bands,
    /// R ≥ 17 重大, ≥ 11 较大, ≥ 5 一般 (band variant ls-17-11-5)
    pub ls_bands: Bands,
}

/// The first number in a text like "160<D≤320" or "17–25".
fn first_number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = &s[start..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

pub fn methods() -> &'static Methods {
    static M: OnceLock<Methods> = OnceLock::new();
    M.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(RISK_METHODS).expect("risk_methods.json is valid");
        let scores = |k: &str| -> Vec<f64> {
            v["LEC"][k]["values"].as_array().expect("LEC table").iter().filter_map(|x| x["score"].as_f64()).collect()
        };
        // Classic D bands: ">320", "160<D≤320", "70<D≤160", ... — their lower numbers are the bounds.
        let d: Vec<f64> = v["LEC"]["D_bands_classic"]
            .as_array()
            .expect("D bands")
            .iter()
            .filter_map(|b| first_number(b["range"].as_str().unwrap_or("")))
            .collect();
        let ls = v["LS"]["band_variants"]
            .as_array()
            .expect("LS bands")
            .iter()
            .find(|b| b["id"] == "ls-17-11-5")
            .expect("ls-17-11-5");
        let ls: Vec<f64> = ls["bands"]
            .as_array()
            .expect("bands")
            .iter()
            .filter_map(|b| first_number(b["range"].as_str().unwrap_or("")))
            .collect();
        Methods {
            lec_l: scores("L"),
            lec_e: scores("E"),
            lec_c: scores("C"),
            lec_bands: Bands { major: d[0], considerable: d[1], general: d[2] },
            ls_bands: Bands { major: ls[0], considerable: ls[1], general: ls[2] },
        }
    })
}

/// The result of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub score: f64,
    pub level: RiskLevel,
    /// red / orange / yellow / blue
    pub color: &'static str,
}

fn allowed(field: &str, name: &str, v: f64, table: &[f64]) -> Result<(), FieldError> {
    if table.iter().any(|t| (t - v).abs() < 1e-9) {
        Ok(())
    } else {
        let list: Vec<String> = table.iter().map(|t| t.to_string()).collect();
        Err(FieldError::new(field, format!("{name}的取值应为 {} 之一", list.join("、"))))
    }
}

/// LEC (作业条件危险性评价法): D = L × E × C with values from the table.
pub fn assess_lec(l: f64, e: f64, c: f64, bands: Option<Bands>) -> Result<Assessment, Vec<FieldError>> {
    let m = methods();
    let errs: Vec<FieldError> = [
        allowed("l", "L（事故发生的可能性）", l, &m.lec_l),
        allowed("e", "E（暴露于危险环境的频繁程度）", e, &m.lec_e),
        allowed("c", "C（事故后果）", c, &m.lec_c),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if !errs.is_empty() {
        return Err(errs);
    }
    let score = ((l * e * c) * 1e6).round() / 1e6;
    let level = bands.unwrap_or(m.lec_bands).level(score);
    Ok(Assessment { score, level, color: level.color() })
}

/// LS (风险矩阵): R = L × S, both 1–5.
pub fn assess_ls(l: f64, s: f64, bands: Option<Bands>) -> Result<Assessment, Vec<FieldError>> {
    let one_to_five = [1.0, 2.0, 3.0, 4.0, 5.0];
    let errs: Vec<FieldError> =
        [allowed("l", "L（可能性）", l, &one_to_five), allowed("s", "S（严重性）", s, &one_to_five)]
            .into_iter()
            .filter_map(Result::err)
            .collect();
    if !errs.is_empty() {
        return Err(errs);
    }
    let score = l * s;
    let level = bands.unwrap_or(methods().ls_bands).level(score);
    Ok(Assessment { score, level, color: level.color() })
}

// ---------------------------------------------------------------- GB 18218-2018

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

// ---------------------------------------------------------------- risk points

/// The 20 accident types of GB 6441 (企业职工伤亡事故分类).
pub const ACCIDENT_TYPES: [&str; 20] = [
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其它爆炸",
    "中毒和窒息",
    "其它伤害",
];

/// 风险点类型
pub const POINT_KINDS: [&str; 3] = ["场所", "工艺", "设备"];

/// 管控层级
pub const CONTROL_LEVELS: [&str; 4] = ["公司", "车间", "班组", "岗位"];

/// 管控措施 at the four levels of control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ControlMeasures {
    /// 工程技术措施
    #[serde(default)]
    pub engineering: String,
    /// 管理措施
    #[serde(default)]
    pub management: String,
    /// 个体防护措施
    #[serde(default)]
    pub ppe: String,
    /// 应急处置措施
    #[serde(default)]
    pub emergency: String,
}

/// The scores of an assessment as entered: LEC (l, e, c) or LS (l, s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method")]
pub enum Scores {
    #[serde(rename = "LEC")]
    Lec { l: f64, e: f64, c: f64 },
    #[serde(rename = "LS")]
    Ls { l: f64, s: f64 },
}

impl Scores {
    /// Assesses with the given bands (None: the reference defaults).
    pub fn assess_with(&self, bands: Option<&BandSet>) -> Result<Assessment, Vec<FieldError>> {
        match *self {
            Scores::Lec { l, e, c } => assess_lec(l, e, c, bands.map(|b| b.lec)),
            Scores::Ls { l, s } => assess_ls(l, s, bands.map(|b| b.ls)),
        }
    }

    pub fn assess(&self) -> Result<Assessment, Vec<FieldError>> {
        self.assess_with(None)
    }

    pub fn method(&self) -> &'static str {
        match self {
            Scores::Lec { .. } => "LEC",
            Scores::Ls { .. } => "LS",
        }
    }
}

/// The bands of both methods, as a jurisdiction sets them (分级阈值设置).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Checks the descriptive fields of a risk point; every problem is reported.
pub fn check_point(
    name: &str,
    kind: &str,
    accident_types: &[String],
    control_level: &str,
    next_review: &str,
) -> Vec<FieldError> {
    let mut errs = vec![];
    if name.trim().is_empty() || name.chars().count() > 100 {
        errs.push(FieldError::new("name", "请填写风险点名称（不超过100字）"));
    }
    if !POINT_KINDS.contains(&kind) {
        errs.push(FieldError::new("kind", "风险点类型应为 场所、工艺 或 设备"));
    }
    if accident_types.is_empty() {
        errs.push(FieldError::new("accident_types", "请至少选择一种可能导致的事故类型（GB 6441）"));
    }
    for t in accident_types {
        if !ACCIDENT_TYPES.contains(&t.as_str()) {
            errs.push(FieldError::new("accident_types", format!("「{t}」不是 GB 6441 的事故类型")));
        }
    }
    if !CONTROL_LEVELS.contains(&control_level) {
        errs.push(FieldError::new("control_level", "管控层级应为 公司、车间、班组 或 岗位"));
    }
    if next_review.trim().parse::<jiff::civil::Date>().is_err() {
        errs.push(FieldError::new("next_review", "下次评审日期应为 YYYY-MM-DD"));
    }
    errs
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

    fn sub(name: &str, cas: &str, category: &str, q: f64) -> SubstanceInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        SubstanceInput { name: opt(name), cas: opt(cas), category: opt(category), quantity_t: q }
    }

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

    #[test]
    fn tables_load_from_the_reference_file() {
        let m = methods();
        assert_eq!(m.lec_l, [10.0, 6.0, 3.0, 1.0, 0.5, 0.2, 0.1]);
        assert_eq!(m.lec_e, [10.0, 6.0, 3.0, 2.0, 1.0, 0.5]);
        assert_eq!(m.lec_c, [100.0, 40.0, 15.0, 7.0, 3.0, 1.0]);
        assert_eq!(m.lec_bands, Bands { major: 320.0, considerable: 160.0, general: 70.0 });
        assert_eq!(m.ls_bands, Bands { major: 17.0, considerable: 11.0, general: 5.0 });
        let t = gb18218();
        assert_eq!(t.named.len(), 85);
        assert_eq!(t.categories.len(), 24);
        assert_eq!(t.toxic_beta.len(), 14);
    }

    #[test]
    fn lec_band_boundaries_belong_to_the_upper_band() {
        // 以上 includes the bound: D = 320 is 重大, 160 较大, 70 一般; just below falls a band.
        let at = |l, e, c| assess_lec(l, e, c, None).unwrap();
        let cases = [
            ((6.0, 6.0, 15.0), 540.0, RiskLevel::Major),
            ((10.0, 3.0, 15.0), 450.0, RiskLevel::Major),
            ((6.0, 3.0, 15.0), 270.0, RiskLevel::Considerable),
            ((6.0, 2.0, 15.0), 180.0, RiskLevel::Considerable),
            ((3.0, 6.0, 7.0), 126.0, RiskLevel::General),
            ((1.0, 10.0, 7.0), 70.0, RiskLevel::General),
            ((3.0, 3.0, 7.0), 63.0, RiskLevel::Low),
            ((0.1, 0.5, 1.0), 0.05, RiskLevel::Low),
        ];
        for ((l, e, c), d, level) in cases {
            let a = at(l, e, c);
            assert_eq!((a.score, a.level), (d, level), "L{l} E{e} C{c}");
        }
        let b = Bands { major: 320.0, considerable: 160.0, general: 70.0 };
        assert_eq!(b.level(320.0), RiskLevel::Major);
        assert_eq!(b.level(319.999), RiskLevel::Considerable);
        assert_eq!(b.level(160.0), RiskLevel::Considerable);
        assert_eq!(b.level(159.9), RiskLevel::General);
        assert_eq!(b.level(69.9), RiskLevel::Low);
        assert_eq!(at(6.0, 6.0, 15.0).color, "red");
    }

    #[test]
    fn lec_refuses_values_outside_the_tables() {
        let e = assess_lec(5.0, 6.0, 20.0, None).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["l", "c"]);
        assert!(e[0].message.contains("0.5"));
    }

    #[test]
    fn ls_matrix_bands() {
        let cases = [
            (5.0, 5.0, RiskLevel::Major),
            (4.0, 5.0, RiskLevel::Major),
            (4.0, 4.0, RiskLevel::Considerable),
            (3.0, 4.0, RiskLevel::Considerable),
            (2.0, 5.0, RiskLevel::General),
            (1.0, 5.0, RiskLevel::General),
            (2.0, 2.0, RiskLevel::Low),
            (1.0, 1.0, RiskLevel::Low),
        ];
        for (l, s, level) in cases {
            assert_eq!(assess_ls(l, s, None).unwrap().level, level, "{l}×{s}");
        }
        // 17 is 重大, 16 较大, 11 较大, 10 一般, 5 一般, 4 低 under ls-17-11-5.
        let b = methods().ls_bands;
        assert_eq!(
            (b.level(17.0), b.level(16.0), b.level(11.0), b.level(10.0), b.level(5.0), b.level(4.0)),
            (
                RiskLevel::Major,
                RiskLevel::Considerable,
                RiskLevel::Considerable,
                RiskLevel::General,
                RiskLevel::General,
                RiskLevel::Low
            )
        );
        assert!(assess_ls(6.0, 1.0, None).is_err());
        assert!(assess_ls(2.5, 1.0, None).is_err());
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

    #[test]
    fn point_fields_are_checked() {
        let e = check_point("", "车间", &["打架".into()], "厂长", "明年");
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "accident_types", "control_level", "next_review"]);
        assert!(check_point("液氯储罐区", "场所", &["中毒和窒息".into()], "公司", "2027-06-30").is_empty());
        assert_eq!(ACCIDENT_TYPES.len(), 20);
    }
}
