//! Accounts (用户) as the administrator enters them, and a password change: parsed here against
//! the password policy (`auth::validate_password`), the role's kind of org unit and the account
//! as it is, so the store writes only what keeps every rule.

use crate::auth::{validate_password, validate_username, OrgKind, Role};
use crate::org::validate_phone;
use crate::text::{single_line, MAX_NAME};
use crate::FieldError;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// 3–32 lower-case letters, digits, `_`, `-`, `.`
    #[schema(pattern = r"^[a-z0-9_.-]{3,32}$")]
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Id of the jurisdiction, department or enterprise the user belongs to (by role)
    pub org_id: i64,
    /// 8–128 characters with a letter and a digit, not the user name
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[serde(default)]
    pub phone: String,
    /// Enterprises an expert is assigned to
    #[serde(default)]
    pub assigned_enterprises: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub org_id: Option<i64>,
    pub phone: Option<String>,
    pub active: Option<bool>,
    /// Reset the password; the user must change it at next login
    #[schema(min_length = 8, max_length = 128)]
    pub password: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// The org unit an account is to belong to, as the store found it: its kind and its path (the
/// scope of the account's audit records). `None` when there is no such unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgUnit<'a> {
    pub kind: OrgKind,
    pub path: &'a str,
}

/// A new account that keeps every rule. The password is still in clear: the store hashes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_kind: OrgKind,
    pub org_id: i64,
    /// Path of the org unit
    pub scope_path: String,
    pub password: String,
    pub phone: String,
    pub assigned_enterprises: Vec<i64>,
}

/// Display name (姓名): trimmed, not empty, at most 100 characters.
fn display_name(value: &str, errs: &mut Vec<FieldError>) -> String {
    let v = single_line("display_name", "姓名", value, MAX_NAME, errs);
    if v.is_empty() {
        errs.push(FieldError::new("display_name", "姓名不能为空"));
    }
    v
}

/// Phone (电话): empty, or a mobile or fixed-line number.
fn phone(value: &str, errs: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if !v.is_empty() {
        if let Err(e) = validate_phone("phone", v) {
            errs.push(e);
        }
    }
    v.to_string()
}

/// The org unit must exist and be of the kind the role belongs to (a station in a jurisdiction,
/// a department user in a department, an enterprise user in an enterprise).
fn org_path(role: Role, org: Option<OrgUnit<'_>>, errs: &mut Vec<FieldError>) -> String {
    match org {
        Some(u) if u.kind == role.org_kind() => u.path.to_string(),
        _ => {
            errs.push(FieldError::new("org_id", "所属单位不存在或与角色不符"));
            String::new()
        }
    }
}

impl UserInput {
    /// Checks the user name, the password policy, the name, the phone and the org unit
    /// (`org`: the unit `org_id` names among those of the role's kind), naming every field at fault.
    pub fn validate(self, org: Option<OrgUnit<'_>>) -> Result<ValidUser, Vec<FieldError>> {
        let mut errs = vec![];
        if let Err(e) = validate_username(&self.username) {
            errs.push(e);
        }
        if let Err(e) = validate_password(&self.username, &self.password) {
            errs.push(e);
        }
        let display_name = display_name(&self.display_name, &mut errs);
        let phone = phone(&self.phone, &mut errs);
        let scope_path = org_path(self.role, org, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidUser {
            username: self.username,
            display_name,
            role: self.role,
            org_kind: self.role.org_kind(),
            org_id: self.org_id,
            scope_path,
            password: self.password,
            phone,
            assigned_enterprises: self.assigned_enterprises,
        })
    }
}

/// An account as it is, before a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    pub phone: String,
    pub active: bool,
}

/// What the rules of a patch need besides the patch.
#[derive(Debug, Clone, Copy)]
pub struct UserPatchFacts<'a> {
    pub now: &'a UserState,
    /// The unit the patched role and org id name (see [`UserPatch::placement`])
    pub org: Option<OrgUnit<'a>>,
    /// Id of the administrator making the change
    pub editor_id: i64,
    /// Active administrators other than this account
    pub other_active_admins: i64,
}

/// A patch that keeps every rule: the account as it will be.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUserUpdate {
    pub display_name: String,
    pub role: Role,
    pub org_kind: OrgKind,
    pub org_id: i64,
    pub scope_path: String,
    pub phone: String,
    pub active: bool,
    /// A new password (in clear) that the user must change at next login
    pub password: Option<String>,
    pub version: i64,
}

impl UserPatch {
    /// The role and org unit the account will have, for the store to look the unit up.
    pub fn placement(&self, now: &UserState) -> (Role, i64) {
        (self.role.unwrap_or(now.role), self.org_id.unwrap_or(now.org_id))
    }

    /// Checks the account as the patch leaves it: the org unit matches the role, a name, a phone,
    /// the password policy for a reset, and nobody deactivates their own account.
    pub fn validate(self, f: UserPatchFacts<'_>) -> Result<ValidUserUpdate, Vec<FieldError>> {
        let mut errs = vec![];
        let (role, org_id) = self.placement(f.now);
        let scope_path = org_path(role, f.org, &mut errs);
        let display_name = display_name(self.display_name.as_deref().unwrap_or(&f.now.display_name), &mut errs);
        let phone = phone(self.phone.as_deref().unwrap_or(&f.now.phone), &mut errs);
        if f.now.id == f.editor_id && self.active == Some(false) {
            errs.push(FieldError::new("active", "不能停用自己的账号"));
        }
        // The last active administrator can be neither demoted nor stopped: no one could then
        // manage accounts.
        let stays_admin = role == Role::Admin && self.active.unwrap_or(f.now.active);
        if f.now.role == Role::Admin && f.now.active && !stays_admin && f.other_active_admins == 0 {
            let field = if role == Role::Admin { "active" } else { "role" };
            errs.push(FieldError::new(field, "系统至少须保留一个启用的管理员账号"));
        }
        if let Some(pw) = &self.password {
            if let Err(e) = validate_password(&f.now.username, pw) {
                errs.push(e);
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ValidUserUpdate {
            display_name,
            role,
            org_kind: role.org_kind(),
            org_id,
            scope_path,
            phone,
            active: self.active.unwrap_or(f.now.active),
            password: self.password,
            version: self.version,
        })
    }
}

/// A new password that keeps the policy, for an account whose old password was given right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPasswordChange {
    pub new_password: String,
}

impl PasswordChange {
    /// `old_password_ok`: whether the old password matched (the store checks the hash).
    pub fn validate(self, username: &str, old_password_ok: bool) -> Result<ValidPasswordChange, Vec<FieldError>> {
        let mut errs = vec![];
        if !old_password_ok {
            errs.push(FieldError::new("old_password", "原密码不正确"));
        }
        if self.old_password == self.new_password {
            errs.push(FieldError::new("new_password", "新密码不能与原密码相同"));
        } else if let Err(e) = validate_password(username, &self.new_password) {
            errs.push(FieldError::new("new_password", e.message));
        }
        if errs.is_empty() {
            Ok(ValidPasswordChange { new_password: self.new_password })
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREET: OrgUnit<'static> = OrgUnit { kind: OrgKind::Jurisdiction, path: "/1/2/5/" };

    fn zhang() -> UserInput {
        UserInput {
            username: "zhangsan".into(),
            display_name: " 张三 ".into(),
            role: Role::Station,
            org_id: 5,
            password: "Start2026ab".into(),
            phone: " 13912345678 ".into(),
            assigned_enterprises: vec![],
        }
    }

    fn fields<T: std::fmt::Debug>(r: Result<T, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_station_officer_in_a_street_is_created_trimmed() {
        let v = zhang().validate(Some(STREET)).unwrap();
        assert_eq!((v.display_name.as_str(), v.phone.as_str()), ("张三", "13912345678"));
        assert_eq!((v.org_kind, v.scope_path.as_str()), (OrgKind::Jurisdiction, "/1/2/5/"));
    }

    #[test]
    fn the_org_unit_must_exist_and_match_the_role() {
        assert_eq!(fields(zhang().validate(None)), ["org_id"]);
        // A department is no place for a station officer.
        let dept = OrgUnit { kind: OrgKind::Department, path: "/1/2/" };
        let e = zhang().validate(Some(dept)).unwrap_err();
        assert_eq!(e, [FieldError::new("org_id", "所属单位不存在或与角色不符")]);
        let u = UserInput { role: Role::Department, ..zhang() };
        assert!(u.validate(Some(dept)).is_ok());
    }

    #[test]
    fn every_fault_of_a_new_account_is_named_at_once() {
        let u = UserInput {
            username: "Li Si".into(),
            display_name: "  ".into(),
            password: "lisi".into(),
            phone: "12345".into(),
            ..zhang()
        };
        assert_eq!(fields(u.validate(None)), ["username", "password", "display_name", "phone", "org_id"]);
        let u = UserInput { display_name: "王".repeat(101), ..zhang() };
        assert_eq!(u.validate(Some(STREET)).unwrap_err()[0].message, "姓名不能超过100字");
    }

    fn now() -> UserState {
        UserState {
            id: 41,
            username: "zhangsan".into(),
            display_name: "张三".into(),
            role: Role::Station,
            org_id: 5,
            phone: String::new(),
            active: true,
        }
    }

    fn patch() -> UserPatch {
        UserPatch {
            display_name: None,
            role: None,
            org_id: None,
            phone: None,
            active: None,
            password: None,
            version: 3,
        }
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_send() {
        let n = now();
        let p = UserPatch { phone: Some("0519-85123456".into()), active: Some(false), ..patch() };
        assert_eq!(p.placement(&n), (Role::Station, 5));
        let v =
            p.validate(UserPatchFacts { now: &n, org: Some(STREET), editor_id: 1, other_active_admins: 1 }).unwrap();
        assert_eq!((v.display_name.as_str(), v.phone.as_str(), v.active), ("张三", "0519-85123456", false));
        assert_eq!((v.role, v.password, v.version), (Role::Station, None, 3));
    }

    #[test]
    fn nobody_deactivates_their_own_account_and_a_reset_keeps_the_policy() {
        let n = now();
        let p = UserPatch { active: Some(false), password: Some("zhangsan".into()), ..patch() };
        let e = p
            .validate(UserPatchFacts { now: &n, org: Some(STREET), editor_id: 41, other_active_admins: 1 })
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["active", "password"]);
        assert_eq!(e[0].message, "不能停用自己的账号");
    }

    #[test]
    fn moving_an_account_to_a_department_needs_a_department() {
        let n = now();
        let p = UserPatch { role: Some(Role::Department), org_id: Some(3), display_name: Some(" ".into()), ..patch() };
        assert_eq!(p.placement(&n), (Role::Department, 3));
        let e = p
            .validate(UserPatchFacts { now: &n, org: Some(STREET), editor_id: 1, other_active_admins: 1 })
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["org_id", "display_name"]);
    }

    #[test]
    fn a_password_change_needs_the_old_one_and_a_new_one_that_keeps_the_policy() {
        let change = |old: &str, new: &str| PasswordChange { old_password: old.into(), new_password: new.into() };
        assert_eq!(
            change("Demo@2026!", "Chunjiang2026").validate("station", true),
            Ok(ValidPasswordChange { new_password: "Chunjiang2026".into() })
        );
        assert_eq!(fields(change("wrong", "Chunjiang2026").validate("station", false)), ["old_password"]);
        let e = change("Demo@2026!", "Demo@2026!").validate("station", true).unwrap_err();
        assert_eq!(e, [FieldError::new("new_password", "新密码不能与原密码相同")]);
        let e = change("Demo@2026!", "short1").validate("station", true).unwrap_err();
        assert_eq!(e, [FieldError::new("new_password", "密码至少8位")]);
    }
}
