// One function per endpoint of docs/API.md, grouped by business area.
import { http, newIdempotencyKey, withQuery, type Query, type RequestOptions } from './http'
import type {
  AppNotification,
  AuditRecord,
  AuditVerify,
  ChecklistResult,
  ChecklistRunResult,
  ChecklistTemplate,
  Department,
  Enterprise,
  EnterpriseRisk,
  EnterpriseHazardReport,
  Hazard,
  HazardDetail,
  HazardGrade,
  HazardSource,
  HazardStats,
  Id,
  ImportResult,
  Jurisdiction,
  JurisdictionNode,
  ListingLevel,
  ListingSummary,
  LoginResponse,
  MajorHazardRequest,
  MajorHazardResult,
  MajorHazardSource,
  MajorHazardSourceInput,
  MajorHazardSourcePatch,
  RiskBandSet,
  RiskBandsInForce,
  RiskRules,
  RiskStats,
  GeoFeatureCollection,
  GeoPointFeature,
  MapBoundaryFeature,
  MapEnterpriseProps,
  MapHazardProps,
  MapMajorHazardProps,
  MapLayerFilter,
  MapSettings,
  Page,
  RectificationPlan,
  RiskAssessment,
  RiskAssessRequest,
  RiskLevel,
  RiskPoint,
  RiskPointInput,
  RiskPointPatch,
  RiskReference,
  UploadedFile,
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

// ---- files ----
export const fileApi = {
  /** Uploads one file (multipart field `file`, ≤ 10 MB). */
  upload: (file: Blob, name: string) => {
    const form = new FormData()
    form.append('file', file, name)
    return http.post<UploadedFile>(`${API}/files`, form, { silent: [413, 415, 422] })
  },
  url: (id: Id) => `${API}/files/${id}`,
}

// ---- hazards ----
export interface HazardInput {
  enterprise_id: Id
  description: string
  grade: HazardGrade
  source: HazardSource
  deadline: string
  sector?: string
  location?: string
  category?: string
  responsible?: string
  before_photos?: Id[]
}

export interface ListingInput {
  level: ListingLevel
  supervising_unit: string
  document_number: string
  deadline: string
}

/** Action calls show their problem (detail, field errors) in the dialog themselves. */
const ACTION_SILENT: RequestOptions = { silent: [400, 403, 404, 409, 422] }

export const hazardApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Hazard>>(`${API}/hazards`, q, opts),
  get: (id: Id, opts?: RequestOptions) => http.get<HazardDetail>(`${API}/hazards/${id}`, undefined, opts),
  create: (body: HazardInput, key?: string) => http.post<Hazard>(`${API}/hazards`, body, createOpts(key, { silent: [403, 422] })),
  exportUrl: (q: Query) => withQuery(`${API}/hazards/export.xlsx`, q),
  rectify: (id: Id, plan?: RectificationPlan) =>
    http.post<Hazard>(`${API}/hazards/${id}/rectify`, plan ? { plan } : {}, ACTION_SILENT),
  submit: (id: Id, after_photos: Id[], note: string) =>
    http.post<Hazard>(`${API}/hazards/${id}/submit`, { after_photos, note }, ACTION_SILENT),
  verify: (id: Id, passed: boolean, comment: string) =>
    http.post<Hazard>(`${API}/hazards/${id}/verify`, { passed, comment }, ACTION_SILENT),
  reject: (id: Id, reason: string) => http.post<Hazard>(`${API}/hazards/${id}/reject`, { reason }, ACTION_SILENT),
  close: (id: Id, after_photos: Id[], note: string) =>
    http.post<Hazard>(`${API}/hazards/${id}/close`, { after_photos, note }, ACTION_SILENT),
  listing: (id: Id, body: ListingInput) => http.post<Hazard>(`${API}/hazards/${id}/listing`, body, ACTION_SILENT),
  stats: (q: Query) => http.get<HazardStats>(`${API}/hazards/stats`, q),
}

/** The summary may come as an array or wrapped in `{items}`. */
function unwrapList<T>(raw: unknown): T[] {
  if (Array.isArray(raw)) return raw as T[]
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>
    for (const k of ['items', 'levels', 'data']) if (Array.isArray(o[k])) return o[k] as T[]
  }
  return []
}

export const listingApi = {
  /**
   * Listed hazards. docs/API.md names the filters `year` and `level`; the server reads the
   * hazard filter's `listing_year` and `listing_level`: both are sent.
   */
  list: (q: { year?: number; level?: ListingLevel; state?: string } & Query, opts?: RequestOptions) =>
    http.get<Page<Hazard>>(
      `${API}/hazard-listings`,
      { ...q, listing_year: q.year, listing_level: q.level },
      opts,
    ),
  summary: async (year: number) => unwrapList<ListingSummary>(await http.get<unknown>(`${API}/hazard-listings/summary`, { year })),
  setQuota: (body: { year: number; city: number; district: number; street: number }) =>
    http.put<unknown>(`${API}/hazard-listings/quota`, body, { silent: [403, 409, 422] }),
  exportUrl: (q: Query) => withQuery(`${API}/hazard-listings/export.xlsx`, q),
}

/** The enterprise's quarterly (`2026Q1`) or annual (`2026`) hazard statistics report. */
export const hazardReportApi = {
  get: (enterpriseId: Id, period: string) =>
    http.get<EnterpriseHazardReport>(`${API}/enterprises/${enterpriseId}/hazard-report`, { period }, { silent: [400, 404, 422] }),
  xlsxUrl: (enterpriseId: Id, period: string) => withQuery(`${API}/enterprises/${enterpriseId}/hazard-report.xlsx`, { period }),
}

// ---- checklists (自查清单) ----
export interface ChecklistAnswer {
  code: string
  result: ChecklistResult
  note?: string
  photos?: Id[]
}

export const checklistApi = {
  list: async (q: Query = {}) => {
    const raw = await http.get<Page<ChecklistTemplate> | ChecklistTemplate[]>(`${API}/checklists`, q)
    return Array.isArray(raw) ? raw : Array.isArray(raw?.items) ? raw.items : []
  },
  get: (id: Id) => http.get<ChecklistTemplate>(`${API}/checklists/${id}`),
  run: (id: Id, body: { enterprise_id: Id; deadline: string; answers: ChecklistAnswer[] }, key?: string) =>
    http.post<ChecklistRunResult>(`${API}/checklists/${id}/runs`, body, createOpts(key, { silent: [403, 409, 422] })),
}

// ---- notifications ----
export const notificationApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<AppNotification>>(`${API}/notifications`, q, opts),
  markRead: (id: Id) => http.post<void>(`${API}/notifications/${id}/read`, undefined, { silent: true }),
}

// ---- risk (风险分级管控): calculators; 422 field errors are shown next to the fields ----
export const riskApi = {
  assess: (body: RiskAssessRequest) => http.post<RiskAssessment>(`${API}/risk/assess`, body, { silent: [400, 422] }),
  majorHazard: (body: MajorHazardRequest) =>
    http.post<MajorHazardResult>(`${API}/risk/major-hazard/assess`, body, { silent: [400, 422] }),
}

// ---- risk points (风险点, 风险清单) and the enterprise's risk level ----
export const riskPointApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<RiskPoint>>(`${API}/risk/points`, q, opts),
  get: (id: Id, opts?: RequestOptions) => http.get<RiskPoint>(`${API}/risk/points/${id}`, undefined, opts),
  create: (body: RiskPointInput, key?: string) =>
    http.post<RiskPoint>(`${API}/risk/points`, body, createOpts(key, { silent: [403, 409, 422] })),
  update: (id: Id, body: RiskPointPatch) => http.patch<RiskPoint>(`${API}/risk/points/${id}`, body, { silent: [403, 409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/risk/points/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/risk/points/export.xlsx`, q),
  /** option lists and value tables: GB 6441 accident types, kinds, control levels, LEC / LS, GB 18218-2018, bands, rules */
  reference: () => http.get<RiskReference>(`${API}/risk/reference`, undefined, { silent: true }),
  enterpriseRisk: (enterpriseId: Id, opts?: RequestOptions) => http.get<EnterpriseRisk>(`${API}/enterprises/${enterpriseId}/risk`, undefined, opts),
  /** 安委办调整 (admin, committee); `level: null` returns to the computed level */
  setEnterpriseRisk: (enterpriseId: Id, level: RiskLevel | null, reason: string) =>
    http.put<EnterpriseRisk>(`${API}/enterprises/${enterpriseId}/risk`, { level, reason }, { silent: [403, 409, 422] }),
}

// ---- risk one-map (风险一张图): GeoJSON layers and the tile settings ----
export const mapApi = {
  settings: () => http.get<MapSettings>(`${API}/map/settings`),
  /** admin only; 422 names `tile_url` when the template is not an http(s) URL with {z}, {x}, {y} */
  setSettings: (body: MapSettings) => http.put<void>(`${API}/map/settings`, body, { silent: [403, 422] }),
  boundaries: (level: 'street' | 'community' | 'grid' = 'street') =>
    http.get<GeoFeatureCollection<MapBoundaryFeature>>(`${API}/map/layers/boundaries`, { level }),
  enterprises: (f: MapLayerFilter) =>
    http.get<GeoFeatureCollection<GeoPointFeature<MapEnterpriseProps>>>(`${API}/map/layers/enterprises`, { ...f }),
  hazards: (f: Pick<MapLayerFilter, 'bbox' | 'jurisdiction_id'>) =>
    http.get<GeoFeatureCollection<GeoPointFeature<MapHazardProps>>>(`${API}/map/layers/hazards`, { ...f }),
  majorHazards: (f: Pick<MapLayerFilter, 'bbox' | 'jurisdiction_id'>) =>
    http.get<GeoFeatureCollection<GeoPointFeature<MapMajorHazardProps>>>(`${API}/map/layers/major-hazards`, { ...f }),
}

// ---- 重大危险源 (registered identification units, graded on save) ----
export const majorHazardApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<MajorHazardSource>>(`${API}/risk/major-hazards`, q, opts),
  get: (id: Id, opts?: RequestOptions) => http.get<MajorHazardSource>(`${API}/risk/major-hazards/${id}`, undefined, opts),
  create: (body: MajorHazardSourceInput, key?: string) =>
    http.post<MajorHazardSource>(`${API}/risk/major-hazards`, body, createOpts(key, { silent: [400, 403, 409, 422] })),
  update: (id: Id, body: MajorHazardSourcePatch) =>
    http.patch<MajorHazardSource>(`${API}/risk/major-hazards/${id}`, body, { silent: [400, 403, 409, 422] }),
  remove: (id: Id, version: number) => http.del<void>(`${API}/risk/major-hazards/${id}`, { version }),
}

// ---- 风险统计 and the 分级规则 settings (bands per jurisdiction, rules) ----
export interface RiskStatsQuery {
  group_by: 'jurisdiction' | 'sector'
  /** the units below this one (default: below the caller's top) */
  jurisdiction_id?: Id | null
}

const statsQuery = (q: RiskStatsQuery): Query => ({ group_by: q.group_by, jurisdiction_id: q.jurisdiction_id ?? undefined })

export const riskAdminApi = {
  stats: (q: RiskStatsQuery, opts?: RequestOptions) => http.get<RiskStats>(`${API}/risk/stats`, statsQuery(q), opts),
  /** the same figures as Excel (one row per group and the 合计) */
  statsExportUrl: (q: RiskStatsQuery) => withQuery(`${API}/risk/stats/export.xlsx`, statsQuery(q)),
  /** the bands in force at a jurisdiction (default: the caller's own) */
  bands: (jurisdictionId?: Id | null, opts?: RequestOptions) =>
    http.get<RiskBandsInForce>(`${API}/risk/bands`, { jurisdiction_id: jurisdictionId ?? undefined }, opts),
  setBands: (jurisdictionId: Id, bands: RiskBandSet) =>
    http.put<{ relevelled: number }>(`${API}/risk/bands`, { jurisdiction_id: jurisdictionId, ...bands }, { silent: [403, 422] }),
  rules: () => http.get<RiskRules>(`${API}/risk/rules`),
  setRules: (rules: RiskRules) => http.put<RiskRules>(`${API}/risk/rules`, rules, { silent: [403, 422] }),
}

export const OPENAPI_URL = '/api/openapi.json'
