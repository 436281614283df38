//! Excel in and out (台账导入导出): every list exports with its filters; enterprises import.

use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// A cell of an exported sheet.
pub enum Cell {
    Text(String),
    Num(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Num(v as f64)
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map(Cell::Num).unwrap_or(Cell::Empty)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Text(if v { "是" } else { "否" }.into())
    }
}

/// Builds a workbook of one sheet: bold frozen header, text columns kept as text.
pub fn workbook(sheet: &str, headers: &[&str], rows: Vec<Vec<Cell>>) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "xlsx");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "生成 Excel 文件失败")
    };
    ws.set_name(sheet).map_err(fail)?;
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() * 2 + 2).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head).map_err(fail)?;
    }
    for (r, row) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.into_iter().enumerate() {
            match cell {
                Cell::Text(s) => {
                    widths[c] = widths[c].max(s.chars().count() * 2);
                    ws.write_string_with_format(r, c as u16, &s, &text).map_err(fail)?
                }
                Cell::Num(n) => ws.write_number(r, c as u16, n).map_err(fail)?,
                Cell::Empty => ws,
            };
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).min(60) as f64).map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

/// An attachment response with a UTF-8 file name (RFC 5987).
pub fn attachment(bytes: Vec<u8>, filename: &str) -> Response {
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Reads the first sheet of an .xlsx file as rows of text, with the Excel row number of each.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, AppError> {
    use calamine::{Data, Reader};
    let bad = || AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "无法读取该文件，请上传 Excel（.xlsx）文件");
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| bad())?;
    let range = wb.worksheet_range_at(0).ok_or_else(bad)?.map_err(|_| bad())?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut out = vec![];
    for (i, row) in range.rows().enumerate() {
        let mut cells = vec![String::new(); first_col];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            // A number of 16 digits or more lost its last digits in Excel: keep the marker.
            Data::Float(f) if f.abs() >= 1e15 => format!("{}{f}", anjian_domain::org::import::PRECISION_LOST),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => if *b { "是" } else { "否" }.into(),
            other => other.to_string(),
        }));
        out.push((first_row + i + 1, cells));
    }
    Ok(out)
}
