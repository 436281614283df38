// 风险一张图: the layers' shapes, colours and the pure helpers of the map page (no Leaflet here).
import type { LocationQuery } from 'vue-router'
import type { Query } from '@/api/http'
import type { JurisdictionLevel, RiskLevel } from '@/api/types'
import { queryId, queryString as str } from '@/composables/useUrlFilters'
import type { MajorHazardGrade, RiskColor } from '@/utils/risk'

// The layers' GeoJSON. The API document types every layer as a bare object (`MapLayer`); these are
// the shapes the server's layers send (crates/store/src/map.rs), narrowed here where they are read.
/** an enterprise's colour on the map: grey = 未评级 */
export type MapColor = RiskColor | 'grey'
export type PointLayer<P> = {
  type: 'FeatureCollection'
  features: { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number | null, number | null] }; properties: P }[]
}
export type MapEnterpriseProps = {
  id: number
  name: string
  level: RiskLevel | null
  color: MapColor
  sectors: string[]
  key_enterprise: boolean
}
export type MapHazardProps = {
  id: number
  number: string
  state: string
  description: string
  enterprise_name: string
  deadline: string
  overdue: boolean
}
/** a registered 重大危险源 unit (the layer has only those that are one, so a grade) */
export type MapMajorHazardProps = {
  id: number
  name: string
  grade: MajorHazardGrade
  /** R 值 (the unit's risk figure) */
  r: number
  enterprise_id: number
  enterprise_name: string
}
export type MapBoundaryFeature = {
  type: 'Feature'
  /** GeoJSON Polygon / MultiPolygon (or null when a jurisdiction has no boundary) */
  geometry: { type: string; coordinates: unknown } | null
  properties: { id: number; name: string; level: JurisdictionLevel }
}
export type BoundaryLayer = { type: 'FeatureCollection'; features: MapBoundaryFeature[] }

export type LayerKey = 'boundaries' | 'enterprises' | 'hazards' | 'majorHazards'
export type BoundaryLevel = 'street' | 'community' | 'grid'
export type Selected =
  | { kind: 'enterprise'; p: MapEnterpriseProps }
  | { kind: 'hazard'; p: MapHazardProps }
  | { kind: 'majorHazard'; p: MapMajorHazardProps }
/** the layer a selected feature belongs to (switching it off closes the card) */
export const SELECTED_LAYER: Record<Selected['kind'], LayerKey> = {
  enterprise: 'enterprises',
  hazard: 'hazards',
  majorHazard: 'majorHazards',
}

export const LEVELS: RiskLevel[] = ['重大', '较大', '一般', '低']
export const COLORS: Record<MapColor, string> = {
  red: '#e53935',
  orange: '#fb8c00',
  yellow: '#fdd835',
  blue: '#1e88e5',
  grey: '#9e9e9e',
}
/** how bad a colour is: a cluster shows its worst */
export const RANK: Record<MapColor, number> = { grey: 0, blue: 1, yellow: 2, orange: 3, red: 4 }
export const LEVEL_COLOR: Record<RiskLevel, MapColor> = { 重大: 'red', 较大: 'orange', 一般: 'yellow', 低: 'blue' }
export const LEGEND: { label: string; color: string }[] = [
  { label: '重大风险', color: COLORS.red },
  { label: '较大风险', color: COLORS.orange },
  { label: '一般风险', color: COLORS.yellow },
  { label: '低风险', color: COLORS.blue },
  { label: '未评级', color: COLORS.grey },
]
/** 重大危险源 grade → marker colour, dark red (一级) to light red (四级) */
export const GRADES: MajorHazardGrade[] = ['一级', '二级', '三级', '四级']
export const GRADE_COLORS: Record<MajorHazardGrade, string> = {
  一级: '#7f0000',
  二级: '#b71c1c',
  三级: '#e53935',
  四级: '#ef9a9a',
}
// Changzhou, until the boundaries say where the caller's jurisdiction is
export const DEFAULT_CENTER: [number, number] = [31.81, 119.97]

export function gradeColor(g: string | null | undefined): string {
  return GRADE_COLORS[g as MajorHazardGrade] ?? GRADE_COLORS['三级']
}
export function gradeTextColor(g: string | null | undefined): string {
  return g === '四级' ? '#5d0000' : '#fff'
}
export function gradeTagStyle(g: string | null | undefined) {
  const hex = gradeColor(g)
  return { background: hex, borderColor: hex, color: gradeTextColor(g) }
}

/** a layer's colour name (or a #hex) as a CSS colour */
export function colorOf(c: string | null | undefined): string {
  if (!c) return COLORS.grey
  if (c.startsWith('#')) return c
  return COLORS[c as MapColor] ?? COLORS.grey
}

export function levelTagStyle(level: RiskLevel | null) {
  const hex = level ? COLORS[LEVEL_COLOR[level]] : COLORS.grey
  return { background: hex, borderColor: hex, color: level === '一般' ? '#3e2f00' : '#fff' }
}

/** the colour of a cluster whose worst marker has rank `worst` */
export function rankColor(worst: number): MapColor {
  return (Object.keys(RANK) as MapColor[]).find((k) => RANK[k] === worst) ?? 'grey'
}

/** a cluster of `n`: its icon's size in pixels and its label (12k for 12,000) */
export function clusterBadge(n: number): { size: number; label: string } {
  const size = n < 100 ? 34 : n < 1000 ? 40 : n < 10000 ? 46 : 52
  return { size, label: n >= 10000 ? `${Math.round(n / 1000)}k` : String(n) }
}

/** `west,south,east,north` of the visible area, clamped to the globe, for the layers' `bbox` */
export function bboxParam(b: { getWest(): number; getSouth(): number; getEast(): number; getNorth(): number }): string {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map((v) => v.toFixed(6))
    .join(',')
}

/** the features of a point layer that have both coordinates */
export function placedPoints<P>(fc: PointLayer<P> | null | undefined): { lat: number; lng: number; p: P }[] {
  const out: { lat: number; lng: number; p: P }[] = []
  for (const f of fc?.features ?? []) {
    const [lng, lat] = f.geometry?.coordinates ?? []
    if (typeof lng === 'number' && typeof lat === 'number') out.push({ lat, lng, p: f.properties })
  }
  return out
}

export interface MapFilters {
  level: RiskLevel | null
  sector: string | null
  jurisdiction_id: number | null
}

/** the filters a URL asks for (an unknown level dropped) */
export function filtersFromQuery(q: LocationQuery): MapFilters {
  const level = str(q.level)
  return {
    level: (LEVELS as string[]).includes(level) ? (level as RiskLevel) : null,
    sector: str(q.sector) || null,
    jurisdiction_id: queryId(q.jurisdiction_id),
  }
}

/** the filters as written to the URL (a cleared select may give '' or undefined) */
export function filtersToQuery(f: MapFilters): Query {
  return {
    level: f.level || undefined,
    sector: f.sector || undefined,
    jurisdiction_id: f.jurisdiction_id !== null && f.jurisdiction_id !== undefined ? String(f.jurisdiction_id) : undefined,
  }
}
