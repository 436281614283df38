//! Hazards (隐患排查治理): ledger, actions, listed supervision, statistics and enterprise reports.

use crate::api::Paging;
use crate::error::{ApiResult, AppError};
use crate::excel::{self, attachment, workbook, Cell, ExportRow};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_domain::auth::Action;
use anjian_domain::hazard::{HazardInput, HazardWritKind, ListingInput, ListingQuota, RectificationPlan, UrgeInput};
use anjian_domain::time::BusinessCalendar;
use anjian_domain::writ::Writ;
use anjian_store::hazard::{
    self, ActionInput, EnterpriseReport, Hazard, HazardCounts, HazardDetail, HazardFilter, ListingLevelName,
    ListingSummary, Stats, StatsQuery, UrgeResult,
};
use anjian_store::page::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_hazards, create_hazard))
        .routes(routes!(export_hazards))
        .routes(routes!(hazard_counts))
        .routes(routes!(hazard_stats))
        .routes(routes!(export_hazard_stats))
        .routes(routes!(get_hazard))
        .routes(routes!(urge_hazards))
        .routes(routes!(hazard_writ))
        .routes(routes!(hazard_writ_docx))
        .routes(routes!(rectify))
        .routes(routes!(submit))
        .routes(routes!(verify))
        .routes(routes!(reject))
        .routes(routes!(close))
        .routes(routes!(list_hazard))
        .routes(routes!(listings))
        .routes(routes!(export_listings))
        .routes(routes!(listing_summary))
        .routes(routes!(export_listing_summary))
        .routes(routes!(listing_levels))
        .routes(routes!(set_quota))
        .routes(routes!(enterprise_report))
        .routes(routes!(enterprise_report_xlsx))
}

// ---------------------------------------------------------------- ledger

/// 隐患台账, newest first
#[utoipa::path(get, path = "/api/v1/hazards", tag = "hazard", params(HazardFilter, Paging), responses((status = 200, body = Page<Hazard>)))]
async fn list_hazards(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<HazardFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Hazard>>> {
    Ok(Json(hazard::list(&s.store, &auth.principal, &f, pg.req()?, s.config.clock.now()).await?))
}

/// 台账分页签的数量: what the list would total for each state tab and 已逾期, with the same filters
#[utoipa::path(get, path = "/api/v1/hazards/counts", tag = "hazard", params(HazardFilter), responses((status = 200, body = HazardCounts)))]
async fn hazard_counts(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<HazardFilter>,
) -> ApiResult<Json<HazardCounts>> {
    Ok(Json(hazard::counts(&s.store, &auth.principal, &f, s.config.clock.now()).await?))
}

/// 上报隐患
#[utoipa::path(post, path = "/api/v1/hazards", tag = "hazard", request_body = HazardInput,
    responses((status = 201, body = HazardDetail), (status = 422, body = crate::error::Problem)))]
async fn create_hazard(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<HazardInput>,
) -> ApiResult<(StatusCode, Json<HazardDetail>)> {
    Ok((StatusCode::CREATED, Json(hazard::create(&s.store, &auth.principal, input, s.config.clock.now()).await?)))
}

/// 催办: press the enterprises of the ticked hazards (those waiting on them; the rest are answered as skipped)
#[utoipa::path(post, path = "/api/v1/hazards/urge", tag = "hazard", request_body = UrgeInput,
    responses((status = 200, body = UrgeResult), (status = 422, body = crate::error::Problem)))]
async fn urge_hazards(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<UrgeInput>,
) -> ApiResult<Json<UrgeResult>> {
    Ok(Json(hazard::urge(&s.store, &auth.principal, b, s.config.clock.now()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WritParams {
    /// rectification: 隐患整改通知书 (default); listing: 挂牌督办通知书
    #[serde(default)]
    pub kind: HazardWritKind,
    /// 检查单位 (default: the caller's unit, e.g. 春江街道安监站)
    pub issuer: Option<String>,
}

/// 隐患整改通知书 / 挂牌督办通知书 as text (the print view)
#[utoipa::path(get, path = "/api/v1/hazards/{id}/writ", tag = "hazard", params(WritParams),
    responses((status = 200, body = Writ), (status = 409, body = crate::error::Problem)))]
async fn hazard_writ(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<WritParams>,
) -> ApiResult<Json<Writ>> {
    Ok(Json(hazard::writ(&s.store, &auth.principal, id, q.kind, q.issuer.as_deref(), s.config.clock.now()).await?))
}

/// 隐患整改通知书 / 挂牌督办通知书 as a Word document
#[utoipa::path(get, path = "/api/v1/hazards/{id}/writ.docx", tag = "hazard", params(WritParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 409, body = crate::error::Problem)))]
async fn hazard_writ_docx(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<WritParams>,
) -> ApiResult<Response> {
    let w = hazard::writ(&s.store, &auth.principal, id, q.kind, q.issuer.as_deref(), s.config.clock.now()).await?;
    let name = format!("{}_{}.docx", w.title, w.addressee.trim_end_matches('：'));
    Ok(excel::attachment_of(crate::docx::writ(&w)?, &name, excel::DOCX))
}

/// 导出隐患台账
#[utoipa::path(get, path = "/api/v1/hazards/export.xlsx", tag = "hazard", params(HazardFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_hazards(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<HazardFilter>,
) -> ApiResult<Response> {
    let (store, p, f, now, cap) = (&s.store, &auth.principal, &f, s.config.clock.now(), s.config.max_export_rows);
    crate::api::check_export_size(hazard::export_total(store, p, f, now, cap).await?, cap)?;
    excel::export_streamed(&s, "隐患台账", "隐患台账.xlsx", move |out| {
        hazard::export_rows(store, p, f, now, out)
    })
    .await
}

impl ExportRow for hazard::HazardExport {
    const HEADERS: &'static [&'static str] = &[
        "隐患编号",
        "企业",
        "辖区",
        "行业",
        "部位",
        "隐患描述",
        "等级",
        "来源",
        "状态",
        "发现日期",
        "整改期限",
        "逾期天数",
        "挂牌督办",
        "责任人",
        "销号日期",
    ];
    fn cells(self, _: &BusinessCalendar) -> Vec<Cell> {
        vec![
            self.number.into(),
            self.enterprise_name.into(),
            self.jurisdiction_name.into(),
            self.sector.into(),
            self.location.into(),
            self.description.into(),
            self.grade.as_str().into(),
            self.source.as_str().into(),
            self.state.label().into(),
            self.found_day.into(),
            self.deadline.into(),
            self.days_overdue.into(),
            self.listing.map(|(level, document)| format!("{}级 {document}", level.as_str())).into(),
            self.responsible.into(),
            self.closed_day.into(),
        ]
    }
}

/// 隐患详情 with photos and timeline
#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "hazard", responses((status = 200, body = HazardDetail), (status = 404, body = crate::error::Problem)))]
async fn get_hazard(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<HazardDetail>> {
    Ok(Json(hazard::get(&s.store, &auth.principal, id, s.config.clock.now()).await?))
}

async fn act(s: &AppState, auth: &Auth, id: i64, input: ActionInput) -> ApiResult<Json<HazardDetail>> {
    Ok(Json(hazard::act(&s.store, &auth.principal, id, input, s.config.clock.now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectifyBody {
    /// 治理方案; required for 重大 (五到位)
    pub plan: Option<RectificationPlan>,
}

/// 开始整改 (重大: 治理方案 with 五到位)
#[utoipa::path(post, path = "/api/v1/hazards/{id}/rectify", tag = "hazard", request_body = RectifyBody,
    responses((status = 200, body = HazardDetail), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn rectify(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult<Json<HazardDetail>> {
    // The body is optional: a 一般 hazard needs no plan.
    let plan = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RectifyBody>(&body)
            .map_err(|e| match e.classify() {
                serde_json::error::Category::Data => {
                    AppError::invalid(vec![anjian_domain::FieldError::new("plan", format!("治理方案格式不正确：{e}"))])
                }
                _ => AppError::bad_request("请求体不是合法的 JSON"),
            })?
            .plan
    };
    act(&s, &auth, id, ActionInput::Rectify { plan }).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotosBody {
    /// File ids from POST /api/v1/files
    #[serde(default)]
    pub after_photos: Vec<i64>,
    #[serde(default)]
    pub note: String,
}

/// 提交验收
#[utoipa::path(post, path = "/api/v1/hazards/{id}/submit", tag = "hazard", request_body = PhotosBody,
    responses((status = 200, body = HazardDetail), (status = 409, body = crate::error::Problem)))]
async fn submit(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PhotosBody>,
) -> ApiResult<Json<HazardDetail>> {
    act(&s, &auth, id, ActionInput::Submit { after_photos: b.after_photos, note: b.note }).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    pub passed: bool,
    #[serde(default)]
    pub comment: String,
    /// For a listed hazard that passes (挂牌督办销号, 16号令 Art. 18): the rectification's
    /// assessment and the enterprise's written application
    #[serde(default)]
    pub closing: Option<anjian_domain::hazard::ListedClosingInput>,
}

/// 验收: passing closes it (销号), failing sends it back to rectification. A listed hazard is
/// verified by its listing unit or one above, and closed with `closing`.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/verify", tag = "hazard", request_body = VerifyBody,
    responses((status = 200, body = HazardDetail), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn verify(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> ApiResult<Json<HazardDetail>> {
    act(&s, &auth, id, ActionInput::Verify { passed: b.passed, comment: b.comment, closing: b.closing }).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

/// 驳回 (not a hazard)
#[utoipa::path(post, path = "/api/v1/hazards/{id}/reject", tag = "hazard", request_body = RejectBody,
    responses((status = 200, body = HazardDetail), (status = 409, body = crate::error::Problem)))]
async fn reject(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RejectBody>,
) -> ApiResult<Json<HazardDetail>> {
    act(&s, &auth, id, ActionInput::Reject { reason: b.reason }).await
}

/// 立查立改销号 (一般 only, with after-photo)
#[utoipa::path(post, path = "/api/v1/hazards/{id}/close", tag = "hazard", request_body = PhotosBody,
    responses((status = 200, body = HazardDetail), (status = 409, body = crate::error::Problem)))]
async fn close(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PhotosBody>,
) -> ApiResult<Json<HazardDetail>> {
    act(&s, &auth, id, ActionInput::Close { after_photos: b.after_photos, note: b.note }).await
}

// ---------------------------------------------------------------- listed supervision

/// 挂牌督办 a 重大 hazard
#[utoipa::path(post, path = "/api/v1/hazards/{id}/listing", tag = "hazard", request_body = ListingInput,
    responses((status = 200, body = HazardDetail), (status = 409, body = crate::error::Problem)))]
async fn list_hazard(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ListingInput>,
) -> ApiResult<Json<HazardDetail>> {
    Ok(Json(hazard::list_hazard(&s.store, &auth.principal, id, b, s.config.clock.now()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// 年度 (default: this year)
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// 辖区 whose quota and listings (default: the caller's own — a committee's district, a station's street)
    pub jurisdiction_id: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListingParams {
    /// 挂牌年度 (same as `listing_year`)
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// 挂牌级别 市/区/街道 (same as `listing_level`)
    pub level: Option<anjian_domain::hazard::ListingLevel>,
}

/// 挂牌督办的隐患: the ledger's filters plus `year` and `level`
#[utoipa::path(get, path = "/api/v1/hazard-listings", tag = "hazard", params(ListingParams, HazardFilter, Paging), responses((status = 200, body = Page<Hazard>)))]
async fn listings(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(lp): ApiQuery<ListingParams>,
    ApiQuery(mut f): ApiQuery<HazardFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Hazard>>> {
    auth.principal.require(Action::ReadListings)?;
    f.listed = Some(true);
    f.listing_year = f.listing_year.or(lp.year);
    f.listing_level = f.listing_level.or(lp.level);
    Ok(Json(hazard::list(&s.store, &auth.principal, &f, pg.req()?, s.config.clock.now()).await?))
}

/// 导出挂牌督办的隐患 (Excel): the listings' filters, the ledger's columns
#[utoipa::path(get, path = "/api/v1/hazard-listings/export.xlsx", tag = "hazard", params(ListingParams, HazardFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_listings(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(lp): ApiQuery<ListingParams>,
    ApiQuery(mut f): ApiQuery<HazardFilter>,
) -> ApiResult<Response> {
    auth.principal.require(Action::ReadListings)?;
    f.listed = Some(true);
    f.listing_year = f.listing_year.or(lp.year);
    f.listing_level = f.listing_level.or(lp.level);
    let (store, p, f, now, cap) = (&s.store, &auth.principal, &f, s.config.clock.now(), s.config.max_export_rows);
    crate::api::check_export_size(hazard::export_total(store, p, f, now, cap).await?, cap)?;
    excel::export_streamed(&s, "挂牌督办", "挂牌督办隐患.xlsx", move |out| {
        hazard::export_rows(store, p, f, now, out)
    })
    .await
}

async fn year_or_now(s: &AppState, y: Option<i64>) -> ApiResult<i64> {
    Ok(match y {
        Some(y) => anjian_domain::time::check_year("year", y).map_err(|e| AppError::invalid(vec![e]))?,
        None => s.today().await?.year() as i64,
    })
}

/// 导出挂牌督办指标与完成情况 (Excel): the summary's rows, one per level
#[utoipa::path(get, path = "/api/v1/hazard-listings/summary.xlsx", tag = "hazard", params(SummaryParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_listing_summary(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SummaryParams>,
) -> ApiResult<Response> {
    let year = year_or_now(&s, q.year).await?;
    let now = s.config.clock.now();
    let summary = hazard::listing_summary(&s.store, &auth.principal, year, q.jurisdiction_id, now).await?;
    let name = summary.first().map(|l| l.jurisdiction_name.clone()).unwrap_or_default();
    let headers = [
        "年度",
        "辖区",
        "挂牌级别",
        "指标",
        "已挂牌",
        "已销号",
        "按期销号",
        "已到期",
        "整改中",
        "逾期未销号",
        "按期整改率(%)",
    ];
    let rows = summary
        .into_iter()
        .map(|l| {
            let n = |v: i64| Cell::Num(v as f64);
            vec![
                Cell::Num(year as f64),
                l.jurisdiction_name.as_str().into(),
                format!("{}级", l.label).as_str().into(),
                l.quota.map_or(Cell::Empty, n),
                n(l.tally.used),
                n(l.tally.closed),
                n(l.tally.closed_on_time),
                n(l.tally.due),
                n(l.tally.in_progress),
                n(l.tally.overdue),
                Cell::Num((l.on_time_rate * 10.0).round() / 10.0),
            ]
        })
        .collect();
    Ok(attachment(workbook("挂牌督办完成情况", &headers, rows)?, &format!("{name}{year}年挂牌督办完成情况.xlsx")))
}

/// 挂牌督办指标与完成情况 by level, for one jurisdiction: its quota, its listings, the on-time rate over those due
#[utoipa::path(get, path = "/api/v1/hazard-listings/summary", tag = "hazard", params(SummaryParams), responses((status = 200, body = Vec<ListingSummary>)))]
async fn listing_summary(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SummaryParams>,
) -> ApiResult<Json<Vec<ListingSummary>>> {
    let year = year_or_now(&s, q.year).await?;
    let now = s.config.clock.now();
    Ok(Json(hazard::listing_summary(&s.store, &auth.principal, year, q.jurisdiction_id, now).await?))
}

/// 挂牌督办级别 as this installation names them (县, 镇（街道）…)
#[utoipa::path(get, path = "/api/v1/hazard-listings/levels", tag = "hazard", responses((status = 200, body = Vec<ListingLevelName>)))]
async fn listing_levels(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Vec<ListingLevelName>>> {
    Ok(Json(hazard::listing_levels(&s.store).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaBody {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i64,
    /// 辖区 the quota is for (default: the caller's own); the committee of it or of one above sets it
    pub jurisdiction_id: Option<i64>,
    #[schema(minimum = 0, maximum = 10000)]
    pub city: i64,
    #[schema(minimum = 0, maximum = 10000)]
    pub district: i64,
    #[schema(minimum = 0, maximum = 10000)]
    pub street: i64,
}

/// 设置年度挂牌督办指标 of a jurisdiction (admin, committee)
#[utoipa::path(put, path = "/api/v1/hazard-listings/quota", tag = "hazard", request_body = QuotaBody, responses((status = 204)))]
async fn set_quota(State(s): State<AppState>, auth: Auth, ApiJson(b): ApiJson<QuotaBody>) -> ApiResult<StatusCode> {
    let quota = ListingQuota { city: b.city, district: b.district, street: b.street };
    hazard::set_quota(&s.store, &auth.principal, b.jurisdiction_id, b.year, quota, s.config.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- statistics and reports

/// 隐患统计 within the caller's scope
#[utoipa::path(get, path = "/api/v1/hazards/stats", tag = "hazard", params(StatsQuery), responses((status = 200, body = Stats)))]
async fn hazard_stats(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    Ok(Json(hazard::stats(&s.store, &auth.principal, &q, s.config.clock.now()).await?))
}

/// 导出隐患统计 (Excel): one row per group and the 合计, as the statistics page shows them
#[utoipa::path(get, path = "/api/v1/hazards/stats/export.xlsx", tag = "hazard", params(StatsQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_hazard_stats(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    let st = hazard::stats(&s.store, &auth.principal, &q, s.config.clock.now()).await?;
    let row = |i: &hazard::Indicators, label: &str| -> Vec<Cell> {
        let mut r: Vec<Cell> = vec![label.into()];
        r.extend([i.found, i.rectified].map(|n| Cell::Num(n as f64)));
        r.extend([i.rectification_rate, i.on_time_rate].map(Cell::Num));
        r.extend([i.overdue, i.major, i.listed].map(|n| Cell::Num(n as f64)));
        r
    };
    let mut rows: Vec<Vec<Cell>> = st.groups.iter().map(|g| row(g, &g.label)).collect();
    rows.push(row(&st.totals, "合计"));
    let group = match q.group_by {
        Some(hazard::GroupBy::Sector) => "行业",
        Some(hazard::GroupBy::Source) => "来源",
        Some(hazard::GroupBy::Grade) => "等级",
        Some(hazard::GroupBy::Month) => "月份",
        _ => "辖区",
    };
    let headers =
        [group, "发现隐患", "已整改销号", "整改率（%）", "按期整改率（%）", "逾期未改", "重大隐患", "挂牌督办"];
    Ok(attachment(workbook("隐患统计", &headers, rows)?, "隐患统计.xlsx"))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParam {
    /// `2026Q1` (季度) or `2026` (年度)
    #[param(pattern = r"^(20[0-9]{2}|2100)(Q[1-4])?$")]
    pub period: String,
}

/// 企业隐患排查治理统计分析表 (季度/年度)
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/hazard-report", tag = "hazard", params(PeriodParam), responses((status = 200, body = EnterpriseReport)))]
async fn enterprise_report(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(pp): ApiQuery<PeriodParam>,
) -> ApiResult<Json<EnterpriseReport>> {
    Ok(Json(hazard::enterprise_report(&s.store, &auth.principal, id, &pp.period, s.config.clock.now()).await?))
}

/// 企业隐患统计分析表 (Excel)
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/hazard-report.xlsx", tag = "hazard", params(PeriodParam),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn enterprise_report_xlsx(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(pp): ApiQuery<PeriodParam>,
) -> ApiResult<Response> {
    let r = hazard::enterprise_report(&s.store, &auth.principal, id, &pp.period, s.config.clock.now()).await?;
    let rows = vec![vec![
        r.enterprise_name.clone().into(),
        r.period.clone().into(),
        Cell::from(r.general_found),
        Cell::from(r.general_rectified),
        Cell::Num(r.general_rate),
        Cell::from(r.major_found),
        Cell::from(r.major_rectified),
        Cell::Num(r.major_rate),
        Cell::from(r.major_planned),
        Cell::from(r.major_five_in_place),
        Cell::from(r.major_listed),
        Cell::from(r.open_at_end),
        r.due.clone().into(),
    ]];
    let bytes = workbook(
        "统计分析表",
        &[
            "企业",
            "统计期",
            "排查一般隐患(项)",
            "其中已整改",
            "整改率(%)",
            "排查重大隐患(项)",
            "其中已整改销号",
            "整改率(%)",
            "列入治理计划的重大隐患",
            "其中达到五到位",
            "挂牌督办",
            "期末未整改",
            "报送期限",
        ],
        rows,
    )?;
    Ok(attachment(bytes, &format!("{}-{}-隐患统计分析表.xlsx", r.enterprise_name, r.period)))
}
