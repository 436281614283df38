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
/// (「{label}不能超过{max}字」) is added to `errs`.
pub fn bounded(field: &str, label: &str, value: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errs.push(FieldError::new(field, format!("{label}不能超过{max}字")));
    }
    v.to_string()
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
}
