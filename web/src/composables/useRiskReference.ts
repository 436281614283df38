// The risk reference (GET /api/v1/risk/reference): GB 6441 accident types, risk point kinds, control
// levels, the LEC / LS value tables, GB 18218-2018 tables 1–6, and the bands and rules in force for
// the user. The server holds the only copy (crates/domain); this fetches it once and shares it until
// `invalidateRiskReference()` (logout, or after the rules or bands change).
import { computed, ref, type ComputedRef, type Ref } from 'vue'
import { riskPointApi } from '@/api'
import type { RiskReference, RiskValueDesc } from '@/api/types'

const reference = ref<RiskReference | null>(null)
const loading = ref(false)
const failed = ref(false)
let pending: Promise<RiskReference | null> | null = null

function load(): Promise<RiskReference | null> {
  if (!pending) {
    loading.value = true
    failed.value = false
    pending = riskPointApi
      .reference()
      .then((r) => (reference.value = r))
      .catch(() => {
        failed.value = true
        pending = null // ask again on the next page that needs it
        return null
      })
      .finally(() => (loading.value = false))
  }
  return pending
}

/** Forgets the cached reference: the next user of it fetches it again. */
export function invalidateRiskReference(): void {
  pending = null
  reference.value = null
}

export interface RiskReferenceView {
  /** null until loaded */
  reference: Ref<RiskReference | null>
  loading: Ref<boolean>
  /** the request failed (network): the forms show empty lists and say so */
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
    accidentTypes: computed(() => r.value?.accident_types ?? []),
    pointKinds: computed(() => r.value?.point_kinds ?? []),
    controlLevels: computed(() => r.value?.control_levels ?? []),
    lec: computed(() => r.value?.lec ?? { l: [], e: [], c: [] }),
    ls: computed(() => r.value?.ls ?? { l: [], s: [] }),
    ready: load,
  }
}
