// One function per endpoint of docs/API.md, grouped by business area.
import { http, newIdempotencyKey, withQuery, type Query, type RequestOptions } from './http'
import type {
  AppNotification,
  NoticeKindCount,
  ListingLevelName,
  AuditLabels,
  AuditRecord,
  AuditVerify,
  ChecklistRun,
  ChecklistRunInput,
  ChecklistRunResult,
  ChecklistTemplate,
  Department,
  DepartmentInput,
  DepartmentPatch,
  Enterprise,
  EnterpriseDraft,
  EnterpriseHazardReport,
  EnterprisePatch,
  EnterpriseRisk,
  Hazard,
  HazardCounts,
  HazardDetail,
  HazardInput,
  HazardStats,
  HazardWritKind,
  ImportResult,
  Jurisdiction,
  JurisdictionInput,
  JurisdictionLevel,
  JurisdictionNode,
  JurisdictionPatch,
  ListedClosingInput,
  ListingInput,
  ListingLevel,
  ListingSummary,
  LoginRequest,
  LoginResponse,
  MajorHazardRequest,
  MajorHazardResult,
  MajorHazardSource,
  MajorHazardSourceInput,
  MajorHazardSourcePatch,
  MapLayer,
  MapSettings,
  Me,
  Page,
  PasswordChange,
  UrgeInput,
  UrgeResult,
  Writ,
  PhotosBody,
  QuotaBody,
  RectifyBody,
  RejectBody,
  RiskAssessment,
  RiskAssessRequest,
  RiskBandSet,
  RiskBandsBody,
  RiskBandsChanged,
  RiskBandsInForce,
  RiskLevel,
  RiskOverride,
  RiskPoint,
  RiskPointInput,
  RiskPointPatch,
  RiskReference,
  RiskRules,
  RiskStats,
  Todo,
  UploadedFile,
  User,
  UserInput,
  UserPatch,
  VerifyBody,
} from './types'

export const API = '/api/v1'

function createOpts(idempotencyKey?: string, extra: RequestOptions = {}): RequestOptions {
  return { ...extra, headers: { 'Idempotency-Key': idempotencyKey || newIdempotencyKey(), ...extra.headers } }
}

// ---- auth ----
export const authApi = {
  login: (username: string, password: string) =>
    http.post<LoginResponse>(`${API}/auth/login`, { username, password } satisfies LoginRequest, { silent: true, no401Redirect: true }),
  logout: () => http.post<void>(`${API}/auth/logout`, undefined, { silent: true, no401Redirect: true }),
  me: () => http.get<Me>(`${API}/auth/me`, undefined, { silent: true, no401Redirect: true }),
  changePassword: (old_password: string, new_password: string) =>
    http.post<void>(`${API}/auth/password`, { old_password, new_password } satisfies PasswordChange, {
      silent: [400, 401, 403, 422],
      no401Redirect: true,
    }),
}

// ---- meta ----
export const metaApi = {
  sectors: () => http.get<string[]>(`${API}/meta/sectors`),
}

// ---- org: jurisdictions ----
export const jurisdictionApi = {
  tree: () => http.get<JurisdictionNode[]>(`${API}/jurisdictions/tree`),
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Jurisdiction>>(`${API}/jurisdictions`, q, opts),
  get: (id: number) => http.get<Jurisdiction>(`${API}/jurisdictions/${id}`),
  create: (body: JurisdictionInput, key?: string) =>
    http.post<Jurisdiction>(`${API}/jurisdictions`, body, createOpts(key, { silent: [422] })),
  update: (id: number, body: JurisdictionPatch) =>
    http.patch<Jurisdiction>(`${API}/jurisdictions/${id}`, body, { silent: [409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/jurisdictions/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/jurisdictions/export.xlsx`, q),
}

// ---- org: departments ----
export const departmentApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Department>>(`${API}/departments`, q, opts),
  get: (id: number) => http.get<Department>(`${API}/departments/${id}`),
  create: (body: DepartmentInput, key?: string) =>
    http.post<Department>(`${API}/departments`, body, createOpts(key, { silent: [422] })),
  update: (id: number, body: DepartmentPatch) =>
    http.patch<Department>(`${API}/departments/${id}`, body, { silent: [409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/departments/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/departments/export.xlsx`, q),
}

// ---- org: enterprises ----
export const enterpriseApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Enterprise>>(`${API}/enterprises`, q, opts),
  get: (id: number) => http.get<Enterprise>(`${API}/enterprises/${id}`),
  create: (body: EnterpriseDraft, key?: string) =>
    http.post<Enterprise>(`${API}/enterprises`, body, createOpts(key, { silent: [409, 422] })),
  update: (id: number, body: EnterprisePatch) =>
    http.patch<Enterprise>(`${API}/enterprises/${id}`, body, { silent: [409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/enterprises/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/enterprises/export.xlsx`, q),
  templateUrl: `${API}/enterprises/import/template.xlsx`,
  import: (file: File, partial: boolean) => {
    const form = new FormData()
    form.append('file', file, file.name)
    return http.post<ImportResult>(withQuery(`${API}/enterprises/import`, { partial: partial ? 'true' : undefined }), form, {
      silent: [400, 413, 422],
    })
  },
  /** 下载错误清单: the same file checked again, its bad rows with their reasons as a workbook */
  importErrorsWorkbook: async (file: File): Promise<Blob> => {
    const form = new FormData()
    form.append('file', file, file.name)
    const res = await fetch(`${API}/enterprises/import/errors.xlsx`, { method: 'POST', body: form, credentials: 'same-origin' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    return res.blob()
  },
}

// ---- org: users ----
export const userApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<User>>(`${API}/users`, q, opts),
  get: (id: number) => http.get<User>(`${API}/users/${id}`),
  /** The org kind follows the role (server `Role::org_kind`), so only `org_id` is sent. */
  create: (body: UserInput, key?: string) => http.post<User>(`${API}/users`, body, createOpts(key, { silent: [409, 422] })),
  update: (id: number, body: UserPatch) =>
    http.patch<User>(`${API}/users/${id}`, body, { silent: [409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/users/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/users/export.xlsx`, q),
}

// ---- audit ----
export const auditApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<AuditRecord>>(`${API}/audit`, q, opts),
  /** every action and object type in Chinese (the filters' options, from the domain's table) */
  labels: () => http.get<AuditLabels>(`${API}/audit/labels`, undefined, { silent: true }),
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
  url: (id: number) => `${API}/files/${id}`,
}

// ---- hazards ----
/** Action calls show their problem (detail, field errors) in the dialog themselves. */
const ACTION_SILENT: RequestOptions = { silent: [400, 403, 404, 409, 422] }

export const hazardApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<Hazard>>(`${API}/hazards`, q, opts),
  /** what the list would total for each tab (state, 已逾期) with the same filters */
  counts: (q: Query, opts?: RequestOptions) => http.get<HazardCounts>(`${API}/hazards/counts`, q, opts),
  get: (id: number, opts?: RequestOptions) => http.get<HazardDetail>(`${API}/hazards/${id}`, undefined, opts),
  create: (body: HazardInput, key?: string) =>
    http.post<HazardDetail>(`${API}/hazards`, body, createOpts(key, { silent: [403, 422] })),
  exportUrl: (q: Query) => withQuery(`${API}/hazards/export.xlsx`, q),
  rectify: (id: number, plan?: RectifyBody['plan']) =>
    http.post<HazardDetail>(`${API}/hazards/${id}/rectify`, (plan ? { plan } : {}) satisfies RectifyBody, ACTION_SILENT),
  submit: (id: number, after_photos: number[], note: string) =>
    http.post<HazardDetail>(`${API}/hazards/${id}/submit`, { after_photos, note } satisfies PhotosBody, ACTION_SILENT),
  /** 验收; `closing`: the assessment and application a listed hazard's 销号 needs */
  verify: (id: number, passed: boolean, comment: string, closing?: ListedClosingInput) =>
    http.post<HazardDetail>(`${API}/hazards/${id}/verify`, { passed, comment, closing } satisfies VerifyBody, ACTION_SILENT),
  reject: (id: number, reason: string) =>
    http.post<HazardDetail>(`${API}/hazards/${id}/reject`, { reason } satisfies RejectBody, ACTION_SILENT),
  close: (id: number, after_photos: number[], note: string) =>
    http.post<HazardDetail>(`${API}/hazards/${id}/close`, { after_photos, note } satisfies PhotosBody, ACTION_SILENT),
  listing: (id: number, body: ListingInput) => http.post<HazardDetail>(`${API}/hazards/${id}/listing`, body, ACTION_SILENT),
  /** 催办 the ticked hazards (those waiting on their enterprise; the rest come back as skipped) */
  urge: (body: UrgeInput) => http.post<UrgeResult>(`${API}/hazards/urge`, body, { silent: [403, 422] }),
  /** 隐患整改通知书 (rectification) or 挂牌督办通知书 (listing), issued by `issuer` or the caller's unit */
  writ: (id: number, kind: HazardWritKind, issuer?: string) =>
    http.get<Writ>(`${API}/hazards/${id}/writ`, { kind, issuer: issuer || undefined }, { silent: [403, 404, 409, 422] }),
  writDocxUrl: (id: number, kind: HazardWritKind, issuer?: string) =>
    withQuery(`${API}/hazards/${id}/writ.docx`, { kind, issuer: issuer || undefined }),
  stats: (q: Query) => http.get<HazardStats>(`${API}/hazards/stats`, q),
  statsExportUrl: (q: Query) => withQuery(`${API}/hazards/stats/export.xlsx`, q),
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
  summary: (year: number, jurisdictionId?: number | null) =>
    http.get<ListingSummary[]>(`${API}/hazard-listings/summary`, { year, jurisdiction_id: jurisdictionId ?? undefined }),
  /** the levels under this installation's names (县, 镇（街道）…) */
  levels: () => http.get<ListingLevelName[]>(`${API}/hazard-listings/levels`),
  setQuota: (body: QuotaBody) =>
    http.put<void>(`${API}/hazard-listings/quota`, body, { silent: [403, 409, 422] }),
  exportUrl: (q: Query) => withQuery(`${API}/hazard-listings/export.xlsx`, q),
  /** the summary (指标与完成情况, a row per level) as an Excel sheet */
  summaryExportUrl: (year: number, jurisdictionId?: number | null) =>
    withQuery(`${API}/hazard-listings/summary.xlsx`, { year, jurisdiction_id: jurisdictionId ?? undefined }),
}

/** The enterprise's quarterly (`2026Q1`) or annual (`2026`) hazard statistics report. */
export const hazardReportApi = {
  get: (enterpriseId: number, period: string) =>
    http.get<EnterpriseHazardReport>(`${API}/enterprises/${enterpriseId}/hazard-report`, { period }, { silent: [400, 404, 422] }),
  xlsxUrl: (enterpriseId: number, period: string) => withQuery(`${API}/enterprises/${enterpriseId}/hazard-report.xlsx`, { period }),
}

// ---- checklists (自查清单) ----
export const checklistApi = {
  list: (q: Query = {}) => http.get<ChecklistTemplate[]>(`${API}/checklists`, q),
  get: (id: number) => http.get<ChecklistTemplate>(`${API}/checklists/${id}`),
  run: (id: number, body: ChecklistRunInput, key?: string) =>
    http.post<ChecklistRunResult>(`${API}/checklists/${id}/runs`, body, createOpts(key, { silent: [403, 409, 422] })),
  /** 检查记录: 自查 (by=self) and 巡查/检查 (by=regulator) */
  runs: (q: Query, opts?: RequestOptions) => http.get<Page<ChecklistRun>>(`${API}/checklist-runs`, q, opts),
  runsExportUrl: (q: Query) => withQuery(`${API}/checklist-runs/export.xlsx`, q),
}

// ---- 工作台待办: each count is the total of the list its link opens ----
export const todoApi = {
  list: (opts?: RequestOptions) => http.get<Todo[]>(`${API}/todos`, undefined, opts),
}

// ---- notifications ----
export const notificationApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<AppNotification>>(`${API}/notifications`, q, opts),
  markRead: (id: number) => http.post<void>(`${API}/notifications/${id}/read`, undefined, { silent: true }),
  /** unread counts of every kind, in order (the message centre's kinds) */
  kinds: (opts?: RequestOptions) => http.get<NoticeKindCount[]>(`${API}/notifications/kinds`, undefined, opts),
  /** 全部已读: the unread ones the filters select (a kind, dates) */
  readAll: (q: { kind?: string; from?: string; to?: string }) => {
    const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]))
    const qs = params.toString()
    return http.post<{ marked: number }>(`${API}/notifications/read-all${qs ? `?${qs}` : ''}`, undefined)
  },
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
  get: (id: number, opts?: RequestOptions) => http.get<RiskPoint>(`${API}/risk/points/${id}`, undefined, opts),
  create: (body: RiskPointInput, key?: string) =>
    http.post<RiskPoint>(`${API}/risk/points`, body, createOpts(key, { silent: [403, 409, 422] })),
  update: (id: number, body: RiskPointPatch) => http.patch<RiskPoint>(`${API}/risk/points/${id}`, body, { silent: [403, 409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/risk/points/${id}`, { version }),
  exportUrl: (q: Query) => withQuery(`${API}/risk/points/export.xlsx`, q),
  /** option lists and value tables: GB 6441 accident types, kinds, control levels, LEC / LS, GB 18218-2018, bands, rules */
  reference: () => http.get<RiskReference>(`${API}/risk/reference`, undefined, { silent: true }),
  enterpriseRisk: (enterpriseId: number, opts?: RequestOptions) => http.get<EnterpriseRisk>(`${API}/enterprises/${enterpriseId}/risk`, undefined, opts),
  /** 安委办调整 (admin, committee); `level: null` returns to the computed level */
  setEnterpriseRisk: (enterpriseId: number, level: RiskLevel | null, reason: string) =>
    http.put<EnterpriseRisk>(`${API}/enterprises/${enterpriseId}/risk`, { level, reason } satisfies RiskOverride, {
      silent: [403, 409, 422],
    }),
}

// ---- risk one-map (风险一张图): GeoJSON layers and the tile settings ----
/**
 * The query of the point layers. Hand-written: the document declares these query parameters
 * as path parameters (`"in": "path"`), so the generated types cannot be used for them.
 */
export interface MapLayerFilter {
  /** west,south,east,north */
  bbox?: string
  level?: RiskLevel | null
  sector?: string | null
  jurisdiction_id?: number | null
}

export const mapApi = {
  settings: () => http.get<MapSettings>(`${API}/map/settings`),
  /** admin only; 422 names `tile_url` when the template is not an http(s) URL with {z}, {x}, {y} */
  setSettings: (body: MapSettings) => http.put<void>(`${API}/map/settings`, body, { silent: [403, 422] }),
  boundaries: (level: Extract<JurisdictionLevel, 'street' | 'community' | 'grid'> = 'street') =>
    http.get<MapLayer>(`${API}/map/layers/boundaries`, { level }),
  enterprises: (f: MapLayerFilter) => http.get<MapLayer>(`${API}/map/layers/enterprises`, { ...f }),
  hazards: (f: Pick<MapLayerFilter, 'bbox' | 'jurisdiction_id'>) => http.get<MapLayer>(`${API}/map/layers/hazards`, { ...f }),
  majorHazards: (f: Pick<MapLayerFilter, 'bbox' | 'jurisdiction_id'>) =>
    http.get<MapLayer>(`${API}/map/layers/major-hazards`, { ...f }),
}

// ---- 重大危险源 (registered identification units, graded on save) ----
export const majorHazardApi = {
  list: (q: Query, opts?: RequestOptions) => http.get<Page<MajorHazardSource>>(`${API}/risk/major-hazards`, q, opts),
  exportUrl: (q: Query) => withQuery(`${API}/risk/major-hazards/export.xlsx`, q),
  get: (id: number, opts?: RequestOptions) => http.get<MajorHazardSource>(`${API}/risk/major-hazards/${id}`, undefined, opts),
  create: (body: MajorHazardSourceInput, key?: string) =>
    http.post<MajorHazardSource>(`${API}/risk/major-hazards`, body, createOpts(key, { silent: [400, 403, 409, 422] })),
  update: (id: number, body: MajorHazardSourcePatch) =>
    http.patch<MajorHazardSource>(`${API}/risk/major-hazards/${id}`, body, { silent: [400, 403, 409, 422] }),
  remove: (id: number, version: number) => http.del<void>(`${API}/risk/major-hazards/${id}`, { version }),
}

// ---- 风险统计 and the 分级规则 settings (bands per jurisdiction, rules) ----
/**
 * The query of GET /risk/stats. Hand-written: the document declares it as path parameters and
 * refers to a `RiskGroupBy` schema it does not define.
 */
export interface RiskStatsQuery {
  group_by: 'jurisdiction' | 'sector'
  /** the units below this one (default: below the caller's top) */
  jurisdiction_id?: number | null
}

const statsQuery = (q: RiskStatsQuery): Query => ({ group_by: q.group_by, jurisdiction_id: q.jurisdiction_id ?? undefined })

export const riskAdminApi = {
  stats: (q: RiskStatsQuery, opts?: RequestOptions) => http.get<RiskStats>(`${API}/risk/stats`, statsQuery(q), opts),
  /** the same figures as Excel (one row per group and the 合计) */
  statsExportUrl: (q: RiskStatsQuery) => withQuery(`${API}/risk/stats/export.xlsx`, statsQuery(q)),
  /** the bands in force at a jurisdiction (default: the caller's own) */
  bands: (jurisdictionId?: number | null, opts?: RequestOptions) =>
    http.get<RiskBandsInForce>(`${API}/risk/bands`, { jurisdiction_id: jurisdictionId ?? undefined }, opts),
  setBands: (jurisdictionId: number, bands: RiskBandSet) =>
    http.put<RiskBandsChanged>(`${API}/risk/bands`, { jurisdiction_id: jurisdictionId, ...bands } satisfies RiskBandsBody, {
      silent: [403, 422],
    }),
  rules: () => http.get<RiskRules>(`${API}/risk/rules`),
  setRules: (rules: RiskRules) => http.put<RiskRules>(`${API}/risk/rules`, rules, { silent: [403, 422] }),
}

export const OPENAPI_URL = '/api/openapi.json'
