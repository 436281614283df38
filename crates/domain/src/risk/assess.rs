//! Assessment of a risk point: LEC (作业条件危险性评价法) and LS (风险矩阵).

use super::*;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

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

/// The scores of an assessment as entered: LEC (l, e, c) or LS (l, s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", deny_unknown_fields)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
