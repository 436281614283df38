// A tiny fetch wrapper: same-origin cookie auth, JSON in and out, RFC 9457 problem+json errors
// turned into ApiError and shown with ElMessage, and one place that reacts to 401.
import { ElMessage } from 'element-plus'
import type { ImportError, Problem } from './types'

/**
 * A problem as the UI holds it. The document's `Problem` has type, title, status and detail
 * always; the UI also makes problems of its own (network failure, a non-JSON error page) with
 * only some of them.
 */
export type ApiProblem = Partial<Problem>

/**
 * One entry of a problem's `errors`. The document types them as bare objects; the server sends
 * `{field, message}` (validation) or an `ImportError` `{row, column, message}` (imports).
 */
export type FieldError = { field?: string; message: string } & Partial<ImportError>

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

export class ApiError extends Error {
  readonly status: number
  readonly problem: ApiProblem
  /** seconds, from the Retry-After header (429) */
  readonly retryAfter: number | null

  constructor(status: number, problem: ApiProblem, retryAfter: number | null) {
    super(problem.detail || problem.title || `请求失败（${status}）`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.retryAfter = retryAfter
  }

  get detail(): string {
    return this.message
  }

  get errors(): FieldError[] {
    return Array.isArray(this.problem.errors) ? (this.problem.errors as FieldError[]) : []
  }
}

export interface RequestOptions {
  query?: Query
  /** JSON body (serialised) or FormData (sent as multipart) */
  body?: unknown
  headers?: Record<string, string>
  /**
   * Do not show the error with ElMessage. `true` silences every status; a list of statuses
   * silences only those (the caller shows them its own way, e.g. field errors in a form).
   */
  silent?: boolean | number[]
  /** do not redirect to /login on 401 (used by the session probe and the login call) */
  no401Redirect?: boolean
}

let onUnauthorized: () => void = () => {}

/** Wired in main.ts: clear the session and go to the login page. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

/** Builds `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null
  const secs = Number(value)
  if (Number.isFinite(secs)) return Math.max(0, secs)
  const date = Date.parse(value)
  if (!Number.isNaN(date)) return Math.max(0, Math.round((date - Date.now()) / 1000))
  return null
}

const statusText: Record<number, string> = {
  400: '请求格式有误',
  401: '登录已过期，请重新登录',
  403: '当前角色无权执行此操作',
  404: '数据不存在或不在您的数据权限范围内',
  409: '数据冲突，请刷新后重试',
  413: '上传的内容过大',
  422: '提交的数据未通过校验',
  429: '请求过于频繁，请稍后再试',
  500: '服务器内部错误',
  502: '无法连接服务器',
  503: '服务暂不可用',
  504: '服务器响应超时',
}

async function readProblem(res: Response): Promise<ApiProblem> {
  const type = res.headers.get('content-type') || ''
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as ApiProblem
      if (body && typeof body === 'object') return body
    } catch {
      /* fall through */
    }
  } else {
    try {
      const text = (await res.text()).trim()
      if (text && text.length < 300 && !text.startsWith('<')) return { status: res.status, detail: text }
    } catch {
      /* fall through */
    }
  }
  return { status: res.status, detail: statusText[res.status] ?? `请求失败（${res.status}）` }
}

function isSilenced(silent: RequestOptions['silent'], status: number): boolean {
  if (silent === true) return true
  return Array.isArray(silent) && silent.includes(status)
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body: BodyInit | undefined
  if (opts.body instanceof FormData) {
    body = opts.body
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }

  let res: Response
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    const err = new ApiError(0, { detail: '网络连接失败，请检查网络后重试' }, null)
    if (!isSilenced(opts.silent, 0)) ElMessage.error(err.detail)
    throw err
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T
    const type = res.headers.get('content-type') || ''
    if (type.includes('json')) return (await res.json()) as T
    const text = await res.text()
    return (text ? (text as unknown) : undefined) as T
  }

  const problem = await readProblem(res)
  const err = new ApiError(res.status, problem, parseRetryAfter(res.headers.get('retry-after')))
  if (res.status === 401 && !opts.no401Redirect) {
    onUnauthorized()
    throw err
  }
  if (!isSilenced(opts.silent, res.status)) ElMessage.error(err.detail)
  throw err
}

export const http = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
  del: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('DELETE', path, { ...opts, query }),
}

/** A fresh key for the `Idempotency-Key` header of a create request. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID()
    } catch {
      /* not a secure context */
    }
  }
  const bytes = new Uint8Array(16)
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Maps problem `errors` [{field,message}] to `{field: message}` for el-form-item `:error`. */
export function fieldErrorMap(err: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (err instanceof ApiError) {
    for (const e of err.errors) {
      if (!e.field) continue
      out[e.field] = out[e.field] ? `${out[e.field]}；${e.message}` : e.message
    }
  }
  return out
}

/** The field errors without one field (its input changed), the same object when it had none. */
export function withoutField<T extends Partial<Record<string, string>>>(errors: T, field: keyof T & string): T {
  if (!(field in errors)) return errors
  const next = { ...errors }
  delete next[field]
  return next
}
