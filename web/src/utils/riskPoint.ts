// Helpers of the risk points (风险清单, 风险告知卡, an enterprise's 风险分级) and of the LEC / LS
// score inputs shared by the risk point form and the calculator (风险计算器).
import type { ControlMeasures, RiskMethod, RiskScores } from '@/api/types'
import { addYears, todayLocal } from './format'
import { num } from './risk'

// ---- LEC / LS score inputs ----

export type ScoreKey = 'l' | 'e' | 'c' | 's'
/** What has been picked for each factor (null: not yet). */
export type ScoreValues = Record<ScoreKey, number | null>

export interface ScoreField {
  key: ScoreKey
  /** short label: 「L 可能性」 */
  label: string
  /** what the factor measures: 「事故发生的可能性」 */
  meaning: string
}

/** The factors of each method, in the order of the formula (D = L × E × C, R = L × S). */
export const SCORE_FIELDS: Record<RiskMethod, ScoreField[]> = {
  LEC: [
    { key: 'l', label: 'L 可能性', meaning: '事故发生的可能性' },
    { key: 'e', label: 'E 暴露频繁程度', meaning: '暴露于危险环境的频繁程度' },
    { key: 'c', label: 'C 后果', meaning: '事故后果' },
  ],
  LS: [
    { key: 'l', label: 'L 可能性', meaning: '可能性' },
    { key: 's', label: 'S 严重性', meaning: '严重性' },
  ],
}

export const METHOD_LABELS: Record<RiskMethod, string> = {
  LEC: 'LEC 作业条件危险性评价法',
  LS: 'LS 风险矩阵',
}

/** 「请选择 L（事故发生的可能性）」 */
export function missingScoreMessage(f: ScoreField): string {
  return `请选择 ${f.key.toUpperCase()}（${f.meaning}）`
}

export function emptyScoreValues(): ScoreValues {
  return { l: null, e: null, c: null, s: null }
}

/** The scores to send, or null while a factor of the method is missing. */
export function scoresOf(method: RiskMethod, v: ScoreValues): RiskScores | null {
  // The values are picked from the reference tables the server sends, so they are the schema's enums.
  if (method === 'LEC') return v.l === null || v.e === null || v.c === null ? null : ({ method, l: v.l, e: v.e, c: v.c } as RiskScores)
  return v.l === null || v.s === null ? null : ({ method, l: v.l, s: v.s } as RiskScores)
}

/** The factors of the method not picked yet, with their message. */
export function missingScores(method: RiskMethod, v: ScoreValues): Partial<Record<ScoreKey, string>> {
  return Object.fromEntries(SCORE_FIELDS[method].filter((f) => v[f.key] === null).map((f) => [f.key, missingScoreMessage(f)]))
}

/** 「D = 6 × 3 × 15 = 270」 / 「R = 4 × 5 = 20」 */
export function scoresFormula(scores: RiskScores | null | undefined, score?: number | null): string {
  if (!scores) return ''
  const parts = scores.method === 'LEC' ? [scores.l, scores.e, scores.c] : [scores.l, scores.s]
  const head = scores.method === 'LEC' ? 'D' : 'R'
  const tail = score === null || score === undefined ? '' : ` = ${num(score)}`
  return `${head} = ${parts.map(num).join(' × ')}${tail}`
}

// ---- 管控措施, 风险告知卡, review dates ----

/** The four kinds of control measures, in the order of the form and the card. */
export const MEASURE_FIELDS: { key: keyof ControlMeasures; label: string }[] = [
  { key: 'engineering', label: '工程技术措施' },
  { key: 'management', label: '管理措施' },
  { key: 'ppe', label: '个体防护措施' },
  { key: 'emergency', label: '应急处置措施' },
]

/** Emergency numbers printed on every 风险告知卡. */
export const EMERGENCY_PHONES: { label: string; number: string }[] = [
  { label: '火警', number: '119' },
  { label: '急救', number: '120' },
  { label: '安全生产举报', number: '12350' },
]

/** YYYY-MM-DD of the business date `years` years from today (the default 下次评审日期). */
export function yearsFromToday(years = 1): string {
  return addYears(todayLocal(), years)
}
