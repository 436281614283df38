//! Organisation (组织机构): jurisdictions, sectors, enterprises' identifiers. The enterprise as
//! entered is in `enterprise`, the Excel import of enterprises in `import`.

mod enterprise;
pub mod import;

pub use enterprise::*;

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 统一社会信用代码 — the 18-character unified social credit code of GB 32100-2015.
///
/// The only way to get one is [`CreditCode::parse`], so a value of this type always carries a
/// valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// The 31 characters GB 32100-2015 allows (no I, O, S, V, Z), in code-value order.
const CREDIT_CODE_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 (3^(i-1) mod 31).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn credit_char_value(c: char) -> Option<u32> {
    CREDIT_CODE_CHARSET.find(c).map(|i| i as u32)
}

/// The check character (position 18) for the first 17 characters of a credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(CREDIT_CODE_WEIGHTS) {
        sum += credit_char_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CODE_CHARSET.chars().nth(check as usize)
}

impl CreditCode {
    /// Parses a code, accepting lower case and surrounding blanks (as typed or pasted by clerks).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let code: String = input.trim().to_ascii_uppercase();
        let err = |m: &str| FieldError::new("credit_code", m);
        if code.chars().count() != 18 {
            return Err(err("统一社会信用代码应为18位"));
        }
        if let Some(bad) = code.chars().find(|c| credit_char_value(*c).is_none()) {
            return Err(err(&format!("统一社会信用代码含有不允许的字符「{bad}」（不使用I、O、S、V、Z）")));
        }
        if !code[2..8].chars().all(|c| c.is_ascii_digit()) {
            return Err(err("统一社会信用代码第3至8位应为行政区划代码（数字）"));
        }
        let expected = credit_code_check_char(&code[..17]).expect("17 valid characters");
        if code.chars().nth(17) != Some(expected) {
            return Err(err("统一社会信用代码校验位错误，请核对"));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> Self {
        c.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 行政区划层级 — the level of a node in the jurisdiction tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JurisdictionLevel {
    /// 市
    City,
    /// 区/县/功能区
    District,
    /// 镇/街道
    Street,
    /// 村/社区
    Community,
    /// 网格
    Grid,
}

impl JurisdictionLevel {
    pub const ALL: [Self; 5] = [Self::City, Self::District, Self::Street, Self::Community, Self::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::District => "区县",
            Self::Street => "镇街",
            Self::Community => "村社区",
            Self::Grid => "网格",
        }
    }

    fn rank(self) -> u8 {
        self as u8
    }

    /// A child must sit strictly below its parent (a grid may hang under a street or a community).
    pub fn may_be_child_of(self, parent: Self) -> bool {
        self.rank() > parent.rank()
    }
}

/// GB/T 2260 行政区划代码: six digits, for the levels that have one (市, 区县).
pub fn validate_division_code(code: &str) -> Result<(), FieldError> {
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) && !code.starts_with('0') {
        Ok(())
    } else {
        Err(FieldError::new("code", "行政区划代码应为6位数字（GB/T 2260）"))
    }
}

/// 行业领域 — the sectors named by the seeds (DOMAIN.md §1).
pub const SECTORS: [&str; 18] = [
    "危险化学品",
    "建筑施工",
    "道路运输",
    "金属冶炼",
    "粉尘涉爆",
    "涉氨制冷",
    "有限空间",
    "船舶修造",
    "喷涂作业",
    "烟花爆竹",
    "特种设备",
    "人员密集场所",
    "劳动密集型加工",
    "旅游景区",
    "燃气",
    "油气管道",
    "渔业船舶",
    "其他工贸",
];

/// Checks a list of sectors: at least one, each known, none repeated.
pub fn validate_sectors(field: &str, sectors: &[String]) -> Result<(), FieldError> {
    if sectors.is_empty() {
        return Err(FieldError::new(field, "请至少选择一个行业领域"));
    }
    for (i, s) in sectors.iter().enumerate() {
        if !SECTORS.contains(&s.as_str()) {
            return Err(FieldError::new(field, format!("未知的行业领域「{s}」")));
        }
        if sectors[..i].contains(s) {
            return Err(FieldError::new(field, format!("行业领域「{s}」重复")));
        }
    }
    Ok(())
}

/// Mainland mobile (11 digits starting with 1) or fixed line (area code, 7–8 digits, extension).
pub fn validate_phone(field: &str, phone: &str) -> Result<(), FieldError> {
    let digits_dash = phone.chars().all(|c| c.is_ascii_digit() || c == '-');
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let mobile = phone.len() == 11 && phone.starts_with('1') && digits.len() == 11;
    let fixed = digits_dash && phone.starts_with('0') && (10..=16).contains(&digits.len());
    if mobile || fixed {
        Ok(())
    } else {
        Err(FieldError::new(field, "电话号码格式不正确（手机11位，或区号-号码）"))
    }
}

/// 坐标系 — which datum the coordinates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum CoordSystem {
    #[serde(rename = "WGS84")]
    Wgs84,
    #[serde(rename = "GCJ02")]
    Gcj02,
}

impl CoordSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wgs84 => "WGS84",
            Self::Gcj02 => "GCJ02",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "WGS84" => Some(Self::Wgs84),
            "GCJ02" => Some(Self::Gcj02),
            _ => None,
        }
    }
}

/// Coordinates must lie inside China's bounding box (a typo swapping them is the usual mistake).
pub fn validate_coordinates(longitude: f64, latitude: f64) -> Result<(), FieldError> {
    if !(73.0..=136.0).contains(&longitude) {
        return Err(FieldError::new("longitude", "经度应在73至136之间（中国境内）"));
    }
    if !(3.0..=54.0).contains(&latitude) {
        return Err(FieldError::new("latitude", "纬度应在3至54之间（中国境内）"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_credit_codes_are_accepted() {
        // Published codes of well-known companies and the GB 32100-2015 example.
        for code in [
            "914403001922038216",
            "9144030071526726XG",
            "91330100716105852F",
            "91110000710926094P",
            "91350100M000100Y43",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn lower_case_and_blanks_are_normalised() {
        assert_eq!(CreditCode::parse(" 9144030071526726xg ").unwrap().as_str(), "9144030071526726XG");
    }

    #[test]
    fn wrong_check_character_is_rejected_with_reason() {
        let e = CreditCode::parse("914403001922038217").unwrap_err();
        assert_eq!(e.field, "credit_code");
        assert!(e.message.contains("校验位"), "{}", e.message);
    }

    #[test]
    fn a_single_transposition_is_caught() {
        // Swapping two adjacent characters of a valid code must break the check.
        let e = CreditCode::parse("914403001922032816").unwrap_err();
        assert!(e.message.contains("校验位"));
    }

    #[test]
    fn wrong_length_and_forbidden_letters_are_rejected() {
        assert!(CreditCode::parse("91440300192203821").unwrap_err().message.contains("18位"));
        assert!(CreditCode::parse("9144030019220382I6").unwrap_err().message.contains("不允许的字符"));
        assert!(CreditCode::parse("91A40300192203821X").unwrap_err().message.contains("行政区划"));
    }

    #[test]
    fn check_char_matches_the_standard_algorithm() {
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(credit_code_check_char("9144030071526726X"), Some('G'));
        assert_eq!(credit_code_check_char("short"), None);
    }

    #[test]
    fn levels_nest_downwards_only() {
        assert!(JurisdictionLevel::Street.may_be_child_of(JurisdictionLevel::District));
        assert!(JurisdictionLevel::Grid.may_be_child_of(JurisdictionLevel::Street));
        assert!(!JurisdictionLevel::District.may_be_child_of(JurisdictionLevel::Street));
        assert!(!JurisdictionLevel::Street.may_be_child_of(JurisdictionLevel::Street));
    }

    #[test]
    fn division_codes_and_phones() {
        assert!(validate_division_code("320411").is_ok());
        assert!(validate_division_code("32041").is_err());
        assert!(validate_division_code("03041a").is_err());
        assert!(validate_phone("p", "13912345678").is_ok());
        assert!(validate_phone("p", "0519-85123456").is_ok());
        assert!(validate_phone("p", "12345").is_err());
    }

    #[test]
    fn sectors_must_be_known_and_unique() {
        assert!(validate_sectors("s", &["危险化学品".into()]).is_ok());
        assert!(validate_sectors("s", &[]).is_err());
        assert!(validate_sectors("s", &["挖矿".into()]).unwrap_err().message.contains("挖矿"));
        assert!(validate_sectors("s", &["燃气".into(), "燃气".into()]).is_err());
    }
}
