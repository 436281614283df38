//! Risk grading (风险分级管控): the LEC/LS and GB 18218-2018 calculators.

use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, Auth};
use crate::AppState;
use anjian_domain::risk::{self, Assessment, MajorHazardResult, SubstanceInput, UnitKind};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(assess)).routes(routes!(assess_major_hazard))
}

/// An assessment request: `{"method":"LEC","l":6,"e":3,"c":15}` or `{"method":"LS","l":4,"s":5}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "method")]
pub enum AssessRequest {
    /// 作业条件危险性评价法: D = L × E × C
    #[serde(rename = "LEC")]
    Lec { l: f64, e: f64, c: f64 },
    /// 风险矩阵: R = L × S
    #[serde(rename = "LS")]
    Ls { l: f64, s: f64 },
}

/// 风险评价计算器 (LEC / LS) with the default bands of the reference tables
#[utoipa::path(post, path = "/api/v1/risk/assess", tag = "risk", request_body = AssessRequest,
    responses((status = 200, body = Assessment), (status = 422, body = crate::error::Problem)))]
async fn assess(_auth: Auth, ApiJson(req): ApiJson<AssessRequest>) -> ApiResult<Json<Assessment>> {
    let r = match req {
        AssessRequest::Lec { l, e, c } => risk::assess_lec(l, e, c, None),
        AssessRequest::Ls { l, s } => risk::assess_ls(l, s, None),
    };
    r.map(Json).map_err(AppError::invalid)
}

#[derive(Deserialize, utoipa::ToSchema)]
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
