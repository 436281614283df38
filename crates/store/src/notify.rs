//! In-app notifications (站内提醒) and the overdue escalation job (逾期督办提醒).

use crate::db::{Insert, Q};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::{format_ts, Principal, Store, StoreError};
use anjian_domain::hazard::{days_overdue, EscalationLevel, EscalationPolicy};
use anjian_domain::risk::RiskRules;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub hazard_id: Option<i64>,
    /// 风险点 of a review reminder
    pub risk_point_id: Option<i64>,
    pub level: i64,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub read: bool,
}

pub async fn inbox(
    store: &Store,
    p: &Principal,
    unread_only: bool,
    page: PageReq,
) -> Result<Page<Notification>, StoreError> {
    let mut w = Q::new(" WHERE user_id = ");
    w.bind(p.user_id);
    if unread_only {
        w.push(" AND read_at IS NULL");
    }
    const LIST: Keyset =
        Keyset { select: "SELECT * FROM notification", count_from: "FROM notification", id: "id", descending: true };
    LIST.page(store, &w, page, |r| {
        Ok(Notification {
            id: r.try_get("id")?,
            hazard_id: r.try_get("hazard_id")?,
            risk_point_id: r.try_get("risk_point_id")?,
            level: r.try_get("level")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            created_at: r.try_get("created_at")?,
            read: r.try_get::<Option<String>, _>("read_at")?.is_some(),
        })
    })
    .await
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

/// Sends the reminders due at `at`: every open hazard past its deadline climbs to the level
/// its days overdue call for (enterprise → station → committee), each level once. The level is
/// raised with a compare-and-set in the same transaction as the notifications, so two server
/// instances running the job at once cannot both send.
pub async fn escalate(store: &Store, at: Timestamp, policy: EscalationPolicy) -> Result<usize, StoreError> {
    let today = store.calendar().await?.date_of(at.into());
    let rows = Q::new(concat!("SELECT id, number, enterprise_id, scope_path, deadline, escalation_level, description FROM hazard WHERE state IN ", crate::open_states!(), " AND deadline < "))
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
        let enterprise_id: i64 = r.try_get("enterprise_id")?;
        let description: String = r.try_get("description")?;
        let mut tx = store.begin().await?;
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
        for level in [EscalationLevel::Enterprise, EscalationLevel::Station, EscalationLevel::Committee] {
            if (level as i64) <= current || level > due {
                continue;
            }
            let recipients = recipients(&mut tx, level, enterprise_id, &path).await?;
            let (title, who) = match level {
                EscalationLevel::Enterprise => (format!("隐患 {number} 已逾期，请尽快整改"), "企业"),
                EscalationLevel::Station => (format!("隐患 {number} 逾期{}天未整改，请督办", days + 1), "属地安监站"),
                EscalationLevel::Committee => {
                    (format!("隐患 {number} 逾期{}天未整改，请安委办督办", days + 1), "安委办")
                }
            };
            let body = format!("整改期限 {deadline}，{description}");
            for uid in &recipients {
                let n = NewNotification {
                    user_id: *uid,
                    hazard_id: Some(id),
                    risk_point_id: None,
                    level,
                    title: &title,
                    body: &body,
                    at,
                };
                send(&mut tx, &n).await?;
                sent += 1;
            }
            let actor = crate::Actor::system("逾期提醒");
            let mut q = Q::new("INSERT INTO hazard_event (hazard_id, action, from_state, to_state, actor_id, actor_name, comment, at) SELECT id, 'escalate', state, state, NULL, ");
            q.bind(actor.name.as_str())
                .push(", ")
                .bind(format!("提醒{who}（{}人）：{title}", recipients.len()))
                .push(", ")
                .bind(format_ts(at));
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
                    format!("隐患 {number} 逾期提醒{who}"),
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

/// The active accounts a reminder of this level goes to: the enterprise's own, or the station's
/// or committee's whose jurisdiction contains `path`.
async fn recipients(
    tx: &mut crate::Tx,
    level: EscalationLevel,
    enterprise_id: i64,
    path: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut q = match level {
        EscalationLevel::Enterprise => {
            let mut q =
                Q::new("SELECT u.id FROM app_user u WHERE u.active = 1 AND u.org_kind = 'enterprise' AND u.org_id = ");
            q.bind(enterprise_id);
            q
        }
        EscalationLevel::Station | EscalationLevel::Committee => {
            let role = if level == EscalationLevel::Station { "station" } else { "committee" };
            let mut q = Q::new("SELECT u.id FROM app_user u JOIN jurisdiction j ON u.org_kind = 'jurisdiction' AND j.id = u.org_id WHERE u.active = 1 AND u.role = ");
            q.bind(role).push(" AND j.path IN ").bind_list(&ancestor_paths(path));
            q
        }
    };
    q.push(" ORDER BY u.id");
    q.fetch_all(&mut *tx.tx).await?.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

struct NewNotification<'a> {
    user_id: i64,
    hazard_id: Option<i64>,
    risk_point_id: Option<i64>,
    level: EscalationLevel,
    title: &'a str,
    body: &'a str,
    at: Timestamp,
}

async fn send(tx: &mut crate::Tx, n: &NewNotification<'_>) -> Result<(), StoreError> {
    let q = Insert::into("notification")
        .set("user_id", n.user_id)
        .set("hazard_id", n.hazard_id)
        .set("risk_point_id", n.risk_point_id)
        .set("level", n.level as i64)
        .set("title", n.title)
        .set("body", n.body)
        .set("created_at", format_ts(n.at))
        .query();
    q.execute(&mut *tx.tx).await?;
    Ok(())
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
            let (title, who) = match level {
                EscalationLevel::Enterprise => (format!("风险点「{name}」评审已逾期，请组织重新评价"), "企业"),
                _ => (format!("{enterprise}风险点「{name}」评审逾期未完成，请督促"), "属地安监站"),
            };
            let body = format!("应于 {review} 前完成风险评审（{enterprise}）");
            let users = recipients(&mut tx, level, enterprise_id, &path).await?;
            for uid in &users {
                let n = NewNotification {
                    user_id: *uid,
                    hazard_id: None,
                    risk_point_id: Some(id),
                    level,
                    title: &title,
                    body: &body,
                    at,
                };
                send(&mut tx, &n).await?;
                sent += 1;
            }
            crate::audit::record(
                &mut tx,
                &crate::Actor::system("评审提醒"),
                crate::audit::Change::new(
                    "review_reminder",
                    "risk_point",
                    Some(id),
                    &path,
                    format!("风险点「{name}」评审逾期，提醒{who}（{}人）", users.len()),
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

/// `/1/2/3/` → [`/1/`, `/1/2/`, `/1/2/3/`].
fn ancestor_paths(path: &str) -> Vec<String> {
    let mut out = vec![];
    let mut acc = String::from("/");
    for part in path.split('/').filter(|s| !s.is_empty()) {
        acc.push_str(part);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ancestors_of_a_path() {
        assert_eq!(super::ancestor_paths("/1/2/3/"), ["/1/", "/1/2/", "/1/2/3/"]);
    }
}
