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

/**
 * `2026-03-01T08:00:00Z` → `2026-03-01 16:00:00` in the business time zone (the logged-in user's
 * `Me.timezone`, Asia/Shanghai by default), whatever the browser's zone.
 */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  let f: Intl.DateTimeFormat
  try {
    f = formatter(auth.timezone.value)
  } catch {
    // an unknown zone name
    f = formatter(DEFAULT_TIMEZONE)
  }
  const p: Record<string, string> = {}
  for (const { type, value: v } of f.formatToParts(d)) p[type] = v
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
