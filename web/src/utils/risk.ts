// Presentation helpers of the risk pages: 四色 colours, level labels, number formatting, the bands
// as legend rows and the GB 18218 grade colours. This file is the one source of the colours
// (RISK_COLORS) and of the level → colour mapping (LEVEL_COLORS). The reference tables themselves
// (LEC / LS values, the bands in force, GB 18218-2018 表1–表6) come from the server:
// GET /api/v1/risk/reference and GET /api/v1/risk/bands. The server does the computing.
import type { RiskBandBounds, RiskLevel, RiskLevelCounts } from '@/api/types'

/**
 * The 四色 by name. UI-side narrowing: the API document types every `color` (risk point,
 * assessment, enterprise risk, map) as a plain string, "red / orange / yellow / blue".
 */
export type RiskColor = 'red' | 'orange' | 'yellow' | 'blue'

/**
 * 重大危险源 grades (GB 18218-2018 表6). UI-side narrowing: the API document types `grade` as
 * string | null ("一级…四级").
 */
export type MajorHazardGrade = '一级' | '二级' | '三级' | '四级'

export interface Band {
  level: RiskLevel
  color: RiskColor
  /** lower bound (inclusive); the lowest band has none */
  min: number | null
  range: string
}

/** 四色: background and text colour of each level. */
export const RISK_COLORS: Record<RiskColor, { bg: string; fg: string; name: string }> = {
  red: { bg: '#d9363e', fg: '#fff', name: '红' },
  orange: { bg: '#f07c1b', fg: '#fff', name: '橙' },
  yellow: { bg: '#f5c518', fg: '#4a3b00', name: '黄' },
  blue: { bg: '#2f6fd6', fg: '#fff', name: '蓝' },
}

/** The alarm colours of the figures next to the 四色 ones (home page, 风险统计). */
export const ALARM_COLORS = {
  majorHazard: '#c0392b',
  reviewOverdue: '#d9534f',
  unassessed: '#606266',
} as const

/**
 * The four levels, highest first, with their 四色 (the colour is the level's, whatever the method)
 * and their key in the API's counts (`RiskLevelCounts`) and bounds (`RiskBandBounds`).
 */
export const LEVEL_COLORS: { level: RiskLevel; color: RiskColor; key: keyof RiskLevelCounts }[] = [
  { level: '重大', color: 'red', key: 'major' },
  { level: '较大', color: 'orange', key: 'considerable' },
  { level: '一般', color: 'yellow', key: 'general' },
  { level: '低', color: 'blue', key: 'low' },
]

/** A `color` of the API as a 四色, or null when it is none of them. */
export function asRiskColor(color: string | null | undefined): RiskColor | null {
  return color && color in RISK_COLORS ? (color as RiskColor) : null
}

/** The four levels, highest first (the order of the bands). */
export const RISK_LEVELS: RiskLevel[] = LEVEL_COLORS.map((b) => b.level)

/** The 四色 of a level. */
export function levelColor(level: RiskLevel | null | undefined): RiskColor | null {
  return LEVEL_COLORS.find((b) => b.level === level)?.color ?? null
}

/** Inline style of something filled with a 四色 (a tag, a band, a matrix cell); none without a colour. */
export function colorStyle(color: RiskColor | null | undefined): Record<string, string> {
  if (!color) return {}
  const c = RISK_COLORS[color]
  return { background: c.bg, color: c.fg, borderColor: c.bg }
}

/** Inline style of a coloured level tag: the colour given, else the level's. */
export function levelStyle(color: RiskColor | null | undefined, level?: RiskLevel | null): Record<string, string> {
  return colorStyle(color ?? levelColor(level))
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

/** The band a score falls in (for the matrix cells; the server decides the result). */
export function bandOf(bands: Band[], score: number): Band {
  return bands.find((b) => b.min !== null && score >= b.min) ?? bands[bands.length - 1]!
}

/** The four bands of a method from its lower bounds (GET /risk/bands), highest first. */
export function bandsFrom(bounds: RiskBandBounds, letter: 'D' | 'R'): Band[] {
  const { major, considerable, general } = bounds
  const ranges = [
    `${letter} ≥ ${num(major)}`,
    `${num(considerable)} ≤ ${letter} < ${num(major)}`,
    `${num(general)} ≤ ${letter} < ${num(considerable)}`,
    `${letter} < ${num(general)}`,
  ]
  return LEVEL_COLORS.map(({ level, color, key }, i) => ({
    level,
    color,
    min: key === 'low' ? null : bounds[key],
    range: ranges[i]!,
  }))
}

/** 重大危险源 grades (GB 18218-2018 表6) in 四色: 一级 red … 四级 blue. */
export const GRADE_COLORS: { grade: MajorHazardGrade; color: RiskColor }[] = [
  { grade: '一级', color: 'red' },
  { grade: '二级', color: 'orange' },
  { grade: '三级', color: 'yellow' },
  { grade: '四级', color: 'blue' },
]

export function gradeColor(grade: string | null | undefined): RiskColor | null {
  return GRADE_COLORS.find((g) => g.grade === grade)?.color ?? null
}

/** 表5: the α row for a number of people (the table highest first, as the reference gives it). */
export function alphaRow<T extends { min: number }>(table: T[] | undefined, people: number | null | undefined): T | undefined {
  if (!table || people === null || people === undefined || !Number.isFinite(people)) return undefined
  return [...table].sort((a, b) => b.min - a.min).find((b) => people >= b.min)
}
