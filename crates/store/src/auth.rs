//! Accounts (账号): users, password hashes, sessions, login throttling, and the principal with
//! its data scope.

use crate::audit::{self, Change};
use crate::db::{Insert, Q};
use crate::org::{department_by_id, jurisdiction_by_id, stale};
use crate::page::{Keyed, Keyset, Page, PageReq};
use crate::{format_ts, now, Actor, Principal, Store, StoreError};
use anjian_domain::auth::{validate_password, Action, LoginThrottle, OrgKind, Role, USER_ACTIONS};
use anjian_domain::scope::{OrgFacts, Scope};
use anjian_domain::user::{OrgUnit, UserPatchFacts, UserState};
pub use anjian_domain::user::{PasswordChange, UserInput, UserPatch};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How long a session lasts after login.
pub const SESSION_HOURS: i64 = 12;

/// 用户 — an account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: String,
    pub org_kind: OrgKind,
    pub org_id: i64,
    pub org_name: String,
    pub phone: String,
    pub active: bool,
    pub must_change_password: bool,
    pub version: i64,
    /// What the caller may do to this account (the permission table, `domain::auth`)
    pub allowed_actions: Vec<Action>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// 用户名或姓名
    pub q: Option<String>,
}

pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Config(format!("密码哈希失败：{e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the user does not exist, so that timing does not tell.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0").unwrap_or_default())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const USER_SELECT: &str = "SELECT u.*, COALESCE(j.name, d.name, e.name, '') AS org_name FROM app_user u \
    LEFT JOIN jurisdiction j ON u.org_kind = 'jurisdiction' AND j.id = u.org_id \
    LEFT JOIN department d ON u.org_kind = 'department' AND d.id = u.org_id \
    LEFT JOIN enterprise e ON u.org_kind = 'enterprise' AND e.id = u.org_id";

/// `viewer`: the role of who reads it (`None`: the account itself).
fn row_to_user(r: &AnyRow, viewer: Option<Role>) -> Result<User, StoreError> {
    let role: String = r.try_get("role")?;
    let role = Role::parse(&role).unwrap_or(Role::Expert);
    let kind: String = r.try_get("org_kind")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role,
        role_label: role.label().into(),
        org_kind: OrgKind::parse(&kind).unwrap_or(OrgKind::Jurisdiction),
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        phone: r.try_get("phone")?,
        active: r.try_get::<i64, _>("active")? != 0,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        version: r.try_get("version")?,
        allowed_actions: viewer.unwrap_or(role).allowed_of(&USER_ACTIONS),
    })
}

/// `col`: `u.id` or `u.username`.
async fn user_by(store: &Store, col: &'static str, v: crate::Val) -> Result<Option<(User, String)>, StoreError> {
    let mut q = Q::new(USER_SELECT);
    q.push(" WHERE ").push(col).push(" = ").bind(v);
    match q.fetch_optional(store.pool()).await? {
        Some(r) => Ok(Some((row_to_user(&r, None)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

/// The name of the caller's unit (its jurisdiction, department or enterprise).
pub async fn org_name(store: &Store, p: &Principal) -> Result<String, StoreError> {
    Ok(user_by(store, "u.id", p.user_id.into()).await?.map(|(u, _)| u.org_name).unwrap_or_default())
}

/// Builds the principal of a user: its role and the scope derived from its org unit.
pub async fn principal_for(store: &Store, u: &User) -> Result<Principal, StoreError> {
    let mut path = None;
    let mut sectors = vec![];
    let mut enterprise_id = None;
    let mut assigned = vec![];
    let mut unit_tier = None;
    match u.org_kind {
        OrgKind::Jurisdiction => {
            if let Some(j) = jurisdiction_by_id(store, u.org_id).await? {
                unit_tier = Some(j.level);
                path = Some(j.path);
            }
        }
        OrgKind::Department => {
            if let Some((d, p)) = department_by_id(store, u.org_id).await? {
                unit_tier = jurisdiction_by_id(store, d.jurisdiction_id).await?.map(|j| j.level);
                sectors = d.sectors;
                path = Some(p);
            }
        }
        OrgKind::Enterprise => enterprise_id = Some(u.org_id),
    }
    if u.role == Role::Expert {
        let rows = Q::new("SELECT enterprise_id FROM expert_assignment WHERE user_id = ")
            .bind(u.id)
            .push(" ORDER BY enterprise_id")
            .fetch_all(store.pool())
            .await?;
        assigned = rows.iter().map(|r| r.try_get("enterprise_id")).collect::<Result<Vec<i64>, _>>()?;
    }
    let scope = Scope::for_user(&OrgFacts {
        role: u.role,
        jurisdiction_path: path.as_deref(),
        department_sectors: &sectors,
        enterprise_id,
        assigned_enterprises: &assigned,
    });
    Ok(Principal {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        org_kind: u.org_kind,
        org_id: u.org_id,
        scope,
        unit_tier,
    })
}

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginError {
    BadCredentials,
    /// Too many failures: wait this many seconds.
    Throttled(i64),
    Store(StoreError),
}

impl From<StoreError> for LoginError {
    fn from(e: StoreError) -> Self {
        LoginError::Store(e)
    }
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        LoginError::Store(e.into())
    }
}

/// The account name failures are counted under: trimmed, lower case (user names are), bounded,
/// so that `Admin` and `admin ` count as one account and a long name cannot bloat the table.
fn failure_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// Checks a password and opens a session. Failures are counted per (account, address), per
/// account and per address ([`LoginThrottle`]) within its window of the server's clock `at`;
/// `ip` is the client address the server trusts.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    ip: &str,
    at: jiff::Timestamp,
) -> Result<(String, User), LoginError> {
    let throttle = LoginThrottle::default();
    let now_unix = at.as_second();
    let since = now_unix - throttle.window_secs;
    let account = failure_key(username);
    let ip: String = ip.chars().take(64).collect();
    // Bounded: an attempt that is refused records nothing, so each set stops at its limit.
    let rows = Q::new("SELECT username, ip, at_unix FROM login_failure WHERE at_unix > ")
        .bind(since)
        .push(" AND (username = ")
        .bind(account.as_str())
        .push(" OR ip = ")
        .bind(ip.as_str())
        .push(")")
        .fetch_all(store.pool())
        .await?;
    let mut failures = anjian_domain::auth::LoginFailures::default();
    for r in &rows {
        let (u, a, at): (String, String, i64) = (r.try_get("username")?, r.try_get("ip")?, r.try_get("at_unix")?);
        if u == account {
            failures.account.push(at);
            if a == ip {
                failures.account_address.push(at);
            }
        }
        if a == ip {
            failures.address.push(at);
        }
    }
    if let Some(wait) = throttle.retry_after(&failures, now_unix) {
        return Err(LoginError::Throttled(wait));
    }
    let found = user_by(store, "u.username", username.into()).await?;
    let ok = match &found {
        Some((u, hash)) => verify_password(password, hash) && u.active,
        None => {
            verify_password(password, dummy_hash());
            false
        }
    };
    if !ok {
        Q::new("INSERT INTO login_failure (username, ip, at_unix) VALUES (")
            .bind(account.as_str())
            .push(", ")
            .bind(ip.as_str())
            .push(", ")
            .bind(now_unix)
            .push(")")
            .execute(store.pool())
            .await?;
        return Err(LoginError::BadCredentials);
    }
    let (user, _) = found.expect("checked above");
    // A success forgives this address its failures on this account; the others stand.
    Q::new("DELETE FROM login_failure WHERE username = ")
        .bind(account.as_str())
        .push(" AND ip = ")
        .bind(ip.as_str())
        .execute(store.pool())
        .await?;
    let token = new_token();
    let created = jiff::Timestamp::now();
    let expires = created + jiff::SignedDuration::from_hours(SESSION_HOURS);
    let mut tx = store.begin().await?;
    Q::new("INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES (")
        .bind(token_hash(&token))
        .push(", ")
        .bind(user.id)
        .push(", ")
        .bind(format_ts(created))
        .push(", ")
        .bind(format_ts(expires))
        .push(")")
        .execute(&mut *tx.tx)
        .await?;
    audit::record(
        &mut tx,
        &Actor { id: Some(user.id), name: format!("{}({})", user.display_name, user.username) },
        Change::new("login", "session", Some(user.id), "/", format!("{}登录（{ip}）", user.username)),
    )
    .await?;
    tx.commit().await?;
    Ok((token, user))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The principal of a live session token, or `None` for an unknown, expired or disabled one.
pub async fn authenticate(store: &Store, token: &str) -> Result<Option<(Principal, User)>, StoreError> {
    let hash = token_hash(token);
    let now = now();
    if let Some(known) = store.sessions.get(&hash, &now) {
        return Ok(Some(known));
    }
    let row = Q::new("SELECT user_id, expires_at FROM user_session WHERE token_hash = ")
        .bind(hash.as_str())
        .push(" AND expires_at > ")
        .bind(now.as_str())
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let uid: i64 = row.try_get("user_id")?;
    match user_by(store, "u.id", uid.into()).await? {
        Some((u, _)) if u.active => {
            let known = (principal_for(store, &u).await?, u);
            store.sessions.put(hash, row.try_get("expires_at")?, known.clone());
            Ok(Some(known))
        }
        _ => Ok(None),
    }
}

/// Sessions authenticated in the last [`SessionCache::FRESH`] (会话缓存): a request in that
/// time takes its principal from memory instead of three reads. Every committed write that may
/// change a principal (any but the hazard writers', which mark their transactions) forgets all
/// of them in this process; another instance sees such a change within `FRESH`.
#[derive(Default)]
pub struct SessionCache {
    known: std::sync::Mutex<std::collections::HashMap<String, KnownSession>>,
}

struct KnownSession {
    until: std::time::Instant,
    expires_at: String,
    principal: Principal,
    user: User,
}

impl SessionCache {
    /// How long a principal read from the database is used without reading it again.
    pub const FRESH: std::time::Duration = std::time::Duration::from_secs(5);
    /// Sessions kept at most (more are forgotten all at once: the cache only saves reads).
    const MAX: usize = 10_000;

    fn get(&self, hash: &str, now: &str) -> Option<(Principal, User)> {
        let known = self.known.lock().ok()?;
        let k = known.get(hash)?;
        (k.until > std::time::Instant::now() && k.expires_at.as_str() > now)
            .then(|| (k.principal.clone(), k.user.clone()))
    }

    fn put(&self, hash: String, expires_at: String, (principal, user): (Principal, User)) {
        if let Ok(mut known) = self.known.lock() {
            if known.len() >= Self::MAX {
                known.clear();
            }
            let until = std::time::Instant::now() + Self::FRESH;
            known.insert(hash, KnownSession { until, expires_at, principal, user });
        }
    }

    /// Forgets every session (a write that may have changed one committed).
    pub(crate) fn forget_all(&self) {
        if let Ok(mut known) = self.known.lock() {
            known.clear();
        }
    }
}

pub async fn logout(store: &Store, token: &str) -> Result<(), StoreError> {
    Q::new("DELETE FROM user_session WHERE token_hash = ").bind(token_hash(token)).execute(store.pool()).await?;
    store.forget_principals();
    Ok(())
}

/// Changes one's own password after checking the old one; the user's other sessions end (a
/// stolen session does not outlive the password change), the one of `keep_token` stays.
pub async fn change_password(
    store: &Store,
    p: &Principal,
    keep_token: &str,
    change: PasswordChange,
) -> Result<(), StoreError> {
    let (u, hash) = user_by(store, "u.id", p.user_id.into()).await?.ok_or(StoreError::NotFound)?;
    let old_ok = verify_password(&change.old_password, &hash);
    let v = change.validate(&u.username, old_ok).map_err(StoreError::Invalid)?;
    let mut tx = store.begin().await?;
    Q::new("UPDATE app_user SET password_hash = ")
        .bind(hash_password(&v.new_password)?)
        .push(", must_change_password = 0, version = version + 1, updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(u.id)
        .execute(&mut *tx.tx)
        .await?;
    Q::new("DELETE FROM user_session WHERE user_id = ")
        .bind(u.id)
        .push(" AND token_hash <> ")
        .bind(token_hash(keep_token))
        .execute(&mut *tx.tx)
        .await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::new("change_password", "user", Some(u.id), "/", format!("{}修改了密码", u.username)),
    )
    .await?;
    tx.commit().await
}

/// The path of the org unit of `kind` with id `org_id`, if there is one (the kind a role
/// belongs to is the domain's `Role::org_kind`; whether the unit fits is `domain::user`'s rule).
async fn org_path(store: &Store, kind: OrgKind, org_id: i64) -> Result<Option<String>, StoreError> {
    Ok(match kind {
        OrgKind::Jurisdiction => jurisdiction_by_id(store, org_id).await?.map(|j| j.path),
        OrgKind::Department => department_by_id(store, org_id).await?.map(|d| d.1),
        OrgKind::Enterprise => Q::new("SELECT scope_path FROM enterprise WHERE id = ")
            .bind(org_id)
            .fetch_optional(store.pool())
            .await?
            .map(|r| r.try_get("scope_path"))
            .transpose()?,
    })
}

pub async fn user_get(store: &Store, p: &Principal, id: i64) -> Result<User, StoreError> {
    if p.user_id != id {
        p.require(Action::ManageUsers).map_err(|_| StoreError::NotFound)?;
    }
    Ok(user_by(store, "u.id", id.into()).await?.ok_or(StoreError::NotFound)?.0)
}

pub async fn user_list(store: &Store, p: &Principal, f: &UserFilter, page: PageReq) -> Result<Page<User>, StoreError> {
    p.require(Action::ManageUsers)?;
    let mut w = Q::new(" WHERE 1=1");
    if let Some(r) = f.role {
        w.push(" AND u.role = ").bind(r.as_str());
    }
    if let Some(s) = f.q.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND (").push_contains("u.username", s).push(" OR ").push_contains("u.display_name", s).push(")");
    }
    const LIST: Keyset = Keyset { select: USER_SELECT, count_from: "FROM app_user u", id: "u.id", descending: false };
    LIST.page(store, &w, page, |r| row_to_user(r, Some(p.role))).await
}

impl Keyed for User {
    fn key(&self) -> i64 {
        self.id
    }
}

/// Creates a user (API, CLI and demo). `must_change` forces a new password at first login.
pub async fn user_create(
    store: &Store,
    actor: &Actor,
    input: UserInput,
    must_change: bool,
) -> Result<User, StoreError> {
    let kind = input.role.org_kind();
    let path = org_path(store, kind, input.org_id).await?;
    let input = input.validate(path.as_deref().map(|path| OrgUnit { kind, path })).map_err(StoreError::Invalid)?;
    let hash = hash_password(&input.password)?;
    let mut tx = store.begin().await?;
    let ts = now();
    let q = Insert::into("app_user")
        .set("username", input.username.as_str())
        .set("display_name", input.display_name.as_str())
        .set("password_hash", hash)
        .set("role", input.role.as_str())
        .set("org_kind", input.org_kind.as_str())
        .set("org_id", input.org_id)
        .set("phone", input.phone.as_str())
        .set("must_change_password", must_change)
        .stamped(&ts)
        .returning_id();
    let id: i64 = match q.fetch_one(&mut *tx.tx).await {
        Ok(r) => r.try_get("id")?,
        Err(e) if e.unique_violation().is_some() => {
            return Err(StoreError::Duplicate {
                field: "username",
                message: format!("用户名「{}」已被使用", input.username),
            })
        }
        Err(e) => return Err(e),
    };
    for eid in &input.assigned_enterprises {
        Q::new("INSERT INTO expert_assignment (user_id, enterprise_id) VALUES (")
            .bind(id)
            .push(", ")
            .bind(*eid)
            .push(")")
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| {
                if e.is_foreign_key_violation() {
                    StoreError::invalid("assigned_enterprises", "指派的企业不存在")
                } else {
                    e
                }
            })?;
    }
    audit::record(
        &mut tx,
        actor,
        Change::created(
            "user",
            id,
            &input.scope_path,
            format!("新增用户「{}」（{}）", input.username, input.role.label()),
        )
        .after(serde_json::json!({"username": input.username, "role": input.role, "org_id": input.org_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(user_by(store, "u.id", id.into()).await?.ok_or(StoreError::NotFound)?.0)
}

pub async fn user_update(store: &Store, p: &Principal, id: i64, patch: UserPatch) -> Result<User, StoreError> {
    p.require(Action::ManageUsers)?;
    let (before, _) = user_by(store, "u.id", id.into()).await?.ok_or(StoreError::NotFound)?;
    let now_state = UserState {
        id,
        username: before.username.clone(),
        display_name: before.display_name.clone(),
        role: before.role,
        org_id: before.org_id,
        phone: before.phone.clone(),
        active: before.active,
    };
    let (role, org_id) = patch.placement(&now_state);
    let path = org_path(store, role.org_kind(), org_id).await?;
    let org = path.as_deref().map(|path| OrgUnit { kind: role.org_kind(), path });
    let mut tx = store.begin().await?;
    // The active administrators, locked on PostgreSQL so that two admins demoting each other at
    // once cannot both see the other as the one who remains (SQLite writes one at a time).
    let lock = if store.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
    let admins =
        Q::new("SELECT id FROM app_user WHERE role = 'admin' AND active = 1").push(lock).fetch_all(&mut *tx.tx).await?;
    let admins = admins.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<Vec<_>, _>>()?;
    let other_active_admins = admins.iter().filter(|a| **a != id).count() as i64;
    let v = patch
        .validate(UserPatchFacts { now: &now_state, org, editor_id: p.user_id, other_active_admins })
        .map_err(StoreError::Invalid)?;
    let mut q = Q::new("UPDATE app_user SET display_name = ");
    q.bind(v.display_name.as_str()).push(", role = ").bind(v.role.as_str());
    q.push(", org_kind = ").bind(v.org_kind.as_str());
    q.push(", org_id = ").bind(v.org_id).push(", phone = ").bind(v.phone.as_str()).push(", active = ").bind(v.active);
    if let Some(pw) = &v.password {
        q.push(", password_hash = ").bind(hash_password(pw)?).push(", must_change_password = 1");
    }
    q.push(", version = version + 1, updated_at = ").bind(now()).push(" WHERE id = ").bind(id);
    q.push(" AND version = ").bind(v.version);
    if q.execute(&mut *tx.tx).await? == 0 {
        return Err(stale());
    }
    if !v.active || v.password.is_some() {
        Q::new("DELETE FROM user_session WHERE user_id = ").bind(id).execute(&mut *tx.tx).await?;
    }
    audit::record(
        &mut tx,
        &p.actor(),
        Change::updated("user", id, &v.scope_path, format!("修改用户「{}」{}", before.username, if v.password.is_some() { "（重置密码）" } else { "" })).before(serde_json::json!({"display_name": before.display_name, "role": before.role, "org_id": before.org_id, "active": before.active, "phone": before.phone})).after(serde_json::json!({"display_name": v.display_name, "role": v.role, "org_id": v.org_id, "active": v.active, "phone": v.phone})),
    )
    .await?;
    tx.commit().await?;
    Ok(user_by(store, "u.id", id.into()).await?.ok_or(StoreError::NotFound)?.0)
}

pub async fn user_delete(store: &Store, p: &Principal, id: i64, version: i64) -> Result<(), StoreError> {
    p.require(Action::ManageUsers)?;
    let (u, _) = user_by(store, "u.id", id.into()).await?.ok_or(StoreError::NotFound)?;
    if id == p.user_id {
        return Err(StoreError::Conflict("不能删除自己的账号".into()));
    }
    let mut tx = store.begin().await?;
    crate::org::delete_versioned(&mut tx, "app_user", id, version).await?;
    audit::record(
        &mut tx,
        &p.actor(),
        Change::deleted("user", id, "/", format!("删除用户「{}」", u.username))
            .before(serde_json::json!({"username": u.username, "role": u.role, "org_id": u.org_id})),
    )
    .await?;
    tx.commit().await
}

/// Removes login failures older than the throttling window (the cleanup job).
pub async fn prune_login_failures(store: &Store, now_unix: i64) -> Result<u64, StoreError> {
    let since = now_unix - LoginThrottle::default().window_secs;
    Q::new("DELETE FROM login_failure WHERE at_unix <= ").bind(since).execute(store.pool()).await
}

/// Sets a password by user name (CLI `user passwd`).
pub async fn set_password(store: &Store, actor: &Actor, username: &str, password: &str) -> Result<(), StoreError> {
    validate_password(username, password).map_err(|e| StoreError::Invalid(vec![e]))?;
    let (u, _) = user_by(store, "u.username", username.into()).await?.ok_or(StoreError::NotFound)?;
    let mut tx = store.begin().await?;
    Q::new("UPDATE app_user SET password_hash = ")
        .bind(hash_password(password)?)
        .push(", must_change_password = 0, version = version + 1, updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(u.id)
        .execute(&mut *tx.tx)
        .await?;
    Q::new("DELETE FROM user_session WHERE user_id = ").bind(u.id).execute(&mut *tx.tx).await?;
    audit::record(
        &mut tx,
        actor,
        Change::new("set_password", "user", Some(u.id), "/", format!("命令行重设「{username}」的密码")),
    )
    .await?;
    tx.commit().await
}

/// All users, for the CLI (`user list`).
pub async fn all_users(store: &Store) -> Result<Vec<User>, StoreError> {
    let mut q = Q::new(USER_SELECT);
    q.push(" ORDER BY u.id");
    q.fetch_all(store.pool()).await?.iter().map(|r| row_to_user(r, None)).collect()
}

/// A principal with full scope for the command-line tools.
pub fn system_principal(name: &str) -> Principal {
    Principal {
        user_id: 0,
        username: name.into(),
        display_name: "命令行".into(),
        role: Role::Admin,
        org_kind: OrgKind::Jurisdiction,
        org_id: 0,
        scope: Scope::All,
        unit_tier: None,
    }
}
