//! The demo district (演示辖区): a believable 常州市新北区 with streets, communities, grids,
//! departments, a few thousand enterprises and one account per role, the same for a given seed.
//!
//! The accounts sit along one line so that flows between roles can be shown: the demo
//! enterprise lies in the grid account's grid and the station account's street, and the
//! department account supervises its sector.

mod hazards;
mod inspections;
mod risk;

use hazards::{generate_hazards, DemoEnterprise};
use inspections::generate_inspections;
use risk::{generate_major_hazard_sources, generate_risk_points};

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
    /// 检查记录
    pub inspections: usize,
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
        let bureau = hazards::DemoBureau {
            id: departments[0].id,
            name: departments[0].name.clone(),
            path: district.path.clone(),
            sectors: departments[0].sectors.clone(),
        };
        sum.hazards = generate_hazards(store, &mut rng, &demo_ents, &street_paths, &bureau, hazards).await?;
        progress("隐患", hazards, hazards);
        sum.inspections = generate_inspections(store, &mut rng, &demo_ents, &demo_names, &street_paths).await?;
    }
    demo_quotas(store, &district, &street_paths).await?;
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
    let n = q.execute(store.pool()).await?;
    store.forget_principals();
    Ok(n)
}

/// The district's 挂牌督办 quota of seed 001 (市级10、区级15、街道级25) for this year and the last,
/// and 春江街道's own (市级1、区级3、街道级5, the station account's street): quotas are per
/// jurisdiction.
async fn demo_quotas(
    store: &Store,
    district: &crate::org::Jurisdiction,
    streets: &[(String, String)],
) -> Result<(), StoreError> {
    use anjian_domain::hazard::ListingQuota;
    let now = jiff::Timestamp::now();
    let year = store.calendar().await?.date_of(now.into()).year() as i64;
    let actor = crate::Actor::system("演示数据");
    let street = match streets.iter().find(|(_, name)| name == "春江街道").or(streets.first()) {
        Some((path, _)) => match anjian_domain::scope::path_node(path) {
            Some(id) => crate::org::jurisdiction_by_id(store, id).await?,
            None => None,
        },
        None => None,
    };
    let names = crate::hazard::listing_levels(store).await?;
    let mut tx = store.begin().await?;
    for y in [year - 1, year] {
        let q = ListingQuota { city: 10, district: 15, street: 25 };
        crate::hazard::write_quota(&mut tx, &actor, district, y, q, None, &names, now).await?;
        if let Some(s) = &street {
            let q = ListingQuota { city: 1, district: 3, street: 5 };
            crate::hazard::write_quota(&mut tx, &actor, s, y, q, None, &names, now).await?;
        }
    }
    tx.commit().await
}
