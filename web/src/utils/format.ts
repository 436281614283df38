// Display helpers.

/** `2026-03-01T08:00:00Z` → `2026-03-01 16:00:00` in the browser's time zone. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
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
