//! A believable year of hazards for the demo district.

use super::*;

/// Typical findings per sector (from the kinds the seeds' campaigns target).
fn findings(sector: &str) -> &'static [(&'static str, &'static str)] {
    match sector {
        "危险化学品" => &[
            ("储罐区", "储罐区可燃气体检测报警仪未定期检定"),
            ("装卸站台", "装卸作业未使用万向管道充装系统"),
            ("仓库", "危险化学品仓库超量储存，禁忌物料混存"),
            ("中控室", "紧急停车系统处于旁路状态"),
        ],
        "建筑施工" => &[
            ("3号楼", "外脚手架连墙件缺失，剪刀撑不连续"),
            ("基坑", "深基坑临边防护栏杆缺失"),
            ("塔吊", "塔式起重机限位装置失效"),
        ],
        "道路运输" => &[("停车场", "营运车辆动态监控装置离线"), ("车队", "驾驶员超时驾驶未纠正")],
        "粉尘涉爆" => &[("抛光车间", "除尘系统未设置泄爆装置"), ("打磨工位", "粉尘清扫制度未落实，积尘严重")],
        "涉氨制冷" => &[("机房", "液氨储罐区未设置氨气泄漏报警装置")],
        "有限空间" => &[("污水池", "有限空间作业未执行先通风、再检测、后作业"), ("窨井", "有限空间未设置警示标识")],
        "人员密集场所" => {
            &[("一楼大厅", "安全出口被锁闭"), ("疏散通道", "疏散通道堆放杂物"), ("配电间", "电气线路私拉乱接")]
        }
        "特种设备" => &[("锅炉房", "锅炉安全阀超期未校验"), ("叉车", "叉车司机无证驾驶")],
        "燃气" => &[("后厨", "燃气管道未安装燃气泄漏报警切断装置")],
        "金属冶炼" => &[("熔炼车间", "熔融金属吊运未使用冶金铸造起重机")],
        _ => &[
            ("生产车间", "设备防护罩缺失，传动部位外露"),
            ("配电房", "配电箱未张贴警示标识，接地不良"),
            ("仓库", "灭火器过期未更换"),
            ("车间通道", "安全通道被占用"),
        ],
    }
}

/// A pretend account for demo history made by people who have no login of their own
/// (an enterprise's safety manager, a street's inspectors).
fn actor_as(role: Role, username: &str, display: &str) -> crate::Principal {
    crate::Principal {
        user_id: 0,
        username: username.into(),
        display_name: display.into(),
        role,
        org_kind: role.org_kind(),
        org_id: 0,
        scope: anjian_domain::scope::Scope::All,
        unit_tier: None,
    }
}

/// One enterprise as the hazard generator needs it.
pub(crate) struct DemoEnterprise {
    pub id: i64,
    pub scope_path: String,
    pub sector: String,
    pub safety_manager: String,
}

/// The department that lists hazards of its sectors in the demo (应急管理局).
pub(crate) struct DemoBureau {
    pub id: i64,
    pub name: String,
    /// its jurisdiction's path
    pub path: String,
    pub sectors: Vec<String>,
}

/// A believable year of hazards: every state and source, some overdue, some 重大 and listed —
/// every other 区级 listing of the bureau's sectors by the bureau, signed by its head — and the
/// closed listings with their assessment.
/// The demo enterprise (index 0) gets a dozen so its pages show something.
pub(crate) async fn generate_hazards(
    store: &Store,
    rng: &mut ChaCha8Rng,
    ents: &[DemoEnterprise],
    streets: &[(String, String)],
    bureau: &DemoBureau,
    count: usize,
) -> Result<usize, StoreError> {
    use crate::hazard::{
        government_unit, insert, write_assessment, write_listing, write_transition, ActionInput, NewHazard,
    };
    use anjian_domain::hazard::{
        decide, AssessorKind, HazardActor, HazardFacts, HazardGrade, HazardSource, HazardState, ListingLevel,
        ListingUnit, RectificationPlan, Signature, ValidListedClosing, ValidListing,
    };
    let cal = store.calendar().await?;
    let now = jiff::Timestamp::now();
    let today = cal.date_of(now.into());
    let criteria = anjian_domain::checklist::builtin();
    let mut tx = store.begin().await?;
    let mut listed = [0usize; 3];
    // When each was found and where: drawn first, then written oldest first so that ids and
    // numbers follow time as they would in real use.
    let mut finds: Vec<(i64, usize, usize)> = (0..count)
        .map(|i| {
            let e = if i < 12 { 0 } else { rng.gen_range(0..ents.len()) };
            let days_ago = if i < 12 { (i as i64) * 25 + 3 } else { rng.gen_range(1..365) };
            (days_ago, e, i)
        })
        .collect();
    finds.sort_by_key(|f| (std::cmp::Reverse(f.0), f.2));
    for (days_ago, e, i) in finds {
        let e = &ents[e];
        let street =
            streets.iter().find(|(p, _)| e.scope_path.starts_with(p.as_str())).map(|s| s.1.clone()).unwrap_or_default();
        let found_at = now - jiff::SignedDuration::from_hours(24 * days_ago + rng.gen_range(0..8));
        let found_day = cal.date_of(found_at.into());
        // A 重大 hazard is one an official 判定标准 names (DOMAIN.md §2), so the demo draws them only
        // where a standard covers the sector, from its items, with the criterion recorded.
        let official: Vec<(&str, &anjian_domain::checklist::ChecklistItem)> = criteria
            .iter()
            .filter(|c| c.sector == e.sector)
            .flat_map(|c| c.items.iter().map(move |it| (c.basis.as_str(), it)))
            .collect();
        let major = !official.is_empty() && (i == 5 || i == 9 || rng.gen_bool(0.08));
        let grade = if major { HazardGrade::Major } else { HazardGrade::General };
        let source = match rng.gen_range(0..100) {
            0..=49 => HazardSource::SelfInspection,
            50..=69 => HazardSource::GovernmentInspection,
            70..=89 => HazardSource::GridPatrol,
            90..=94 => HazardSource::PublicTipoff,
            _ => HazardSource::ThirdParty,
        };
        let (location, mut description) = *findings(&e.sector).choose(rng).expect("findings");
        let mut criterion = None;
        if major {
            let (basis, item) = official.choose(rng).expect("official criteria");
            description = item.text.as_str();
            criterion = Some(format!("{basis} {}：{}", item.code, item.text));
        }
        let deadline =
            found_day + jiff::Span::new().days(if major { rng.gen_range(45..120) } else { rng.gen_range(5..30) });
        let ent_actor = actor_as(Role::Enterprise, "企业", &e.safety_manager);
        let station_actor = actor_as(Role::Station, "station", &format!("{street}安监站"));
        let finder = match source {
            HazardSource::SelfInspection => ent_actor.clone(),
            HazardSource::GridPatrol => actor_as(Role::Grid, "grid", &format!("{street}网格员")),
            HazardSource::ThirdParty => actor_as(Role::Expert, "expert", "安全生产专家"),
            _ => station_actor.clone(),
        };
        let deadline_s = deadline.to_string();
        let mut h = insert(
            &mut tx,
            &finder,
            NewHazard {
                enterprise_id: e.id,
                scope_path: e.scope_path.clone(),
                sector: e.sector.clone(),
                location: location.into(),
                description: description.into(),
                grade,
                category: if source == HazardSource::SelfInspection { "企业自查" } else { "现场检查" }.into(),
                source,
                deadline,
                responsible: e.safety_manager.clone(),
                criterion,
                checklist_run_id: None,
                risk_point_id: None,
                found_at,
                found_day,
                photos: vec![],
                position: None,
                last_visit_day: None,
            },
            crate::hazard::Numbering::Now,
        )
        .await?;
        // How far along it got: old ones are mostly closed, a few ran late or were rejected.
        let past = deadline < today;
        let roll = rng.gen_range(0..100);
        // The demo enterprise's first five show every state; the rest are drawn.
        let target = if i < 5 {
            [1, 2, 3, 5, 0][i]
        } else {
            match (past, roll) {
                (_, 0..=3) => 0,       // rejected
                (true, 4..=9) => 2,    // still rectifying: overdue
                (true, 10..=12) => 1,  // never started: overdue
                (true, _) => 5,        // closed
                (false, 4..=25) => 1,  // reported
                (false, 26..=55) => 2, // rectifying
                (false, 56..=70) => 3, // pending verification
                (false, _) => 5,       // closed
            }
        };
        let step_at = |k: i64| found_at + jiff::SignedDuration::from_hours(24 * k.min(days_ago.max(1)) / 4 + k);
        // About one closing in eight comes after its deadline (as the districts' on-time rates of
        // 85–95 % say), when that day has passed: the last step then lands 1–20 days late.
        let days_to_deadline = (deadline - found_day).get_days() as i64;
        let late_by = rng.gen_range(1..=20i64);
        let late = past && target == 5 && rng.gen_bool(0.12) && days_to_deadline + late_by < days_ago;
        let mut steps: Vec<(ActionInput, &crate::Principal)> = vec![];
        let plan = RectificationPlan {
            measures: format!("针对「{description}」制定专项整改措施"),
            responsible: e.safety_manager.clone(),
            funds: format!("{}万元", rng.gen_range(2..60)),
            deadline: deadline_s.clone(),
            contingency: "本单位综合应急预案及现场处置方案".into(),
            goal: "按期消除重大事故隐患".into(),
        };
        if target == 0 {
            steps.push((ActionInput::Reject { reason: "经现场核实不构成事故隐患".into() }, &station_actor));
        } else if target == 5 && grade == HazardGrade::General && rng.gen_bool(0.3) {
            let closer = if finder.role == Role::Expert { &station_actor } else { &finder };
            steps.push((ActionInput::Close { after_photos: vec![], note: "立查立改".into() }, closer));
        } else {
            if target >= 2 {
                steps.push((ActionInput::Rectify { plan: major.then(|| plan.clone()) }, &ent_actor));
            }
            if target >= 3 {
                steps.push((ActionInput::Submit { after_photos: vec![], note: "已按要求整改".into() }, &ent_actor));
            }
            if target == 5 {
                let verifier = if grade == HazardGrade::General && source == HazardSource::SelfInspection {
                    &ent_actor
                } else {
                    &station_actor
                };
                if rng.gen_bool(0.1) {
                    steps.push((
                        ActionInput::Verify {
                            passed: false, comment: "整改不彻底，需补充措施".into(), closing: None
                        },
                        verifier,
                    ));
                    steps.push((ActionInput::Submit { after_photos: vec![], note: "补充整改".into() }, &ent_actor));
                }
                steps.push((
                    ActionInput::Verify { passed: true, comment: "复查合格，予以销号".into(), closing: None },
                    verifier,
                ));
            }
        }
        let count = steps.len();
        // 立查立改 is closed on the spot, never late
        let late = late && !matches!(steps.last(), Some((ActionInput::Close { .. }, _)));
        let mut last_at = found_at;
        for (k, (input, who)) in steps.into_iter().enumerate() {
            let action = input.domain();
            // Demo history has no photos; the rules otherwise apply as for anyone.
            let action = match action {
                anjian_domain::hazard::HazardAction::Submit { .. } => {
                    anjian_domain::hazard::HazardAction::Submit { after_photos: 1 }
                }
                anjian_domain::hazard::HazardAction::Close { .. } => {
                    anjian_domain::hazard::HazardAction::Close { after_photos: 1 }
                }
                a => a,
            };
            // The demo's enterprises have no accounts: their regulators may record their steps.
            let facts = HazardFacts { state: h.state, grade, source, enterprise_on_platform: false };
            let to = decide(facts, HazardActor { role: who.role }, &action)
                .map_err(|r| StoreError::Config(format!("演示数据违反规则：{r:?}")))?;
            let last = k + 1 == count;
            let at = if late && last {
                found_at + jiff::SignedDuration::from_hours(24 * (days_to_deadline + late_by) + 2)
            } else {
                step_at(k as i64 + 1)
            };
            let day = cal.date_of(at.into());
            write_transition(&mut tx, &who.actor(), &h, to, &input, &action, at, day).await?;
            h.state = to;
            last_at = at;
        }
        if major && (h.state.is_open() || rng.gen_bool(0.5)) {
            let level = match rng.gen_range(0..10) {
                0..=1 => ListingLevel::City,
                2..=6 => ListingLevel::District,
                _ => ListingLevel::Street,
            };
            let li = level as usize;
            if listed[li] < [10, 15, 25][li] && h.state != anjian_domain::hazard::HazardState::Rejected {
                listed[li] += 1;
                let by_bureau =
                    level == ListingLevel::District && listed[li] % 2 == 0 && bureau.sectors.contains(&h.sector);
                let unit = match level {
                    _ if by_bureau => bureau.name.as_str(),
                    ListingLevel::City => "常州市安委办",
                    ListingLevel::District => "新北区安委办",
                    ListingLevel::Street => "街道安委会",
                };
                // The demo writes history, deadlines in the past included: straight to the writer.
                let input = ValidListing {
                    level,
                    supervising_unit: unit.into(),
                    document_number: format!(
                        "{}督〔{}〕{}号",
                        unit.chars().take(2).collect::<String>(),
                        found_day.year(),
                        listed.iter().sum::<usize>()
                    ),
                    deadline,
                    // (the signed scan is not part of the demo's history)
                    signature: by_bureau
                        .then(|| Signature { by: "王建国（局长）".into(), on: found_day, file_id: 0 }),
                    suspended: by_bureau && listed[li] % 4 == 0,
                };
                let (lister, by) = if by_bureau {
                    let unit = ListingUnit::Department { id: bureau.id, path: bureau.path.clone() };
                    (actor_as(Role::Department, "department", &bureau.name), unit)
                } else {
                    (actor_as(Role::Committee, "committee", unit), government_unit(store, &h.scope_path, level).await?)
                };
                write_listing(&mut tx, &lister.actor(), &h, &input, &by, found_day.year() as i64, step_at(1)).await?;
                if h.state == HazardState::Closed {
                    let agency = listed.iter().sum::<usize>() % 2 == 0;
                    let closing = ValidListedClosing {
                        assessor_kind: if agency { AssessorKind::Agency } else { AssessorKind::Experts },
                        assessor: if agency {
                            "常州安信安全评价有限公司"
                        } else {
                            "区安委办专家组（张工、李工、陈工）"
                        }
                        .into(),
                        assessed_on: cal.date_of(last_at.into()).yesterday().unwrap_or(found_day),
                        conclusion: "整改措施已落实，隐患已消除，具备销号条件".into(),
                        report_file_id: 0,
                        application_file_id: 0,
                    };
                    write_assessment(&mut tx, &lister.actor(), &h, &closing, input.suspended, last_at).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(count)
}
