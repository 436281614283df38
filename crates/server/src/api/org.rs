//! Organisation (组织机构): jurisdictions, departments, enterprises, and enterprise import/export.

use crate::api::{Paging, VersionParam};
use crate::error::{ApiResult, AppError};
use crate::excel::{self, attachment, read_rows, workbook, Cell, ExportRow};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::AppState;
use anjian_domain::auth::Action;
use anjian_domain::org::import::{map_headers, ImportRow, COLUMNS, HINTS};
use anjian_domain::org::EnterpriseDraft;
use anjian_domain::time::BusinessCalendar;
use anjian_store::org::{
    self, Department, DepartmentFilter, DepartmentInput, DepartmentPatch, Enterprise, EnterpriseFilter,
    EnterprisePatch, ImportReport, Jurisdiction, JurisdictionFilter, JurisdictionInput, JurisdictionPatch, TreeNode,
};
use anjian_store::page::Page;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(import_enterprises))
        .routes(routes!(import_errors))
        .layer(DefaultBodyLimit::max(state.config.max_import_bytes));
    OpenApiRouter::new()
        .routes(routes!(list_jurisdictions, create_jurisdiction))
        .routes(routes!(export_jurisdictions))
        .routes(routes!(jurisdiction_tree))
        .routes(routes!(get_jurisdiction, update_jurisdiction, delete_jurisdiction))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(export_departments))
        .routes(routes!(get_department, update_department, delete_department))
        .routes(routes!(list_enterprises, create_enterprise))
        .routes(routes!(export_enterprises))
        .routes(routes!(import_template))
        .routes(routes!(get_enterprise, update_enterprise, delete_enterprise))
        .merge(import)
}

// ---------------------------------------------------------------- jurisdictions

/// 辖区列表
#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "org", params(JurisdictionFilter, Paging),
    responses((status = 200, body = Page<Jurisdiction>)))]
async fn list_jurisdictions(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<JurisdictionFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Jurisdiction>>> {
    Ok(Json(org::jurisdiction_list(&s.store, &auth.principal, &f, pg.req()?).await?))
}

/// 导出辖区 (Excel, same filters as the list)
#[utoipa::path(get, path = "/api/v1/jurisdictions/export.xlsx", tag = "org", params(JurisdictionFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_jurisdictions(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<JurisdictionFilter>,
) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    excel::export(&s, "辖区", "辖区.xlsx", move |pg| org::jurisdiction_list(store, p, f, pg)).await
}

impl ExportRow for Jurisdiction {
    const HEADERS: &'static [&'static str] = &["ID", "名称", "层级", "区划代码", "上级ID", "有边界"];
    fn cells(self, _: &BusinessCalendar) -> Vec<Cell> {
        vec![
            Cell::from(self.id),
            self.name.into(),
            self.level.label().into(),
            self.code.into(),
            self.parent_id.into(),
            self.boundary.is_some().into(),
        ]
    }
}

/// 辖区树: the caller's visible part, nested
#[utoipa::path(get, path = "/api/v1/jurisdictions/tree", tag = "org", responses((status = 200, body = Vec<TreeNode>)))]
async fn jurisdiction_tree(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<TreeNode>>> {
    Ok(Json(org::jurisdiction_tree(&s.store, &auth.principal).await?))
}

/// 新增辖区节点 (admin)
#[utoipa::path(post, path = "/api/v1/jurisdictions", tag = "org", request_body = JurisdictionInput,
    responses((status = 201, body = Jurisdiction), (status = 422, body = crate::error::Problem)))]
async fn create_jurisdiction(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<JurisdictionInput>,
) -> ApiResult<(StatusCode, Json<Jurisdiction>)> {
    auth.principal.require(Action::ManageJurisdictions)?;
    Ok((StatusCode::CREATED, Json(org::jurisdiction_create(&s.store, &auth.principal.actor(), input).await?)))
}

/// 辖区详情 (with boundary)
#[utoipa::path(get, path = "/api/v1/jurisdictions/{id}", tag = "org", responses((status = 200, body = Jurisdiction), (status = 404, body = crate::error::Problem)))]
async fn get_jurisdiction(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<Jurisdiction>> {
    Ok(Json(org::jurisdiction_get(&s.store, &auth.principal, id).await?))
}

/// 修改辖区 (admin)
#[utoipa::path(patch, path = "/api/v1/jurisdictions/{id}", tag = "org", request_body = JurisdictionPatch,
    responses((status = 200, body = Jurisdiction), (status = 409, body = crate::error::Problem)))]
async fn update_jurisdiction(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<JurisdictionPatch>,
) -> ApiResult<Json<Jurisdiction>> {
    Ok(Json(org::jurisdiction_update(&s.store, &auth.principal, id, p).await?))
}

/// 删除辖区 (admin; only an empty node)
#[utoipa::path(delete, path = "/api/v1/jurisdictions/{id}", tag = "org", params(VersionParam),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
async fn delete_jurisdiction(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    org::jurisdiction_delete(&s.store, &auth.principal, id, v.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- departments

/// 部门列表
#[utoipa::path(get, path = "/api/v1/departments", tag = "org", params(DepartmentFilter, Paging),
    responses((status = 200, body = Page<Department>)))]
async fn list_departments(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<DepartmentFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Department>>> {
    Ok(Json(org::department_list(&s.store, &auth.principal, &f, pg.req()?).await?))
}

/// 导出部门 (Excel)
#[utoipa::path(get, path = "/api/v1/departments/export.xlsx", tag = "org", params(DepartmentFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_departments(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<DepartmentFilter>,
) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    excel::export(&s, "部门", "部门.xlsx", move |pg| org::department_list(store, p, f, pg)).await
}

impl ExportRow for Department {
    const HEADERS: &'static [&'static str] = &["部门名称", "所属辖区", "监管行业"];
    fn cells(self, _: &BusinessCalendar) -> Vec<Cell> {
        vec![self.name.into(), self.jurisdiction_name.into(), self.sectors.join("、").into()]
    }
}

/// 新增部门 (admin, committee)
#[utoipa::path(post, path = "/api/v1/departments", tag = "org", request_body = DepartmentInput,
    responses((status = 201, body = Department), (status = 422, body = crate::error::Problem)))]
async fn create_department(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    Ok((StatusCode::CREATED, Json(org::department_create(&s.store, &auth.principal, input).await?)))
}

/// 部门详情
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "org", responses((status = 200, body = Department)))]
async fn get_department(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<Department>> {
    Ok(Json(org::department_get(&s.store, &auth.principal, id).await?))
}

/// 修改部门
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "org", request_body = DepartmentPatch, responses((status = 200, body = Department)))]
async fn update_department(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<DepartmentPatch>,
) -> ApiResult<Json<Department>> {
    Ok(Json(org::department_update(&s.store, &auth.principal, id, p).await?))
}

/// 删除部门
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "org", params(VersionParam), responses((status = 204)))]
async fn delete_department(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    org::department_delete(&s.store, &auth.principal, id, v.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- enterprises

/// 企业列表: filter by jurisdiction subtree, sector, 重点企业, 规模以上, name or credit code
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "org", params(EnterpriseFilter, Paging),
    responses((status = 200, body = Page<Enterprise>)))]
async fn list_enterprises(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<EnterpriseFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Enterprise>>> {
    Ok(Json(org::enterprise_list(&s.store, &auth.principal, &f, pg.req()?, s.config.clock.now()).await?))
}

const ENTERPRISE_HEADERS: [&str; 16] = [
    "企业名称",
    "统一社会信用代码",
    "所属辖区",
    "所属网格",
    "行业领域",
    "地址",
    "经度",
    "纬度",
    "坐标系",
    "规模以上",
    "重点企业",
    "从业人数",
    "法定代表人",
    "安全负责人",
    "联系电话",
    "更新时间",
];

/// 导出企业 (Excel, same filters as the list)
#[utoipa::path(get, path = "/api/v1/enterprises/export.xlsx", tag = "org", params(EnterpriseFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_enterprises(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<EnterpriseFilter>,
) -> ApiResult<Response> {
    let (store, p, f, now) = (&s.store, &auth.principal, &f, s.config.clock.now());
    excel::export(&s, "企业", "企业名录.xlsx", move |pg| org::enterprise_list(store, p, f, pg, now)).await
}

impl ExportRow for Enterprise {
    const HEADERS: &'static [&'static str] = &ENTERPRISE_HEADERS;
    fn cells(self, cal: &BusinessCalendar) -> Vec<Cell> {
        vec![
            self.name.into(),
            self.credit_code.into(),
            self.jurisdiction_name.into(),
            self.grid_name.into(),
            self.sectors.join("、").into(),
            self.address.into(),
            self.longitude.into(),
            self.latitude.into(),
            self.coord_system.into(),
            self.above_scale.into(),
            self.key_enterprise.into(),
            Cell::from(self.employees),
            self.legal_representative.into(),
            self.safety_manager.into(),
            self.contact_phone.into(),
            excel::local_time(cal, &self.updated_at),
        ]
    }
}

/// 企业导入模板: the columns with their hints, dropdowns for 所属辖区, 所属网格 (those the caller
/// may place an enterprise in), 行业领域 and the 是/否 columns, and their values on a sheet 可选值
#[utoipa::path(get, path = "/api/v1/enterprises/import/template.xlsx", tag = "org",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn import_template(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    let headers: Vec<String> =
        COLUMNS.iter().map(|(h, _, req)| if *req { format!("{h}*") } else { h.to_string() }).collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let hints = vec![HINTS.iter().map(|h| Cell::from(*h)).collect()];
    let (jurisdictions, grids) = match auth.principal.role.may(Action::ImportEnterprises) {
        true => org::import_choices(&s.store, &auth.principal).await?,
        false => (vec![], vec![]),
    };
    let col = |field: &str| COLUMNS.iter().position(|c| c.1 == field).unwrap_or(0) as u16;
    let yes_no = || vec!["是".to_string(), "否".to_string()];
    let lists = [
        excel::Choices { column: col("jurisdiction_id"), title: "所属辖区", values: jurisdictions },
        excel::Choices { column: col("grid_id"), title: "所属网格", values: grids },
        excel::Choices {
            column: col("sectors"),
            title: "行业领域（多个用、分隔）",
            values: anjian_domain::org::SECTORS.iter().map(|s| s.to_string()).collect(),
        },
        excel::Choices { column: col("above_scale"), title: "规模以上", values: yes_no() },
        excel::Choices { column: col("key_enterprise"), title: "重点企业", values: yes_no() },
    ];
    Ok(attachment(excel::template("企业导入", &headers, hints, &lists)?, "企业导入模板.xlsx"))
}

/// 导入错误清单: the same upload as 批量导入企业, checked and written nowhere; answers the bad
/// rows as they were uploaded with a column 错误原因 (every error of the row), to correct and
/// import again.
#[utoipa::path(post, path = "/api/v1/enterprises/import/errors.xlsx", tag = "org",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 422, body = crate::error::Problem)))]
async fn import_errors(State(s): State<AppState>, auth: Auth, multipart: Multipart) -> ApiResult<Response> {
    auth.principal.require(Action::ImportEnterprises)?;
    let rows = uploaded_rows(multipart).await?;
    let errors = org::enterprise_import_errors(&s.store, &auth.principal, &rows).await?;
    let mut headers: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    headers.insert(0, "行号");
    headers.push("错误原因");
    let bad: Vec<Vec<Cell>> = rows
        .iter()
        .filter_map(|r| {
            let reasons: Vec<String> = errors
                .iter()
                .filter(|e| e.row == r.row)
                .map(|e| if e.column.is_empty() { e.message.clone() } else { format!("{}：{}", e.column, e.message) })
                .collect();
            if reasons.is_empty() {
                return None;
            }
            let mut cells = vec![Cell::from(r.row as i64)];
            cells.extend(r.cells.iter().map(|c| Cell::from(c.as_str())));
            cells.push(Cell::from(reasons.join("；")));
            Some(cells)
        })
        .collect();
    Ok(attachment(workbook("导入错误", &headers, bad)?, "企业导入错误清单.xlsx"))
}

/// The data rows of an uploaded import file (field `file`).
async fn uploaded_rows(mut multipart: Multipart) -> ApiResult<Vec<ImportRow>> {
    let mut file = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|e| AppError::new(e.status(), "上传的文件无法读取或超过大小上限"))?
    {
        if field.name() == Some("file") {
            file =
                Some(field.bytes().await.map_err(|e| AppError::new(e.status(), "上传的文件无法读取或超过大小上限"))?);
        }
    }
    let file = file.ok_or_else(|| AppError::bad_request("请选择要导入的 Excel 文件（表单字段 file）"))?;
    let rows = rows_after_header(read_rows(&file)?)?;
    if rows.is_empty() {
        return Err(AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "文件中没有数据行"));
    }
    Ok(rows)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Import the good rows one by one and report the bad ones (default: all or nothing)
    #[serde(default)]
    pub partial: bool,
}

/// Multipart upload with the .xlsx file in field `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportUpload {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// 批量导入企业. Every bad row is reported with row, column and reason. Without `partial`
/// one bad row means nothing is imported (422 with the errors).
#[utoipa::path(post, path = "/api/v1/enterprises/import", tag = "org", params(ImportParams),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 422, body = crate::error::Problem)))]
async fn import_enterprises(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<ImportParams>,
    multipart: Multipart,
) -> ApiResult<Response> {
    auth.principal.require(Action::ImportEnterprises)?;
    let rows = uploaded_rows(multipart).await?;
    let report = org::enterprise_import(&s.store, &auth.principal, rows, params.partial, |_| {}).await?;
    if !params.partial && !report.errors.is_empty() {
        let errors = report.errors.iter().map(|e| serde_json::to_value(e).unwrap_or_default()).collect();
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "共{}行，其中{}行有误（{}处），未导入任何数据。请下载错误清单修改后重新导入，或选择「仅导入正确的行」",
                report.rows,
                report.failed,
                report.errors.len()
            ),
        )
        .with_errors(errors));
    }
    Ok(Json(report).into_response())
}

/// Finds the header row, maps columns, and returns the data rows in template order
/// (the template's hint row is skipped).
pub fn rows_after_header(rows: Vec<(usize, Vec<String>)>) -> ApiResult<Vec<ImportRow>> {
    let header_at = rows
        .iter()
        .position(|(_, cells)| cells.iter().any(|c| c.trim().trim_end_matches('*') == "企业名称"))
        .ok_or_else(|| {
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "找不到表头行（应含「企业名称」列），请使用导入模板")
        })?;
    let map = map_headers(&rows[header_at].1).map_err(|m| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    Ok(rows
        .into_iter()
        .skip(header_at + 1)
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .filter(|(_, cells)| cells.first().map(|c| c.trim()) != Some(HINTS[0]))
        .map(|(row, cells)| ImportRow {
            row,
            cells: map.iter().map(|m| m.and_then(|i| cells.get(i).cloned()).unwrap_or_default()).collect(),
        })
        .collect())
}

/// 新增企业
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "org", request_body = EnterpriseDraft,
    responses((status = 201, body = Enterprise), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_enterprise(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(d): ApiJson<EnterpriseDraft>,
) -> ApiResult<(StatusCode, Json<Enterprise>)> {
    Ok((StatusCode::CREATED, Json(org::enterprise_create(&s.store, &auth.principal, d).await?)))
}

/// 企业详情
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "org", responses((status = 200, body = Enterprise), (status = 404, body = crate::error::Problem)))]
async fn get_enterprise(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<Enterprise>> {
    Ok(Json(org::enterprise_get(&s.store, &auth.principal, id).await?))
}

/// 修改企业 (send `version`; 409 if someone else changed it first)
#[utoipa::path(patch, path = "/api/v1/enterprises/{id}", tag = "org", request_body = EnterprisePatch,
    responses((status = 200, body = Enterprise), (status = 409, body = crate::error::Problem)))]
async fn update_enterprise(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<EnterprisePatch>,
) -> ApiResult<Json<Enterprise>> {
    Ok(Json(org::enterprise_update(&s.store, &auth.principal, id, p).await?))
}

/// 删除企业
#[utoipa::path(delete, path = "/api/v1/enterprises/{id}", tag = "org", params(VersionParam), responses((status = 204)))]
async fn delete_enterprise(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    org::enterprise_delete(&s.store, &auth.principal, id, v.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
