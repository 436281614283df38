// Display helpers of the risk points (风险清单, 风险告知卡, an enterprise's 风险分级).
import type { RiskColor, RiskLevel, RiskScores } from '@/api/types'
import { LEVEL_COLORS, num, RISK_COLORS } from './risk'

/** The four levels, highest first (the order of the bands). */
export const RISK_LEVELS: RiskLevel[] = LEVEL_COLORS.map((b) => b.level)

/** The 四色 of a level (the colour is the level's, whatever the method). */
export function levelColor(level: RiskLevel | null | undefined): RiskColor | null {
  return LEVEL_COLORS.find((b) => b.level === level)?.color ?? null
}

/** Inline style of a coloured level tag / band. */
export function levelStyle(color: RiskColor | null | undefined, level?: RiskLevel | null): Record<string, string> {
  const c = RISK_COLORS[(color ?? levelColor(level)) as RiskColor]
  return c ? { background: c.bg, color: c.fg, borderColor: c.bg } : {}
}

/** 「D = 6 × 3 × 15 = 270」 / 「R = 4 × 5 = 20」 */
export function scoresFormula(scores: RiskScores | null | undefined, score?: number | null): string {
  if (!scores) return ''
  const parts = scores.method === 'LEC' ? [scores.l, scores.e, scores.c] : [scores.l, scores.s]
  const head = scores.method === 'LEC' ? 'D' : 'R'
  const tail = score === null || score === undefined ? '' : ` = ${num(score)}`
  return `${head} = ${parts.map(num).join(' × ')}${tail}`
}

/** Emergency numbers printed on every 风险告知卡. */
export const EMERGENCY_PHONES: { label: string; number: string }[] = [
  { label: '火警', number: '119' },
  { label: '急救', number: '120' },
  { label: '安全生产举报', number: '12350' },
]

/** YYYY-MM-DD of the local date `years` years from today (the default 下次评审日期). */
export function yearsFromToday(years = 1): string {
  const d = new Date()
  d.setFullYear(d.getFullYear() + years)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** YYYY-MM-DD of today (local). */
export function todayIso(): string {
  return yearsFromToday(0)
}
