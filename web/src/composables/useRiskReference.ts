// The risk reference (GET /api/v1/risk/reference): GB 6441 accident types, risk point kinds, control
// levels, the LEC / LS value tables, GB 18218-2018 tables 1–6, and the bands and rules in force for
// the user. The server holds the only copy (crates/domain); this fetches it once and shares it until
// `invalidateRiskReference()` (logout, or after the rules or bands change).
import { computed, ref, type ComputedRef, type Ref } from 'vue'
import { riskPointApi } from '@/api'
import type { Gb18218Reference, RiskMethod, RiskReference, RiskValueDesc } from '@/api/types'
import type { ScoreKey } from '@/utils/riskPoint'

const reference = ref<RiskReference | null>(null)
const loading = ref(false)
const failed = ref(false)
let pending: Promise<RiskReference | null> | null = null
/** bumped by invalidateRiskReference(): an answer to an older request is dropped */
let generation = 0

function load(): Promise<RiskReference | null> {
  if (!pending) {
    const mine = generation
    loading.value = true
    failed.value = false
    pending = riskPointApi
      .reference()
      .then((r) => {
        if (mine !== generation) return null
        reference.value = r
        return r
      })
      .catch(() => {
        if (mine === generation) {
          failed.value = true
          pending = null // ask again on the next page that needs it
        }
        return null
      })
      .finally(() => {
        if (mine === generation) loading.value = false
      })
  }
  return pending
}

/** Forgets the cached reference: the next user of it fetches it again. */
export function invalidateRiskReference(): void {
  generation++
  pending = null
  reference.value = null
  loading.value = false
  failed.value = false
}

export interface RiskReferenceView {
  /** null until loaded */
  reference: Ref<RiskReference | null>
  loading: Ref<boolean>
  /** the request failed (network): the forms show empty lists and say so (RiskReferenceAlert) */
  failed: Ref<boolean>
  accidentTypes: ComputedRef<string[]>
  pointKinds: ComputedRef<string[]>
  controlLevels: ComputedRef<string[]>
  gb18218: ComputedRef<Gb18218Reference | null>
  /** the value table of one factor of a method (empty until loaded) */
  valueTable: (method: RiskMethod, key: ScoreKey) => RiskValueDesc[]
  ready: () => Promise<RiskReference | null>
}

export function useRiskReference(): RiskReferenceView {
  void load()
  const r = reference
  return {
    reference: r,
    loading,
    failed,
    accidentTypes: computed(() => r.value?.accident_types ?? []),
    pointKinds: computed(() => r.value?.point_kinds ?? []),
    controlLevels: computed(() => r.value?.control_levels ?? []),
    gb18218: computed(() => r.value?.gb18218 ?? null),
    valueTable: (method, key) => {
      const table: Partial<Record<ScoreKey, RiskValueDesc[]>> | undefined = method === 'LEC' ? r.value?.lec : r.value?.ls
      return table?.[key] ?? []
    },
    ready: load,
  }
}
