//! Text fields of commands (文本字段): trimmed, and bounded so a pasted page cannot fill a column.

use crate::time::LocalDate;
use crate::FieldError;

/// Longest name (名称, 姓名, 责任人, 部位), in characters.
pub const MAX_NAME: usize = 100;
/// Longest free text (描述, 措施, 理由, 依据), in characters.
pub const MAX_TEXT: usize = 2000;
/// Longest short code (编号, CAS 号, 类别符号), in characters.
pub const MAX_CODE: usize = 50;

/// A text trimmed and no longer than `max` characters; when longer, an error naming the field
/// (「{label}不能超过{max}字」) is added to `errs`. Line breaks and tabs are kept; other control
/// characters and bidi overrides (U+202E shows 「abc‹U+202E›fdp.exe」 as 「abcexe.pdf」) are refused.
pub fn bounded(field: &str, label: &str, value: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errs.push(FieldError::new(field, format!("{label}不能超过{max}字")));
    } else if v.chars().any(|c| hidden(c) && !matches!(c, '\n' | '\t' | '\r')) {
        errs.push(FieldError::new(field, format!("{label}含有控制字符或方向控制符，请删除后重试")));
    }
    v.to_string()
}

/// A one-line text (名称, 姓名, 编号): [`bounded`], and no line breaks, tabs, zero-width or other
/// invisible characters, so two names that look alike are alike.
pub fn single_line(field: &str, label: &str, value: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errs.push(FieldError::new(field, format!("{label}不能超过{max}字")));
    } else if v.chars().any(hidden) {
        errs.push(FieldError::new(field, format!("{label}含有换行、控制字符或不可见字符，请删除后重试")));
    }
    v.to_string()
}

/// Control characters (Cc), and the invisible format characters that change how text reads:
/// bidi embeddings, overrides and isolates, zero-width spaces and joiners, the BOM.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{00AD}')
}

/// [`bounded`] for a text an action carries (意见, 理由): checks it, keeps nothing.
pub fn check(field: &str, label: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let mut errs = vec![];
    bounded(field, label, value, max, &mut errs);
    errs.pop().map_or(Ok(()), Err)
}

/// A deadline (期限): a date, not before `today` (the business date); the error names the field.
pub fn deadline(field: &str, label: &str, value: &str, today: LocalDate, errs: &mut Vec<FieldError>) -> LocalDate {
    match value.trim().parse::<LocalDate>() {
        Ok(d) if d < today => errs.push(FieldError::new(field, format!("{label}不能早于今天"))),
        Ok(d) => return d,
        Err(_) => errs.push(FieldError::new(field, format!("{label}应为日期（YYYY-MM-DD）"))),
    }
    today
}

/// A day that has come (签发日期, 评估日期): a date not after `today`; the error names the field.
pub fn past_day(field: &str, label: &str, value: &str, today: LocalDate, errs: &mut Vec<FieldError>) -> LocalDate {
    match value.trim().parse::<LocalDate>() {
        Ok(d) if d > today => errs.push(FieldError::new(field, format!("{label}不能晚于今天"))),
        Ok(d) => return d,
        Err(_) => errs.push(FieldError::new(field, format!("{label}应为日期（YYYY-MM-DD）"))),
    }
    today
}

/// [`bounded`] on an optional text.
pub fn bounded_opt(
    field: &str,
    label: &str,
    value: Option<&str>,
    max: usize,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    value.map(|v| bounded(field, label, v, max, errs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded_in_characters_not_bytes() {
        let mut errs = vec![];
        assert_eq!(bounded("location", "位置", "  二号罐区 ", MAX_NAME, &mut errs), "二号罐区");
        // 100 Chinese characters are 300 bytes: still within a 100-character limit.
        assert_eq!(bounded("name", "名称", &"罐".repeat(100), MAX_NAME, &mut errs).chars().count(), 100);
        assert!(errs.is_empty());
        bounded("name", "名称", &"罐".repeat(101), MAX_NAME, &mut errs);
        assert_eq!(errs, [FieldError::new("name", "名称不能超过100字")]);
        assert_eq!(bounded_opt("cas", "CAS号", None, MAX_CODE, &mut errs), None);
    }

    #[test]
    fn hidden_characters_are_refused_where_they_mislead() {
        let mut errs = vec![];
        // a multi-line description keeps its lines
        assert_eq!(
            bounded("description", "描述", "一、堆放物料\n二、通道堵塞", MAX_TEXT, &mut errs),
            "一、堆放物料\n二、通道堵塞"
        );
        assert!(errs.is_empty());
        // U+202E shows the rest of a text backwards
        bounded("description", "描述", "安泰化工\u{202E}司公限有", MAX_TEXT, &mut errs);
        bounded("description", "描述", "含有\u{0}空字符", MAX_TEXT, &mut errs);
        assert_eq!(errs.len(), 2);
        errs.clear();
        for name in ["安泰\u{200B}化工", "安泰\n化工", "安泰\u{FEFF}化工", "安泰\u{7}化工"] {
            single_line("name", "名称", name, MAX_NAME, &mut errs);
        }
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs[0].message.contains("不可见字符"));
        // ordinary Chinese punctuation and spaces are fine
        errs.clear();
        single_line("name", "名称", "常州安泰化工有限公司（二期）· 储运部", MAX_NAME, &mut errs);
        assert!(errs.is_empty());
        assert!(check("comment", "意见", "不通过：\u{202E}", MAX_TEXT).is_err());
    }
}
