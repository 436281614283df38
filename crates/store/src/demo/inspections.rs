//! Inspection records (检查记录) for the demo district: enterprises inspecting themselves with a
//! daily checklist, the station and the grid inspector visiting, so 本月自查 and 本周巡查 read
//! true figures.

use super::*;
use crate::checklist::{write_run, Checklist, RunRecord};
use anjian_domain::checklist::{Answer, ChecklistItem};

/// The district's daily checklist for chemical enterprises (the committee's, not an official
/// 判定标准: its items are the everyday checks of 危险化学品 sites).
const DAILY_ITEMS: [(&str, &str); 8] = [
    ("1", "安全出口、疏散通道畅通，应急照明和疏散指示完好"),
    ("2", "消防器材在有效期内，消火栓无遮挡"),
    ("3", "可燃、有毒气体检测报警仪运行正常，按期检定"),
    ("4", "动火、受限空间等特殊作业持票作业，监护到位"),
    ("5", "危险化学品分类分区存放，无超量储存"),
    ("6", "特种作业人员持证上岗"),
    ("7", "安全警示标志和告知卡齐全"),
    ("8", "交接班和巡检记录完整"),
];

/// Writes the checklist and a month and a half of runs; answers how many runs.
pub(crate) async fn generate_inspections(
    store: &Store,
    rng: &mut ChaCha8Rng,
    ents: &[DemoEnterprise],
    names: &[String],
    streets: &[(String, String)],
) -> Result<usize, StoreError> {
    let cal = store.calendar().await?;
    let now = jiff::Timestamp::now();
    let items: Vec<ChecklistItem> = DAILY_ITEMS
        .iter()
        .map(|(c, t)| ChecklistItem { code: c.to_string(), text: t.to_string(), major: false })
        .collect();
    let mut tx = store.begin().await?;
    let id: i64 = crate::db::Insert::into("checklist_template")
        .set("name", "危险化学品企业日常安全检查表")
        .set("sector", "危险化学品")
        .set("basis", "《危险化学品安全管理条例》；新北区安委办日常检查要点")
        .set("official", 0i64)
        .set("items", serde_json::to_string(&items).unwrap_or_default())
        .set("created_at", crate::format_ts(now))
        .returning_id()
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
    let template = Checklist {
        id,
        name: "危险化学品企业日常安全检查表".into(),
        sector: "危险化学品".into(),
        basis: String::new(),
        official: false,
        enterprise_id: None,
        item_count: items.len(),
        items: items.clone(),
    };
    let answers: Vec<serde_json::Value> =
        items.iter().map(|i| serde_json::json!({"code": i.code, "result": Answer::Compliant, "note": ""})).collect();
    let users: Vec<(String, i64, String)> =
        Q::new("SELECT username, id, display_name FROM app_user WHERE username IN ('grid', 'station', 'enterprise')")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("username")?, r.try_get("id")?, r.try_get("display_name")?)))
            .collect::<Result<_, StoreError>>()?;
    let user = |name: &str| users.iter().find(|u| u.0 == name).map(|u| (u.1, format!("{}({})", u.2, u.0)));
    // (enterprise index, role, days ago): the line enterprise inspects itself twice a month and
    // was last visited by its grid inspector nine days ago (so his 本周巡查 shows it); the
    // station visits a dozen chemical enterprises of its street over the last month; others
    // inspect themselves now and then.
    let line_street =
        ents.first().and_then(|e| streets.iter().find(|(p, _)| e.scope_path.starts_with(p.as_str()))).map(|s| &s.0);
    let mut plan: Vec<(usize, Role, i64)> =
        vec![(0, Role::Enterprise, 2), (0, Role::Enterprise, 18), (0, Role::Grid, 9)];
    let street: Vec<usize> = (1..ents.len())
        .filter(|i| ents[*i].sector == "危险化学品")
        .filter(|i| line_street.is_some_and(|s| ents[*i].scope_path.starts_with(s.as_str())))
        .collect();
    for i in street.iter().take(12) {
        plan.push((*i, Role::Station, rng.gen_range(1..35)));
    }
    for i in (1..ents.len()).filter(|i| ents[*i].sector == "危险化学品") {
        if rng.gen_bool(0.5) {
            plan.push((i, Role::Enterprise, rng.gen_range(1..40)));
        }
    }
    // oldest first, so that ids follow time as in real use
    plan.sort_by_key(|(i, _, days_ago)| (std::cmp::Reverse(*days_ago), *i));
    let mut n = 0;
    for (i, role, days_ago) in plan {
        let at = now - jiff::SignedDuration::from_hours(24 * days_ago + rng.gen_range(0..6));
        let (user_id, actor) = match role {
            Role::Grid => user("grid").map(|(id, a)| (Some(id), a)),
            Role::Station => user("station").map(|(id, a)| (Some(id), a)),
            _ if i == 0 => user("enterprise").map(|(id, a)| (Some(id), a)),
            _ => Some((None, format!("{}(企业安全员)", ents[i].safety_manager))),
        }
        .unwrap_or((None, "演示数据".into()));
        let record = RunRecord {
            template: &template,
            enterprise: (ents[i].id, &names[i], &ents[i].scope_path),
            role,
            user_id,
            day: cal.date_of(at.into()),
            at,
            answers: &answers,
            findings: 0,
        };
        write_run(&mut tx, &Actor { id: user_id, name: actor }, &record).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
