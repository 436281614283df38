//! Risk grading (风险分级管控): the LEC/LS and GB 18218-2018 calculators.

use crate::api::{Paging, VersionParam};
use crate::error::{ApiResult, AppError};
use crate::excel::{self, attachment, workbook, Cell, ExportRow};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_domain::risk::{self, Assessment, MajorHazardResult, SubstanceInput, UnitKind};
use anjian_domain::time::BusinessCalendar;
use anjian_store::major_hazard::{self as sources, MajorHazardSource, SourceFilter, SourceInput, SourcePatch};
use anjian_store::page::Page;
use anjian_store::risk::{
    self as points, BandsInForce, EnterpriseRisk, OverrideBody, RiskPoint, RiskPointFilter, RiskPointInput,
    RiskPointPatch, RiskStats, RiskStatsQuery,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reference))
        .routes(routes!(stats))
        .routes(routes!(export_stats))
        .routes(routes!(get_rules, put_rules))
        .routes(routes!(assess))
        .routes(routes!(assess_major_hazard))
        .routes(routes!(list_points, create_point))
        .routes(routes!(export_points))
        .routes(routes!(get_point, update_point, delete_point))
        .routes(routes!(enterprise_risk, set_override))
        .routes(routes!(get_bands, put_bands))
        .routes(routes!(list_sources, create_source))
        .routes(routes!(export_sources))
        .routes(routes!(get_source, update_source, delete_source))
}

async fn today(s: &AppState) -> ApiResult<String> {
    Ok(s.today().await?.to_string())
}

/// The reference tables the forms offer, and the bands in force for the caller.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReferenceResponse {
    #[serde(flatten)]
    pub tables: &'static risk::Reference,
    pub bands: BandsInForce,
    pub rules: risk::RiskRules,
}

/// 参考表: GB 6441 事故类型, LEC/LS value tables, GB 18218-2018 tables 1–6, the bands in force
#[utoipa::path(get, path = "/api/v1/risk/reference", tag = "risk", responses((status = 200, body = ReferenceResponse)))]
async fn reference(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<ReferenceResponse>> {
    Ok(Json(ReferenceResponse {
        tables: risk::reference(),
        bands: points::bands_for(&s.store, &auth.principal, None).await?,
        rules: points::rules(&s.store).await?,
    }))
}

/// 风险统计: points and enterprises by level, by jurisdiction or sector
#[utoipa::path(get, path = "/api/v1/risk/stats", tag = "risk", params(RiskStatsQuery), responses((status = 200, body = RiskStats)))]
async fn stats(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RiskStatsQuery>,
) -> ApiResult<Json<RiskStats>> {
    Ok(Json(points::stats(&s.store, &auth.principal, &q, &today(&s).await?).await?))
}

/// 导出风险统计 (Excel): one row per group and the 合计
#[utoipa::path(get, path = "/api/v1/risk/stats/export.xlsx", tag = "risk", params(RiskStatsQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_stats(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RiskStatsQuery>,
) -> ApiResult<Response> {
    let st = points::stats(&s.store, &auth.principal, &q, &today(&s).await?).await?;
    let row = |t: &points::RiskTally| -> Vec<Cell> {
        let (p, e) = (&t.points, &t.enterprises);
        let mut r: Vec<Cell> = vec![t.label.clone().into()];
        r.extend([e.major, e.considerable, e.general, e.low, t.unassessed_enterprises].map(|n| Cell::Num(n as f64)));
        r.extend([p.major, p.considerable, p.general, p.low, t.review_overdue].map(|n| Cell::Num(n as f64)));
        r.push(Cell::Num(t.major_hazard_sources as f64));
        r
    };
    let mut rows: Vec<Vec<Cell>> = st.groups.iter().map(row).collect();
    rows.push(row(&st.totals));
    let group = if matches!(q.group_by, Some(points::RiskGroupBy::Sector)) { "行业" } else { "辖区" };
    let headers = [
        group,
        "重大风险企业",
        "较大风险企业",
        "一般风险企业",
        "低风险企业",
        "未评估企业",
        "重大风险点",
        "较大风险点",
        "一般风险点",
        "低风险点",
        "评审逾期风险点",
        "重大危险源",
    ];
    Ok(attachment(workbook("风险统计", &headers, rows)?, "风险统计.xlsx"))
}

/// 风险管控规则 (动态风险, review reminders)
#[utoipa::path(get, path = "/api/v1/risk/rules", tag = "risk", responses((status = 200, body = risk::RiskRules)))]
async fn get_rules(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<risk::RiskRules>> {
    Ok(Json(points::rules(&s.store).await?))
}

/// 设置风险管控规则 (安委办; audited)
#[utoipa::path(put, path = "/api/v1/risk/rules", tag = "risk", request_body = risk::RiskRules,
    responses((status = 200, body = risk::RiskRules), (status = 403, body = crate::error::Problem)))]
async fn put_rules(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<risk::RiskRules>,
) -> ApiResult<Json<risk::RiskRules>> {
    Ok(Json(points::set_rules(&s.store, &auth.principal, r).await?))
}

/// 风险清单 (risk register)
#[utoipa::path(get, path = "/api/v1/risk/points", tag = "risk", params(RiskPointFilter, Paging), responses((status = 200, body = Page<RiskPoint>)))]
async fn list_points(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<RiskPointFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<RiskPoint>>> {
    Ok(Json(points::list(&s.store, &auth.principal, &f, pg.req()?, &today(&s).await?).await?))
}

/// 新增风险点 (assessed by LEC or LS on save)
#[utoipa::path(post, path = "/api/v1/risk/points", tag = "risk", request_body = RiskPointInput,
    responses((status = 201, body = RiskPoint), (status = 422, body = crate::error::Problem)))]
async fn create_point(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(i): ApiJson<RiskPointInput>,
) -> ApiResult<(StatusCode, Json<RiskPoint>)> {
    Ok((StatusCode::CREATED, Json(points::create(&s.store, &auth.principal, i, &today(&s).await?).await?)))
}

/// 导出风险清单 (Excel)
#[utoipa::path(get, path = "/api/v1/risk/points/export.xlsx", tag = "risk", params(RiskPointFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_points(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<RiskPointFilter>,
) -> ApiResult<Response> {
    let (store, p, f, today) = (&s.store, &auth.principal, &f, &today(&s).await?);
    excel::export(&s, "风险清单", "风险清单.xlsx", move |pg| points::list(store, p, f, pg, today)).await
}

impl ExportRow for RiskPoint {
    const HEADERS: &'static [&'static str] = &[
        "企业",
        "风险点",
        "类型",
        "位置",
        "危险有害因素",
        "可能导致的事故类型",
        "风险值",
        "风险等级",
        "等级说明",
        "工程技术措施",
        "管理措施",
        "个体防护措施",
        "应急处置措施",
        "管控层级",
        "责任人",
        "下次评审",
    ];
    fn cells(self, _: &BusinessCalendar) -> Vec<Cell> {
        vec![
            self.enterprise_name.into(),
            self.name.into(),
            self.kind.into(),
            self.location.into(),
            self.hazard_factors.into(),
            self.accident_types.join("、").into(),
            Cell::Num(self.score),
            self.level.as_str().into(),
            self.level_reason.into(),
            self.measures.engineering.into(),
            self.measures.management.into(),
            self.measures.ppe.into(),
            self.measures.emergency.into(),
            self.control_level.into(),
            self.responsible.into(),
            self.next_review.into(),
        ]
    }
}

/// 风险点详情
#[utoipa::path(get, path = "/api/v1/risk/points/{id}", tag = "risk", responses((status = 200, body = RiskPoint), (status = 404, body = crate::error::Problem)))]
async fn get_point(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<RiskPoint>> {
    Ok(Json(points::get(&s.store, &auth.principal, id, &today(&s).await?).await?))
}

/// 修改风险点 (re-assessed on save)
#[utoipa::path(patch, path = "/api/v1/risk/points/{id}", tag = "risk", request_body = RiskPointPatch, responses((status = 200, body = RiskPoint)))]
async fn update_point(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<RiskPointPatch>,
) -> ApiResult<Json<RiskPoint>> {
    Ok(Json(points::update(&s.store, &auth.principal, id, p, &today(&s).await?).await?))
}

/// 删除风险点
#[utoipa::path(delete, path = "/api/v1/risk/points/{id}", tag = "risk", params(VersionParam), responses((status = 204)))]
async fn delete_point(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    points::delete(&s.store, &auth.principal, id, v.version, &today(&s).await?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 企业风险等级: the highest point, or the committee's override
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/risk", tag = "risk", responses((status = 200, body = EnterpriseRisk)))]
async fn enterprise_risk(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Json<EnterpriseRisk>> {
    Ok(Json(points::enterprise_risk(&s.store, &auth.principal, id, &today(&s).await?).await?))
}

/// 调整企业风险等级 (安委办, with a reason; audited)
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/risk", tag = "risk", request_body = OverrideBody,
    responses((status = 200, body = EnterpriseRisk), (status = 403, body = crate::error::Problem)))]
async fn set_override(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<OverrideBody>,
) -> ApiResult<Json<EnterpriseRisk>> {
    Ok(Json(points::set_override(&s.store, &auth.principal, id, b, &today(&s).await?).await?))
}

/// An assessment request: `{"method":"LEC","l":6,"e":3,"c":15}` or `{"method":"LS","l":4,"s":5}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", deny_unknown_fields)]
pub enum AssessRequest {
    /// 作业条件危险性评价法: D = L × E × C
    #[serde(rename = "LEC")]
    Lec { l: f64, e: f64, c: f64 },
    /// 风险矩阵: R = L × S
    #[serde(rename = "LS")]
    Ls { l: f64, s: f64 },
}

/// 风险评价计算器 (LEC / LS) with the bands in force for the caller
#[utoipa::path(post, path = "/api/v1/risk/assess", tag = "risk", request_body = AssessRequest,
    responses((status = 200, body = Assessment), (status = 422, body = crate::error::Problem)))]
async fn assess(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<AssessRequest>,
) -> ApiResult<Json<Assessment>> {
    // The bands in force where the caller works (the reference defaults unless set).
    let path = points::principal_path(&st.store, &auth.principal).await?;
    let (bands, _) = points::bands_at(&st.store, &path).await?;
    let r = match req {
        AssessRequest::Lec { l, e, c } => risk::assess_lec(l, e, c, Some(bands.lec)),
        AssessRequest::Ls { l, s } => risk::assess_ls(l, s, Some(bands.ls)),
    };
    r.map(Json).map_err(AppError::invalid)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BandsParams {
    /// Default: the caller's own jurisdiction
    pub jurisdiction_id: Option<i64>,
}

/// 风险分级阈值 in force
#[utoipa::path(get, path = "/api/v1/risk/bands", tag = "risk", params(BandsParams), responses((status = 200, body = BandsInForce)))]
async fn get_bands(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<BandsParams>,
) -> ApiResult<Json<BandsInForce>> {
    Ok(Json(points::bands_for(&s.store, &auth.principal, p.jurisdiction_id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandsBody {
    pub jurisdiction_id: i64,
    pub lec: risk::Bands,
    pub ls: risk::Bands,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BandsChanged {
    /// Risk points re-levelled under the new bands
    pub relevelled: usize,
}

/// 设置风险分级阈值 (安委办): risk points below are re-levelled at once
#[utoipa::path(put, path = "/api/v1/risk/bands", tag = "risk", request_body = BandsBody, responses((status = 200, body = BandsChanged)))]
async fn put_bands(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<BandsBody>,
) -> ApiResult<Json<BandsChanged>> {
    let n =
        points::set_bands(&s.store, &auth.principal, b.jurisdiction_id, risk::BandSet { lec: b.lec, ls: b.ls }).await?;
    Ok(Json(BandsChanged { relevelled: n }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MajorHazardRequest {
    /// production (生产单元) or storage (储存单元)
    pub unit: UnitKind,
    pub substances: Vec<SubstanceInput>,
    /// 厂区边界外500米范围内常住人口
    pub exposed_people: i64,
}

/// 重大危险源辨识与分级计算器 (GB 18218-2018): S = Σ q/Q, R = α Σ β q/Q, with every term
#[utoipa::path(post, path = "/api/v1/risk/major-hazard/assess", tag = "risk", request_body = MajorHazardRequest,
    responses((status = 200, body = MajorHazardResult), (status = 422, body = crate::error::Problem)))]
async fn assess_major_hazard(
    _auth: Auth,
    ApiJson(req): ApiJson<MajorHazardRequest>,
) -> ApiResult<Json<MajorHazardResult>> {
    risk::assess_major_hazard(req.unit, &req.substances, req.exposed_people).map(Json).map_err(AppError::invalid)
}

/// 重大危险源 (identification units) within scope
#[utoipa::path(get, path = "/api/v1/risk/major-hazards", tag = "risk", params(SourceFilter, Paging), responses((status = 200, body = Page<MajorHazardSource>)))]
async fn list_sources(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<SourceFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<MajorHazardSource>>> {
    Ok(Json(sources::list(&s.store, &auth.principal, &f, pg.req()?).await?))
}

/// 导出重大危险源辨识单元 (Excel): the list's filters
#[utoipa::path(get, path = "/api/v1/risk/major-hazards/export.xlsx", tag = "risk", params(SourceFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_sources(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<SourceFilter>,
) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    excel::export(&s, "重大危险源", "重大危险源辨识单元.xlsx", move |pg| sources::list(store, p, f, pg)).await
}

impl ExportRow for MajorHazardSource {
    const HEADERS: &'static [&'static str] = &[
        "企业",
        "辨识单元",
        "单元类型",
        "危险物质",
        "S 值（∑q/Q 校正后）",
        "是否构成重大危险源",
        "暴露人数",
        "α（人员校正系数）",
        "R 值（分级指标）",
        "级别",
        "更新时间",
    ];
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell> {
        let substances: Vec<String> = self
            .substances
            .iter()
            .filter_map(|v| {
                v.get("name").and_then(|n| n.as_str()).or_else(|| v.get("category").and_then(|c| c.as_str()))
            })
            .map(String::from)
            .collect();
        vec![
            self.enterprise_name.into(),
            self.name.into(),
            match self.unit_kind {
                UnitKind::Production => "生产单元",
                UnitKind::Storage => "储存单元",
            }
            .into(),
            substances.join("、").into(),
            Cell::Num(self.s),
            if self.is_major { "构成" } else { "不构成" }.into(),
            Cell::Num(self.exposed_people as f64),
            Cell::Num(self.alpha),
            Cell::Num(self.r),
            self.grade.into(),
            excel::local_time(cal, &self.updated_at),
        ]
    }
}

/// 登记辨识单元: identified and graded per GB 18218-2018 on save
#[utoipa::path(post, path = "/api/v1/risk/major-hazards", tag = "risk", request_body = SourceInput,
    responses((status = 201, body = MajorHazardSource), (status = 422, body = crate::error::Problem)))]
async fn create_source(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(i): ApiJson<SourceInput>,
) -> ApiResult<(StatusCode, Json<MajorHazardSource>)> {
    Ok((StatusCode::CREATED, Json(sources::create(&s.store, &auth.principal, i).await?)))
}

/// 辨识单元详情 with every term
#[utoipa::path(get, path = "/api/v1/risk/major-hazards/{id}", tag = "risk", responses((status = 200, body = MajorHazardSource)))]
async fn get_source(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<MajorHazardSource>> {
    Ok(Json(sources::get(&s.store, &auth.principal, id).await?))
}

/// 修改辨识单元 (re-identified on save)
#[utoipa::path(patch, path = "/api/v1/risk/major-hazards/{id}", tag = "risk", request_body = SourcePatch, responses((status = 200, body = MajorHazardSource)))]
async fn update_source(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<SourcePatch>,
) -> ApiResult<Json<MajorHazardSource>> {
    Ok(Json(sources::update(&s.store, &auth.principal, id, p).await?))
}

/// 删除辨识单元
#[utoipa::path(delete, path = "/api/v1/risk/major-hazards/{id}", tag = "risk", params(VersionParam), responses((status = 204)))]
async fn delete_source(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    sources::delete(&s.store, &auth.principal, id, v.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
