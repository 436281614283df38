//! The demo district (演示辖区): a believable 常州市新北区 with streets, communities, grids,
//! departments, a few thousand enterprises and one account per role, the same for a given seed.
//!
//! The accounts sit along one line so that flows between roles can be shown: the demo
//! enterprise lies in the grid account's grid and the station account's street, and the
//! department account supervises its sector.

use crate::auth::{user_create, UserInput};
use crate::db::Q;
use crate::org::{department_insert, insert_enterprise_in, jurisdiction_create, DepartmentInput, JurisdictionInput};
use crate::{Actor, Store, StoreError};
use anjian_domain::auth::Role;
use anjian_domain::org::{credit_code_check_char, EnterpriseDraft, JurisdictionLevel, SECTORS};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::Row;

/// The password of every demo account; it exists only in demo mode.
pub const DEMO_PASSWORD: &str = "Demo@2026!";

/// District bounding box (WGS-84), split into streets, communities and grids.
const DISTRICT_BOX: (f64, f64, f64, f64) = (119.86, 31.80, 120.06, 32.04);

const STREETS: [&str; 6] = ["三井街道", "河海街道", "新桥街道", "龙虎塘街道", "春江街道", "薛家镇"];
const COMMUNITY_WORDS: [&str; 30] = [
    "百馨", "香山", "晋陵", "太湖", "汉江", "华山", "黄河", "长江", "珠江", "泰山", "嵩山", "辽河", "圩塘", "魏村",
    "安家", "江边", "滨江", "新龙", "飞龙", "龙虎", "新闸", "薛家", "吕墅", "顺园", "奥园", "凤凰", "东港", "西夏",
    "利港", "桃园",
];

/// (department, sectors) — 管行业必须管安全.
const DEPARTMENTS: [(&str, &[&str]); 10] = [
    (
        "新北区应急管理局",
        &["危险化学品", "金属冶炼", "粉尘涉爆", "涉氨制冷", "有限空间", "烟花爆竹", "喷涂作业", "其他工贸"],
    ),
    ("新北区住房和城乡建设局", &["建筑施工", "燃气"]),
    ("新北区交通运输局", &["道路运输"]),
    ("常州市公安局新北分局交通警察大队", &["道路运输"]),
    ("新北区消防救援大队", &["人员密集场所"]),
    ("新北区市场监督管理局", &["特种设备"]),
    ("新北区文化广电和旅游局", &["旅游景区"]),
    ("新北区农业农村局", &["渔业船舶"]),
    ("新北区发展和改革局", &["油气管道"]),
    ("新北区工业和信息化局", &["船舶修造", "劳动密集型加工"]),
];

const NAME_WORDS: [&str; 40] = [
    "恒泰", "华信", "永安", "宏达", "金鼎", "瑞丰", "天合", "鼎盛", "新锐", "长盛", "博远", "正和", "同创", "润达",
    "海诚", "力拓", "中科", "东方", "伟业", "盛世", "嘉禾", "联合", "精工", "明辉", "华宇", "兴隆", "安泰", "恒通",
    "创新", "佳誉", "汇丰", "德邦", "九州", "远航", "光大", "腾飞", "宝利", "锦程", "凯越", "诚信",
];

/// Per sector: business words, relative weight in the district.
fn sector_business(sector: &str) -> (&'static [&'static str], u32) {
    match sector {
        "危险化学品" => (&["化工", "化学品", "新材料", "涂料", "气体"], 8),
        "建筑施工" => (&["建设工程", "建筑安装", "市政工程"], 10),
        "道路运输" => (&["物流", "运输", "货运"], 8),
        "金属冶炼" => (&["特钢", "铝业", "铸造"], 3),
        "粉尘涉爆" => (&["木业", "粉末冶金", "抛光"], 5),
        "涉氨制冷" => (&["冷链", "食品冷藏"], 2),
        "有限空间" => (&["污水处理", "酿造"], 3),
        "船舶修造" => (&["船舶修造", "船舶配件"], 1),
        "喷涂作业" => (&["喷涂", "表面处理"], 4),
        "烟花爆竹" => (&["烟花爆竹经营"], 1),
        "特种设备" => (&["机械", "电梯工程", "锅炉"], 6),
        "人员密集场所" => (&["商贸", "酒店管理", "商业广场"], 8),
        "劳动密集型加工" => (&["纺织", "服饰", "电子"], 10),
        "旅游景区" => (&["旅游开发", "文化旅游"], 1),
        "燃气" => (&["燃气", "能源"], 2),
        "油气管道" => (&["管道运营", "石油储运"], 1),
        "渔业船舶" => (&["渔业"], 1),
        _ => (&["机械制造", "五金", "塑料制品", "电器", "包装"], 26),
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "钱",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建国", "志强",
    "海燕", "文",
];

/// What the generator made.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub jurisdictions: usize,
    pub departments: usize,
    pub enterprises: usize,
    pub hazards: usize,
    pub risk_points: usize,
    pub major_hazard_sources: usize,
    pub users: Vec<(String, String)>,
}

/// A rectangle `(west, south, east, north)` as a GeoJSON polygon.
fn polygon(b: (f64, f64, f64, f64)) -> serde_json::Value {
    let (w, s, e, n) = b;
    serde_json::json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
}

/// Splits a box into `cols × rows` cells, row by row from the south-west.
fn split(b: (f64, f64, f64, f64), cols: usize, rows: usize) -> Vec<(f64, f64, f64, f64)> {
    let (w, s, e, n) = b;
    let (dx, dy) = ((e - w) / cols as f64, (n - s) / rows as f64);
    let mut out = vec![];
    for r in 0..rows {
        for c in 0..cols {
            let x = w + dx * c as f64;
            let y = s + dy * r as f64;
            out.push((x, y, x + dx, y + dy));
        }
    }
    out
}

fn person(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap(), GIVEN.choose(rng).unwrap())
}

/// A random credit code of a company registered in 新北区, with a valid check character.
fn credit_code(rng: &mut ChaCha8Rng) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut s = String::from("91320411");
    s.push_str("MA");
    for _ in 0..7 {
        s.push(CHARS[rng.gen_range(0..CHARS.len())] as char);
    }
    let check = credit_code_check_char(&s).expect("valid characters");
    s.push(check);
    s
}

/// Fills an empty database with the demo district. Refuses a database that has data.
pub async fn generate(
    store: &Store,
    seed: u64,
    enterprises: usize,
    hazards: usize,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<DemoSummary, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jurisdiction").fetch_one(store.pool()).await?.try_get("n")?;
    if n > 0 {
        return Err(StoreError::Conflict("数据库中已有数据，演示数据只能填入空数据库".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let actor = Actor::system("演示数据生成");
    let mut sum = DemoSummary::default();
    let node = |parent, level, code: Option<&str>, name: &str, b| JurisdictionInput {
        parent_id: parent,
        level,
        code: code.map(String::from),
        name: name.into(),
        boundary: b,
        timezone: None,
    };
    let city =
        jurisdiction_create(store, &actor, node(None, JurisdictionLevel::City, Some("320400"), "常州市", None)).await?;
    let district = jurisdiction_create(
        store,
        &actor,
        node(Some(city.id), JurisdictionLevel::District, Some("320411"), "新北区", Some(polygon(DISTRICT_BOX))),
    )
    .await?;
    sum.jurisdictions += 2;
    // grids: (id, box, street index)
    let mut grids = vec![];
    let mut street_paths = vec![];
    let mut words = COMMUNITY_WORDS.to_vec();
    words.shuffle(&mut rng);
    let total_nodes = 6 * 5 * 5;
    for (si, (sname, sbox)) in STREETS.iter().zip(split(DISTRICT_BOX, 3, 2)).enumerate() {
        let code = format!("320411{:03}", si + 1);
        let street = jurisdiction_create(
            store,
            &actor,
            node(Some(district.id), JurisdictionLevel::Street, Some(&code), sname, Some(polygon(sbox))),
        )
        .await?;
        sum.jurisdictions += 1;
        street_paths.push((street.path.clone(), sname.to_string()));
        for (ci, cbox) in split(sbox, 5, 1).into_iter().enumerate() {
            let cname = format!("{}社区", words[si * 5 + ci]);
            let ccode = format!("{code}{:03}", ci + 1);
            let comm = jurisdiction_create(
                store,
                &actor,
                node(Some(street.id), JurisdictionLevel::Community, Some(&ccode), &cname, Some(polygon(cbox))),
            )
            .await?;
            sum.jurisdictions += 1;
            for (gi, gbox) in split(cbox, 1, 4).into_iter().enumerate() {
                let gname = format!("{}{}网格", words[si * 5 + ci], gi + 1);
                let g = jurisdiction_create(
                    store,
                    &actor,
                    node(Some(comm.id), JurisdictionLevel::Grid, None, &gname, Some(polygon(gbox))),
                )
                .await?;
                sum.jurisdictions += 1;
                grids.push((g.id, comm.id, gbox, si));
            }
            progress("辖区", sum.jurisdictions, total_nodes);
        }
    }
    let mut departments = vec![];
    for (name, sectors) in DEPARTMENTS {
        let d = department_insert(
            store,
            &actor,
            &district,
            DepartmentInput {
                jurisdiction_id: district.id,
                name: name.into(),
                sectors: sectors.iter().map(|s| s.to_string()).collect(),
            }
            .validate()
            .map_err(StoreError::Invalid)?,
        )
        .await?;
        departments.push(d);
        sum.departments += 1;
    }

    // The demo line: 春江街道 (index 4), its first grid, a 危险化学品 enterprise there.
    let line_grid = grids.iter().find(|g| g.3 == 4).copied().expect("春江街道 has grids");
    let weights: Vec<(&str, u32)> = SECTORS.iter().map(|s| (*s, sector_business(s).1)).collect();
    let weight_sum: u32 = weights.iter().map(|w| w.1).sum();
    let mut used_codes = std::collections::HashSet::new();
    let mut used_names = std::collections::HashSet::new();
    let mut tx = store.begin().await?;
    let mut line_enterprise = None;
    let mut expert_enterprises = vec![];
    let mut demo_ents = vec![];
    let mut demo_names = vec![];
    for i in 0..enterprises {
        let (gid, cid, gbox, _) = if i == 0 { line_grid } else { grids[rng.gen_range(0..grids.len())] };
        let mut pick = rng.gen_range(0..weight_sum);
        let mut sector = weights[0].0;
        for (s, w) in &weights {
            if pick < *w {
                sector = s;
                break;
            }
            pick -= w;
        }
        if i == 0 {
            sector = "危险化学品";
        }
        let mut sectors = vec![sector.to_string()];
        if rng.gen_bool(0.12) {
            let extra = if sector == "危险化学品" { "特种设备" } else { "有限空间" };
            if extra != sector {
                sectors.push(extra.into());
            }
        }
        let business = sector_business(sector).0;
        let mut tries = 0;
        let name = loop {
            let n = format!(
                "常州{}{}{}有限公司",
                NAME_WORDS.choose(&mut rng).unwrap(),
                NAME_WORDS.choose(&mut rng).unwrap(),
                business.choose(&mut rng).unwrap()
            );
            // The word lists give some thousands of names; a large district numbers its branches.
            tries += 1;
            let n = if tries > 8 { format!("{n}第{}分公司", i) } else { n };
            let n = if i == 0 { "常州安泰化工有限公司".to_string() } else { n };
            if used_names.insert(n.clone()) {
                break n;
            }
        };
        let code = loop {
            let c = credit_code(&mut rng);
            if used_codes.insert(c.clone()) {
                break c;
            }
        };
        let employees = match rng.gen_range(0..10) {
            0..=5 => rng.gen_range(5..50),
            6..=8 => rng.gen_range(50..300),
            _ => rng.gen_range(300..2000),
        };
        let (w, s, e, n) = gbox;
        let lon = w + (e - w) * rng.gen_range(0.05..0.95);
        let lat = s + (n - s) * rng.gen_range(0.05..0.95);
        let key = i == 0 || sector == "危险化学品" || employees >= 300 || rng.gen_bool(0.08);
        let draft = EnterpriseDraft {
            name,
            credit_code: code,
            address: format!("常州市新北区{}路{}号", NAME_WORDS.choose(&mut rng).unwrap(), rng.gen_range(1..999)),
            longitude: Some((lon * 1e6).round() / 1e6),
            latitude: Some((lat * 1e6).round() / 1e6),
            coord_system: Some("WGS84".into()),
            jurisdiction_id: cid,
            grid_id: Some(gid),
            sectors,
            above_scale: employees >= 100 || rng.gen_bool(0.2),
            key_enterprise: key,
            employees,
            legal_representative: person(&mut rng),
            safety_manager: person(&mut rng),
            contact_phone: format!("1{}{:09}", [3, 5, 8, 9][rng.gen_range(0..4)], rng.gen_range(0..1_000_000_000u64)),
        };
        let valid = draft.validate().map_err(StoreError::Invalid)?;
        let e = insert_enterprise_in(&mut tx, &actor, &valid, store, cid, Some(gid)).await?;
        demo_names.push(e.name.clone());
        demo_ents.push(DemoEnterprise {
            id: e.id,
            scope_path: e.scope_path.clone(),
            sector: e.sectors[0].clone(),
            safety_manager: e.safety_manager.clone(),
        });
        if i == 0 {
            line_enterprise = Some(e.id);
        }
        if i < 6 {
            expert_enterprises.push(e.id);
        }
        sum.enterprises += 1;
        if sum.enterprises % 100 == 0 || sum.enterprises == enterprises {
            progress("企业", sum.enterprises, enterprises);
        }
    }
    tx.commit().await?;

    let street_id: i64 = Q::new("SELECT parent_id FROM jurisdiction WHERE id = ")
        .bind(line_grid.1)
        .fetch_one(store.pool())
        .await?
        .try_get("parent_id")?;
    let accounts: [(Role, &str, i64, Vec<i64>); 7] = [
        (Role::Admin, "系统管理员", city.id, vec![]),
        (Role::Committee, "新北区安委办", district.id, vec![]),
        (Role::Department, "应急管理局监管员", departments[0].id, vec![]),
        (Role::Station, "春江街道安监站", street_id, vec![]),
        (Role::Grid, "网格员", line_grid.0, vec![]),
        (Role::Enterprise, "安泰化工安全员", line_enterprise.expect("at least one enterprise"), vec![]),
        (Role::Expert, "安全生产专家", district.id, expert_enterprises.clone()),
    ];
    for (role, display, org, assigned) in accounts {
        user_create(
            store,
            &actor,
            UserInput {
                username: role.as_str().into(),
                display_name: display.into(),
                role,
                org_id: org,
                password: DEMO_PASSWORD.into(),
                phone: String::new(),
                assigned_enterprises: assigned,
            },
            false,
        )
        .await?;
        sum.users.push((role.as_str().into(), role.label().into()));
    }
    if hazards > 0 {
        progress("风险点", 0, enterprises);
        sum.risk_points = generate_risk_points(store, &mut rng, &demo_ents, &demo_names).await?;
        sum.major_hazard_sources = generate_major_hazard_sources(store, &mut rng, &demo_ents, &demo_names).await?;
        progress("隐患", 0, hazards);
        sum.hazards = generate_hazards(store, &mut rng, &demo_ents, &street_paths, hazards).await?;
        progress("隐患", hazards, hazards);
    }
    crate::settings::set(
        store,
        &crate::Actor::system("演示数据"),
        "demo_seed",
        &seed,
        &format!("生成演示数据（种子 {seed}）"),
    )
    .await?;
    Ok(sum)
}

/// Whether the database holds the demo district (its accounts share a known password).
pub async fn is_demo(store: &Store) -> Result<bool, StoreError> {
    Ok(crate::settings::get(store, "demo_seed").await?.is_some())
}

/// Outside demo mode the demo accounts' known password must be changed at next login.
pub async fn force_password_change(store: &Store) -> Result<u64, StoreError> {
    let mut q = Q::new("UPDATE app_user SET must_change_password = 1 WHERE username IN ");
    let names: Vec<String> = Role::ALL.iter().map(|r| r.as_str().to_string()).collect();
    q.bind_list(&names).push(" AND must_change_password = 0 AND created_at = updated_at");
    q.execute(store.pool()).await
}

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
    }
}

/// One enterprise as the hazard generator needs it.
pub(crate) struct DemoEnterprise {
    pub id: i64,
    pub scope_path: String,
    pub sector: String,
    pub safety_manager: String,
}

/// A believable year of hazards: every state and source, some overdue, some 重大 and listed.
/// The demo enterprise (index 0) gets a dozen so its pages show something.
pub(crate) async fn generate_hazards(
    store: &Store,
    rng: &mut ChaCha8Rng,
    ents: &[DemoEnterprise],
    streets: &[(String, String)],
    count: usize,
) -> Result<usize, StoreError> {
    use crate::hazard::{insert, write_listing, write_transition, ActionInput, NewHazard};
    use anjian_domain::hazard::ValidListing;
    use anjian_domain::hazard::{
        decide, HazardActor, HazardFacts, HazardGrade, HazardSource, ListingLevel, RectificationPlan,
    };
    let cal = store.calendar().await?;
    let now = jiff::Timestamp::now();
    let today = cal.date_of(now.into());
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
        let major = i == 5 || i == 9 || rng.gen_bool(0.04);
        let grade = if major { HazardGrade::Major } else { HazardGrade::General };
        let source = match rng.gen_range(0..100) {
            0..=49 => HazardSource::SelfInspection,
            50..=69 => HazardSource::GovernmentInspection,
            70..=89 => HazardSource::GridPatrol,
            90..=94 => HazardSource::PublicTipoff,
            _ => HazardSource::ThirdParty,
        };
        let (location, description) = *findings(&e.sector).choose(rng).expect("findings");
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
                scope_path: &e.scope_path,
                sector: &e.sector,
                location,
                description,
                grade,
                category: if source == HazardSource::SelfInspection { "企业自查" } else { "现场检查" },
                source,
                deadline,
                responsible: &e.safety_manager,
                criterion: None,
                checklist_run_id: None,
                risk_point_id: None,
                found_at,
                found_day,
            },
            &[],
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
                        ActionInput::Verify { passed: false, comment: "整改不彻底，需补充措施".into() },
                        verifier,
                    ));
                    steps.push((ActionInput::Submit { after_photos: vec![], note: "补充整改".into() }, &ent_actor));
                }
                steps.push((ActionInput::Verify { passed: true, comment: "复查合格，予以销号".into() }, verifier));
            }
        }
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
            let to = decide(HazardFacts { state: h.state, grade, source }, HazardActor { role: who.role }, &action)
                .map_err(|r| StoreError::Config(format!("演示数据违反规则：{r:?}")))?;
            let at = step_at(k as i64 + 1);
            let day = cal.date_of(at.into());
            write_transition(&mut tx, &who.actor(), &h, to, &input, &action, at, day).await?;
            h.state = to;
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
                let unit = match level {
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
                };
                let committee = actor_as(Role::Committee, "committee", unit);
                write_listing(&mut tx, &committee.actor(), &h, &input, found_day.year() as i64, step_at(1)).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(count)
}

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
