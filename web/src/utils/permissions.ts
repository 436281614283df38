// What each role may do — mirrors `Role::may` in crates/domain/src/auth.rs so the UI only offers
// what the server will allow. The server still decides (403/404).
import type { Role } from '@/api/types'
import { auth } from '@/stores/auth'

export type Action =
  | 'createEnterprise'
  | 'updateEnterprise'
  | 'updateEnterprisePlacement'
  | 'deleteEnterprise'
  | 'importEnterprises'
  | 'manageDepartments'
  | 'manageJurisdictions'
  | 'manageUsers'
  | 'readAudit'
  | 'reportHazard'
  | 'runChecklist'
  | 'readListings'
  | 'editListingQuota'
  | 'readHazardStats'
  | 'writeRiskPoint'
  | 'overrideEnterpriseRisk'
  | 'writeMajorHazard'
  | 'readRiskStats'
  | 'manageRiskRules'
  | 'manageMapSettings'
  | 'setRiskRules'

const RULES: Record<Action, Role[]> = {
  createEnterprise: ['admin', 'committee', 'station', 'department', 'grid'],
  updateEnterprise: ['admin', 'committee', 'station', 'department', 'grid', 'enterprise'],
  // fields that place an enterprise in the supervision structure: 辖区, 网格, 重点企业, 信用代码
  updateEnterprisePlacement: ['admin', 'committee', 'station'],
  deleteEnterprise: ['admin', 'committee', 'station'],
  importEnterprises: ['admin', 'committee', 'station'],
  manageDepartments: ['admin', 'committee'],
  manageJurisdictions: ['admin'],
  manageUsers: ['admin'],
  readAudit: ['admin', 'committee'],
  // hazards: the per-hazard actions follow the hazard's state too (utils/hazard.ts)
  reportHazard: ['admin', 'committee', 'department', 'station', 'grid', 'enterprise', 'expert'],
  runChecklist: ['admin', 'department', 'station', 'grid', 'enterprise'],
  readListings: ['admin', 'committee', 'department', 'station'],
  editListingQuota: ['admin', 'committee'],
  readHazardStats: ['admin', 'committee', 'department', 'station', 'grid'],
  // risk points: grid and expert read only (crates/store/src/risk.rs may_write)
  writeRiskPoint: ['admin', 'committee', 'department', 'station', 'enterprise'],
  // 安委办调整企业风险等级 (PUT /enterprises/{id}/risk)
  overrideEnterpriseRisk: ['admin', 'committee'],
  // 重大危险源: grid and expert read only (crates/store/src/major_hazard.rs may_write)
  writeMajorHazard: ['admin', 'committee', 'department', 'station', 'enterprise'],
  // 风险统计 (an enterprise has its own figures on its page)
  readRiskStats: ['admin', 'committee', 'department', 'station', 'grid', 'expert'],
  // 分级规则: risk bands per jurisdiction and the rules (set_bands / set_rules)
  manageRiskRules: ['admin', 'committee'],
  // 地图底图 (PUT /map/settings: the server asks for ManageUsers, i.e. admin only)
  manageMapSettings: ['admin'],
  setRiskRules: ['admin'],
}

/** The roles of an action, for route `meta.roles` and menu entries. */
export function rolesFor(action: Action): Role[] {
  return [...RULES[action]]
}

export function may(action: Action): boolean {
  const role = auth.state.user?.role
  return !!role && RULES[action].includes(role)
}
