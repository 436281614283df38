//! Risk points for the demo district's enterprises.

use super::*;

/// Typical risk points per sector: (name, kind, hazard factors, accident types).
fn risk_points_for(sector: &str) -> &'static [(&'static str, &'static str, &'static str, &'static [&'static str])] {
    match sector {
        "危险化学品" => &[
            ("储罐区", "场所", "易燃液体、有毒气体泄漏", &["火灾", "其它爆炸", "中毒和窒息"]),
            ("装卸站台", "工艺", "装卸过程泄漏、静电", &["火灾", "中毒和窒息"]),
            ("反应釜", "设备", "超温超压、物料失控", &["容器爆炸", "灼烫"]),
        ],
        "粉尘涉爆" => &[("除尘系统", "设备", "可燃性粉尘积聚、点火源", &["其它爆炸", "火灾"])],
        "有限空间" => &[("污水池", "场所", "硫化氢、缺氧", &["中毒和窒息", "淹溺"])],
        "建筑施工" => &[
            ("塔式起重机", "设备", "吊物坠落、倾覆", &["起重伤害", "物体打击"]),
            ("脚手架", "场所", "高处作业", &["高处坠落", "坍塌"]),
        ],
        "人员密集场所" => &[("营业大厅", "场所", "人员密集、疏散困难", &["火灾", "其它伤害"])],
        "特种设备" => &[("锅炉房", "设备", "超压、缺水", &["锅炉爆炸", "灼烫"])],
        "道路运输" => &[("车辆停放场", "场所", "车辆行驶、倒车", &["车辆伤害"])],
        _ => &[
            ("生产车间", "场所", "机械转动部件、电气线路", &["机械伤害", "触电"]),
            ("配电房", "设备", "带电作业", &["触电", "火灾"]),
        ],
    }
}

/// Risk points for every enterprise, assessed by LEC (so the one-map shows all four colours).
pub(crate) async fn generate_risk_points(
    store: &Store,
    rng: &mut ChaCha8Rng,
    ents: &[DemoEnterprise],
    names: &[String],
) -> Result<usize, StoreError> {
    use crate::risk::{insert_point, RiskPointInput};
    use anjian_domain::risk::{BandSet, ControlMeasures, Scores};
    let actor = Actor::system("演示数据生成");
    let today = store.calendar().await?.date_of(jiff::Timestamp::now().into());
    let mut tx = store.begin().await?;
    let mut n = 0;
    for (i, (e, name)) in ents.iter().zip(names).enumerate() {
        let severe = matches!(e.sector.as_str(), "危险化学品" | "粉尘涉爆" | "有限空间" | "涉氨制冷");
        for (k, (point, kind, factors, types)) in risk_points_for(&e.sector).iter().enumerate() {
            if k > 0 && rng.gen_bool(0.4) {
                continue;
            }
            let l = *[0.5, 1.0, 3.0, 6.0].choose(rng).expect("values");
            let e_ = *[2.0, 3.0, 6.0].choose(rng).expect("values");
            let c = if severe {
                *[7.0, 15.0, 40.0].choose(rng).expect("values")
            } else {
                *[1.0, 3.0, 7.0, 15.0].choose(rng).expect("values")
            };
            let scores = Scores::Lec { l, e: e_, c };
            let a = scores.assess().map_err(StoreError::Invalid)?;
            let v = RiskPointInput {
                enterprise_id: e.id,
                name: point.to_string(),
                kind: kind.to_string(),
                location: point.to_string(),
                hazard_factors: factors.to_string(),
                accident_types: types.iter().map(|t| t.to_string()).collect(),
                measures: ControlMeasures {
                    engineering: "设置安全防护和监测报警装置".into(),
                    management: "落实岗位安全操作规程和巡检制度".into(),
                    ppe: "按规定配备和使用劳动防护用品".into(),
                    emergency: "编制现场处置方案并定期演练".into(),
                },
                responsible: e.safety_manager.clone(),
                control_level: if a.level >= anjian_domain::risk::RiskLevel::Considerable {
                    "公司"
                } else {
                    "车间"
                }
                .into(),
                scores,
                // Reviewed yearly; about one in eight is past its date, so reminders show — the demo
                // line's first point always, so the enterprise account meets one at first login.
                next_review: today
                    .checked_add(jiff::Span::new().days(if i == 0 && k == 0 { -3 } else { rng.gen_range(-45..320) }))
                    .unwrap_or(today)
                    .to_string(),
            }
            .validate(&BandSet::default())
            .map_err(StoreError::Invalid)?;
            insert_point(&mut tx, &actor, (e.id, name, &e.scope_path, &e.sector), &v).await?;
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// A chemical of a demo unit: name, hazard category (when needed for β), quantity range in t.
type DemoSubstance = (&'static str, &'static str, (f64, f64));

/// A few dozen identification units among the 危险化学品 enterprises, most of them major
/// hazard sources of every grade.
pub(crate) async fn generate_major_hazard_sources(
    store: &Store,
    rng: &mut ChaCha8Rng,
    ents: &[DemoEnterprise],
    names: &[String],
) -> Result<usize, StoreError> {
    use crate::major_hazard::{write, SourceInput};
    use anjian_domain::risk::{SubstanceInput, UnitKind};
    let actor = Actor::system("演示数据生成");
    // (unit, [(name, category, quantity range)])
    let kinds: [(&str, &[DemoSubstance]); 4] = [
        ("液氯储罐区", &[("氯", "", (2.0, 60.0))]),
        ("液氨储罐区", &[("氨", "", (5.0, 120.0))]),
        ("甲醇罐区", &[("甲醇", "W5.3", (100.0, 3000.0)), ("苯", "W5.3", (0.0, 80.0))]),
        ("氢气充装车间", &[("氢", "W2", (1.0, 12.0))]),
    ];
    let mut tx = store.begin().await?;
    let mut n = 0;
    for (e, name) in ents.iter().zip(names).filter(|(e, _)| e.sector == "危险化学品").take(40) {
        let (unit, subs) = kinds[rng.gen_range(0..kinds.len())];
        let input = SourceInput {
            enterprise_id: e.id,
            name: unit.to_string(),
            unit_kind: if unit.ends_with("车间") { UnitKind::Production } else { UnitKind::Storage },
            substances: subs
                .iter()
                .map(|(s, cat, (lo, hi))| SubstanceInput {
                    name: Some(s.to_string()),
                    cas: None,
                    category: (!cat.is_empty()).then(|| cat.to_string()),
                    quantity_t: (rng.gen_range(*lo..*hi) * 10.0_f64).round() / 10.0,
                })
                .collect(),
            exposed_people: *[0, 12, 45, 80, 260].choose(rng).expect("values"),
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        write(&mut tx, &actor, (e.id, name, &e.scope_path, &e.sector), None, &input).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
