//! In-app notifications (站内提醒): the notices of every hand-over, the reminder jobs (逾期督办,
//! 即将到期, 评审逾期) and the message centre (消息中心).

use crate::db::{Insert, Q};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::{format_ts, Principal, Store, StoreError};
use anjian_domain::auth::Role;
use anjian_domain::hazard::{
    days_overdue, EscalationLevel, EscalationPolicy, HazardFacts, HazardGrade, HazardSource, HazardState,
};
use anjian_domain::notice::{hazard_addressees, Addressees, HazardHandover, NoticeKind, Unit, DUE_SOON_DAYS};
use anjian_domain::risk::RiskRules;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: NoticeKind,
    /// 类别 in Chinese (新隐患, 待验收, 逾期督办 …)
    pub kind_label: String,
    pub hazard_id: Option<i64>,
    /// 风险点 of a review reminder
    pub risk_point_id: Option<i64>,
    /// Where it leads when it is about several objects (e.g. the findings of one check)
    pub link: Option<String>,
    pub level: i64,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub read: bool,
}

/// The message centre's filters (消息中心).
#[derive(Debug, Default, Clone)]
pub struct InboxFilter {
    pub unread_only: bool,
    pub kind: Option<NoticeKind>,
    /// 日期 from and to (YYYY-MM-DD, inclusive), in the business calendar
    pub from: Option<String>,
    pub to: Option<String>,
}

pub async fn inbox(
    store: &Store,
    p: &Principal,
    f: &InboxFilter,
    page: PageReq,
) -> Result<Page<Notification>, StoreError> {
    let w = inbox_where(store, p, f).await?;
    const LIST: Keyset =
        Keyset { select: "SELECT * FROM notification", count_from: "FROM notification", id: "id", descending: true };
    LIST.page(store, &w, page, |r| {
        let kind: String = r.try_get("kind")?;
        let kind = NoticeKind::parse(&kind).unwrap_or(NoticeKind::Overdue);
        Ok(Notification {
            id: r.try_get("id")?,
            kind,
            kind_label: kind.label().to_string(),
            hazard_id: r.try_get("hazard_id")?,
            risk_point_id: r.try_get("risk_point_id")?,
            link: r.try_get("link")?,
            level: r.try_get("level")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            created_at: r.try_get("created_at")?,
            read: r.try_get::<Option<String>, _>("read_at")?.is_some(),
        })
    })
    .await
}

async fn inbox_where(store: &Store, p: &Principal, f: &InboxFilter) -> Result<Q, StoreError> {
    let mut w = Q::new(" WHERE user_id = ");
    w.bind(p.user_id);
    if f.unread_only {
        w.push(" AND read_at IS NULL");
    }
    if let Some(k) = f.kind {
        w.push(" AND kind = ").bind(k.as_str());
    }
    let day = |field: &str, v: &Option<String>| match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => crate::hazard::parse_date(field, s).map(Some),
        None => Ok(None),
    };
    let (from, to) = (day("from", &f.from)?, day("to", &f.to)?);
    if from.is_some() || to.is_some() {
        let cal = store.calendar().await?;
        if let Some(d) = from {
            w.push(" AND created_at >= ").bind(cal.start_of(d).to_db());
        }
        if let Some(d) = to.and_then(|d| d.tomorrow().ok()) {
            w.push(" AND created_at < ").bind(cal.start_of(d).to_db());
        }
    }
    Ok(w)
}

/// Unread notices by kind (the message centre's tabs), in the kinds' order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: NoticeKind,
    pub label: String,
    pub unread: i64,
}

pub async fn unread_by_kind(store: &Store, p: &Principal) -> Result<Vec<KindCount>, StoreError> {
    let rows = Q::new("SELECT kind, COUNT(*) AS n FROM notification WHERE read_at IS NULL AND user_id = ")
        .bind(p.user_id)
        .push(" GROUP BY kind")
        .fetch_all(store.pool())
        .await?;
    let mut counts = std::collections::HashMap::new();
    for r in rows {
        counts.insert(r.try_get::<String, _>("kind")?, r.try_get::<i64, _>("n")?);
    }
    Ok(NoticeKind::ALL
        .into_iter()
        .map(|k| KindCount { kind: k, label: k.label().into(), unread: counts.get(k.as_str()).copied().unwrap_or(0) })
        .collect())
}

impl Keyed for Notification {
    fn key(&self) -> i64 {
        self.id
    }
}

pub async fn mark_read(store: &Store, p: &Principal, id: i64) -> Result<(), StoreError> {
    let n = Q::new("UPDATE notification SET read_at = ")
        .bind(crate::now())
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND user_id = ")
        .bind(p.user_id)
        .execute(store.pool())
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// 全部已读: marks every unread notice the filter selects read; answers how many.
pub async fn mark_all_read(store: &Store, p: &Principal, f: &InboxFilter) -> Result<u64, StoreError> {
    let w = inbox_where(store, p, &InboxFilter { unread_only: true, ..f.clone() }).await?;
    let mut q = Q::new("UPDATE notification SET read_at = ");
    q.bind(crate::now()).append(&w);
    q.execute(store.pool()).await
}

/// Where a hazard's notices go: its enterprise, the jurisdiction path and the sector.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub enterprise_id: i64,
    pub path: &'a str,
    pub sector: &'a str,
}

/// An active account of a government unit (or an admin) a notice may reach.
struct Official {
    user_id: i64,
    role: Role,
    /// the jurisdiction (for a department: its jurisdiction's) path
    path: Option<String>,
    sectors: Vec<String>,
}

/// The active accounts of the government units and the admins (其他单位账号缓存), read at most
/// every [`Officials::FRESH`]: an installation has a few hundred of them, and every hand-over
/// notice looks among them. Forgotten with the sessions (`Store::forget_principals`) when a write
/// that may change an account commits; another instance sees such a change within `FRESH`.
#[derive(Default)]
pub(crate) struct Officials {
    known: std::sync::Mutex<Option<(std::time::Instant, std::sync::Arc<Vec<Official>>)>>,
}

impl Officials {
    const FRESH: std::time::Duration = crate::auth::SessionCache::FRESH;

    pub(crate) fn forget(&self) {
        if let Ok(mut known) = self.known.lock() {
            *known = None;
        }
    }

    async fn get(store: &Store) -> Result<std::sync::Arc<Vec<Official>>, StoreError> {
        if let Some((at, officials)) = store.officials.known.lock().ok().and_then(|k| k.clone()) {
            if at.elapsed() < Self::FRESH {
                return Ok(officials);
            }
        }
        let read_at = std::time::Instant::now();
        let q = Q::new("SELECT u.id, u.role, COALESCE(j.path, dj.path) AS path, d.sectors FROM app_user u LEFT JOIN jurisdiction j ON u.org_kind = 'jurisdiction' AND j.id = u.org_id LEFT JOIN department d ON u.org_kind = 'department' AND d.id = u.org_id LEFT JOIN jurisdiction dj ON dj.id = d.jurisdiction_id WHERE u.active = 1 AND u.role IN ('admin', 'station', 'committee', 'department') ORDER BY u.id");
        let mut officials = vec![];
        for r in q.fetch_all(store.pool()).await? {
            let Some(role) = Role::parse(&r.try_get::<String, _>("role")?) else { continue };
            let sectors: Option<String> = r.try_get("sectors")?;
            officials.push(Official {
                user_id: r.try_get("id")?,
                role,
                path: r.try_get("path")?,
                sectors: sectors.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
            });
        }
        let officials = std::sync::Arc::new(officials);
        if let Ok(mut known) = store.officials.known.lock() {
            *known = Some((read_at, officials.clone()));
        }
        Ok(officials)
    }
}

/// The accounts of the units around some targets, and who of them each unit is for a target
/// (with the fallback to the unit above when a unit has none).
pub(crate) struct Audience {
    officials: std::sync::Arc<Vec<Official>>,
    /// the active accounts of the targets' enterprises: (user, enterprise)
    enterprise_accounts: Vec<(i64, i64)>,
}

impl Audience {
    /// The audience of `targets`: their enterprises' accounts read in `tx`.
    pub(crate) async fn load(tx: &mut crate::Tx, targets: &[Target<'_>]) -> Result<Audience, StoreError> {
        let mut enterprises: Vec<i64> = targets.iter().map(|t| t.enterprise_id).collect();
        enterprises.sort_unstable();
        enterprises.dedup();
        let mut enterprise_accounts = vec![];
        if !enterprises.is_empty() {
            let mut q =
                Q::new("SELECT id, org_id FROM app_user WHERE active = 1 AND org_kind = 'enterprise' AND org_id IN ");
            q.bind_list(&enterprises).push(" ORDER BY id");
            for r in q.fetch_all(&mut *tx.tx).await? {
                enterprise_accounts.push((r.try_get("id")?, r.try_get("org_id")?));
            }
        }
        let store = tx.store.clone();
        Self::with_accounts(&store, enterprise_accounts).await
    }

    /// The audience of targets whose enterprises' active accounts are known (user, enterprise):
    /// the batching writer reads them with the enterprises.
    pub(crate) async fn with_accounts(
        store: &Store,
        enterprise_accounts: Vec<(i64, i64)>,
    ) -> Result<Audience, StoreError> {
        Ok(Audience { officials: Officials::get(store).await?, enterprise_accounts })
    }

    /// The accounts of `unit` for `t` (none when it has no active account).
    fn of(&self, unit: Unit, t: Target<'_>) -> Vec<i64> {
        if unit == Unit::Enterprise {
            return self.enterprise_accounts.iter().filter(|(_, e)| *e == t.enterprise_id).map(|(u, _)| *u).collect();
        }
        let above = |m: &Official| m.path.as_deref().is_some_and(|p| t.path.starts_with(p));
        self.officials
            .iter()
            .filter(|m| match unit {
                Unit::Enterprise => false,
                Unit::Station => m.role == Role::Station && above(m),
                Unit::Department => m.role == Role::Department && above(m) && m.sectors.iter().any(|s| s == t.sector),
                Unit::Committee => m.role == Role::Committee && above(m),
                Unit::Admin => m.role == Role::Admin,
            })
            .map(|m| m.user_id)
            .collect()
    }

    /// Who a notice for `unit` reaches: its accounts, or those of the first unit above that
    /// has any (答: the unit reached, and its accounts; empty only when no one at all has one).
    pub(crate) fn reach(&self, unit: Unit, t: Target<'_>) -> (Unit, Vec<i64>) {
        let mut u = unit;
        loop {
            let users = self.of(u, t);
            match u.above() {
                Some(next) if users.is_empty() => u = next,
                _ => return (u, users),
            }
        }
    }
}

/// How a reminder names whom it reached, for the hazard's timeline and the audit log: 提醒企业（2人）,
/// or 企业无账号，改为提醒属地安监站（1人）.
pub(crate) fn reached_label(asked: Unit, reached: Unit, users: usize) -> String {
    if asked == reached {
        format!("提醒{}（{users}人）", asked.label())
    } else {
        format!("{}无账号，改为提醒{}（{users}人）", asked.label(), reached.label())
    }
}

/// A notice to write.
pub(crate) struct Notice<'a> {
    pub kind: NoticeKind,
    pub hazard_id: Option<i64>,
    pub risk_point_id: Option<i64>,
    pub link: Option<String>,
    pub level: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub at: Timestamp,
}

impl<'a> Notice<'a> {
    /// A notice about one object, or linking to the list of several.
    fn new(kind: NoticeKind, about: About, title: &'a str, body: &'a str, at: Timestamp) -> Self {
        let (hazard_id, risk_point_id, link) = match about {
            About::Hazard(id) => (Some(id), None, None),
            About::RiskPoint(id) => (None, Some(id), None),
            About::List(link) => (None, None, Some(link)),
        };
        Notice { kind, hazard_id, risk_point_id, link, level: 0, title, body, at }
    }

    /// The escalation level a reminder has reached.
    fn at_level(self, level: i64) -> Self {
        Notice { level, ..self }
    }
}

/// What a notice is about.
enum About {
    Hazard(i64),
    RiskPoint(i64),
    /// several objects: the web page that lists them
    List(String),
}

/// Sends `n` to each of `users` once. A user's unread notice of the same kind and object is
/// replaced (the newest one stands, so the same reminder never piles up); `fresh` objects
/// (just created) have none to replace.
pub(crate) async fn send_to(tx: &mut crate::Tx, users: &[i64], n: &Notice<'_>, fresh: bool) -> Result<(), StoreError> {
    send_all(tx, &[(users.to_vec(), n, fresh)]).await
}

/// Rows of notices written by one statement at most (9 values each, within both engines'
/// limits on bound values).
const NOTICES_PER_INSERT: usize = 1_000;

/// [`send_to`] for several notices, their rows written together (the batching writer's reports:
/// one statement for the batch instead of one per report).
pub(crate) async fn send_all(tx: &mut crate::Tx, notices: &[(Vec<i64>, &Notice<'_>, bool)]) -> Result<(), StoreError> {
    let mut rows = vec![];
    for (users, n, fresh) in notices {
        let mut users = users.clone();
        users.sort_unstable();
        users.dedup();
        if users.is_empty() {
            continue;
        }
        if !fresh {
            let mut q = Q::new("DELETE FROM notification WHERE read_at IS NULL AND kind = ");
            q.bind(n.kind.as_str());
            match (n.hazard_id, n.risk_point_id) {
                (Some(h), _) => q.push(" AND hazard_id = ").bind(h),
                (None, Some(r)) => q.push(" AND risk_point_id = ").bind(r),
                (None, None) => match &n.link {
                    Some(l) => q.push(" AND link = ").bind(l.as_str()),
                    None => q.push(" AND title = ").bind(n.title),
                },
            };
            q.push(" AND user_id IN ").bind_list(&users);
            q.execute(&mut *tx.tx).await?;
        }
        rows.extend(users.iter().map(|u| {
            Insert::into("notification")
                .set("user_id", *u)
                .set("kind", n.kind.as_str())
                .set("hazard_id", n.hazard_id)
                .set("risk_point_id", n.risk_point_id)
                .set("link", n.link.as_deref())
                .set("level", n.level)
                .set("title", n.title)
                .set("body", n.body)
                .set("created_at", format_ts(n.at))
        }));
    }
    while !rows.is_empty() {
        let chunk: Vec<Insert> = rows.drain(..rows.len().min(NOTICES_PER_INSERT)).collect();
        tx.write_later(Insert::many(chunk).expect("a row at least")).await?;
    }
    Ok(())
}

/// A hand-over of a hazard as the notice needs it.
pub(crate) struct HazardHandoverNotice<'a> {
    pub hazard_id: i64,
    pub number: &'a str,
    pub facts: HazardFacts,
    pub target: Target<'a>,
    pub found_by: Option<i64>,
    pub handover: HazardHandover,
    /// what the title does not say: the description, the reason, the listing
    pub body: String,
    /// who acted (not told of their own act)
    pub actor: Option<i64>,
    /// the hazard was created in this transaction
    pub fresh: bool,
}

/// Sends the notices of hazard hand-overs (domain: `notice::hazard_addressees`), for a batch
/// with one read of the accounts.
pub(crate) async fn hazard_handovers(
    tx: &mut crate::Tx,
    items: &[HazardHandoverNotice<'_>],
    at: Timestamp,
) -> Result<(), StoreError> {
    let targets: Vec<Target<'_>> =
        items.iter().filter(|i| hazard_addressees(i.facts, i.handover).is_some()).map(|i| i.target).collect();
    if targets.is_empty() {
        return Ok(());
    }
    let audience = Audience::load(tx, &targets).await?;
    hazard_handovers_to(tx, items, at, &audience).await
}

/// [`hazard_handovers`] to the accounts of an audience read before (for every target of `items`).
pub(crate) async fn hazard_handovers_to(
    tx: &mut crate::Tx,
    items: &[HazardHandoverNotice<'_>],
    at: Timestamp,
    audience: &Audience,
) -> Result<(), StoreError> {
    let addressed: Vec<(&HazardHandoverNotice<'_>, Addressees)> =
        items.iter().filter_map(|i| hazard_addressees(i.facts, i.handover).map(|a| (i, a))).collect();
    if addressed.is_empty() {
        return Ok(());
    }
    let titles: Vec<String> = addressed.iter().map(|(i, a)| hazard_title(a.kind, i.number)).collect();
    let notices: Vec<Notice<'_>> = addressed
        .iter()
        .zip(&titles)
        .map(|((i, a), title)| Notice::new(a.kind, About::Hazard(i.hazard_id), title, &i.body, at))
        .collect();
    let sends: Vec<(Vec<i64>, &Notice<'_>, bool)> = addressed
        .iter()
        .zip(&notices)
        .map(|((i, a), n)| {
            let mut users: Vec<i64> = vec![];
            for unit in &a.units {
                users.extend(audience.reach(*unit, i.target).1);
            }
            if a.finder {
                users.extend(i.found_by);
            }
            users.retain(|u| Some(*u) != i.actor);
            (users, n, i.fresh)
        })
        .collect();
    send_all(tx, &sends).await
}

/// Sends one notice for several hazards of one enterprise found together (the 不符合 of a
/// checklist run): per kind, one notice counting them and linking to the enterprise's open
/// hazards, instead of one each.
pub(crate) async fn hazard_group(
    tx: &mut crate::Tx,
    enterprise_name: &str,
    hazards: &[(HazardFacts, Target<'_>)],
    by: Role,
    actor: i64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let Some((_, target)) = hazards.first() else { return Ok(()) };
    let mut kinds: Vec<(Addressees, usize)> = vec![];
    for (facts, _) in hazards {
        let Some(a) = hazard_addressees(*facts, HazardHandover::Reported { by }) else { continue };
        match kinds.iter_mut().find(|(k, _)| k.kind == a.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((a, 1)),
        }
    }
    if kinds.is_empty() {
        return Ok(());
    }
    let audience = Audience::load(tx, &[*target]).await?;
    let link = format!("/hazards?enterprise_id={}&open=true", target.enterprise_id);
    for (a, n) in kinds {
        let mut users: Vec<i64> = a.units.iter().flat_map(|u| audience.reach(*u, *target).1).collect();
        users.retain(|u| *u != actor);
        let what = if a.kind == NoticeKind::MajorReported { "重大隐患" } else { "隐患" };
        let title = format!("{enterprise_name}检查发现{n}项{what}，请落实整改");
        let notice = Notice::new(a.kind, About::List(link.clone()), &title, "检查表检查的不符合项已登记为隐患", at);
        send_to(tx, &users, &notice, false).await?;
    }
    Ok(())
}

fn hazard_title(kind: NoticeKind, number: &str) -> String {
    match kind {
        NoticeKind::Reported => format!("新上报隐患 {number}"),
        NoticeKind::MajorReported => format!("上报重大隐患 {number}，请跟踪督办"),
        NoticeKind::Submitted => format!("隐患 {number} 已整改，待验收"),
        NoticeKind::Verified => format!("隐患 {number} 验收通过，已销号"),
        NoticeKind::VerifyFailed => format!("隐患 {number} 验收不通过，请继续整改"),
        NoticeKind::Rejected => format!("隐患 {number} 经核实不构成隐患，已驳回"),
        NoticeKind::Listed => format!("隐患 {number} 已列入挂牌督办"),
        NoticeKind::DueSoon => format!("隐患 {number} 整改期限将到"),
        NoticeKind::Urged => format!("隐患 {number} 被催办，请抓紧整改"),
        // the reminder jobs title their own
        other => format!("隐患 {number}：{}", other.label()),
    }
}

/// Sends the reminders due at `at`: every open hazard past its deadline climbs to the level
/// its days overdue call for (enterprise → station → committee), each level once. The level is
/// raised with a compare-and-set in the same transaction as the notifications, so two server
/// instances running the job at once cannot both send.
pub async fn escalate(store: &Store, at: Timestamp, policy: EscalationPolicy) -> Result<usize, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let rows = Q::new(concat!("SELECT id, number, enterprise_id, scope_path, sector, deadline, escalation_level, description FROM hazard WHERE state IN ", crate::open_states!(), " AND deadline < "))
        .bind(today.to_string())
        .push(" AND escalation_level < 3 ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    let mut sent = 0;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let deadline: String = r.try_get("deadline")?;
        let Ok(d) = deadline.parse::<jiff::civil::Date>() else { continue };
        let Some(days) = days_overdue(d, today) else { continue };
        let Some(due) = policy.level(days) else { continue };
        let current: i64 = r.try_get("escalation_level")?;
        if (due as i64) <= current {
            continue;
        }
        let number: String = r.try_get("number")?;
        let path: String = r.try_get("scope_path")?;
        let sector: String = r.try_get("sector")?;
        let enterprise_id: i64 = r.try_get("enterprise_id")?;
        let description: String = r.try_get("description")?;
        let mut tx = store.begin().await?;
        // (a reminder changes no user, session or scope: the session cache stays)
        tx.keeps_sessions = true;
        let claimed = Q::new("UPDATE hazard SET escalation_level = ")
            .bind(due as i64)
            .push(" WHERE id = ")
            .bind(id)
            .push(" AND escalation_level = ")
            .bind(current)
            .execute(&mut *tx.tx)
            .await?;
        if claimed == 0 {
            continue;
        }
        let target = Target { enterprise_id, path: &path, sector: &sector };
        let audience = Audience::load(&mut tx, &[target]).await?;
        for level in [EscalationLevel::Enterprise, EscalationLevel::Station, EscalationLevel::Committee] {
            if (level as i64) <= current || level > due {
                continue;
            }
            let unit = unit_of(level);
            let (reached, users) = audience.reach(unit, target);
            // Worded for whom it reaches: a station told in place of an enterprise without an
            // account must see to it, not "rectify it".
            let title = match reached {
                Unit::Enterprise => format!("隐患 {number} 已逾期，请尽快整改"),
                Unit::Station | Unit::Department => format!("隐患 {number} 逾期{}天未整改，请督办", days + 1),
                Unit::Committee | Unit::Admin => format!("隐患 {number} 逾期{}天未整改，请安委办督办", days + 1),
            };
            let body = match reached == unit {
                true => format!("整改期限 {deadline}，{description}"),
                false => format!("整改期限 {deadline}，{description}（{}无账号，转本单位督促）", unit.label()),
            };
            let n = Notice::new(NoticeKind::Overdue, About::Hazard(id), &title, &body, at).at_level(level as i64);
            send_to(&mut tx, &users, &n, false).await?;
            sent += users.len();
            let reached = reached_label(unit, reached, users.len());
            let actor = crate::Actor::system("逾期提醒");
            let mut q = Q::new("INSERT INTO hazard_event (hazard_id, action, from_state, to_state, actor_id, actor_name, comment, at) SELECT id, 'escalate', state, state, NULL, ");
            q.bind(actor.name.as_str()).push(", ").bind(format!("{reached}：{title}")).push(", ").bind(format_ts(at));
            q.push(" FROM hazard WHERE id = ").bind(id);
            q.execute(&mut *tx.tx).await?;
            crate::audit::record(
                &mut tx,
                &actor,
                crate::audit::Change::new(
                    "escalate",
                    "hazard",
                    Some(id),
                    &path,
                    format!("隐患 {number} 逾期，{reached}"),
                )
                .before(serde_json::json!({"escalation_level": current}))
                .after(serde_json::json!({"escalation_level": level as i64})),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// The unit an escalation level reminds.
fn unit_of(level: EscalationLevel) -> Unit {
    match level {
        EscalationLevel::Enterprise => Unit::Enterprise,
        EscalationLevel::Station => Unit::Station,
        EscalationLevel::Committee => Unit::Committee,
    }
}

/// Sends the reminders of deadlines near (即将到期) at `at`: each open hazard not yet submitted
/// whose deadline is within [`DUE_SOON_DAYS`] days reminds its enterprise once per deadline
/// (a new deadline reminds again), claimed by a compare-and-set like the escalation.
pub async fn remind_due(store: &Store, at: Timestamp) -> Result<usize, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let last =
        today.checked_add(jiff::Span::new().days(DUE_SOON_DAYS)).map_err(|e| StoreError::Config(e.to_string()))?;
    let rows = Q::new("SELECT id, number, enterprise_id, scope_path, sector, grade, source, state, found_by, deadline, due_reminded_for, description FROM hazard WHERE state IN ('reported', 'rectifying') AND deadline >= ")
        .bind(today.to_string())
        .push(" AND deadline <= ")
        .bind(last.to_string())
        .push(" AND (due_reminded_for IS NULL OR due_reminded_for <> deadline) ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    let mut sent = 0;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let deadline: String = r.try_get("deadline")?;
        let Ok(d) = deadline.parse::<Date>() else { continue };
        let text = |col: &str| -> Result<String, StoreError> { Ok(r.try_get::<String, _>(col)?) };
        let (Some(state), Some(grade), Some(source)) = (
            HazardState::parse(&text("state")?),
            HazardGrade::parse(&text("grade")?),
            HazardSource::parse(&text("source")?),
        ) else {
            continue;
        };
        let reminded: Option<String> = r.try_get("due_reminded_for")?;
        let mut tx = store.begin().await?;
        // (a reminder changes no user, session or scope: the session cache stays)
        tx.keeps_sessions = true;
        let mut claim = Q::new("UPDATE hazard SET due_reminded_for = deadline WHERE id = ");
        claim.bind(id).push(" AND deadline = ").bind(deadline.as_str());
        match &reminded {
            Some(f) => claim.push(" AND due_reminded_for = ").bind(f.as_str()),
            None => claim.push(" AND due_reminded_for IS NULL"),
        };
        if claim.execute(&mut *tx.tx).await? == 0 {
            continue;
        }
        let (number, path, sector) = (text("number")?, text("scope_path")?, text("sector")?);
        let description = text("description")?;
        let body = match (d - today).get_days() {
            0 => format!("整改期限为今天（{deadline}）：{description}"),
            n => format!("距整改期限 {deadline} 还有{n}天：{description}"),
        };
        let item = HazardHandoverNotice {
            hazard_id: id,
            number: &number,
            facts: HazardFacts { state, grade, source, enterprise_on_platform: true },
            target: Target { enterprise_id: r.try_get("enterprise_id")?, path: &path, sector: &sector },
            found_by: r.try_get("found_by")?,
            handover: HazardHandover::DueSoon,
            body,
            actor: None,
            fresh: false,
        };
        hazard_handovers(&mut tx, std::slice::from_ref(&item), at).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Sends the reminders of overdue risk reviews (风险评审逾期提醒) due at `at`: the enterprise on
/// the first day after the review date, the station as well after the days the rules set; each
/// level once per review date, claimed by a compare-and-set like the hazard escalation. A new
/// review date starts the reminders afresh.
pub async fn remind_reviews(store: &Store, at: Timestamp, rules: RiskRules) -> Result<usize, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let rows = Q::new("SELECT p.id, p.name, p.enterprise_id, p.scope_path, p.next_review, p.review_reminded_for, p.review_reminder_level, e.name AS enterprise_name FROM risk_point p JOIN enterprise e ON e.id = p.enterprise_id WHERE p.next_review < ")
        .bind(today.to_string())
        // Not yet reminded for this date, or due the station's reminder (days overdue ≥ N means
        // the date lies before today − N): points waiting for that are not read every tick.
        .push(" AND (p.review_reminded_for IS NULL OR p.review_reminded_for <> p.next_review OR (p.review_reminder_level < ")
        .bind(EscalationLevel::Station as i64)
        .push(" AND p.next_review < ")
        .bind(
            today
                .checked_sub(jiff::Span::new().days(rules.review_station_after_days))
                .map_err(|e| StoreError::Config(e.to_string()))?
                .to_string(),
        )
        .push(")) ORDER BY p.id")
        .fetch_all(store.pool())
        .await?;
    let mut sent = 0;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let review: String = r.try_get("next_review")?;
        let Ok(d) = review.parse::<jiff::civil::Date>() else { continue };
        let Some(due) = days_overdue(d, today).and_then(|days| rules.review_reminder(days)) else { continue };
        let reminded_for: Option<String> = r.try_get("review_reminded_for")?;
        let stored_level: i64 = r.try_get("review_reminder_level")?;
        // Reminders sent for an earlier review date do not count for this one.
        let current = if reminded_for.as_deref() == Some(review.as_str()) { stored_level } else { 0 };
        if (due as i64) <= current {
            continue;
        }
        let mut tx = store.begin().await?;
        // (a reminder changes no user, session or scope: the session cache stays)
        tx.keeps_sessions = true;
        let mut claim = Q::new("UPDATE risk_point SET review_reminder_level = ");
        claim.bind(due as i64).push(", review_reminded_for = ").bind(review.as_str());
        claim.push(" WHERE id = ").bind(id).push(" AND next_review = ").bind(review.as_str());
        claim.push(" AND review_reminder_level = ").bind(stored_level);
        match &reminded_for {
            Some(f) => claim.push(" AND review_reminded_for = ").bind(f.as_str()),
            None => claim.push(" AND review_reminded_for IS NULL"),
        };
        if claim.execute(&mut *tx.tx).await? == 0 {
            continue;
        }
        let name: String = r.try_get("name")?;
        let enterprise: String = r.try_get("enterprise_name")?;
        let path: String = r.try_get("scope_path")?;
        let enterprise_id: i64 = r.try_get("enterprise_id")?;
        for level in [EscalationLevel::Enterprise, EscalationLevel::Station] {
            if (level as i64) <= current || level > due {
                continue;
            }
            let target = Target { enterprise_id, path: &path, sector: "" };
            let (reached, users) = Audience::load(&mut tx, &[target]).await?.reach(unit_of(level), target);
            let title = match reached {
                Unit::Enterprise => format!("风险点「{name}」评审已逾期，请组织重新评价"),
                _ => format!("{enterprise}风险点「{name}」评审逾期未完成，请督促"),
            };
            let body = match reached == unit_of(level) {
                true => format!("应于 {review} 前完成风险评审（{enterprise}）"),
                false => format!("应于 {review} 前完成风险评审（{enterprise}；企业无账号，转本单位督促）"),
            };
            let n =
                Notice::new(NoticeKind::ReviewOverdue, About::RiskPoint(id), &title, &body, at).at_level(level as i64);
            send_to(&mut tx, &users, &n, false).await?;
            sent += users.len();
            let reached = reached_label(unit_of(level), reached, users.len());
            crate::audit::record(
                &mut tx,
                &crate::Actor::system("评审提醒"),
                crate::audit::Change::new(
                    "review_reminder",
                    "risk_point",
                    Some(id),
                    &path,
                    format!("风险点「{name}」评审逾期，{reached}"),
                )
                .before(serde_json::json!({"review_reminder_level": current, "next_review": review}))
                .after(serde_json::json!({"review_reminder_level": level as i64})),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
