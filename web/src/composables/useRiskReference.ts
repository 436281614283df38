// The risk reference data (GET /api/v1/risk/reference): GB 6441 accident types, risk point kinds,
// control levels and the LEC / LS value tables. Fetched once per page load and shared.
//
// The accident types come only from the server (one list, crates/domain). Until the reference has
// loaded — or on a server without the endpoint — the forms fall back to the calculator's value
// tables (utils/risk.ts) and the kinds / control levels of docs/API.md, and the accident-type
// select lets the clerk type a type (the server checks it against GB 6441).
import { computed, ref, type ComputedRef, type Ref } from 'vue'
import { riskPointApi } from '@/api'
import type { RiskReference, RiskValueDesc } from '@/api/types'
import { LEC_C, LEC_E, LEC_L, LS_L, LS_S } from '@/utils/risk'

/** docs/API.md: `kind: 场所|工艺|设备`, `control_level: 公司|车间|班组|岗位` */
const FALLBACK_KINDS = ['场所', '工艺', '设备']
const FALLBACK_CONTROL_LEVELS = ['公司', '车间', '班组', '岗位']

const reference = ref<RiskReference | null>(null)
const loading = ref(false)
const failed = ref(false)
let pending: Promise<RiskReference | null> | null = null

function valid(list: unknown): list is RiskValueDesc[] {
  return Array.isArray(list) && list.length > 0 && list.every((o) => o && typeof o === 'object' && typeof (o as RiskValueDesc).value === 'number')
}

function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string' && s !== '') : []
}

function load(): Promise<RiskReference | null> {
  if (!pending) {
    loading.value = true
    pending = riskPointApi
      .reference()
      .then((r) => {
        reference.value = r && typeof r === 'object' ? r : null
        failed.value = !reference.value
        return reference.value
      })
      .catch(() => {
        failed.value = true
        // ask again on the next page that needs it (the endpoint may be deployed by then)
        pending = null
        return null
      })
      .finally(() => (loading.value = false))
  }
  return pending
}

export interface RiskReferenceView {
  /** the raw reference, null until loaded (or when the server has none) */
  reference: Ref<RiskReference | null>
  loading: Ref<boolean>
  /** the endpoint did not answer: the accident types are free text */
  failed: Ref<boolean>
  accidentTypes: ComputedRef<string[]>
  pointKinds: ComputedRef<string[]>
  controlLevels: ComputedRef<string[]>
  lec: ComputedRef<{ l: RiskValueDesc[]; e: RiskValueDesc[]; c: RiskValueDesc[] }>
  ls: ComputedRef<{ l: RiskValueDesc[]; s: RiskValueDesc[] }>
  ready: () => Promise<RiskReference | null>
}

export function useRiskReference(): RiskReferenceView {
  void load()
  const r = reference
  return {
    reference: r,
    loading,
    failed,
    accidentTypes: computed(() => strings(r.value?.accident_types)),
    pointKinds: computed(() => {
      const k = strings(r.value?.point_kinds)
      return k.length ? k : FALLBACK_KINDS
    }),
    controlLevels: computed(() => {
      const c = strings(r.value?.control_levels)
      return c.length ? c : FALLBACK_CONTROL_LEVELS
    }),
    lec: computed(() => ({
      l: valid(r.value?.lec?.l) ? r.value!.lec.l : LEC_L,
      e: valid(r.value?.lec?.e) ? r.value!.lec.e : LEC_E,
      c: valid(r.value?.lec?.c) ? r.value!.lec.c : LEC_C,
    })),
    ls: computed(() => ({
      l: valid(r.value?.ls?.l) ? r.value!.ls.l : LS_L,
      s: valid(r.value?.ls?.s) ? r.value!.ls.s : LS_S,
    })),
    ready: load,
  }
}
