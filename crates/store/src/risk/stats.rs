//! Risk statistics (风险统计): points and enterprises by level, grouped by jurisdiction or sector.

use super::*;

/// How the risk statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskGroupBy {
    Jurisdiction,
    Sector,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskStatsQuery {
    /// jurisdiction (default: the units below the root) or sector (行业, the first of an enterprise's)
    #[param(inline)]
    pub group_by: Option<RiskGroupBy>,
    /// Root of the jurisdiction breakdown (default: the caller's)
    pub jurisdiction_id: Option<i64>,
}

/// Counts per level (四色).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LevelCounts {
    /// 重大 (红)
    pub major: i64,
    /// 较大 (橙)
    pub considerable: i64,
    /// 一般 (黄)
    pub general: i64,
    /// 低 (蓝)
    pub low: i64,
}

impl LevelCounts {
    fn add(&mut self, l: RiskLevel, n: i64) {
        match l {
            RiskLevel::Major => self.major += n,
            RiskLevel::Considerable => self.considerable += n,
            RiskLevel::General => self.general += n,
            RiskLevel::Low => self.low += n,
        }
    }
    fn plus(&mut self, o: &LevelCounts) {
        self.major += o.major;
        self.considerable += o.considerable;
        self.general += o.general;
        self.low += o.low;
    }
}

/// The risk figures of one group (风险统计).
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskTally {
    pub key: String,
    pub label: String,
    /// 风险点 by assessed level
    pub points: LevelCounts,
    /// 企业 by current level (override, highest point, dynamic rule)
    pub enterprises: LevelCounts,
    /// 企业 without any risk point (未评估)
    pub unassessed_enterprises: i64,
    /// 风险点 past their review date
    pub review_overdue: i64,
    /// 重大危险源 (units that are one)
    pub major_hazard_sources: i64,
}

impl RiskTally {
    fn plus(&mut self, o: &RiskTally) {
        self.points.plus(&o.points);
        self.enterprises.plus(&o.enterprises);
        self.unassessed_enterprises += o.unassessed_enterprises;
        self.review_overdue += o.review_overdue;
        self.major_hazard_sources += o.major_hazard_sources;
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RiskStats {
    pub totals: RiskTally,
    pub groups: Vec<RiskTally>,
}

/// Risk points and enterprises by level, grouped by jurisdiction or sector, within scope.
pub async fn stats(store: &Store, p: &Principal, sq: &RiskStatsQuery, today: &str) -> Result<RiskStats, StoreError> {
    p.require(Action::ReadRiskStats)?;
    let group = sq.group_by.unwrap_or(RiskGroupBy::Jurisdiction);
    let root = match sq.jurisdiction_id {
        Some(id) => Some(crate::org::jurisdiction_get(store, p, id).await?),
        None => None,
    };
    // The grouping column of the registers, read as `h`.
    let key_col = || -> &'static str {
        match group {
            RiskGroupBy::Jurisdiction => "h.scope_path",
            RiskGroupBy::Sector => "h.sector",
        }
    };
    let under_root = |q: &mut Q, col: &'static str| {
        if let Some(r) = &root {
            q.push(" AND ");
            crate::scope::push_subtree(q, col, &r.path);
        }
    };
    // Raw figures keyed by path or sector, folded into groups below.
    let mut raw: Vec<RiskTally> = vec![];
    fn slot<'a>(raw: &'a mut Vec<RiskTally>, k: &str) -> &'a mut RiskTally {
        match raw.iter().position(|t| t.key == k) {
            Some(i) => &mut raw[i],
            None => {
                raw.push(RiskTally { key: k.to_string(), ..Default::default() });
                raw.last_mut().expect("just pushed")
            }
        }
    }
    let mut q = Q::new("SELECT ");
    q.push(key_col()).push(" AS k, h.level AS level, COUNT(*) AS n, SUM(CASE WHEN h.next_review < ");
    q.bind(today).push(" THEN 1 ELSE 0 END) AS overdue FROM risk_point h WHERE 1=1");
    push_owned_scope(&mut q, &p.scope);
    under_root(&mut q, "h.scope_path");
    q.push(" GROUP BY ").push(key_col()).push(", h.level");
    for r in q.fetch_all(store.pool()).await? {
        let k: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
        let t = slot(&mut raw, &k);
        if let Some(l) = RiskLevel::parse(&r.try_get::<String, _>("level")?) {
            t.points.add(l, r.try_get("n")?);
        }
        t.review_overdue += r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0);
    }
    let mut q = Q::new("SELECT ");
    q.push(key_col()).push(" AS k, COUNT(*) AS n FROM major_hazard_source h WHERE h.is_major = 1");
    push_owned_scope(&mut q, &p.scope);
    under_root(&mut q, "h.scope_path");
    q.push(" GROUP BY ").push(key_col());
    for r in q.fetch_all(store.pool()).await? {
        let k: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
        slot(&mut raw, &k).major_hazard_sources += r.try_get::<i64, _>("n")?;
    }
    let mut narrow = Q::new("");
    under_root(&mut narrow, "e.scope_path");
    for e in enterprise_levels(store, p, narrow, i64::MAX).await? {
        let k = match group {
            RiskGroupBy::Jurisdiction => e.scope_path,
            RiskGroupBy::Sector => e.sectors.into_iter().next().unwrap_or_default(),
        };
        let t = slot(&mut raw, &k);
        match e.level {
            Some(l) => t.enterprises.add(l, 1),
            None => t.unassessed_enterprises += 1,
        }
    }
    let mut totals = RiskTally { key: "total".into(), label: "合计".into(), ..Default::default() };
    raw.iter().for_each(|t| totals.plus(t));
    let groups = match group {
        RiskGroupBy::Jurisdiction => {
            let units = crate::org::breakdown_units(store, p, root.map(|r| r.id)).await?;
            let mut out: Vec<RiskTally> = units
                .iter()
                .map(|(id, name)| RiskTally { key: id.to_string(), label: name.clone(), ..Default::default() })
                .collect();
            for t in &raw {
                if let Some(i) = crate::org::unit_of(&units, &t.key) {
                    out[i].plus(t);
                }
            }
            out
        }
        RiskGroupBy::Sector => {
            raw.sort_by(|a, b| a.key.cmp(&b.key));
            raw.into_iter()
                .map(|mut t| {
                    t.label = if t.key.is_empty() { "未分类".into() } else { t.key.clone() };
                    t
                })
                .collect()
        }
    };
    Ok(RiskStats { totals, groups })
}
