//! Excel in and out (台账导入导出): every list exports with its filters; enterprises import.

use crate::error::AppError;
use anjian_domain::time::{BusinessCalendar, Instant};
use anjian_store::page::{Page, PageReq};
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
impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map(Cell::Text).unwrap_or(Cell::Empty)
    }
}
impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        v.map(Cell::from).unwrap_or(Cell::Empty)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Text(if v { "是" } else { "否" }.into())
    }
}

fn xlsx_failed(e: rust_xlsxwriter::XlsxError) -> AppError {
    tracing::error!(error = %e, "xlsx");
    AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "生成 Excel 文件失败")
}

/// Excel keeps at most this many characters in a cell; longer text is cut, marked, never refused.
const CELL_MAX_CHARS: usize = 32_767;
const CUT_MARK: &str = "…（内容过长，已截断）";

/// Rows a worksheet holds at most, its header included (Excel's limit); a longer list goes on
/// into sheets of the same name numbered （2）, （3）….
const SHEET_ROWS: u32 = 1_048_576;

/// A sheet being written row by row: bold frozen header, text kept as text. Written in
/// constant-memory mode (rows go to a temporary file as they come), so a long export holds one
/// page of rows in memory, not the list; past Excel's row limit it continues on a new sheet.
struct Sheet {
    wb: Workbook,
    name: String,
    headers: Vec<String>,
    widths: Vec<usize>,
    /// the worksheet being written (index) and its next row
    current: usize,
    next_row: u32,
    /// [`SHEET_ROWS`] (smaller in tests)
    rows_per_sheet: u32,
    text: Format,
}

impl Sheet {
    /// The header, and column widths from the header and the first rows (constant-memory
    /// sheets take widths before the first row).
    fn new(name: &str, headers: &[&str], first: &[Vec<Cell>]) -> Result<Self, AppError> {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() * 2 + 2).collect();
        for row in first {
            for (c, cell) in row.iter().enumerate() {
                if let (Cell::Text(s), Some(w)) = (cell, widths.get_mut(c)) {
                    *w = (*w).max(s.chars().count() * 2);
                }
            }
        }
        let mut sheet = Self {
            wb: Workbook::new(),
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            widths,
            current: 0,
            next_row: 1,
            rows_per_sheet: SHEET_ROWS,
            text: Format::new().set_num_format("@"),
        };
        sheet.add_worksheet(name)?;
        Ok(sheet)
    }

    /// Adds a worksheet with the header and the widths, and writes on into it.
    fn add_worksheet(&mut self, title: &str) -> Result<(), AppError> {
        let ws = self.wb.add_worksheet_with_constant_memory().map_err(xlsx_failed)?;
        ws.set_name(title).map_err(xlsx_failed)?;
        for (c, w) in self.widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w).min(60) as f64).map_err(xlsx_failed)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_failed)?;
        let head = Format::new().set_bold().set_background_color("#DDEBF7").set_align(FormatAlign::Center);
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &head).map_err(xlsx_failed)?;
        }
        self.current = self.wb.worksheets().len() - 1;
        self.next_row = 1;
        Ok(())
    }

    fn write(&mut self, rows: Vec<Vec<Cell>>) -> Result<(), AppError> {
        for row in rows {
            if self.next_row == self.rows_per_sheet {
                let title = format!("{}（{}）", self.name, self.current + 2);
                self.add_worksheet(&title)?;
            }
            let ws = self.wb.worksheet_from_index(self.current).map_err(xlsx_failed)?;
            for (c, cell) in row.into_iter().enumerate() {
                match cell {
                    Cell::Text(s) if s.chars().count() > CELL_MAX_CHARS => {
                        let keep = CELL_MAX_CHARS - CUT_MARK.chars().count();
                        let cut: String = s.chars().take(keep).chain(CUT_MARK.chars()).collect();
                        ws.write_string_with_format(self.next_row, c as u16, &cut, &self.text).map_err(xlsx_failed)?
                    }
                    Cell::Text(s) => {
                        ws.write_string_with_format(self.next_row, c as u16, &s, &self.text).map_err(xlsx_failed)?
                    }
                    Cell::Num(n) => ws.write_number(self.next_row, c as u16, n).map_err(xlsx_failed)?,
                    Cell::Empty => ws,
                };
            }
            self.next_row += 1;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, AppError> {
        self.wb.save_to_buffer().map_err(xlsx_failed)
    }

    /// Zips the workbook into an unnamed temporary file (off the async threads: a million rows
    /// take seconds), so a long export is never held in memory whole.
    async fn finish_to_file(self) -> Result<std::fs::File, AppError> {
        tokio::task::spawn_blocking(move || self.save_to_tempfile())
            .await
            .map_err(|_| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "生成 Excel 文件失败"))?
    }

    /// Zips the workbook into an unnamed temporary file, on the calling (blocking) thread.
    fn save_to_tempfile(mut self) -> Result<std::fs::File, AppError> {
        use std::io::{Seek, SeekFrom};
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, "export file");
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "生成 Excel 文件失败")
        };
        let mut f = tempfile::tempfile().map_err(io)?;
        self.wb.save_to_writer(&mut f).map_err(xlsx_failed)?;
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(f)
    }
}

/// A dropdown of a template column: the values, kept on a sheet of their own (可选值).
pub struct Choices<'a> {
    pub column: u16,
    pub title: &'a str,
    pub values: Vec<String>,
}

/// How many data rows of a template get the dropdowns.
const TEMPLATE_ROWS: u32 = 2000;

/// A template: the sheet with its headers and rows (hints), each listed column a dropdown of
/// its values (a cell may still hold another value: the import checks it), and the values on a
/// second sheet 可选值 to read and copy from.
pub fn template(
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
    lists: &[Choices<'_>],
) -> Result<Vec<u8>, AppError> {
    let mut s = Sheet::new(sheet, headers, &rows)?;
    let first_data = 1 + rows.len() as u32;
    s.write(rows)?;
    let mut values = rust_xlsxwriter::Worksheet::new();
    values.set_name("可选值").map_err(xlsx_failed)?;
    let head = Format::new().set_bold().set_background_color("#DDEBF7");
    for (i, l) in lists.iter().enumerate() {
        let col = i as u16;
        values.set_column_width(col, 24).map_err(xlsx_failed)?;
        values.write_string_with_format(0, col, l.title, &head).map_err(xlsx_failed)?;
        for (r, v) in l.values.iter().enumerate() {
            values.write_string(1 + r as u32, col, v).map_err(xlsx_failed)?;
        }
        if l.values.is_empty() {
            continue;
        }
        let letter = rust_xlsxwriter::utility::column_number_to_name(col);
        let range = format!("'可选值'!${letter}$2:${letter}${}", 1 + l.values.len());
        let dv = rust_xlsxwriter::DataValidation::new()
            .allow_list_formula(range.as_str().into())
            .ignore_blank(true)
            .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Warning)
            .set_error_title(format!("{}不在可选值中", l.title))
            .map_err(xlsx_failed)?
            .set_error_message("请从下拉列表中选择，或参见「可选值」工作表")
            .map_err(xlsx_failed)?;
        let ws = s.wb.worksheet_from_index(0).map_err(xlsx_failed)?;
        ws.add_data_validation(first_data, l.column, TEMPLATE_ROWS, l.column, &dv).map_err(xlsx_failed)?;
    }
    s.wb.push_worksheet(values);
    s.finish()
}

/// Builds a workbook of one sheet from rows in hand (reports, statistics, templates).
pub fn workbook(sheet: &str, headers: &[&str], rows: Vec<Vec<Cell>>) -> Result<Vec<u8>, AppError> {
    let mut s = Sheet::new(sheet, headers, &rows)?;
    s.write(rows)?;
    s.finish()
}

/// A row of an exported list: the sheet's headers and a row's cells. Dates and instants are
/// written in the business calendar.
pub trait ExportRow {
    const HEADERS: &'static [&'static str];
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell>;
}

/// Exports a list with its filters: pages of `EXPORT_PAGE` rows are read through the list's own
/// keyset paging and written to a temporary file as they come, and the file is sent as it is
/// read, so memory stays flat whatever the export cap (`max_export_rows`); a list larger than
/// the cap is refused before anything is written.
pub async fn export<T, F, Fut>(
    s: &crate::AppState,
    sheet: &str,
    filename: &str,
    mut fetch: F,
) -> Result<Response, AppError>
where
    T: ExportRow,
    F: FnMut(PageReq) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, anjian_store::StoreError>>,
{
    let cal = s.store.calendar().await?;
    let cap = s.config.max_export_rows;
    let first = fetch(PageReq::export_page(None, cap)?).await?;
    crate::api::check_export_size(first.total, cap)?;
    let mut cursor = first.next_cursor;
    let rows: Vec<Vec<Cell>> = first.items.into_iter().map(|t| t.cells(&cal)).collect();
    let mut out = Sheet::new(sheet, T::HEADERS, &rows)?;
    out.write(rows)?;
    while let Some(c) = cursor {
        let page = fetch(PageReq::export_page(Some(&c), cap)?).await?;
        cursor = page.next_cursor;
        out.write(page.items.into_iter().map(|t| t.cells(&cal)).collect())?;
    }
    file_response(out.finish_to_file().await?, filename)
}

/// Rows of the first sheet sampled for the column widths.
const WIDTH_SAMPLE: usize = 1000;

/// Exports rows that `produce` sends as it reads them (one streamed query): a blocking thread
/// turns them into cells and writes the workbook meanwhile, so reading and writing share the two
/// cores, and memory holds the channel's few rows. The caller has checked the size against the
/// cap before.
pub async fn export_streamed<T, P, Fut>(
    s: &crate::AppState,
    sheet: &str,
    filename: &str,
    produce: P,
) -> Result<Response, AppError>
where
    T: ExportRow + Send + 'static,
    P: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = Result<u64, anjian_store::StoreError>>,
{
    let cal = s.store.calendar().await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<T>(256);
    let sheet = sheet.to_string();
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, AppError> {
        let mut first = Vec::new();
        while first.len() < WIDTH_SAMPLE {
            match rx.blocking_recv() {
                Some(t) => first.push(t.cells(&cal)),
                None => break,
            }
        }
        let mut out = Sheet::new(&sheet, T::HEADERS, &first)?;
        out.write(first)?;
        while let Some(t) = rx.blocking_recv() {
            out.write(vec![t.cells(&cal)])?;
        }
        out.save_to_tempfile()
    });
    let produced = produce(tx).await;
    let file = writer.await.map_err(|_| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "生成 Excel 文件失败"))??;
    produced?;
    file_response(file, filename)
}

/// Sends a finished workbook file as it is read, with its length.
fn file_response(file: std::fs::File, filename: &str) -> Result<Response, AppError> {
    let len = file.metadata().map(|m| m.len()).ok();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file)));
    let mut res = with_file_headers(body.into_response(), filename, XLSX);
    if let Some(len) = len {
        res.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok(res)
}

/// A stored instant as a clerk reads it (local date and time), empty when absent or unreadable.
pub fn local_time(cal: &BusinessCalendar, stored: &str) -> Cell {
    Instant::parse(stored).map(|i| Cell::Text(cal.display(i))).unwrap_or(Cell::Empty)
}

/// An attachment response with a UTF-8 file name (RFC 5987).
pub fn attachment(bytes: Vec<u8>, filename: &str) -> Response {
    with_file_headers(bytes.into_response(), filename, XLSX)
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Another kind of file (a DOCX) sent as an attachment.
pub fn attachment_of(bytes: Vec<u8>, filename: &str, content_type: &'static str) -> Response {
    with_file_headers(bytes.into_response(), filename, content_type)
}

/// The type and the UTF-8 file name (RFC 5987) of a file sent as an attachment.
fn with_file_headers(mut res: Response, filename: &str, content_type: &'static str) -> Response {
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
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let ascii = if content_type == XLSX { "export.xlsx" } else { "document.docx" };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet_of(bytes: Vec<u8>) -> Vec<Vec<String>> {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("opens");
        let range = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn a_list_longer_than_a_sheet_holds_goes_on_in_numbered_sheets_with_the_header() {
        use calamine::Reader;
        let rows: Vec<Vec<Cell>> = (0..7).map(|i| vec![Cell::Text(format!("YH-{i}")), Cell::Num(i as f64)]).collect();
        let mut s = Sheet::new("隐患台账", &["编号", "序号"], &rows).unwrap();
        // (Excel's 1,048,576 rows made small: a header and three rows a sheet)
        s.rows_per_sheet = 4;
        s.write(rows).unwrap();
        let bytes = s.finish().unwrap();
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(wb.sheet_names(), ["隐患台账", "隐患台账（2）", "隐患台账（3）"]);
        let third = wb.worksheet_range_at(2).unwrap().unwrap();
        let cells: Vec<Vec<String>> = third.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(cells, [vec!["编号", "序号"], vec!["YH-6", "6"]]);
    }

    #[test]
    fn a_cell_longer_than_excel_allows_is_cut_and_marked_not_refused() {
        let long = "隐".repeat(40_000);
        let bytes = workbook("台账", &["描述", "数量"], vec![vec![long.into(), Cell::Num(3.0)]]).unwrap();
        let rows = sheet_of(bytes);
        assert_eq!(rows[0], ["描述", "数量"]);
        assert_eq!(rows[1][0].chars().count(), CELL_MAX_CHARS);
        assert!(rows[1][0].ends_with(CUT_MARK));
        assert_eq!(rows[1][1], "3");
    }

    #[test]
    fn rows_written_page_by_page_come_out_in_order_under_one_header() {
        let page = |from: usize| (from..from + 3).map(|i| vec![Cell::from(format!("企业{i}")), Cell::from(i as i64)]);
        let first: Vec<Vec<Cell>> = page(0).collect();
        let mut s = Sheet::new("企业", &["名称", "序号"], &first).unwrap();
        s.write(first).unwrap();
        s.write(page(3).collect()).unwrap();
        let rows = sheet_of(s.finish().unwrap());
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[6], ["企业5", "5"]);
    }
}
