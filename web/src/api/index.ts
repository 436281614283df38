// One function per endpoint of docs/API.md, grouped by business area.
import { http, newIdempotencyKey, withQuery, type Query, type RequestOptions } from './http'
import type {
  AuditRecord,
  AuditVerify,
  Department,
  Enterprise,
  Id,
  ImportResult,
  Jurisdiction,
  JurisdictionNode,
  LoginResponse,
  Page,
  User,
} from './types'

export const API = '/api/v1'

function createOpts(idempotencyKey?: string, extra: RequestOptions = {}): RequestOptions {
  return { ...extra, headers: { 'Idempotency-Key': idempotencyKey || newIdempotencyKey(), ...extra.headers } }
}

// ---- auth ----
export const authApi = {
  login: (username: string, password: string) =>
    http.post<LoginResponse>(`${API}/auth/login`, { username, password }, { silent: true, no401Redirect: true }),
  logout: () => http.post<void>(`${API}/auth/logout`, undefined, { silent: true, no401Redirect: true }),
  me: () => http.get<User | { user: User }>(`${API}/auth/me`, undefined, { silent: true, no401Redirect: true }),
  changePassword: (old_password: string, new_password: string) =>
    http.post<void>(`${API}/auth/password`, { old_password, new_password }, { silent: [400, 401, 403, 422], no401Redirect: true }),
}

// ---- meta ----
/** Accepts `["危险化学品", ...]`, `[{name}]`, `{items: [...]}` or `{sectors: [...]}`. */
function normalizeSectors(raw: unknown): string[] {
  let list: unknown = raw
  if (list && !Array.isArray(list) && typeof list === 'object') {
    const o = list as Record<string, unknown>
    list = o.items ?? o.sectors ?? o.data ?? []
  }
  if (!Array.isArray(list)) return []
  return list
    .map((s) => {
      if (typeof s === 'string') return s
      if (s && typeof s === 'object') {
        const o = s as Record<string, unknown>
        return String(o.name ?? o.label ?? o.code ?? '')
      }
      return ''
    })
    .filter((s) => s !== '')
}

export const metaApi = {
  sectors: async () => normalizeSectors(await http.get<unknown>(`${API}/meta/sectors`)),
}

// ---- org: jurisdictions ----
/** Accepts a single root node, an array of roots, or `{items: [...]}`. */
function normalizeTree(raw: unknown): JurisdictionNode[] {
  if (Array.isArray(raw)) return raw as JurisdictionNode[]
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>
    if (Array.isArray(o.items)) return o.items as JurisdictionNode[]
    if (Array.isArray(o.roots)) return o.roots as JurisdictionNode[]
    if ('id' in o) return [o as unknown as JurisdictionNode]
  }
  return []
}

export type JurisdictionInput = Partial<Pick<Jurisdiction, 'parent_id' | 'level' | 'code' | 'name' | 'boundary'>>

export const jurisdictionApi = {
  tree: async () => normalizeTree(await http.get<unknown>(`${API}/jurisdictions/tree`)),
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Jurisdiction>>(`${API}/jurisdictions`, q, opts),
  get: (id: Id) => http.get<Jurisdiction>(`${API}/jurisdictions/${id}`),
  create: (body: JurisdictionInput, key?: string) =>
    http.post<Jurisdiction>(`${API}/jurisdictions`, body, createOpts(key, { silent: [422] })),
  update: (id: Id, body: JurisdictionInput & { version: number }) =>
    http.patch<Jurisdiction>(`${API}/jurisdictions/${id}`, body, { silent: [409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/jurisdictions/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/jurisdictions/export.xlsx`, q),
}

// ---- org: departments ----
export type DepartmentInput = Partial<Pick<Department, 'jurisdiction_id' | 'name' | 'sectors'>>

export const departmentApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Department>>(`${API}/departments`, q, opts),
  get: (id: Id) => http.get<Department>(`${API}/departments/${id}`),
  create: (body: DepartmentInput, key?: string) =>
    http.post<Department>(`${API}/departments`, body, createOpts(key, { silent: [422] })),
  update: (id: Id, body: DepartmentInput & { version: number }) =>
    http.patch<Department>(`${API}/departments/${id}`, body, { silent: [409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/departments/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/departments/export.xlsx`, q),
}

// ---- org: enterprises ----
export type EnterpriseInput = Partial<Omit<Enterprise, 'id' | 'version' | 'created_at' | 'updated_at' | 'jurisdiction_name' | 'grid_name'>>

export const enterpriseApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Enterprise>>(`${API}/enterprises`, q, opts),
  get: (id: Id) => http.get<Enterprise>(`${API}/enterprises/${id}`),
  create: (body: EnterpriseInput, key?: string) =>
    http.post<Enterprise>(`${API}/enterprises`, body, createOpts(key, { silent: [409, 422] })),
  update: (id: Id, body: EnterpriseInput & { version: number }) =>
    http.patch<Enterprise>(`${API}/enterprises/${id}`, body, { silent: [409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/enterprises/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/enterprises/export.xlsx`, q),
  templateUrl: `${API}/enterprises/import/template.xlsx`,
  import: (file: File, partial: boolean) => {
    const form = new FormData()
    form.append('file', file, file.name)
    return http.post<ImportResult>(withQuery(`${API}/enterprises/import`, { partial: partial ? 'true' : undefined }), form, {
      silent: [400, 413, 422],
    })
  },
}

// ---- org: users ----
/** The org kind follows the role (server `Role::org_kind`), so only `org_id` is sent. */
export type UserInput = Partial<Pick<User, 'username' | 'display_name' | 'role' | 'org_id' | 'phone' | 'active'>> & {
  /** create: initial password; PATCH: reset (the user must change it at next login) */
  password?: string
  /** expert: the enterprises it is assigned to (create only) */
  assigned_enterprises?: Id[]
}

export const userApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<User>>(`${API}/users`, q, opts),
  get: (id: Id) => http.get<User>(`${API}/users/${id}`),
  create: (body: UserInput, key?: string) => http.post<User>(`${API}/users`, body, createOpts(key, { silent: [409, 422] })),
  update: (id: Id, body: UserInput & { version: number }) =>
    http.patch<User>(`${API}/users/${id}`, body, { silent: [409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/users/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/users/export.xlsx`, q),
}

// ---- audit ----
export const auditApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<AuditRecord>>(`${API}/audit`, q, opts),
  verify: () => http.get<AuditVerify>(`${API}/audit/verify`),
  exportUrl: (q: Query) => withQuery(`${API}/audit/export.xlsx`, q),
}

export const OPENAPI_URL = '/api/openapi.json'
