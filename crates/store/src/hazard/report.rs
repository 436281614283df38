//! The enterprise's statistics report (第十四条: 季度、年度).

use super::*;

/// 隐患排查治理统计分析表 of one enterprise (第十四条), the columns of the official form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseReport {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    /// 报送期限
    pub due: String,
    pub general_found: i64,
    pub general_rectified: i64,
    pub general_rate: f64,
    pub major_found: i64,
    pub major_rectified: i64,
    pub major_rate: f64,
    /// 列入治理计划的重大事故隐患
    pub major_planned: i64,
    /// 其中达到「五到位」要求的
    pub major_five_in_place: i64,
    pub major_listed: i64,
    /// 期末未整改
    pub open_at_end: i64,
    pub major_hazards: Vec<Hazard>,
}

pub async fn enterprise_report(
    store: &Store,
    p: &Principal,
    enterprise_id: i64,
    period: &str,
    at: Timestamp,
) -> Result<EnterpriseReport, StoreError> {
    let ent = enterprise_get(store, p, enterprise_id).await?;
    let period = ReportPeriod::parse(period).map_err(|e| StoreError::Invalid(vec![e]))?;
    let (start, end) = period.range();
    let f = HazardFilter {
        enterprise_id: Some(enterprise_id),
        from: Some(start.to_string()),
        to: Some(end.to_string()),
        ..Default::default()
    };
    let all = list(store, p, &f, PageReq::all(), at).await?.items;
    let end_day = end.to_string();
    let mut r = EnterpriseReport {
        enterprise_id,
        enterprise_name: ent.name,
        period: period.label(),
        period_start: start.to_string(),
        period_end: end.to_string(),
        due: period.due().to_string(),
        general_found: 0,
        general_rectified: 0,
        general_rate: 0.0,
        major_found: 0,
        major_rectified: 0,
        major_rate: 0.0,
        major_planned: 0,
        major_five_in_place: 0,
        major_listed: 0,
        open_at_end: 0,
        major_hazards: vec![],
    };
    for h in all.into_iter().filter(|h| h.state != HazardState::Rejected) {
        let rectified = h.closed_day.as_deref().is_some_and(|c| c <= end_day.as_str());
        if !rectified {
            r.open_at_end += 1;
        }
        match h.grade {
            HazardGrade::General => {
                r.general_found += 1;
                r.general_rectified += rectified as i64;
            }
            HazardGrade::Major => {
                r.major_found += 1;
                r.major_rectified += rectified as i64;
                if let Some(plan) = &h.plan {
                    r.major_planned += 1;
                    r.major_five_in_place += plan.check_five_in_place().is_ok() as i64;
                }
                r.major_listed += h.listing.is_some() as i64;
                r.major_hazards.push(h);
            }
        }
    }
    r.general_rate = pct(r.general_rectified, r.general_found);
    r.major_rate = pct(r.major_rectified, r.major_found);
    Ok(r)
}

/// A timestamp from stored text (for jobs and tests).
pub fn parse_ts(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// `now()` as a [`Timestamp`], for callers without a clock of their own.
pub fn now_ts() -> Timestamp {
    parse_ts(&now()).unwrap_or_else(Timestamp::now)
}
