//! Written notices (文书) a regulator issues to an enterprise: their text, built once here from
//! the record they are about, then printed by the web (A4) or written as DOCX by the server —
//! both from the same [`Writ`]. The hazard area's two are in `hazard::writs`; the enforcement
//! area's 执法文书 will follow the same shape.

use crate::auth::Role;
use serde::Serialize;

/// One notice, as it reads from top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Writ {
    /// 文书名称: 安全生产事故隐患整改通知书
    pub title: String,
    /// 文号
    pub number: String,
    /// 被通知单位, as the salutation names it ("…有限公司：")
    pub addressee: String,
    pub blocks: Vec<WritBlock>,
    /// The unit it is issued in the name of (检查单位, 督办单位; empty: to be filled in by hand)
    pub issuer: String,
    /// 落款: the issuing unit with its seal, then the date
    pub signature: Vec<String>,
    /// 签收栏
    pub receipt: Vec<String>,
}

/// A part of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WritBlock {
    /// 正文段落
    Paragraph { text: String },
    /// 事项表: rows of one or two label–value pairs (one pair spans the row)
    Facts { rows: Vec<Vec<WritFact>> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WritFact {
    pub label: String,
    pub value: String,
}

impl WritBlock {
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self::Paragraph { text: text.into() }
    }
}

/// A row of the facts table.
pub fn row(pairs: &[(&str, &str)]) -> Vec<WritFact> {
    pairs.iter().map(|(l, v)| WritFact { label: (*l).into(), value: (*v).into() }).collect()
}

/// The unit a notice is issued in the name of: a committee's office (新北区 → 新北区安委办), a
/// street's station (春江街道 → 春江街道安监站), any other unit by its own name.
pub fn issuing_unit(role: Role, org_name: &str) -> String {
    let org = org_name.trim();
    match role {
        Role::Committee if !org.is_empty() && !org.ends_with("安委办") => format!("{org}安委办"),
        Role::Station if !org.is_empty() && !org.ends_with("安监站") => format!("{org}安监站"),
        _ => org.to_string(),
    }
}

/// 2026-06-16 → 2026年6月16日; a blank to fill in by hand when there is no date.
pub fn chinese_date(day: &str) -> String {
    let parts: Vec<&str> = day.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(m), Ok(d)) => format!("{y}年{m}月{d}日"),
            _ => "____年__月__日".into(),
        },
        _ => "____年__月__日".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_named_as_a_notice_names_them() {
        assert_eq!(issuing_unit(Role::Committee, "新北区"), "新北区安委办");
        assert_eq!(issuing_unit(Role::Committee, "新北区安委办"), "新北区安委办");
        assert_eq!(issuing_unit(Role::Station, "春江街道"), "春江街道安监站");
        assert_eq!(issuing_unit(Role::Department, "新北区应急管理局"), "新北区应急管理局");
        assert_eq!(issuing_unit(Role::Station, ""), "");
    }

    #[test]
    fn dates_read_in_chinese() {
        assert_eq!(chinese_date("2026-06-16"), "2026年6月16日");
        assert_eq!(chinese_date("2026-12-01T08:00:00Z"), "2026年12月1日");
        assert_eq!(chinese_date(""), "____年__月__日");
    }
}
