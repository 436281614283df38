//! Login and accounts (登录与账号).

use crate::api::{Paging, VersionParam};
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientIp, SESSION_COOKIE};
use crate::AppState;
use anjian_domain::auth::Action;
use anjian_domain::hazard::ListingLevel;
use anjian_store::auth::{
    self as accounts, LoginError, PasswordChange, User, UserFilter, UserInput, UserPatch, SESSION_HOURS,
};
use anjian_store::page::Page;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(list_users, create_user))
        .routes(routes!(export_users))
        .routes(routes!(get_user, update_user, delete_user))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Not blank, no NUL
    #[schema(pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$")]
    pub username: String,
    #[schema(min_length = 1)]
    pub password: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Session token: send as `Authorization: Bearer <token>`
    pub token: String,
    pub user: Me,
}

/// 当前用户: the account, what its role may do, and the business calendar.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    /// Every action the role may take (the permission table); the web UI builds its menus and
    /// pages from these, objects carry their own `allowed_actions`
    pub permissions: Vec<Action>,
    /// The 挂牌督办 levels the user's unit may list at (a station or department: its own)
    pub listing_levels: Vec<ListingLevel>,
    /// The business time zone dates are shown in (IANA name)
    pub timezone: String,
}

impl Me {
    async fn of(s: &AppState, user: User) -> ApiResult<Self> {
        let role = user.role;
        let timezone = s.store.calendar().await?.timezone_name();
        let tier = anjian_store::auth::principal_for(&s.store, &user).await?.unit_tier;
        Ok(Self {
            user,
            permissions: role.allowed_actions(),
            listing_levels: ListingLevel::for_unit(role, tier),
            timezone,
        })
    }
}

/// 登录
///
/// Within 15 minutes, 5 failures on one account from one address, 20 on one account, or 100 from
/// one address answer 429 with Retry-After. A browser's login must come from this site's page (403).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(),
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let username = req.username.trim();
    if username.is_empty() || req.password.is_empty() {
        return Err(AppError::invalid(vec![anjian_domain::FieldError::new(
            if username.is_empty() { "username" } else { "password" },
            "请输入用户名和密码",
        )]));
    }
    match accounts::login(&s.store, username, &req.password, &ip, s.config.clock.now()).await {
        Ok((token, user)) => {
            let secure = if s.config.secure_cookie { "; Secure" } else { "" };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                SESSION_HOURS * 3600
            );
            let mut res = Json(LoginResponse { token, user: Me::of(&s, user).await? }).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(LoginError::BadCredentials) => Err(AppError::new(StatusCode::UNAUTHORIZED, "用户名或密码错误")),
        Err(LoginError::Throttled(secs)) => {
            let mut e = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("登录失败次数过多，请{}分钟后再试", (secs + 59) / 60),
            );
            e.retry_after = Some(secs);
            Err(e)
        }
        Err(LoginError::Store(e)) => Err(e.into()),
    }
}

/// 退出登录
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    accounts::logout(&s.store, &auth.token).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
            .expect("ascii"),
    );
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// 当前用户
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me)))]
async fn me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Me>> {
    Ok(Json(Me::of(&s, auth.user).await?))
}

/// 修改密码
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    accounts::change_password(&s.store, &auth.principal, &auth.token, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 用户列表 (admin)
#[utoipa::path(get, path = "/api/v1/users", tag = "auth", params(UserFilter, Paging), responses((status = 200, body = Page<User>)))]
async fn list_users(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(f): ApiQuery<UserFilter>,
    ApiQuery(pg): ApiQuery<Paging>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(accounts::user_list(&s.store, &auth.principal, &f, pg.req()?).await?))
}

/// 导出用户 (admin)
#[utoipa::path(get, path = "/api/v1/users/export.xlsx", tag = "auth", params(UserFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_users(State(s): State<AppState>, auth: Auth, ApiQuery(f): ApiQuery<UserFilter>) -> ApiResult<Response> {
    let (store, p, f) = (&s.store, &auth.principal, &f);
    crate::excel::export(&s, "用户", "用户.xlsx", move |pg| accounts::user_list(store, p, f, pg)).await
}

impl crate::excel::ExportRow for User {
    const HEADERS: &'static [&'static str] = &["用户名", "姓名", "角色", "所属单位", "电话", "启用"];
    fn cells(self, _: &anjian_domain::time::BusinessCalendar) -> Vec<crate::excel::Cell> {
        vec![
            self.username.into(),
            self.display_name.into(),
            self.role_label.into(),
            self.org_name.into(),
            self.phone.into(),
            self.active.into(),
        ]
    }
}

/// 新增用户 (admin)
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = UserInput,
    responses((status = 201, body = User), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    auth.principal.require(anjian_domain::auth::Action::ManageUsers)?;
    let u = accounts::user_create(&s.store, &auth.principal.actor(), input, true).await?;
    Ok((StatusCode::CREATED, Json(u)))
}

/// 用户详情 (admin, or oneself)
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "auth", responses((status = 200, body = User), (status = 404, body = crate::error::Problem)))]
async fn get_user(State(s): State<AppState>, auth: Auth, Path(id): Path<i64>) -> ApiResult<Json<User>> {
    Ok(Json(accounts::user_get(&s.store, &auth.principal, id).await?))
}

/// 修改用户 (admin)
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "auth", request_body = UserPatch, responses((status = 200, body = User)))]
async fn update_user(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(accounts::user_update(&s.store, &auth.principal, id, p).await?))
}

/// 删除用户 (admin)
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "auth", params(VersionParam), responses((status = 204)))]
async fn delete_user(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(v): ApiQuery<VersionParam>,
) -> ApiResult<StatusCode> {
    accounts::user_delete(&s.store, &auth.principal, id, v.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
