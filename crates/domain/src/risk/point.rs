//! The descriptive fields of a risk point (风险点): kinds, GB 6441 accident types, levels of
//! control and their measures.

use super::*;
use serde::{Deserialize, Serialize};

/// The 20 accident types of GB 6441 (企业职工伤亡事故分类).
pub const ACCIDENT_TYPES: [&str; 20] = [
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其它爆炸",
    "中毒和窒息",
    "其它伤害",
];

/// 风险点类型
pub const POINT_KINDS: [&str; 3] = ["场所", "工艺", "设备"];

/// 管控层级
pub const CONTROL_LEVELS: [&str; 4] = ["公司", "车间", "班组", "岗位"];

/// 管控措施 at the four levels of control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlMeasures {
    /// 工程技术措施
    #[serde(default)]
    pub engineering: String,
    /// 管理措施
    #[serde(default)]
    pub management: String,
    /// 个体防护措施
    #[serde(default)]
    pub ppe: String,
    /// 应急处置措施
    #[serde(default)]
    pub emergency: String,
}

/// Checks the descriptive fields of a risk point; every problem is reported.
pub fn check_point(
    name: &str,
    kind: &str,
    accident_types: &[String],
    control_level: &str,
    next_review: &str,
) -> Vec<FieldError> {
    let mut errs = vec![];
    if name.trim().is_empty() || name.chars().count() > 100 {
        errs.push(FieldError::new("name", "请填写风险点名称（不超过100字）"));
    } else {
        crate::text::single_line("name", "风险点名称", name, 100, &mut errs);
    }
    if !POINT_KINDS.contains(&kind) {
        errs.push(FieldError::new("kind", "风险点类型应为 场所、工艺 或 设备"));
    }
    if accident_types.is_empty() {
        errs.push(FieldError::new("accident_types", "请至少选择一种可能导致的事故类型（GB 6441）"));
    }
    for t in accident_types {
        if !ACCIDENT_TYPES.contains(&t.as_str()) {
            errs.push(FieldError::new("accident_types", format!("「{t}」不是 GB 6441 的事故类型")));
        }
    }
    if !CONTROL_LEVELS.contains(&control_level) {
        errs.push(FieldError::new("control_level", "管控层级应为 公司、车间、班组 或 岗位"));
    }
    if next_review.trim().parse::<jiff::civil::Date>().is_err() {
        errs.push(FieldError::new("next_review", "下次评审日期应为 YYYY-MM-DD"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_fields_are_checked() {
        let e = check_point("", "车间", &["打架".into()], "厂长", "明年");
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "accident_types", "control_level", "next_review"]);
        assert!(check_point("液氯储罐区", "场所", &["中毒和窒息".into()], "公司", "2027-06-30").is_empty());
        assert_eq!(ACCIDENT_TYPES.len(), 20);
    }
}
