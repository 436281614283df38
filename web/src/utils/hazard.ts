// Hazard display helpers: labels, tags, form defaults. What a user may do to a hazard comes from
// the hazard itself (`allowed_actions`, `listing_levels`, decided by the server).
import type { Hazard, HazardGrade, HazardSource, HazardState, ListingLevel, Role } from '@/api/types'
import { addDays, daysBetween, todayLocal } from './format'

export const HAZARD_STATES: HazardState[] = ['reported', 'rectifying', 'pending_verification', 'closed', 'rejected']

export const STATE_LABELS: Record<HazardState, string> = {
  reported: '已上报',
  rectifying: '整改中',
  pending_verification: '待验收',
  closed: '已销号',
  rejected: '已驳回',
}

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

const STATE_TAGS: Record<HazardState, TagType> = {
  reported: 'warning',
  rectifying: 'primary',
  pending_verification: 'warning',
  closed: 'success',
  rejected: 'info',
}

export function stateLabel(h: { state: string; state_label?: string | null } | string | null | undefined): string {
  if (!h) return ''
  if (typeof h === 'string') return (STATE_LABELS as Record<string, string>)[h] ?? h
  return h.state_label || ((STATE_LABELS as Record<string, string>)[h.state] ?? h.state)
}

export function stateTag(state: string | null | undefined): TagType {
  return (STATE_TAGS as Record<string, TagType>)[state ?? ''] ?? 'info'
}

export const GRADES: HazardGrade[] = ['一般', '重大']
export const SOURCES: HazardSource[] = ['企业自查', '政府检查', '网格巡查', '群众举报', '第三方']
export const LISTING_LEVELS: ListingLevel[] = ['市', '区', '街道']

/** 上报隐患: the source the form starts with, for the reporter's role (a default, not a rule). */
const DEFAULT_SOURCE: Record<Role, HazardSource> = {
  admin: '政府检查',
  committee: '政府检查',
  department: '政府检查',
  station: '政府检查',
  grid: '网格巡查',
  enterprise: '企业自查',
  expert: '第三方',
}

export function defaultSource(role: Role | null | undefined): HazardSource {
  return role ? DEFAULT_SOURCE[role] : '政府检查'
}

/** Deadline days by grade: 一般 a week, 重大 a month. */
export function defaultDeadlineDays(grade: HazardGrade): number {
  return grade === '重大' ? 30 : 7
}

/** `YYYY-MM-DD` of the business day `days` days after today (a default deadline). */
export function dateAfter(days: number): string {
  return addDays(todayLocal(), days)
}

/** 逾期N天: the server's `days_overdue` is 1 on the first day after the deadline. */
export function overdueDays(h: Pick<Hazard, 'overdue' | 'days_overdue' | 'deadline'>): number | null {
  if (!h.overdue) return null
  if (typeof h.days_overdue === 'number') return h.days_overdue
  const m = /^\d{4}-\d{2}-\d{2}/.exec(h.deadline ?? '')
  if (!m) return 1
  return Math.max(1, daysBetween(m[0], todayLocal()))
}

/** A rate as the server sends it, in percent (e.g. 87.5) → 「87.5%」. */
export function formatRate(v: number | null | undefined): string {
  const p = ratePercent(v)
  return p === null ? '—' : `${p}%`
}

/** A percentage rounded to one decimal, or null. */
export function ratePercent(v: number | null | undefined): number | null {
  if (v === null || v === undefined || v === ('' as unknown) || Number.isNaN(Number(v))) return null
  return Math.round(Number(v) * 10) / 10
}

/** 逾期督办 escalation: who has been reminded (1 企业, 2 属地安监站, 3 安委办). */
export function escalationLabel(level: number | null | undefined): string {
  const n = Number(level)
  if (!n) return ''
  if (n >= 3) return '已提醒安委办'
  if (n === 2) return '已提醒属地安监站'
  return '已提醒企业'
}

/** The buttons of a hazard's detail page; 'verify-pass' and 'verify-fail' are both `verify_hazard`. */
export type HazardActionKind = 'rectify' | 'submit' | 'verify-pass' | 'verify-fail' | 'reject' | 'close' | 'list'

/** The 五到位 of a 治理方案, in the order of the form. */
export const PLAN_FIELDS = [
  { key: 'measures', label: '整改措施', hint: '措施到位：治理的方法和措施' },
  { key: 'responsible', label: '责任人', hint: '责任到位：负责治理的机构和人员' },
  { key: 'funds', label: '资金', hint: '资金到位：经费和物资的落实' },
  { key: 'deadline', label: '时限', hint: '时限到位：治理完成日期' },
  { key: 'contingency', label: '应急预案', hint: '预案到位：治理期间的安全措施和应急预案' },
] as const
