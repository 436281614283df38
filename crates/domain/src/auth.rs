//! Accounts and permissions (账号与权限): roles, what each may do, password policy, login throttling.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// 角色 — what a user is in the supervision system (DESIGN.md, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 安委办
    Committee,
    /// 行业监管部门
    Department,
    /// 镇/街道安监站
    Station,
    /// 网格员
    Grid,
    /// 企业安全管理员
    Enterprise,
    /// 专家/第三方服务机构
    Expert,
}

impl Role {
    pub const ALL: [Self; 7] =
        [Self::Admin, Self::Committee, Self::Department, Self::Station, Self::Grid, Self::Enterprise, Self::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Committee => "committee",
            Self::Department => "department",
            Self::Station => "station",
            Self::Grid => "grid",
            Self::Enterprise => "enterprise",
            Self::Expert => "expert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "系统管理员",
            Self::Committee => "安委办",
            Self::Department => "行业监管部门",
            Self::Station => "街道安监站",
            Self::Grid => "网格员",
            Self::Enterprise => "企业安全管理员",
            Self::Expert => "专家/第三方",
        }
    }

    /// The kind of org unit a user of this role belongs to.
    pub fn org_kind(self) -> OrgKind {
        match self {
            Self::Admin | Self::Committee | Self::Station | Self::Grid | Self::Expert => OrgKind::Jurisdiction,
            Self::Department => OrgKind::Department,
            Self::Enterprise => OrgKind::Enterprise,
        }
    }

    /// Whether this role may take `action` at all; data scope then limits which objects.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadOrg | ReadEnterprise => true,
            CreateEnterprise => matches!(self, Admin | Committee | Station | Department | Grid),
            UpdateEnterprise => matches!(self, Admin | Committee | Station | Department | Grid | Enterprise),
            // Fields that place an enterprise in the supervision structure.
            UpdateEnterprisePlacement => matches!(self, Admin | Committee | Station),
            DeleteEnterprise | ImportEnterprises => matches!(self, Admin | Committee | Station),
            ManageDepartments => matches!(self, Admin | Committee),
            ManageJurisdictions | ManageUsers => self == Admin,
            ReadAudit => matches!(self, Admin | Committee),
        }
    }
}

/// 组织单元类型 — what a user's org unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Jurisdiction,
    Department,
    Enterprise,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jurisdiction => "jurisdiction",
            Self::Department => "department",
            Self::Enterprise => "enterprise",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Jurisdiction, Self::Department, Self::Enterprise].into_iter().find(|k| k.as_str() == s)
    }
}

/// Things a user may do, checked against [`Role::may`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadOrg,
    ReadEnterprise,
    CreateEnterprise,
    UpdateEnterprise,
    UpdateEnterprisePlacement,
    DeleteEnterprise,
    ImportEnterprises,
    ManageDepartments,
    ManageJurisdictions,
    ManageUsers,
    ReadAudit,
}

/// 密码策略: at least 8 characters with a letter and a digit, not the user name.
pub fn validate_password(username: &str, password: &str) -> Result<(), FieldError> {
    let err = |m| Err(FieldError::new("password", m));
    if password.chars().count() < 8 {
        return err("密码至少8位");
    }
    if password.chars().count() > 128 {
        return err("密码不能超过128位");
    }
    if !password.chars().any(|c| c.is_ascii_alphabetic()) || !password.chars().any(|c| c.is_ascii_digit()) {
        return err("密码须同时包含字母和数字");
    }
    if password.eq_ignore_ascii_case(username) {
        return err("密码不能与用户名相同");
    }
    Ok(())
}

/// 用户名: 3–32 of lower-case letters, digits, `_`, `-`, `.`.
pub fn validate_username(username: &str) -> Result<(), FieldError> {
    let ok_len = (3..=32).contains(&username.len());
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(FieldError::new("username", "用户名应为3至32位小写字母、数字或 _ - ."))
    }
}

/// Login throttling (登录限流): after `max_failures` failed logins within `window_secs` for one
/// account or one address, further attempts are refused until the oldest failure ages out.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub max_failures: usize,
    pub window_secs: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self { max_failures: 5, window_secs: 15 * 60 }
    }
}

impl LoginThrottle {
    /// Seconds to wait before the next attempt, given the failure times (unix seconds) inside
    /// the window, or `None` when an attempt is allowed now.
    pub fn retry_after(&self, failures: &[i64], now: i64) -> Option<i64> {
        let mut recent: Vec<i64> = failures.iter().copied().filter(|t| now - t < self.window_secs).collect();
        if recent.len() < self.max_failures {
            return None;
        }
        recent.sort_unstable();
        // The attempt is allowed once enough failures have aged out of the window.
        let release = recent[recent.len() - self.max_failures] + self.window_secs;
        Some((release - now).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(validate_password("zhang", "Demo@2026!").is_ok());
        assert!(validate_password("zhang", "short1").is_err());
        assert!(validate_password("zhang", "abcdefgh").unwrap_err().message.contains("字母和数字"));
        assert!(validate_password("abc12345", "ABC12345").unwrap_err().message.contains("用户名"));
    }

    #[test]
    fn throttle_allows_four_failures_and_blocks_the_fifth_for_the_rest_of_the_window() {
        let t = LoginThrottle::default();
        let now = 10_000;
        assert_eq!(t.retry_after(&[now - 10, now - 8, now - 6, now - 4], now), None);
        let five = [now - 100, now - 8, now - 6, now - 4, now - 2];
        assert_eq!(t.retry_after(&five, now), Some(900 - 100));
        // Failures older than the window do not count.
        let old = [now - 2000, now - 1900, now - 8, now - 6, now - 4];
        assert_eq!(t.retry_after(&old, now), None);
    }

    #[test]
    fn only_admin_manages_users_and_enterprise_cannot_move_itself() {
        assert!(Role::Admin.may(Action::ManageUsers));
        assert!(!Role::Committee.may(Action::ManageUsers));
        assert!(Role::Enterprise.may(Action::UpdateEnterprise));
        assert!(!Role::Enterprise.may(Action::UpdateEnterprisePlacement));
        assert!(!Role::Expert.may(Action::CreateEnterprise));
        assert!(Role::Committee.may(Action::ReadAudit) && !Role::Station.may(Action::ReadAudit));
    }
}
