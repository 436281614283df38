//! The district's rules of risk grading and the bands per jurisdiction (分级阈值设置).

use super::*;

const RULES_KEY: &str = "risk_rules";

/// The district's rules of risk grading (动态风险, review reminders); defaults until set.
pub async fn rules(store: &Store) -> Result<RiskRules, StoreError> {
    crate::settings::get_or_default(store, RULES_KEY).await
}

/// Sets the rules, audited. They hold for the whole installation (unlike the bands, which are
/// per jurisdiction), so only the administrator sets them: a committee's scope is its own area.
pub async fn set_rules(store: &Store, p: &Principal, r: RiskRules) -> Result<RiskRules, StoreError> {
    p.require(Action::SetRiskRules)?;
    r.validate().map_err(StoreError::Invalid)?;
    let summary = format!(
        "设置风险管控规则：动态风险{}，评审逾期{}天提醒安监站",
        if r.dynamic_level { "启用" } else { "停用" },
        r.review_station_after_days
    );
    crate::settings::set(store, &p.actor(), RULES_KEY, &r, &summary).await?;
    Ok(r)
}

/// The bands in force at a path: those of the nearest jurisdiction above it (or at it) that set
/// its own, else the reference defaults. Returns the bands and the jurisdiction that set them.
pub async fn bands_at(store: &Store, path: &str) -> Result<(BandSet, Option<i64>), StoreError> {
    let ids = anjian_domain::scope::path_ids(path);
    if ids.is_empty() {
        return Ok((BandSet::default(), None));
    }
    let keys: Vec<String> = ids.iter().map(|id| format!("risk_bands:{id}")).collect();
    let mut q = Q::new("SELECT key, value FROM setting WHERE key IN ");
    q.bind_list(&keys);
    let rows = q.fetch_all(store.pool()).await?;
    for id in ids.iter().rev() {
        let key = format!("risk_bands:{id}");
        if let Some(r) = rows.iter().find(|r| r.try_get::<String, _>("key").ok().as_deref() == Some(key.as_str())) {
            if let Ok(b) = serde_json::from_str::<BandSet>(&r.try_get::<String, _>("value")?) {
                return Ok((b, Some(*id)));
            }
        }
    }
    Ok((BandSet::default(), None))
}

/// The path whose bands apply to a principal's own assessments (its jurisdiction or enterprise).
pub async fn principal_path(store: &Store, p: &Principal) -> Result<String, StoreError> {
    Ok(match &p.scope {
        anjian_domain::scope::Scope::Subtree { path } | anjian_domain::scope::Scope::Sectors { path, .. } => {
            path.clone()
        }
        anjian_domain::scope::Scope::Enterprise { id } => enterprise_get(store, p, *id).await?.scope_path,
        _ => "/".into(),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BandsInForce {
    pub bands: BandSet,
    /// The jurisdiction whose setting applies; null: the reference defaults
    pub set_by_jurisdiction_id: Option<i64>,
}

pub async fn bands_for(store: &Store, p: &Principal, jurisdiction_id: Option<i64>) -> Result<BandsInForce, StoreError> {
    let path = match jurisdiction_id {
        Some(id) => crate::org::jurisdiction_get(store, p, id).await?.path,
        None => principal_path(store, p).await?,
    };
    let (bands, by) = bands_at(store, &path).await?;
    Ok(BandsInForce { bands, set_by_jurisdiction_id: by })
}

/// Sets a jurisdiction's bands (admin, committee) and re-levels the points below it that they
/// govern, in one transaction, so stored levels never disagree with the bands in force.
pub async fn set_bands(
    store: &Store,
    p: &Principal,
    jurisdiction_id: i64,
    bands: BandSet,
) -> Result<usize, StoreError> {
    let j = crate::org::jurisdiction_get(store, p, jurisdiction_id).await?;
    p.require(Action::SetRiskBands)?;
    bands.validate().map_err(StoreError::Invalid)?;
    let (before, _) = bands_at(store, &j.path).await?;
    let mut tx = store.begin().await?;
    crate::settings::put_in(
        &mut tx,
        &format!("risk_bands:{jurisdiction_id}"),
        &serde_json::to_string(&bands).unwrap_or_default(),
    )
    .await?;
    // Points below that a deeper setting governs keep their bands.
    let deeper: Vec<String> = {
        let rows = Q::new("SELECT key FROM setting WHERE key LIKE 'risk_bands:%'").fetch_all(&mut *tx.tx).await?;
        let mut out = vec![];
        for r in rows {
            let k: String = r.try_get("key")?;
            if let Some(id) = k.strip_prefix("risk_bands:").and_then(|s| s.parse::<i64>().ok()) {
                if id != jurisdiction_id {
                    out.push(format!("/{id}/"));
                }
            }
        }
        out
    };
    let mut pts = Q::new("SELECT id, method, score, level, scope_path FROM risk_point WHERE ");
    crate::scope::push_subtree(&mut pts, "scope_path", &j.path);
    let rows = pts.fetch_all(&mut *tx.tx).await?;
    let mut changed = 0;
    for r in rows {
        let path: String = r.try_get("scope_path")?;
        let below = &path[j.path.len() - 1..];
        if deeper.iter().any(|d| below.contains(d.as_str())) {
            continue;
        }
        let score: f64 = r.try_get("score")?;
        let method: String = r.try_get("method")?;
        let level = if method == "LS" { bands.ls.level(score) } else { bands.lec.level(score) };
        if r.try_get::<String, _>("level")? != level.as_str() {
            Q::new("UPDATE risk_point SET level = ")
                .bind(level.as_str())
                .push(" WHERE id = ")
                .bind(r.try_get::<i64, _>("id")?)
                .execute(&mut *tx.tx)
                .await?;
            changed += 1;
        }
    }
    audit::record(
        &mut tx,
        &p.actor(),
        Change::new(
            "set_risk_bands",
            "jurisdiction",
            Some(jurisdiction_id),
            &j.path,
            format!("设置「{}」风险分级阈值，{changed} 个风险点重新定级", j.name),
        )
        .before_opt(serde_json::to_value(before).ok())
        .after_opt(serde_json::to_value(bands).ok()),
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}
