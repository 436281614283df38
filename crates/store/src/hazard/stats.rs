//! Hazard statistics within scope: from the running totals where the scope and period allow,
//! from the hazards otherwise.

use super::*;

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Jurisdiction,
    Sector,
    Source,
    Grade,
    Month,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    #[param(inline)]
    pub group_by: Option<GroupBy>,
    /// 发现日期起 (YYYY-MM-DD)
    #[param(format = Date)]
    pub from: Option<String>,
    /// 发现日期止 (inclusive)
    #[param(format = Date)]
    pub to: Option<String>,
    /// Root of the jurisdiction breakdown (default: the caller's)
    pub jurisdiction_id: Option<i64>,
}

/// The indicators of DOMAIN.md §2 for one group.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct Indicators {
    pub key: String,
    pub label: String,
    /// 发现 (rejected ones are not hazards)
    pub found: i64,
    /// 已整改销号
    pub rectified: i64,
    /// 整改率 %
    pub rectification_rate: f64,
    /// 按期整改率 % of the rectified
    pub on_time_rate: f64,
    /// 逾期未改
    pub overdue: i64,
    /// 重大隐患
    pub major: i64,
    /// 挂牌督办
    pub listed: i64,
}

impl Indicators {
    fn add(&mut self, o: &Indicators, on_time: i64) -> i64 {
        self.found += o.found;
        self.rectified += o.rectified;
        self.overdue += o.overdue;
        self.major += o.major;
        self.listed += o.listed;
        on_time
    }
    fn finish(mut self, on_time: i64) -> Self {
        self.rectification_rate = pct(self.rectified, self.found);
        self.on_time_rate = pct(on_time, self.rectified);
        self
    }
}

pub(super) fn pct(a: i64, b: i64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 * 1000.0 / b as f64).round() / 10.0
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub totals: Indicators,
    pub groups: Vec<Indicators>,
}

/// Whether a date range covers whole months (so the monthly running totals answer it).
pub(super) fn whole_months(from: Option<Date>, to: Option<Date>) -> bool {
    from.is_none_or(|d| d.day() == 1) && to.is_none_or(|d| d.tomorrow().is_ok_and(|n| n.day() == 1))
}

/// Statistics within the caller's scope. Found, rectified, on-time, 重大 and listed come from
/// the running totals (`hazard_tally`; PostgreSQL sums BIGINT into NUMERIC, hence the casts) when the scope and period allow it — thousands of rows
/// instead of millions — and from the hazards themselves otherwise (one enterprise, or a period
/// that is not whole months). Overdue depends on today and is counted from the open hazards.
pub async fn stats(store: &Store, p: &Principal, sq: &StatsQuery, at: Timestamp) -> Result<Stats, StoreError> {
    p.require(Action::ReadHazardStats)?;
    let today = store.calendar().await?.date_of(at.into()).to_string();
    let group = sq.group_by.unwrap_or(GroupBy::Jurisdiction);
    let from = sq.from.as_deref().filter(|s| !s.is_empty()).map(|s| parse_date("from", s)).transpose()?;
    let to = sq.to.as_deref().filter(|s| !s.is_empty()).map(|s| parse_date("to", s)).transpose()?;
    let root = match sq.jurisdiction_id {
        Some(id) => Some(crate::org::jurisdiction_get(store, p, id).await?),
        None => None,
    };
    let by_tally =
        matches!(p.scope, Scope::All | Scope::Subtree { .. } | Scope::Sectors { .. }) && whole_months(from, to);
    // The grouping column over the running totals (`t`) or over the hazards (`h`).
    let col = |tally: bool| -> &'static str {
        match (group, tally) {
            (GroupBy::Jurisdiction, true) => "t.scope_path",
            (GroupBy::Jurisdiction, false) => "h.scope_path",
            (GroupBy::Sector, true) => "t.sector",
            (GroupBy::Sector, false) => "h.sector",
            (GroupBy::Source, true) => "t.source",
            (GroupBy::Source, false) => "h.source",
            (GroupBy::Grade, true) => "t.grade",
            (GroupBy::Grade, false) => "h.grade",
            (GroupBy::Month, true) => "t.month",
            (GroupBy::Month, false) => "SUBSTR(h.found_day, 1, 7)",
        }
    };
    // Scope, root and period over the hazards themselves (`h`).
    let hazard_where = |q: &mut Q| -> Result<(), StoreError> {
        push_owned_scope(q, &p.scope);
        if let Some(d) = from {
            q.push(" AND h.found_day >= ").bind(d.to_string());
        }
        if let Some(d) = to {
            q.push(" AND h.found_day <= ").bind(d.to_string());
        }
        if let Some(r) = &root {
            q.push(" AND ");
            push_subtree(q, "h.scope_path", &r.path);
        }
        Ok(())
    };
    let q = if by_tally {
        let key = col(true);
        let mut q = Q::new("SELECT ");
        q.push(key).push(" AS k, CAST(SUM(t.found) AS BIGINT) AS found, CAST(SUM(t.rectified) AS BIGINT) AS rectified, CAST(SUM(t.on_time) AS BIGINT) AS on_time, CAST(SUM(t.major) AS BIGINT) AS major, CAST(SUM(t.listed) AS BIGINT) AS listed FROM hazard_tally t WHERE 1=1");
        match &p.scope {
            Scope::Subtree { path } => {
                q.push(" AND ");
                push_subtree(&mut q, "t.scope_path", path);
            }
            Scope::Sectors { path, sectors } => {
                q.push(" AND ");
                push_subtree(&mut q, "t.scope_path", path);
                if sectors.is_empty() {
                    q.push(" AND 1=0");
                } else {
                    q.push(" AND t.sector IN ").bind_list(sectors);
                }
            }
            _ => {}
        }
        if let Some(d) = from {
            q.push(" AND t.month >= ").bind(d.to_string()[..7].to_string());
        }
        if let Some(d) = to {
            q.push(" AND t.month <= ").bind(d.to_string()[..7].to_string());
        }
        if let Some(r) = &root {
            q.push(" AND ");
            push_subtree(&mut q, "t.scope_path", &r.path);
        }
        q.push(" GROUP BY ").push(key);
        q
    } else {
        let key = col(false);
        let mut q = Q::new("SELECT ");
        q.push(key).push(" AS k, COUNT(*) AS found, \
            SUM(CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END) AS rectified, \
            SUM(CASE WHEN h.rectified_on_time = 1 THEN 1 ELSE 0 END) AS on_time, \
            SUM(CASE WHEN h.grade = '重大' THEN 1 ELSE 0 END) AS major, \
            SUM(CASE WHEN EXISTS (SELECT 1 FROM hazard_listing l WHERE l.hazard_id = h.id) THEN 1 ELSE 0 END) AS listed \
            FROM hazard h WHERE h.state <> 'rejected'");
        hazard_where(&mut q)?;
        q.push(" GROUP BY ").push(key);
        q
    };
    let mut overdue_q = Q::new("SELECT ");
    overdue_q.push(col(false)).push(concat!(
        " AS k, COUNT(*) AS n FROM hazard h WHERE h.state IN ",
        crate::open_states!(),
        " AND h.deadline < "
    ));
    overdue_q.bind(today);
    hazard_where(&mut overdue_q)?;
    overdue_q.push(" GROUP BY ").push(col(false));
    let mut raw: Vec<(Indicators, i64)> = vec![];
    for r in q.fetch_all(store.pool()).await? {
        let k: Option<String> = r.try_get("k")?;
        let g = |c: &str| -> Result<i64, StoreError> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
        raw.push((
            Indicators {
                key: k.unwrap_or_default(),
                found: g("found")?,
                rectified: g("rectified")?,
                major: g("major")?,
                listed: g("listed")?,
                ..Default::default()
            },
            g("on_time")?,
        ));
    }
    for r in overdue_q.fetch_all(store.pool()).await? {
        let k: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
        let n: i64 = r.try_get("n")?;
        match raw.iter_mut().find(|(i, _)| i.key == k) {
            Some((i, _)) => i.overdue = n,
            None => raw.push((Indicators { key: k, overdue: n, ..Default::default() }, 0)),
        }
    }
    raw.retain(|(i, _)| i.found != 0 || i.overdue != 0 || i.rectified != 0);
    raw.sort_by(|a, b| a.0.key.cmp(&b.0.key));
    let mut totals = Indicators { key: "total".into(), label: "合计".into(), ..Default::default() };
    let mut total_on_time = 0;
    for (i, on) in &raw {
        total_on_time += totals.add(i, *on);
    }
    let groups = if group == GroupBy::Jurisdiction {
        by_child(store, p, root.map(|r| r.id), raw).await?
    } else {
        raw.into_iter()
            .map(|(mut i, on)| {
                i.label = i.key.clone();
                i.finish(on)
            })
            .collect()
    };
    Ok(Stats { totals: totals.finish(total_on_time), groups })
}

/// Folds per-path rows into the units of the breakdown (see `org::breakdown_units`).
pub(super) async fn by_child(
    store: &Store,
    p: &Principal,
    root: Option<i64>,
    raw: Vec<(Indicators, i64)>,
) -> Result<Vec<Indicators>, StoreError> {
    let units = crate::org::breakdown_units(store, p, root).await?;
    let mut out: Vec<(Indicators, i64)> = units
        .iter()
        .map(|(id, name)| (Indicators { key: id.to_string(), label: name.clone(), ..Default::default() }, 0))
        .collect();
    for (i, on) in raw {
        if let Some(u) = crate::org::unit_of(&units, &i.key) {
            let slot = &mut out[u];
            slot.1 += slot.0.add(&i, on);
        }
    }
    Ok(out.into_iter().map(|(i, on)| i.finish(on)).collect())
}
