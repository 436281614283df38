//! Organisation (组织机构): jurisdictions, sectors, enterprises' identifiers.

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

/// 企业 as entered by a clerk or an import row, before validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
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
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "企业名称不能为空"));
        } else if self.name.chars().count() > 100 {
            errors.push(FieldError::new("name", "企业名称不能超过100个字"));
        }
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

/// Excel import of enterprises (企业批量导入): the template's columns and the reading of one row.
pub mod import {
    use super::EnterpriseDraft;
    use serde::Serialize;

    /// Template columns: header, field name, required.
    pub const COLUMNS: [(&str, &str, bool); 14] = [
        ("企业名称", "name", true),
        ("统一社会信用代码", "credit_code", true),
        ("所属辖区", "jurisdiction_id", true),
        ("所属网格", "grid_id", false),
        ("行业领域", "sectors", true),
        ("地址", "address", false),
        ("经度", "longitude", false),
        ("纬度", "latitude", false),
        ("规模以上", "above_scale", false),
        ("重点企业", "key_enterprise", false),
        ("从业人数", "employees", false),
        ("法定代表人", "legal_representative", false),
        ("安全负责人", "safety_manager", false),
        ("联系电话", "contact_phone", false),
    ];

    /// Marks a cell that Excel stored as a number of more than 15 digits (its last digits are
    /// lost): the reader puts this in front, the row reader reports it.
    pub const PRECISION_LOST: &str = "#精度丢失#";

    /// Notes shown under the headers of the template.
    pub const HINTS: [&str; 14] = [
        "必填",
        "必填，18位",
        "必填，街道或社区名称；重名时写「街道/社区」",
        "选填，网格名称",
        "必填，多个用、分隔",
        "",
        "如 119.97",
        "如 31.86",
        "是/否",
        "是/否",
        "整数",
        "",
        "",
        "手机或区号-号码",
    ];

    /// The template header for a field name (for error reports).
    pub fn column_of(field: &str) -> &'static str {
        COLUMNS.iter().find(|c| c.1 == field).map(|c| c.0).unwrap_or("")
    }

    /// One problem in one row of an import file.
    #[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
    pub struct ImportError {
        /// Row number as Excel shows it
        pub row: usize,
        /// Column header
        pub column: String,
        pub message: String,
    }

    impl ImportError {
        pub fn new(row: usize, column: &str, message: impl Into<String>) -> Self {
            Self { row, column: column.to_string(), message: message.into() }
        }
    }

    /// A data row: its Excel row number and its cells in [`COLUMNS`] order (text as shown).
    #[derive(Debug, Clone)]
    pub struct ImportRow {
        pub row: usize,
        pub cells: Vec<String>,
    }

    /// A row read into a draft; the jurisdiction and grid are still names.
    #[derive(Debug)]
    pub struct ParsedRow {
        pub draft: EnterpriseDraft,
        pub jurisdiction: String,
        pub grid: Option<String>,
    }

    /// Maps a sheet's header row to column positions; every required header must be present.
    pub fn map_headers(headers: &[String]) -> Result<Vec<Option<usize>>, String> {
        let mut map = vec![];
        let mut missing = vec![];
        for (h, _, required) in COLUMNS {
            let pos = headers.iter().position(|x| x.trim().trim_end_matches('*') == h);
            if pos.is_none() && required {
                missing.push(h);
            }
            map.push(pos);
        }
        if missing.is_empty() {
            Ok(map)
        } else {
            Err(format!("表头缺少必填列：{}（请使用导入模板）", missing.join("、")))
        }
    }

    fn yes_no(v: &str) -> Option<bool> {
        match v.trim() {
            "" | "否" | "N" | "n" | "0" | "false" => Some(false),
            "是" | "Y" | "y" | "1" | "true" => Some(true),
            _ => None,
        }
    }

    impl ImportRow {
        fn cell(&self, i: usize) -> &str {
            self.cells.get(i).map(|s| s.trim()).unwrap_or("")
        }

        /// Reads the cells; reports every unreadable cell of the row.
        pub fn parse(&self) -> Result<ParsedRow, Vec<ImportError>> {
            let mut errs = vec![];
            let mut err = |col: usize, m: &str| errs.push(ImportError::new(self.row, COLUMNS[col].0, m));
            for (i, (_, _, required)) in COLUMNS.iter().enumerate() {
                if *required && self.cell(i).is_empty() {
                    err(i, "必填项为空");
                }
                if self.cell(i).starts_with(PRECISION_LOST) {
                    err(i, "该单元格是超过15位的数字，Excel已截断末几位；请将该列设为「文本」格式后重新填写");
                }
            }
            let num = |i: usize, err: &mut dyn FnMut(usize, &str)| -> Option<f64> {
                let s = self.cell(i);
                if s.is_empty() {
                    return None;
                }
                s.parse::<f64>().map_err(|_| err(i, "应为数字")).ok()
            };
            let longitude = num(6, &mut err);
            let latitude = num(7, &mut err);
            let employees = match self.cell(10) {
                "" => 0,
                s => s.parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64).unwrap_or_else(|| {
                    err(10, "应为整数");
                    0
                }),
            };
            let above_scale = yes_no(self.cell(8)).unwrap_or_else(|| {
                err(8, "应填「是」或「否」");
                false
            });
            let key_enterprise = yes_no(self.cell(9)).unwrap_or_else(|| {
                err(9, "应填「是」或「否」");
                false
            });
            let sectors = self
                .cell(4)
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            if !errs.is_empty() {
                return Err(errs);
            }
            Ok(ParsedRow {
                draft: EnterpriseDraft {
                    name: self.cell(0).into(),
                    credit_code: self.cell(1).into(),
                    address: self.cell(5).into(),
                    longitude,
                    latitude,
                    coord_system: None,
                    jurisdiction_id: 0,
                    grid_id: None,
                    sectors,
                    above_scale,
                    key_enterprise,
                    employees,
                    legal_representative: self.cell(11).into(),
                    safety_manager: self.cell(12).into(),
                    contact_phone: self.cell(13).into(),
                },
                jurisdiction: self.cell(2).into(),
                grid: Some(self.cell(3).to_string()).filter(|s| !s.is_empty()),
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn row(cells: &[&str]) -> ImportRow {
            ImportRow { row: 5, cells: cells.iter().map(|s| s.to_string()).collect() }
        }

        #[test]
        fn a_good_row_reads() {
            let r = row(&[
                "甲公司",
                "91350100M000100Y43",
                "春江街道",
                "",
                "危险化学品、燃气",
                "",
                "119.9",
                "31.9",
                "是",
                "否",
                "35",
            ])
            .parse()
            .unwrap();
            assert_eq!(r.draft.sectors, ["危险化学品", "燃气"]);
            assert!(r.draft.above_scale && !r.draft.key_enterprise);
            assert_eq!(r.draft.employees, 35);
            assert_eq!(r.grid, None);
        }

        #[test]
        fn bad_cells_are_reported_with_row_and_column() {
            let errs = row(&["", "x", "春江街道", "", "燃气", "", "东经", "", "也许", "", "3.5"]).parse().unwrap_err();
            let cols: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
            assert_eq!(cols, [(5, "企业名称"), (5, "经度"), (5, "从业人数"), (5, "规模以上")]);
        }

        #[test]
        fn a_credit_code_typed_as_a_number_is_explained() {
            let errs = row(&["甲", "#精度丢失#9.14403001922038e17", "春江街道", "", "燃气"]).parse().unwrap_err();
            assert_eq!(errs[0].column, "统一社会信用代码");
            assert!(errs[0].message.contains("文本"));
        }

        #[test]
        fn headers_map_in_any_order_and_missing_ones_are_named() {
            let h: Vec<String> =
                ["统一社会信用代码*", "企业名称*", "所属辖区", "行业领域"].iter().map(|s| s.to_string()).collect();
            let m = map_headers(&h).unwrap();
            assert_eq!((m[0], m[1]), (Some(1), Some(0)));
            assert!(map_headers(&h[..2]).unwrap_err().contains("所属辖区"));
        }
    }
}

#[cfg(test)]
mod draft_tests {
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
