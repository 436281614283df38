//! Excel import of enterprises (企业批量导入): the template's columns and the reading of one row.

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
        match self.read() {
            (parsed, errs) if errs.is_empty() => Ok(parsed),
            (_, errs) => Err(errs),
        }
    }

    /// Reads the cells as far as they read (an unreadable cell as its default), with every
    /// unreadable cell reported: the checks after it still see the rest of the row, so an import
    /// reports all that is wrong with a row at once.
    pub fn read(&self) -> (ParsedRow, Vec<ImportError>) {
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
        let parsed = ParsedRow {
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
        };
        (parsed, errs)
    }
}

/// The errors of one row, one per column (the first check that failed it: "必填项为空" rather
/// than also "企业名称不能为空"), in the template's column order.
pub fn one_per_column(mut errors: Vec<ImportError>) -> Vec<ImportError> {
    let pos = |e: &ImportError| COLUMNS.iter().position(|c| c.0 == e.column).unwrap_or(COLUMNS.len());
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert((e.row, e.column.clone())));
    errors.sort_by_key(|e| (e.row, pos(e)));
    errors
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
