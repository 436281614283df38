//! Word documents (DOCX) of the domain's notices (`domain::writ::Writ`): the same text the web's
//! print view shows, on A4 in 仿宋/宋体 as Chinese official documents are set, so a clerk can
//! edit, stamp and print it.

use crate::error::AppError;
use anjian_domain::writ::{Writ, WritBlock};
use axum::http::StatusCode;
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell,
    TableRow, WidthType,
};

/// Half-points: 二号 (22 pt) for the title, 四号 (14 pt) for the text, 五号 (10.5 pt) for the receipt.
const TITLE: usize = 44;
const TEXT: usize = 28;
const SMALL: usize = 21;
/// The text width of A4 with 2.5 cm margins, in twips.
const WIDTH: usize = 9026;

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(RunFonts::new().east_asia("仿宋").ascii("Times New Roman"))
}

fn line(text: &str, size: usize, align: AlignmentType) -> Paragraph {
    Paragraph::new().add_run(run(text, size)).align(align).line_spacing(LineSpacing::new().line(440))
}

fn facts_table(rows: &[Vec<anjian_domain::writ::WritFact>]) -> Table {
    let (label_w, value_w) = (1600, WIDTH / 2 - 1600);
    let cell = |text: &str, width: usize, bold: bool| {
        let mut r = run(text, TEXT);
        if bold {
            r = r.bold();
        }
        TableCell::new().add_paragraph(Paragraph::new().add_run(r)).width(width, WidthType::Dxa)
    };
    let rows = rows
        .iter()
        .map(|pairs| {
            let mut cells = vec![];
            for (i, f) in pairs.iter().enumerate() {
                cells.push(cell(&f.label, label_w, true));
                let last = i + 1 == pairs.len();
                // a single pair spans the row: label, then the value over the three columns left
                let spans = if pairs.len() == 1 && last { 3 } else { 1 };
                let width = if spans == 3 { WIDTH - label_w } else { value_w };
                cells.push(cell(&f.value, width, false).grid_span(spans));
            }
            TableRow::new(cells)
        })
        .collect();
    Table::new(rows).set_grid(vec![label_w, value_w, label_w, value_w]).width(WIDTH, WidthType::Dxa)
}

/// The notice as a .docx file.
pub fn writ(w: &Writ) -> Result<Vec<u8>, AppError> {
    let margin = PageMargin { top: 1440, left: 1418, bottom: 1440, right: 1418, header: 851, footer: 992, gutter: 0 };
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(margin)
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&w.title, TITLE).bold().fonts(RunFonts::new().east_asia("宋体")))
                .align(AlignmentType::Center),
        )
        .add_paragraph(line(&w.number, TEXT, AlignmentType::Center))
        .add_paragraph(line(&w.addressee, TEXT, AlignmentType::Left));
    for b in &w.blocks {
        doc = match b {
            WritBlock::Paragraph { text } => doc.add_paragraph(line(text, TEXT, AlignmentType::Both).indent(
                None,
                Some(SpecialIndentType::FirstLine(560)),
                None,
                None,
            )),
            WritBlock::Facts { rows } => doc.add_table(facts_table(rows)).add_paragraph(Paragraph::new()),
        };
    }
    doc = doc.add_paragraph(Paragraph::new());
    for s in &w.signature {
        doc = doc.add_paragraph(line(s, TEXT, AlignmentType::Right));
    }
    doc = doc.add_paragraph(Paragraph::new());
    for r in &w.receipt {
        doc = doc.add_paragraph(line(r, SMALL, AlignmentType::Left));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("生成文书失败：{e}")))?;
    Ok(out.into_inner())
}
