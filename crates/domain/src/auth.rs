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

    /// Whether this role may take `action` at all: the one permission table (role × action).
    /// Data scope then limits which objects; object rules (a hazard's grade and source, its
    /// state) narrow it further in the area's module (e.g. `hazard::allowed_actions`).
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadOrg | ReadEnterprise | ReportHazard => true,
            BrowseOrgTree => matches!(self, Admin | Committee | Station | Department | Grid),
            BrowseEnterprises => matches!(self, Admin | Committee | Department | Station | Grid | Expert),
            CreateEnterprise => matches!(self, Admin | Committee | Station | Department | Grid),
            UpdateEnterprise => matches!(self, Admin | Committee | Station | Department | Grid | Enterprise),
            // Fields that place an enterprise in the supervision structure.
            UpdateEnterprisePlacement => matches!(self, Admin | Committee | Station),
            DeleteEnterprise | ImportEnterprises => matches!(self, Admin | Committee | Station),
            ManageDepartments => matches!(self, Admin | Committee),
            ManageJurisdictions | ManageUsers | SetRiskRules | SetMapSettings | ReadApiDocs => self == Admin,
            ReadAudit => matches!(self, Admin | Committee),
            ExportAuditCheckpoints => self == Admin,
            // Hazards: the hazard's grade, source and state narrow these (hazard::allowed_actions).
            RectifyHazard | SubmitHazard | CloseHazard => self != Expert,
            VerifyHazard => true,
            RejectHazard => self.is_regulator(),
            ListHazard => matches!(self, Admin | Committee | Station | Department),
            ReadListings => self.is_regulator(),
            // Those who supervise an enterprise press it and write to it; the grid inspector too.
            UrgeHazard | IssueHazardNotice => self.is_regulator() || self == Grid,
            SetListingQuota | SetRiskBands | OverrideEnterpriseRisk => matches!(self, Admin | Committee),
            ReadHazardStats => matches!(self, Admin | Committee | Department | Station | Grid),
            RunChecklist => matches!(self, Admin | Department | Station | Grid | Enterprise),
            // the installation's checklists by the committee; an enterprise its own
            CreateChecklist => matches!(self, Admin | Committee | Enterprise),
            // Risk: grid inspectors and experts read the register, they do not keep it.
            WriteRiskPoint | WriteMajorHazard => matches!(self, Admin | Committee | Department | Station | Enterprise),
            // An enterprise reads the figures of its own register.
            ReadRiskStats => true,
            BrowseRiskMap => matches!(self, Admin | Committee | Department | Station | Grid),
        }
    }

    /// 监管方: the roles that supervise (verify and close 重大 hazards, reject reports).
    pub fn is_regulator(self) -> bool {
        matches!(self, Self::Admin | Self::Committee | Self::Department | Self::Station)
    }

    /// Of the actions an object offers, those this role may take (`allowed_actions` of an
    /// object the caller sees; object rules may narrow it further).
    pub fn allowed_of(self, offered: &[Action]) -> Vec<Action> {
        offered.iter().copied().filter(|a| self.may(*a)).collect()
    }

    /// Everything this role may do, in table order (for `/auth/me` and the web's menus).
    pub fn allowed_actions(self) -> Vec<Action> {
        Action::ALL.into_iter().filter(|a| self.may(*a)).collect()
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

/// Things a user may do, checked against [`Role::may`]. The API names them in snake_case
/// (`allowed_actions` on `/auth/me` and on each object), and the web UI shows buttons and menu
/// entries from those names only. `Browse…` actions are pages whose data is scoped anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ReadOrg,
    ReadEnterprise,
    /// 组织机构 page
    BrowseOrgTree,
    /// 企业管理 page (an enterprise user has its own page instead)
    BrowseEnterprises,
    CreateEnterprise,
    UpdateEnterprise,
    UpdateEnterprisePlacement,
    DeleteEnterprise,
    ImportEnterprises,
    ManageDepartments,
    ManageJurisdictions,
    ManageUsers,
    ReadAudit,
    /// 导出操作日志的签名检查点
    ExportAuditCheckpoints,
    /// 上报隐患
    ReportHazard,
    /// 开始整改
    RectifyHazard,
    /// 提交验收
    SubmitHazard,
    /// 验收
    VerifyHazard,
    /// 驳回
    RejectHazard,
    /// 立查立改销号
    CloseHazard,
    /// 挂牌督办 a hazard (the level: `ListingLevel::may_list`)
    ListHazard,
    /// 挂牌督办 board and summary
    ReadListings,
    /// 催办: press an enterprise to rectify its open hazards (batch from the ledger)
    UrgeHazard,
    /// 隐患整改通知书 / 挂牌督办通知书, printed or as DOCX
    IssueHazardNotice,
    /// 挂牌督办指标
    SetListingQuota,
    /// 隐患统计
    ReadHazardStats,
    /// 隐患自查 with a checklist
    RunChecklist,
    /// 新建检查清单
    CreateChecklist,
    /// 风险点 (风险清单) kept
    WriteRiskPoint,
    /// 安委办调整企业风险等级
    OverrideEnterpriseRisk,
    /// 重大危险源 kept
    WriteMajorHazard,
    /// 风险统计
    ReadRiskStats,
    /// 风险一张图 page
    BrowseRiskMap,
    /// 风险分级阈值 per jurisdiction
    SetRiskBands,
    /// 风险管控规则 (installation-wide)
    SetRiskRules,
    /// 地图底图
    SetMapSettings,
    /// 接口文档 page (developers of the installation; the document itself stays public)
    ReadApiDocs,
}

/// What an enterprise's page offers.
pub const ENTERPRISE_ACTIONS: [Action; 8] = [
    Action::UpdateEnterprise,
    Action::UpdateEnterprisePlacement,
    Action::DeleteEnterprise,
    Action::ReportHazard,
    Action::RunChecklist,
    Action::WriteRiskPoint,
    Action::WriteMajorHazard,
    Action::OverrideEnterpriseRisk,
];
/// What a risk point offers (edit, delete).
pub const RISK_POINT_ACTIONS: [Action; 1] = [Action::WriteRiskPoint];
/// What a major hazard source offers (edit, delete).
pub const MAJOR_HAZARD_ACTIONS: [Action; 1] = [Action::WriteMajorHazard];
/// What a user account offers (edit, reset password, deactivate).
pub const USER_ACTIONS: [Action; 1] = [Action::ManageUsers];

impl Action {
    pub const ALL: [Self; 37] = [
        Self::ReadOrg,
        Self::ReadEnterprise,
        Self::BrowseOrgTree,
        Self::BrowseEnterprises,
        Self::CreateEnterprise,
        Self::UpdateEnterprise,
        Self::UpdateEnterprisePlacement,
        Self::DeleteEnterprise,
        Self::ImportEnterprises,
        Self::ManageDepartments,
        Self::ManageJurisdictions,
        Self::ManageUsers,
        Self::ReadAudit,
        Self::ExportAuditCheckpoints,
        Self::ReportHazard,
        Self::RectifyHazard,
        Self::SubmitHazard,
        Self::VerifyHazard,
        Self::RejectHazard,
        Self::CloseHazard,
        Self::ListHazard,
        Self::ReadListings,
        Self::UrgeHazard,
        Self::IssueHazardNotice,
        Self::SetListingQuota,
        Self::ReadHazardStats,
        Self::RunChecklist,
        Self::CreateChecklist,
        Self::WriteRiskPoint,
        Self::OverrideEnterpriseRisk,
        Self::WriteMajorHazard,
        Self::ReadRiskStats,
        Self::BrowseRiskMap,
        Self::SetRiskBands,
        Self::SetRiskRules,
        Self::SetMapSettings,
        Self::ReadApiDocs,
    ];

    /// What the action does, as a refusal names it: "网格员无权设置风险分级阈值".
    pub fn label(self) -> &'static str {
        use Action::*;
        match self {
            ReadOrg => "查看组织机构",
            ReadEnterprise => "查看企业",
            BrowseOrgTree => "查看组织机构",
            BrowseEnterprises => "查看企业台账",
            CreateEnterprise => "新增企业",
            UpdateEnterprise => "修改企业信息",
            UpdateEnterprisePlacement => "调整企业的辖区、网格、行业领域、重点企业、规上标识或信用代码",
            DeleteEnterprise => "删除企业",
            ImportEnterprises => "导入企业",
            ManageDepartments => "管理部门",
            ManageJurisdictions => "管理行政区划",
            ManageUsers => "管理用户",
            ReadAudit => "查看操作日志",
            ExportAuditCheckpoints => "导出日志检查点",
            ReportHazard => "上报隐患",
            RectifyHazard => "整改隐患",
            SubmitHazard => "提交验收",
            VerifyHazard => "验收隐患",
            RejectHazard => "驳回隐患",
            CloseHazard => "立查立改销号",
            ListHazard => "挂牌督办",
            ReadListings => "查看挂牌督办",
            UrgeHazard => "催办隐患整改",
            IssueHazardNotice => "出具隐患整改通知书",
            SetListingQuota => "设置挂牌督办指标",
            ReadHazardStats => "查看隐患统计",
            RunChecklist => "使用检查清单自查",
            CreateChecklist => "新建检查清单",
            WriteRiskPoint => "维护风险点",
            OverrideEnterpriseRisk => "调整企业风险等级",
            WriteMajorHazard => "维护重大危险源",
            ReadRiskStats => "查看风险统计",
            BrowseRiskMap => "查看风险一张图",
            SetRiskBands => "设置风险分级阈值",
            SetRiskRules => "设置风险管控规则（对全平台生效）",
            SetMapSettings => "设置地图底图",
            ReadApiDocs => "查看接口文档",
        }
    }

    /// The API's name of the action (`allowed_actions`).
    pub fn code(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }
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

/// Login throttling (登录限流). Failures are counted three ways within `window_secs`, so that one
/// person guessing one account cannot lock anybody else out:
///
/// - per (account, address): a few guesses, then that address may not try that account;
/// - per account, from any address: more, against guessing from many addresses;
/// - per address, over all accounts: many more (a whole office behind one NAT or proxy shares
///   it), against trying one password on every account.
///
/// A limit reached refuses further attempts until enough of its failures age out of the window.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub per_account_address: usize,
    pub per_account: usize,
    pub per_address: usize,
    pub window_secs: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self { per_account_address: 5, per_account: 20, per_address: 100, window_secs: 15 * 60 }
    }
}

/// The failure times (unix seconds) a login attempt is judged by.
#[derive(Debug, Default, Clone)]
pub struct LoginFailures {
    /// of this account from this address
    pub account_address: Vec<i64>,
    /// of this account from any address
    pub account: Vec<i64>,
    /// from this address for any account
    pub address: Vec<i64>,
}

impl LoginThrottle {
    /// Seconds to wait before the next attempt, or `None` when an attempt is allowed now.
    pub fn retry_after(&self, f: &LoginFailures, now: i64) -> Option<i64> {
        [(&f.account_address, self.per_account_address), (&f.account, self.per_account), (&f.address, self.per_address)]
            .into_iter()
            .filter_map(|(times, max)| self.wait(times, max, now))
            .max()
    }

    fn wait(&self, failures: &[i64], max: usize, now: i64) -> Option<i64> {
        let mut recent: Vec<i64> = failures.iter().copied().filter(|t| now - t < self.window_secs).collect();
        if max == 0 || recent.len() < max {
            return None;
        }
        recent.sort_unstable();
        // The attempt is allowed once enough failures have aged out of the window.
        let release = recent[recent.len() - max] + self.window_secs;
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
        let of = |v: &[i64]| LoginFailures { account_address: v.to_vec(), account: v.to_vec(), address: v.to_vec() };
        assert_eq!(t.retry_after(&of(&[now - 10, now - 8, now - 6, now - 4]), now), None);
        let five = [now - 100, now - 8, now - 6, now - 4, now - 2];
        assert_eq!(t.retry_after(&of(&five), now), Some(900 - 100));
        // Failures older than the window do not count.
        let old = [now - 2000, now - 1900, now - 8, now - 6, now - 4];
        assert_eq!(t.retry_after(&of(&old), now), None);
    }

    #[test]
    fn failures_from_one_address_on_other_accounts_count_only_towards_the_address_ceiling() {
        let t = LoginThrottle::default();
        let now = 10_000;
        // Five failures on someone else's account from this address: this account may still try.
        let mine = LoginFailures { address: vec![now - 5; 5], ..Default::default() };
        assert_eq!(t.retry_after(&mine, now), None);
        // 99 failures from the address still allow; the hundredth stops every account from there.
        let spray = LoginFailures { address: vec![now - 5; 99], ..Default::default() };
        assert_eq!(t.retry_after(&spray, now), None);
        let spray = LoginFailures { address: vec![now - 5; 100], ..Default::default() };
        assert_eq!(t.retry_after(&spray, now), Some(895));
        // Twenty failures on the account from many addresses lock the account everywhere.
        let many = LoginFailures { account: vec![now - 60; 20], ..Default::default() };
        assert_eq!(t.retry_after(&many, now), Some(840));
    }

    #[test]
    fn the_table_lists_every_action_once() {
        let codes: std::collections::HashSet<String> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), Action::ALL.len());
        // Every variant round-trips through its code, so none is missing from ALL.
        for code in &codes {
            let a: Action = serde_json::from_value(serde_json::Value::String(code.clone())).unwrap();
            assert!(Action::ALL.contains(&a));
        }
        assert_eq!(Action::VerifyHazard.code(), "verify_hazard");
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
