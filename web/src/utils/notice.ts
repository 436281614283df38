// Where a notice leads: its own link (a notice of several hazards opens their list), else its
// hazard, else (评审逾期) its risk point's 告知卡.
import type { AppNotification } from '@/api/types'

export function noticeLink(n: AppNotification): string | null {
  if (n.link) return n.link
  if (n.hazard_id !== null && n.hazard_id !== undefined) return `/hazards/${n.hazard_id}`
  if (n.risk_point_id !== null && n.risk_point_id !== undefined) return `/risk/points/${n.risk_point_id}/card`
  return null
}

/** Tag colour of a kind: red for what is late, orange for what is due, blue for the rest. */
export function noticeTagType(kind: string): 'danger' | 'warning' | 'success' | 'info' | 'primary' {
  if (kind === 'overdue' || kind === 'review_overdue' || kind === 'major_reported') return 'danger'
  if (kind === 'due_soon' || kind === 'listed' || kind === 'verify_failed') return 'warning'
  if (kind === 'verified') return 'success'
  if (kind === 'rejected') return 'info'
  return 'primary'
}
