//! In-app notifications (站内提醒) and the overdue escalation job (逾期督办提醒).

use crate::db::Q;
use crate::hazard::local_date;
use crate::page::{finish, Page, PageReq};
use crate::{format_ts, Principal, Store, StoreError};
use anjian_domain::hazard::{days_overdue, EscalationLevel, EscalationPolicy};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub hazard_id: Option<i64>,
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
    let total: i64 =
        Q::prefixed("SELECT COUNT(*) AS n FROM notification", &w).fetch_one(store.pool()).await?.try_get("n")?;
    let mut q = Q::prefixed("SELECT * FROM notification", &w);
    if let Some(a) = page.after {
        q.push(" AND id < ").bind(a);
    }
    q.push(" ORDER BY id DESC LIMIT ").bind(page.size + 1);
    let items = q
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                hazard_id: r.try_get("hazard_id")?,
                level: r.try_get("level")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                read: r.try_get::<Option<String>, _>("read_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(finish(items, page, total, |n| n.id))
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
    let today = local_date(at);
    let now = today.to_zoned(jiff::tz::TimeZone::UTC).map_err(|e| StoreError::Config(e.to_string()))?;
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
        let Some(days) = days_overdue(d, &now) else { continue };
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
            let mut users = match level {
                EscalationLevel::Enterprise => {
                    let mut q = Q::new(
                        "SELECT u.id FROM app_user u WHERE u.active = 1 AND u.org_kind = 'enterprise' AND u.org_id = ",
                    );
                    q.bind(enterprise_id);
                    q
                }
                EscalationLevel::Station | EscalationLevel::Committee => {
                    let role = if level == EscalationLevel::Station { "station" } else { "committee" };
                    // Users whose jurisdiction contains the hazard: path is a prefix of the hazard's.
                    let ancestors: Vec<String> = ancestor_paths(&path);
                    let mut q = Q::new("SELECT u.id FROM app_user u JOIN jurisdiction j ON u.org_kind = 'jurisdiction' AND j.id = u.org_id WHERE u.active = 1 AND u.role = ");
                    q.bind(role).push(" AND j.path IN ").bind_list(&ancestors);
                    q
                }
            };
            users.push(" ORDER BY u.id");
            let recipients = users.fetch_all(&mut *tx.tx).await?;
            let (title, who) = match level {
                EscalationLevel::Enterprise => (format!("隐患 {number} 已逾期，请尽快整改"), "企业"),
                EscalationLevel::Station => (format!("隐患 {number} 逾期{}天未整改，请督办", days + 1), "属地安监站"),
                EscalationLevel::Committee => {
                    (format!("隐患 {number} 逾期{}天未整改，请安委办督办", days + 1), "安委办")
                }
            };
            let body = format!("整改期限 {deadline}，{description}");
            for u in &recipients {
                let uid: i64 = u.try_get("id")?;
                let mut q =
                    Q::new("INSERT INTO notification (user_id, hazard_id, level, title, body, created_at) VALUES (");
                q.bind(uid)
                    .push(", ")
                    .bind(id)
                    .push(", ")
                    .bind(level as i64)
                    .push(", ")
                    .bind(title.as_str())
                    .push(", ")
                    .bind(body.as_str());
                q.push(", ").bind(format_ts(at)).push(")");
                q.execute(&mut *tx.tx).await?;
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
                crate::audit::Change {
                    action: "escalate",
                    entity: "hazard",
                    entity_id: Some(id),
                    scope_path: &path,
                    summary: format!("隐患 {number} 逾期提醒{who}"),
                    before: Some(serde_json::json!({"escalation_level": current})),
                    after: Some(serde_json::json!({"escalation_level": level as i64})),
                },
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
