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
