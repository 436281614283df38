//! The enterprise's risk level (企业风险等级): computed from its points, or set by the committee.

use super::*;

/// 企业风险等级 and how it was reached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseRisk {
    pub enterprise_id: i64,
    /// None when the enterprise has no risk point yet
    pub level: Option<RiskLevel>,
    pub color: Option<String>,
    /// computed (highest point) or override (安委办调整)
    pub source: String,
    pub computed_level: Option<RiskLevel>,
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    /// Points per current level
    pub points: Vec<(RiskLevel, i64)>,
}

pub async fn enterprise_risk(
    store: &Store,
    p: &Principal,
    enterprise_id: i64,
    today: &str,
) -> Result<EnterpriseRisk, StoreError> {
    enterprise_get(store, p, enterprise_id).await?;
    let f = RiskPointFilter { enterprise_id: Some(enterprise_id), ..Default::default() };
    let points = list(store, p, &f, PageReq::all(), today).await?.items;
    let levels: Vec<RiskLevel> = points.iter().map(|pt| pt.level).collect();
    let computed = enterprise_level(&levels, None);
    let o = Q::new("SELECT * FROM enterprise_risk_override WHERE enterprise_id = ")
        .bind(enterprise_id)
        .fetch_optional(store.pool())
        .await?;
    let (overridden, reason, by) = match &o {
        Some(r) => {
            let l = RiskLevel::parse(&r.try_get::<String, _>("level")?);
            (l, Some(r.try_get::<String, _>("reason")?), Some(r.try_get::<String, _>("set_by")?))
        }
        None => (None, None, None),
    };
    let level = enterprise_level(&levels, overridden);
    let mut counts = vec![];
    for l in RiskLevel::ALL {
        counts.push((l, levels.iter().filter(|x| **x == l).count() as i64));
    }
    Ok(EnterpriseRisk {
        enterprise_id,
        level,
        color: level.map(|l| l.color().to_string()),
        source: if overridden.is_some() { "override" } else { "computed" }.into(),
        computed_level: computed,
        override_reason: reason,
        override_by: by,
        points: counts,
    })
}

/// The committee sets (or with a null level clears) an enterprise's level, with a reason.
pub async fn set_override(
    store: &Store,
    p: &Principal,
    enterprise_id: i64,
    body: OverrideBody,
    today: &str,
) -> Result<EnterpriseRisk, StoreError> {
    let ent = enterprise_get(store, p, enterprise_id).await?;
    p.require(Action::OverrideEnterpriseRisk)?;
    let (level, reason) = match body.validate().map_err(StoreError::Invalid)? {
        ValidOverride::Set { level, reason } => (Some(level), reason),
        ValidOverride::Clear => (None, String::new()),
    };
    let before = enterprise_risk(store, p, enterprise_id, today).await?;
    let mut tx = store.begin().await?;
    Q::new("DELETE FROM enterprise_risk_override WHERE enterprise_id = ")
        .bind(enterprise_id)
        .execute(&mut *tx.tx)
        .await?;
    if let Some(l) = level {
        let mut q =
            Q::new("INSERT INTO enterprise_risk_override (enterprise_id, level, reason, set_by, set_at) VALUES (");
        q.bind(enterprise_id)
            .push(", ")
            .bind(l.as_str())
            .push(", ")
            .bind(reason.as_str())
            .push(", ")
            .bind(p.actor().name);
        q.push(", ").bind(now()).push(")");
        q.execute(&mut *tx.tx).await?;
    }
    audit::record(
        &mut tx,
        &p.actor(),
        Change::new(
            if level.is_some() { "risk_override" } else { "risk_override_clear" },
            "enterprise",
            Some(enterprise_id),
            &ent.scope_path,
            match level {
                Some(l) => format!("调整企业「{}」风险等级为{}：{}", ent.name, l.as_str(), reason),
                None => format!("取消企业「{}」风险等级调整", ent.name),
            },
        )
        .before(serde_json::json!({"level": before.level, "source": before.source}))
        .after(serde_json::json!({"level": level, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    enterprise_risk(store, p, enterprise_id, today).await
}

/// An enterprise with its current risk level, for the one-map and the statistics.
#[derive(Debug, Clone)]
pub struct EnterpriseLevel {
    pub id: i64,
    pub name: String,
    pub scope_path: String,
    pub sectors: Vec<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub key_enterprise: bool,
    /// None: no risk point yet (未评估)
    pub level: Option<RiskLevel>,
}

fn rank_level(rank: i64) -> Option<RiskLevel> {
    match rank {
        4 => Some(RiskLevel::Major),
        3 => Some(RiskLevel::Considerable),
        2 => Some(RiskLevel::General),
        1 => Some(RiskLevel::Low),
        _ => None,
    }
}

/// The enterprises within scope that `narrow` (conditions on `e`, each starting with " AND")
/// keeps, with their level by the rule of the enterprise's risk page: the committee's override,
/// else the highest point, raised to 重大 by an open linked 重大 hazard when the rules say so.
pub async fn enterprise_levels(
    store: &Store,
    p: &Principal,
    mut narrow: Q,
    limit: i64,
) -> Result<Vec<EnterpriseLevel>, StoreError> {
    let dynamic = rules(store).await?.dynamic_level;
    // One open 重大 hazard linked to a point of the enterprise, if any (the domain decides what it does).
    let linked = if dynamic {
        concat!("(SELECT MIN(h.number) FROM hazard h WHERE h.enterprise_id = e.id AND h.risk_point_id IS NOT NULL AND h.grade = '重大' AND h.state IN ", crate::open_states!(), ")")
    } else {
        "CAST(NULL AS TEXT)"
    };
    push_enterprise_scope(&mut narrow, &p.scope);
    let mut q = Q::new("SELECT e.id, e.name, e.scope_path, e.longitude, e.latitude, e.sectors, e.key_enterprise, \
        (SELECT o.level FROM enterprise_risk_override o WHERE o.enterprise_id = e.id) AS override_level, \
        (SELECT MAX(CASE r.level WHEN '重大' THEN 4 WHEN '较大' THEN 3 WHEN '一般' THEN 2 ELSE 1 END) FROM risk_point r WHERE r.enterprise_id = e.id) AS point_rank, ");
    q.push(linked).push(" AS linked_major FROM enterprise e WHERE 1=1").append(&narrow);
    q.push(" ORDER BY e.id LIMIT ").bind(limit);
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            // The highest point, raised by a linked open 重大 hazard, or the override: the same rules
            // (domain::risk) as the enterprise's risk page, from ranks instead of every point.
            let linked: Vec<String> = r.try_get::<Option<String>, _>("linked_major")?.into_iter().collect();
            let highest = rank_level(r.try_get::<Option<i64>, _>("point_rank")?.unwrap_or(0))
                .map(|l| effective_level(l, &linked, dynamic).0);
            let overridden = r.try_get::<Option<String>, _>("override_level")?.as_deref().and_then(RiskLevel::parse);
            Ok(EnterpriseLevel {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scope_path: r.try_get("scope_path")?,
                sectors: serde_json::from_str(&r.try_get::<String, _>("sectors")?).unwrap_or_default(),
                longitude: r.try_get("longitude")?,
                latitude: r.try_get("latitude")?,
                key_enterprise: r.try_get::<i64, _>("key_enterprise")? != 0,
                level: enterprise_level(&Vec::from_iter(highest), overridden),
            })
        })
        .collect()
}
