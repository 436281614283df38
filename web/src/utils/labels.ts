// Chinese labels for the API's enum values.
import type { JurisdictionLevel, OrgKind, Role } from '@/api/types'

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  committee: '安委办',
  department: '行业监管部门',
  station: '街道安监站',
  grid: '网格员',
  enterprise: '企业安全管理员',
  expert: '专家/第三方',
}

export const ROLES = Object.keys(ROLE_LABELS) as Role[]

export function roleLabel(role: string | null | undefined): string {
  if (!role) return ''
  return (ROLE_LABELS as Record<string, string>)[role] ?? role
}

export const LEVEL_LABELS: Record<JurisdictionLevel, string> = {
  city: '市',
  district: '区/县',
  street: '镇/街道',
  community: '村/社区',
  grid: '网格',
}

export const LEVELS = Object.keys(LEVEL_LABELS) as JurisdictionLevel[]

export function levelLabel(level: string | null | undefined): string {
  if (!level) return ''
  return (LEVEL_LABELS as Record<string, string>)[level] ?? level
}

/** The level a child of `level` normally has. */
export function childLevel(level: JurisdictionLevel | null | undefined): JurisdictionLevel {
  if (!level) return 'city'
  const i = LEVELS.indexOf(level)
  return LEVELS[Math.min(i + 1, LEVELS.length - 1)] ?? 'grid'
}

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  jurisdiction: '行政区划/网格',
  department: '部门',
  enterprise: '企业',
}

/** The org kind of a role (as the server's `Role::org_kind`). */
export function defaultOrgKind(role: Role): OrgKind {
  if (role === 'department') return 'department'
  // expert: a jurisdiction, plus the enterprises it is assigned to
  if (role === 'enterprise') return 'enterprise'
  return 'jurisdiction'
}

