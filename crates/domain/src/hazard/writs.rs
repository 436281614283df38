//! The hazard area's notices (文书): 安全生产事故隐患整改通知书 (安全生产法 Art. 65: 责令限期整改)
//! and 重大事故隐患挂牌督办通知书, from the hazard's own data.

use super::{HazardGrade, HazardSource, HazardState, RectificationPlan};
use crate::writ::{chinese_date, row, Writ, WritBlock};
use serde::Deserialize;

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardWritKind {
    /// 隐患整改通知书
    #[default]
    Rectification,
    /// 挂牌督办通知书
    Listing,
}

/// The listing a 挂牌督办通知书 is about.
#[derive(Debug, Clone, Copy)]
pub struct WritListing<'a> {
    /// 市 / 区 / 街道
    pub level: &'a str,
    pub supervising_unit: &'a str,
    pub document_number: &'a str,
    pub deadline: &'a str,
    /// the day it was listed (YYYY-MM-DD…)
    pub listed_on: &'a str,
}

/// What a notice says of its hazard.
#[derive(Debug, Clone, Copy)]
pub struct WritHazard<'a> {
    pub number: &'a str,
    pub enterprise_name: &'a str,
    pub found_day: &'a str,
    pub found_by_name: &'a str,
    pub source: HazardSource,
    pub location: &'a str,
    pub description: &'a str,
    pub grade: HazardGrade,
    pub state: HazardState,
    pub criterion: Option<&'a str>,
    pub deadline: &'a str,
    pub responsible: &'a str,
    pub plan: Option<&'a RectificationPlan>,
    pub listing: Option<WritListing<'a>>,
}

/// Why a notice cannot be written for this hazard.
pub const NOT_LISTED: &str = "该隐患未挂牌督办，没有挂牌督办通知书";
pub const REJECTED: &str = "该上报经核实不构成隐患（已驳回），不出具通知书";

/// The notice of `kind` for `h`, issued by `issuer` on `today` (a rectification notice; a
/// listing notice is issued by its 督办单位 on the day of listing).
pub fn hazard_writ(h: WritHazard<'_>, kind: HazardWritKind, issuer: &str, today: &str) -> Result<Writ, &'static str> {
    if h.state == HazardState::Rejected {
        return Err(REJECTED);
    }
    let five = "请按“措施、责任、资金、时限、预案”五到位的要求";
    match kind {
        HazardWritKind::Rectification => {
            let place = if h.location.trim().is_empty() { String::new() } else { h.location.trim().to_string() };
            let mut facts = vec![
                row(&[("隐患编号", h.number), ("隐患等级", &format!("{}事故隐患", h.grade.as_str()))]),
                row(&[("隐患描述", h.description)]),
            ];
            if let Some(c) = h.criterion {
                facts.push(row(&[("判定依据", c)]));
            }
            let responsible = if h.responsible.trim().is_empty() { "（由企业确定）" } else { h.responsible };
            facts.push(row(&[("整改期限", &format!("{}前", chinese_date(h.deadline))), ("整改责任人", responsible)]));
            let major = if h.grade == HazardGrade::Major {
                format!("该隐患为重大事故隐患，{five}制定治理方案，报监管部门备案。")
            } else {
                String::new()
            };
            Ok(Writ {
                title: "安全生产事故隐患整改通知书".into(),
                number: format!("整改〔{}〕{}", h.found_day.get(..4).unwrap_or(""), h.number),
                addressee: format!("{}：", h.enterprise_name),
                blocks: vec![
                    WritBlock::paragraph(format!(
                        "{}，{}（{}）在你单位{place}发现下列事故隐患：",
                        chinese_date(h.found_day),
                        h.found_by_name,
                        h.source.as_str()
                    )),
                    WritBlock::Facts { rows: facts },
                    WritBlock::paragraph(format!(
                        "依据《中华人民共和国安全生产法》等法律法规的规定，责令你单位在上述期限内整改完毕；整改前和整改中应当采取可靠的防范措施，防止事故发生。{major}整改完成后，请在平台提交整改结果（整改后照片和说明），申请复查验收。逾期未整改的，将依法处理。"
                    )),
                ],
                issuer: issuer.trim().into(),
                signature: vec![format!("检查单位：{}（盖章）", blank(issuer)), chinese_date(today)],
                receipt: vec![
                    "被检查单位负责人（签收）：________________  签收日期：____年__月__日".into(),
                    "检查人员（签名）：________________  ________________".into(),
                ],
            })
        }
        HazardWritKind::Listing => {
            let l = h.listing.ok_or(NOT_LISTED)?;
            let mut facts = vec![row(&[
                ("督办级别", &format!("{}级", l.level)),
                ("督办期限", &format!("{}前", chinese_date(l.deadline))),
            ])];
            if let Some(c) = h.criterion {
                facts.push(row(&[("判定依据", c)]));
            }
            if let Some(p) = h.plan {
                for (label, value) in [
                    ("整改措施", &p.measures),
                    ("责任人", &p.responsible),
                    ("资金", &p.funds),
                    ("时限", &p.deadline),
                    ("应急预案", &p.contingency),
                ] {
                    facts.push(row(&[(label, value)]));
                }
            }
            Ok(Writ {
                title: "重大事故隐患挂牌督办通知书".into(),
                number: l.document_number.into(),
                addressee: format!("{}：", h.enterprise_name),
                blocks: vec![
                    WritBlock::paragraph(format!(
                        "你单位存在的重大事故隐患“{}”（隐患编号 {}），经研究，决定列入{}级挂牌督办。",
                        h.description, h.number, l.level
                    )),
                    WritBlock::Facts { rows: facts },
                    WritBlock::paragraph(format!(
                        "请你单位主要负责人亲自组织，{five}落实治理，督办期间采取可靠的安全防范措施，于督办期限前完成整改，经{}验收合格后销号。治理进展和结果请通过平台及时报送。",
                        l.supervising_unit
                    )),
                ],
                issuer: l.supervising_unit.trim().into(),
                signature: vec![format!("督办单位：{}（盖章）", blank(l.supervising_unit)), chinese_date(l.listed_on)],
                receipt: vec!["被督办单位负责人（签收）：________________  签收日期：____年__月__日".into()],
            })
        }
    }
}

fn blank(s: &str) -> &str {
    if s.trim().is_empty() {
        "________________"
    } else {
        s.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hazard() -> WritHazard<'static> {
        WritHazard {
            number: "YH-2026-000123",
            enterprise_name: "常州安泰化工有限公司",
            found_day: "2026-06-16",
            found_by_name: "王网格",
            source: HazardSource::GridPatrol,
            location: "甲类仓库",
            description: "甲类仓库内违规存放氧化剂",
            grade: HazardGrade::Major,
            state: HazardState::Rectifying,
            criterion: Some("《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第十九项"),
            deadline: "2026-07-15",
            responsible: "",
            plan: None,
            listing: None,
        }
    }

    #[test]
    fn a_rectification_notice_orders_the_deadline_and_names_the_issuer() {
        let w = hazard_writ(hazard(), HazardWritKind::Rectification, "春江街道安监站", "2026-06-16").unwrap();
        assert_eq!(w.number, "整改〔2026〕YH-2026-000123");
        assert_eq!(w.addressee, "常州安泰化工有限公司：");
        assert_eq!(w.signature, ["检查单位：春江街道安监站（盖章）", "2026年6月16日"]);
        let WritBlock::Facts { rows } = &w.blocks[1] else { panic!("facts second") };
        assert!(rows.iter().flatten().any(|f| f.label == "整改期限" && f.value == "2026年7月15日前"));
        assert!(rows.iter().flatten().any(|f| f.label == "整改责任人" && f.value == "（由企业确定）"));
        // a 重大 hazard needs the five-in-place plan
        assert!(matches!(&w.blocks[2], WritBlock::Paragraph { text } if text.contains("五到位")));
    }

    #[test]
    fn a_rejected_report_gets_no_notice() {
        let h = WritHazard { state: HazardState::Rejected, ..hazard() };
        assert_eq!(hazard_writ(h, HazardWritKind::Rectification, "x", "2026-06-16"), Err(REJECTED));
    }

    #[test]
    fn a_listing_notice_needs_a_listing_and_is_signed_by_its_supervising_unit() {
        assert_eq!(hazard_writ(hazard(), HazardWritKind::Listing, "x", "2026-06-16"), Err(NOT_LISTED));
        let listing = WritListing {
            level: "区",
            supervising_unit: "新北区安委办",
            document_number: "新安委办督〔2026〕3号",
            deadline: "2026-09-30",
            listed_on: "2026-06-18T02:00:00Z",
        };
        let w = hazard_writ(
            WritHazard { listing: Some(listing), ..hazard() },
            HazardWritKind::Listing,
            "春江街道安监站",
            "2026-06-20",
        )
        .unwrap();
        assert_eq!(w.number, "新安委办督〔2026〕3号");
        assert_eq!(w.signature, ["督办单位：新北区安委办（盖章）", "2026年6月18日"]);
    }
}
