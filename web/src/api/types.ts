// Shapes of the Anjian HTTP API (docs/API.md). Field names are the API's snake_case names.

export type Role = 'admin' | 'committee' | 'department' | 'station' | 'grid' | 'enterprise' | 'expert'
export type OrgKind = 'jurisdiction' | 'department' | 'enterprise'
export type JurisdictionLevel = 'city' | 'district' | 'street' | 'community' | 'grid'
export type CoordSystem = 'WGS84' | 'GCJ02'

/** Every list endpoint answers this. `next_cursor` is opaque; null on the last page. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
  total: number
  /** Present and true when the server stopped counting at a cap: at least `total` rows. */
  total_capped?: boolean
}

/** RFC 9457 problem details, as the server sends them. */
export interface FieldError {
  field?: string
  message: string
  /** import errors carry row/column instead of field */
  row?: number
  column?: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: FieldError[]
}

export interface User {
  id: number | string
  username: string
  display_name: string
  role: Role
  /** 角色中文名 (server-provided) */
  role_label?: string
  org_kind: OrgKind | null
  org_id: number | string | null
  org_name: string | null
  phone: string | null
  active: boolean
  must_change_password: boolean
  version: number
}

export interface LoginResponse {
  token: string
  user: User
}

export interface Jurisdiction {
  id: number | string
  parent_id: number | string | null
  level: JurisdictionLevel
  code: string | null
  name: string
  path?: string
  boundary?: unknown
  timezone?: string
  version: number
}

export interface JurisdictionNode {
  id: number | string
  name: string
  level: JurisdictionLevel
  code: string | null
  children?: JurisdictionNode[]
}

export interface Department {
  id: number | string
  jurisdiction_id: number | string
  jurisdiction_name?: string | null
  name: string
  sectors: string[]
  version: number
}

export interface Enterprise {
  id: number | string
  name: string
  credit_code: string
  address: string | null
  longitude: number | null
  latitude: number | null
  coord_system: CoordSystem | null
  jurisdiction_id: number | string | null
  jurisdiction_name: string | null
  grid_id: number | string | null
  grid_name: string | null
  sectors: string[]
  above_scale: boolean
  key_enterprise: boolean
  employees: number | null
  legal_representative: string | null
  safety_manager: string | null
  contact_phone: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface ImportResult {
  imported: number
  failed: number
  errors: FieldError[]
}

export interface AuditRecord {
  id: number | string
  at: string
  actor_id: number | string | null
  actor_name: string | null
  action: string
  entity: string
  entity_id: number | string | null
  summary: string | null
  before: unknown
  after: unknown
  prev_hash: string
  hash: string
}

export interface AuditVerify {
  ok: boolean
  checked: number
  first_broken_id: number | string | null
}

export type Id = number | string

// ---- hazards (隐患排查治理) ----
export type HazardGrade = '一般' | '重大'
export type HazardSource = '企业自查' | '政府检查' | '网格巡查' | '群众举报' | '第三方'
export type HazardState = 'reported' | 'rectifying' | 'pending_verification' | 'closed' | 'rejected'
export type ListingLevel = '市' | '区' | '街道'

/** POST /api/v1/files answer. */
export interface UploadedFile {
  id: Id
  name: string
  content_type: string
  size: number
  url: string
}

/** 治理方案; the first five are the 五到位. */
export interface RectificationPlan {
  measures: string
  responsible: string
  funds: string
  deadline: string
  contingency: string
  goal: string
}

/** 挂牌督办 of a 重大 hazard. */
export interface HazardListing {
  level: ListingLevel
  supervising_unit: string
  document_number: string
  deadline: string
  year?: number
  listed_at?: string | null
  listed_by?: string | null
}

export interface Hazard {
  id: Id
  number: string
  enterprise_id: Id
  enterprise_name: string | null
  jurisdiction_name: string | null
  sector: string | null
  location: string | null
  description: string
  grade: HazardGrade
  category: string | null
  source: HazardSource
  state: HazardState
  state_label?: string | null
  overdue: boolean
  days_overdue: number | null
  found_by_name: string | null
  found_at: string | null
  deadline: string | null
  responsible: string | null
  plan: Partial<RectificationPlan> | null
  /** the 判定标准 item a checklist finding matched */
  criterion?: string | null
  listing: HazardListing | null
  /** 0 none, 1 企业 reminded, 2 属地安监站, 3 安委办 */
  escalation_level: number | null
  closed_at: string | null
  rectified_on_time: boolean | null
  version: number
  created_at: string
  updated_at: string
}

export interface HazardPhoto {
  file_id: Id
  kind: 'before' | 'after'
  url: string
  name: string | null
}

export interface HazardEvent {
  action: string
  action_label: string | null
  from_state: HazardState | null
  to_state: HazardState | null
  actor_name: string | null
  comment: string | null
  at: string
}

export interface HazardDetail extends Hazard {
  photos: HazardPhoto[]
  events: HazardEvent[]
}

export interface ListingSummary {
  level: ListingLevel
  quota: number
  used: number
  closed: number
  closed_on_time: number
  on_time_rate: number | null
}

export interface HazardStatsRow {
  found: number
  rectified: number
  rectification_rate: number | null
  on_time_rate: number | null
  overdue: number
  major: number
  listed: number
}

export interface HazardStatsGroup extends HazardStatsRow {
  key: string | number | null
  label: string | null
}

export interface HazardStats {
  totals: HazardStatsRow
  groups: HazardStatsGroup[]
}

export type ChecklistResult = '符合' | '不符合' | '不适用'

export interface ChecklistItem {
  code: string
  text: string
  /** an item of an official 判定标准: a finding against it is a 重大 hazard */
  major: boolean
}

export interface ChecklistTemplate {
  id: Id
  name: string
  sector: string
  /** 依据 */
  basis?: string | null
  /** a built-in official 判定标准 */
  official: boolean
  item_count?: number
  /** only in GET /checklists/{id} */
  items?: ChecklistItem[]
}

export interface ChecklistRunResult {
  run_id: Id
  hazards: Hazard[]
}

export interface AppNotification {
  id: Id
  hazard_id: Id | null
  /** the risk point of a 评审逾期 reminder */
  risk_point_id: Id | null
  /** escalation level of the reminder (1 企业, 2 安监站, 3 安委办) */
  level?: number
  title: string
  body: string
  created_at: string
  read: boolean
}

/** 隐患排查治理统计分析表 of one enterprise (quarter or year); rates in percent. */
export interface EnterpriseHazardReport {
  enterprise_id: Id
  enterprise_name: string
  period: string
  period_start: string
  period_end: string
  /** 报送期限 */
  due: string
  general_found: number
  general_rectified: number
  general_rate: number
  major_found: number
  major_rectified: number
  major_rate: number
  major_planned: number
  major_five_in_place: number
  major_listed: number
  open_at_end: number
  major_hazards: Hazard[]
}

// ---- risk (风险分级管控): calculators ----

export type RiskMethod = 'LEC' | 'LS'
export type RiskLevel = '重大' | '较大' | '一般' | '低'
export type RiskColor = 'red' | 'orange' | 'yellow' | 'blue'

/** POST /risk/assess: the scores of one method (the same shape as a risk point's `scores`). */
export type RiskAssessRequest = RiskScores

/** POST /risk/assess: D = L×E×C (LEC) or R = L×S (LS), with its 四色 level. */
export interface RiskAssessment {
  score: number
  level: RiskLevel
  color: RiskColor
}

export type MajorHazardUnit = 'storage' | 'production'

export interface MajorHazardSubstance {
  name?: string
  cas?: string
  /** Table 2 symbol: J1…J5, W1.1…W11 */
  category?: string
  quantity_t: number
}

export interface MajorHazardRequest {
  unit: MajorHazardUnit
  substances: MajorHazardSubstance[]
  /** people within 500 m of the unit's boundary */
  exposed_people: number
}

/** One term of S = Σ q/Q and R = α Σ β q/Q. */
export interface MajorHazardTerm {
  substance: string
  q: number
  critical_q: number
  /** 表1, or 表2 with the category (`表2 W5.3`) */
  critical_q_source: string
  beta: number
  /** 表3, or 表4 with the category */
  beta_source: string
  /** q / Q */
  ratio: number
}

export interface MajorHazardResult {
  s: number
  is_major: boolean
  r: number
  alpha: number
  /** 一级…四级; null when S < 1 */
  grade: MajorHazardGrade | null
  terms: MajorHazardTerm[]
}

// ---- risk one-map (风险一张图) ----
/** an enterprise's colour on the map: grey = 未评级 */
export type MapColor = RiskColor | 'grey'

export interface MapSettings {
  /** tile URL template with {z}/{x}/{y}; null: no tile server (plain background) */
  tile_url: string | null
  attribution: string | null
}

export interface GeoPointFeature<P> {
  type: 'Feature'
  geometry: { type: 'Point'; coordinates: [number | null, number | null] }
  properties: P
}

export interface GeoFeatureCollection<F> {
  type: 'FeatureCollection'
  features: F[]
}

export interface MapEnterpriseProps {
  id: Id
  name: string
  level: RiskLevel | null
  color: MapColor
  sectors: string[]
  key_enterprise: boolean
}

export interface MapHazardProps {
  id: Id
  number: string
  state: string
  description: string
  enterprise_name: string
  deadline: string
  overdue: boolean
}

export type MajorHazardGrade = '一级' | '二级' | '三级' | '四级'

/** a registered 重大危险源 unit on the map */
export interface MapMajorHazardProps {
  id: Id
  name: string
  grade: MajorHazardGrade
  /** R 值 (the unit's risk figure) */
  r: number
  enterprise_id: Id
  enterprise_name: string
}

export interface MapBoundaryProps {
  id: Id
  name: string
  level: JurisdictionLevel
}

export interface MapBoundaryFeature {
  type: 'Feature'
  /** GeoJSON Polygon / MultiPolygon (or null when a jurisdiction has no boundary) */
  geometry: { type: string; coordinates: unknown } | null
  properties: MapBoundaryProps
}

export interface MapLayerFilter {
  /** west,south,east,north */
  bbox?: string
  level?: RiskLevel | null
  sector?: string | null
  jurisdiction_id?: Id | null
}

// ---- risk points (风险点, 风险清单) ----

/** 管控措施 at the four levels of control. */
export interface ControlMeasures {
  /** 工程技术措施 */
  engineering: string
  /** 管理措施 */
  management: string
  /** 个体防护措施 */
  ppe: string
  /** 应急处置措施 */
  emergency: string
}

/** The scores as entered: LEC (D = L×E×C) or LS (R = L×S). */
export type RiskScores = { method: 'LEC'; l: number; e: number; c: number } | { method: 'LS'; l: number; s: number }

/** POST /risk/points (PATCH: the changed fields, without the enterprise) */
export interface RiskPointInput {
  enterprise_id: Id
  name: string
  /** 场所 / 工艺 / 设备 */
  kind: string
  location: string
  /** 危险有害因素 */
  hazard_factors: string
  /** GB 6441 事故类型 */
  accident_types: string[]
  measures: ControlMeasures
  responsible: string
  /** 公司 / 车间 / 班组 / 岗位 */
  control_level: string
  scores: RiskScores
  /** 下次评审日期 YYYY-MM-DD */
  next_review: string
}

/** A risk point as the server answers it: the input with its assessment. */
export interface RiskPoint extends RiskPointInput {
  id: Id
  enterprise_name: string
  score: number
  /** 评价等级 (from the scores) */
  assessed_level: RiskLevel
  /** 当前等级 (dynamic: raised to 重大 while a linked 重大 hazard is open) */
  level: RiskLevel
  color: RiskColor
  /** why the current level differs from the assessed one */
  level_reason: string | null
  review_overdue: boolean
  version: number
  updated_at: string
}

export type RiskPointPatch = Partial<Omit<RiskPointInput, 'enterprise_id'>> & { version: number }

/** GET /enterprises/{id}/risk: the enterprise's level (highest point, or the committee's override). */
export interface EnterpriseRisk {
  enterprise_id: Id
  /** null while the enterprise has no risk point */
  level: RiskLevel | null
  color: RiskColor | null
  source: 'computed' | 'override'
  computed_level: RiskLevel | null
  override_reason: string | null
  override_by: string | null
  /** points per current level: [[level, count], ...] */
  points: [RiskLevel, number][]
}

export interface RiskValueDesc {
  value: number
  desc: string
}

/** GET /risk/reference: the option lists and value tables of the risk forms. */
export interface RiskReference {
  /** the 20 accident types of GB 6441 */
  accident_types: string[]
  point_kinds: string[]
  control_levels: string[]
  lec: { l: RiskValueDesc[]; e: RiskValueDesc[]; c: RiskValueDesc[] }
  ls: { l: RiskValueDesc[]; s: RiskValueDesc[] }
  /** the bands in force where the caller is */
  bands: RiskBandsInForce
  /** GB 18218-2018 表1–表6 */
  gb18218: Gb18218Reference
  rules: RiskRules
}

// ---- GB 18218-2018 reference tables, bands, rules, 风险统计, 重大危险源 (registered units) ----

/** 表1: a named chemical; `beta` is its 表3 β (toxic gases), else null */
export interface Gb18218Named {
  name: string
  aliases: string[]
  /** may hold several numbers with notes, e.g. `74-82-8(甲烷);8006-14-2(天然气)` */
  cas: string
  critical_q: number
  beta: number | null
}

/** 表2 (临界量) and 表4 (β) by hazard category symbol (J1…J5, W1.1…W11) */
export interface Gb18218Category {
  symbol: string
  /** 健康危害 / 物理危险 */
  group: string
  category: string
  description: string
  critical_q: number
  beta: number | null
}

export interface Gb18218Reference {
  named: Gb18218Named[]
  categories: Gb18218Category[]
  /** 表3: β of the named toxic gases (`desc` is the gas) */
  toxic_gases: RiskValueDesc[]
  /** 表5: α by people within 500 m (`min` people and more) */
  alpha: { label: string; min: number; alpha: number }[]
  /** 表6: grade by R (`r_min` inclusive; null for the lowest) */
  grades: { grade: string; expression: string; r_min: number | null }[]
}

/** Lower bounds (inclusive) of 重大, 较大, 一般; anything below 一般 is 低. */
export interface RiskBandBounds {
  major: number
  considerable: number
  general: number
}

export interface RiskBandSet {
  lec: RiskBandBounds
  ls: RiskBandBounds
}

/** GET /risk/bands */
export interface RiskBandsInForce {
  bands: RiskBandSet
  /** the jurisdiction whose setting applies; null: the reference defaults */
  set_by_jurisdiction_id: Id | null
}

/** GET/PUT /risk/rules */
export interface RiskRules {
  /** 动态风险: an open 重大 hazard linked to a point raises it to 重大 */
  dynamic_level: boolean
  /** days a review may be overdue before the station is reminded (1–366) */
  review_station_after_days: number
}

export interface RiskLevelCounts {
  major: number
  considerable: number
  general: number
  low: number
}

/** One group of 风险统计 (or the totals). */
export interface RiskTally {
  /** a jurisdiction id (group_by=jurisdiction) or the sector name */
  key: string
  label: string
  /** 风险点 by assessed level */
  points: RiskLevelCounts
  /** 企业 by current level */
  enterprises: RiskLevelCounts
  unassessed_enterprises: number
  review_overdue: number
  major_hazard_sources: number
}

export interface RiskStats {
  totals: RiskTally
  groups: RiskTally[]
}

/** A substance as stored with a unit (the fields left out come back null). */
export interface MajorHazardStoredSubstance {
  name?: string | null
  cas?: string | null
  category?: string | null
  quantity_t: number
}

/** A registered identification unit (重大危险源 when `is_major`), graded on save. */
export interface MajorHazardSource {
  id: Id
  enterprise_id: Id
  enterprise_name: string
  name: string
  unit_kind: MajorHazardUnit
  substances: MajorHazardStoredSubstance[]
  exposed_people: number
  s: number
  r: number
  alpha: number
  is_major: boolean
  grade: MajorHazardGrade | null
  terms: MajorHazardTerm[]
  version: number
  updated_at: string
}

export interface MajorHazardSourceInput {
  enterprise_id: Id
  name: string
  unit_kind: MajorHazardUnit
  substances: MajorHazardSubstance[]
  exposed_people: number
}

export type MajorHazardSourcePatch = Partial<Omit<MajorHazardSourceInput, 'enterprise_id'>> & { version: number }
