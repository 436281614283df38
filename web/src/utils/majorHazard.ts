// 重大危险源 (GB 18218-2018) form helpers shared by the calculator (风险计算器) and the register
// (重大危险源): the editable substance rows, lookups in 表1 / 表2 of GET /risk/reference, the
// client-side checks before asking the server, and readable places for field errors.
import { ApiError, fieldErrorMap } from '@/api/http'
import type {
  Gb18218Category,
  Gb18218Named,
  Gb18218Reference,
  MajorHazardSource,
  MajorHazardSubstance,
  MajorHazardUnit,
} from '@/api/types'
import { GRADE_COLORS, num } from './risk'

export interface SubstanceRow {
  uid: number
  name: string
  cas: string
  category: string
  quantity: number | null
}

export type RowField = 'name' | 'cas' | 'category' | 'quantity_t'

export const UNIT_KINDS: { value: MajorHazardUnit; label: string }[] = [
  { value: 'storage', label: '储存单元' },
  { value: 'production', label: '生产单元' },
]

export function unitLabel(kind: string | null | undefined): string {
  return UNIT_KINDS.find((u) => u.value === kind)?.label ?? (kind || '')
}

/** 一级 … 四级 (GB 18218-2018 表6) */
export const GRADES = GRADE_COLORS.map((g) => g.grade)

let nextUid = 1
export function emptyRow(init: Partial<Omit<SubstanceRow, 'uid'>> = {}): SubstanceRow {
  return { uid: nextUid++, name: '', cas: '', category: '', quantity: null, ...init }
}

/**
 * The rows of a registered unit. The document types a unit's `substances` as bare objects; they
 * are the `SubstanceInput`s it was saved with (name, cas, category null when left out).
 */
export function rowsFrom(substances: MajorHazardSource['substances'] | null | undefined): SubstanceRow[] {
  const rows = ((substances ?? []) as MajorHazardSubstance[]).map((s) => emptyRow({ name: s.name ?? '', cas: s.cas ?? '', category: s.category ?? '', quantity: s.quantity_t }))
  return rows.length ? rows : [emptyRow()]
}

export function rowKey(i: number, f: RowField): string {
  return `substances[${i}].${f}`
}

/** A row the clerk has not touched. */
export function isBlank(r: SubstanceRow): boolean {
  return !r.name.trim() && !r.cas.trim() && !r.category && r.quantity === null
}

// ---- 表1 / 表2 lookups ----
export const PLAIN_CAS = /^\d{2,7}-\d{2}-\d$/

function norm(s: string): string {
  return s.trim().replace(/[（）()]/g, '')
}

/** The 表1 entry a row resolves to, as the server matches it: by CAS first, then name or alias. */
function findNamed(gb: Gb18218Reference | null | undefined, row: Pick<SubstanceRow, 'name' | 'cas'>): Gb18218Named | undefined {
  const named = gb?.named ?? []
  const cas = row.cas.trim()
  if (cas) {
    const byCas = named.find((c) => c.cas === cas || c.cas.split(/[;；]/).some((part) => part.replace(/\(.*\)$/, '').trim() === cas))
    if (byCas) return byCas
  }
  const name = norm(row.name)
  if (!name) return undefined
  return named.find((c) => norm(c.name) === name || c.aliases.some((a) => norm(a) === name))
}

function findCategory(gb: Gb18218Reference | null | undefined, symbol: string): Gb18218Category | undefined {
  return symbol ? gb?.categories.find((c) => c.symbol === symbol) : undefined
}

export interface NamedSuggestion {
  value: string
  chem: Gb18218Named
}

/** 表1 names matching the text (name, alias or CAS): exact first, then prefix, then substring. */
export function suggestNamed(gb: Gb18218Reference | null | undefined, query: string, limit = 30): NamedSuggestion[] {
  const named = gb?.named ?? []
  const q = query.trim()
  const rank = (c: Gb18218Named) => {
    const names = [c.name, ...c.aliases]
    if (names.includes(q) || c.cas === q) return 0
    if (names.some((n) => n.startsWith(q)) || c.cas.startsWith(q)) return 1
    if (names.some((n) => n.includes(q)) || c.cas.includes(q)) return 2
    return 3
  }
  const list = q
    ? named
        .map((chem) => ({ chem, r: rank(chem) }))
        .filter((x) => x.r < 3)
        .sort((a, b) => a.r - b.r)
        .map((x) => x.chem)
    : named
  return list.slice(0, limit).map((chem) => ({ value: chem.name, chem }))
}

/** What the row resolves to, as the server will see it: 表1 or the category (表2 / 表4). */
export function rowHint(gb: Gb18218Reference | null | undefined, row: SubstanceRow): string {
  if (!gb) return ''
  const named = findNamed(gb, row)
  if (named) {
    const b = named.beta !== null ? `，β ${num(named.beta)}（表3）` : row.category ? '' : '，β 须按类别（表4）'
    return `表1「${named.name}」临界量 Q = ${num(named.critical_q)} t${b}`
  }
  const cat = findCategory(gb, row.category)
  if (cat) return `表2 ${cat.symbol} 临界量 Q = ${num(cat.critical_q)} t${cat.beta !== null ? `，β ${num(cat.beta)}（表4）` : ''}`
  if (row.name.trim() || row.cas.trim()) return '不在表1：请选择危险性类别（表2）'
  return ''
}

/** 表2 grouped for the select (健康危害, 物理危险). */
export function categoryGroups(gb: Gb18218Reference | null | undefined): { label: string; options: Gb18218Category[] }[] {
  const out: { label: string; options: Gb18218Category[] }[] = []
  for (const c of gb?.categories ?? []) {
    let g = out.find((x) => x.label === c.group)
    if (!g) out.push((g = { label: c.group, options: [] }))
    g.options.push(c)
  }
  return out
}

// ---- checks before sending ----

/** Field errors of the people and the rows, keyed like the server's (`substances[1].quantity_t`). */
export function checkInput(people: number | null | undefined, rows: SubstanceRow[]): Record<string, string> {
  const errs: Record<string, string> = {}
  if (people === null || people === undefined || !Number.isFinite(people)) errs.exposed_people = '请填写500米范围内的常住人口'
  else if (people < 0 || !Number.isInteger(people)) errs.exposed_people = '人数应为不小于0的整数'
  rows.forEach((r, i) => {
    if (r.quantity === null || r.quantity === undefined || !Number.isFinite(r.quantity)) errs[rowKey(i, 'quantity_t')] = '请填写实际存在量（t）'
    else if (r.quantity < 0) errs[rowKey(i, 'quantity_t')] = '实际存在量应为不小于0的吨数'
    if (!r.name.trim() && !r.cas.trim() && !r.category) errs[rowKey(i, 'name')] = '请填写物质名称、CAS号或危险性类别'
  })
  return errs
}

export function substancesOf(rows: SubstanceRow[]): MajorHazardSubstance[] {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined)
  return rows.map((r) => ({ name: opt(r.name), cas: opt(r.cas), category: opt(r.category), quantity_t: r.quantity as number }))
}

const FIELD_NAMES: Record<string, string> = {
  name: '物质名称',
  cas: 'CAS号',
  category: '危险性类别',
  quantity_t: '实际存在量',
}

const TOP_FIELDS: Record<string, string> = {
  exposed_people: '常住人口',
  substances: '危险化学品',
  unit: '单元类型',
  unit_kind: '单元类型',
  name: '单元名称',
  enterprise_id: '企业',
}

/**
 * The answer to a rejected calculation or save: a 400 / 422 gives the field errors (keyed like
 * `substances[1].quantity_t`) and the summary; null for any other failure (the http wrapper or
 * the caller says it).
 */
export function rejection(e: unknown): { errors: Record<string, string>; message: string } | null {
  if (!(e instanceof ApiError) || (e.status !== 400 && e.status !== 422)) return null
  const errors = fieldErrorMap(e)
  return { errors, message: Object.keys(errors).length ? '提交的数据未通过校验，请修改标红的内容' : e.detail }
}

/** Every error with a readable place, for the summary under the table. */
export function errorPlaces(errors: Record<string, string>): { field: string; place: string; message: string }[] {
  return Object.entries(errors).map(([field, message]) => {
    const m = /^substances\[(\d+)\]\.(\w+)$/.exec(field)
    if (m) return { field, place: `第${Number(m[1]) + 1}行 ${FIELD_NAMES[m[2]!] ?? m[2]}`, message }
    return { field, place: TOP_FIELDS[field] ?? field, message }
  })
}
