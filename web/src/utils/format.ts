// Display helpers.
import { auth, DEFAULT_TIMEZONE } from '@/stores/auth'

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

/** `YYYY-MM-DD HH:mm:ss` parts in the time zone `tz` (one formatter per zone). */
function formatter(tz: string): Intl.DateTimeFormat {
  let f = dateTimeFormats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    dateTimeFormats.set(tz, f)
  }
  return f
}

/** The formatter of the business time zone (Asia/Shanghai when the zone's name is unknown). */
function businessFormatter(): Intl.DateTimeFormat {
  try {
    return formatter(auth.timezone.value)
  } catch {
    // an unknown zone name
    return formatter(DEFAULT_TIMEZONE)
  }
}

function partsOf(d: Date): Record<string, string> {
  const p: Record<string, string> = {}
  for (const { type, value } of businessFormatter().formatToParts(d)) p[type] = value
  return p
}

/**
 * Today's business date, `YYYY-MM-DD` in the business time zone (`Me.timezone`), whatever the
 * browser's zone: between 00:00 and 08:00 Beijing time a UTC date is still yesterday. Every "today"
 * and default date of the web goes through it.
 */
export function todayLocal(now: Date = new Date()): string {
  const p = partsOf(now)
  return `${p.year}-${p.month}-${p.day}`
}

/** The business year of today. */
export function thisYearLocal(): number {
  return Number(todayLocal().slice(0, 4))
}

const DAY_MS = 86_400_000

/** `YYYY-MM-DD` as a UTC midnight in milliseconds (calendar arithmetic only; no zone). */
function dayMs(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d)
}

function fromDayMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** A calendar date `days` days after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  return fromDayMs(dayMs(date) + days * DAY_MS)
}

/** A calendar date `years` years after `date` (29 February falls on 1 March). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return fromDayMs(Date.UTC(y + years, m - 1, d))
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayMs(to) - dayMs(from)) / DAY_MS)
}

/** The last day of a month `YYYY-MM`. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return fromDayMs(Date.UTC(y, m, 0))
}

/** `YYYY-MM-DD` of a date picker's `Date` (a midnight in the browser's zone, the day it shows). */
export function pickerDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** The instant of 00:00 of a business date in the business time zone. */
export function startOfBusinessDay(date: string): Date {
  const guess = dayMs(date)
  // the zone's offset at that moment: the wall clock there minus UTC
  const p = partsOf(new Date(guess))
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
  return new Date(guess - (wall - guess))
}

/**
 * `2026-03-01T08:00:00Z` → `2026-03-01 16:00:00` in the business time zone (the logged-in user's
 * `Me.timezone`, Asia/Shanghai by default), whatever the browser's zone.
 */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const p = partsOf(d)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

export function yesNo(v: boolean | null | undefined): string {
  if (v === null || v === undefined) return ''
  return v ? '是' : '否'
}

export function orDash(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  return String(v)
}

export function prettyJson(v: unknown): string {
  if (v === null || v === undefined) return '（无）'
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2)
    } catch {
      return v
    }
  }
  return JSON.stringify(v, null, 2)
}

/** "N 分钟" for a Retry-After in seconds (at least 1). */
export function minutesFromSeconds(secs: number): number {
  return Math.max(1, Math.ceil(secs / 60))
}
