// Presentation helpers of the risk pages: 四色 colours, level labels, number formatting, the bands
// as legend rows and the GB 18218 grade colours. The reference tables themselves (LEC / LS values,
// the bands in force, GB 18218-2018 表1–表6) come from the server: GET /api/v1/risk/reference and
// GET /api/v1/risk/bands. The server does the computing.
import type { RiskBandBounds, RiskColor, RiskLevel } from '@/api/types'

export interface Band {
  level: RiskLevel
  color: RiskColor
  /** lower bound (inclusive); the lowest band has none */
  min: number | null
  range: string
}

/** The four levels, highest first, with their 四色 (the colour is the level's, whatever the method). */
export const LEVEL_COLORS: { level: RiskLevel; color: RiskColor }[] = [
  { level: '重大', color: 'red' },
  { level: '较大', color: 'orange' },
  { level: '一般', color: 'yellow' },
  { level: '低', color: 'blue' },
]

/** The band a score falls in (for the matrix cells; the server decides the result). */
export function bandOf(bands: Band[], score: number): Band {
  return bands.find((b) => b.min !== null && score >= b.min) ?? bands[bands.length - 1]!
}

/** 四色: background and text colour of each level. */
export const RISK_COLORS: Record<RiskColor, { bg: string; fg: string; name: string }> = {
  red: { bg: '#d9363e', fg: '#fff', name: '红' },
  orange: { bg: '#f07c1b', fg: '#fff', name: '橙' },
  yellow: { bg: '#f5c518', fg: '#4a3b00', name: '黄' },
  blue: { bg: '#2f6fd6', fg: '#fff', name: '蓝' },
}

export function levelLabel(level: string): string {
  return level.endsWith('风险') ? level : `${level}风险`
}

/** A number without float noise: 0.30000000000000004 → 0.3, 2.333333333 → 2.33333. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x === 0) return '0'
  return String(Number.parseFloat(x.toPrecision(6)))
}

// ---------------------------------------------------------------- helpers over the server's tables

/** The four bands of a method from its lower bounds (GET /risk/bands), highest first. */
export function bandsFrom(bounds: RiskBandBounds, letter: 'D' | 'R'): Band[] {
  const { major, considerable, general } = bounds
  return [
    { level: '重大', color: 'red', min: major, range: `${letter} ≥ ${num(major)}` },
    { level: '较大', color: 'orange', min: considerable, range: `${num(considerable)} ≤ ${letter} < ${num(major)}` },
    { level: '一般', color: 'yellow', min: general, range: `${num(general)} ≤ ${letter} < ${num(considerable)}` },
    { level: '低', color: 'blue', min: null, range: `${letter} < ${num(general)}` },
  ]
}

/** 重大危险源 grades in 四色: 一级 red … 四级 blue. */
export const GRADE_COLORS: Record<string, RiskColor> = {
  一级: 'red',
  二级: 'orange',
  三级: 'yellow',
  四级: 'blue',
}

export function gradeColor(grade: string | null | undefined): RiskColor | null {
  return grade ? (GRADE_COLORS[grade] ?? null) : null
}

/** 表5: the α row for a number of people (the table highest first, as the reference gives it). */
export function alphaRow<T extends { min: number }>(table: T[] | undefined, people: number | null | undefined): T | undefined {
  if (!table || people === null || people === undefined || !Number.isFinite(people)) return undefined
  return [...table].sort((a, b) => b.min - a.min).find((b) => people >= b.min)
}
