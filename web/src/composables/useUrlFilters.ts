// A keyset-paged list whose filters live in the URL (`?level=重大&page_size=50`): the filter form,
// the filters applied, the list, and what a filter bar does (查询, 重置, page size). The page says
// how the URL reads into its filters and how they are sent.
import { reactive, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQuery } from 'vue-router'
import type { Query } from '@/api/http'
import type { Page } from '@/api/types'
import { batched } from '@/utils/batch'
import { PAGE_SIZES, useKeysetList } from './useKeysetList'

const DEFAULT_PAGE_SIZE = 20

/** The first value of a query parameter, '' when absent. */
export function queryString(v: LocationQuery[string]): string {
  const s = Array.isArray(v) ? v[0] : v
  return s ?? ''
}

/** An id parameter (ids are integers), null when absent or not one. */
export function queryId(v: LocationQuery[string]): number | null {
  const s = queryString(v)
  const n = Number(s)
  return s !== '' && Number.isSafeInteger(n) ? n : null
}

/** A route's id parameter (`/hazards/:id`); ids are integers (NaN when it is not one: the server rejects it as before). */
export function routeId(v: string | string[] | undefined): number {
  return Number(Array.isArray(v) ? v[0] : v)
}

export type YesNo = '' | 'true' | 'false'

/** A yes/no filter parameter: 'true', 'false', or '' (any) when absent or anything else. */
export function queryYesNo(v: LocationQuery[string]): YesNo {
  const s = queryString(v)
  return s === 'true' || s === 'false' ? s : ''
}

/** The URL query of some filters (as `toQuery` gives them): the values set, as strings. */
export function urlQuery(f: Query): Record<string, string> {
  const q: Record<string, string> = {}
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null) q[k] = String(v)
  return q
}

/** The pages visited before the URL's `cursor`, as the session kept them (or that page alone). */
function savedStack(key: string, cursor: string): (string | null)[] {
  if (!cursor) return [null]
  try {
    const s: unknown = JSON.parse(sessionStorage.getItem(key) ?? 'null')
    if (Array.isArray(s) && s[s.length - 1] === cursor) return s as (string | null)[]
  } catch {
    // a damaged entry: start from the URL's page
  }
  return [null, cursor]
}

export function useUrlFilters<F extends object, T>(opts: {
  /** the filters a URL asks for (unknown values dropped); `{}` gives the empty filters */
  fromQuery: (q: LocationQuery) => F
  /** the filters as sent to the list endpoint, and written to the URL */
  toQuery: (f: F) => Query
  fetch: (q: Query) => Promise<Page<T>>
  /**
   * The page's route name: given, a link to the page with other filters while it is open
   * (e.g. from a notification) fills the form and searches again.
   */
  routeName?: string
}) {
  const route = useRoute()
  const router = useRouter()

  const empty = opts.fromQuery({})
  /** what the filter bar shows */
  const form = reactive({ ...opts.fromQuery(route.query) }) as F
  /** what the list was asked with */
  const applied = ref({ ...form }) as Ref<F>

  const initialSize = Number(queryString(route.query.page_size))
  // The page (its cursor) is in the URL, the pages before it in the session: Back from a
  // hazard opened on page 3 returns to page 3, and 上一页 still walks back from there.
  const stackKey = `keyset:${route.path}`
  const list = useKeysetList<T>(
    opts.fetch,
    () => opts.toQuery(applied.value),
    PAGE_SIZES.includes(initialSize) ? initialSize : DEFAULT_PAGE_SIZE,
    { stack: savedStack(stackKey, queryString(route.query.cursor)), onMove: () => syncUrl() },
  )

  function syncUrl() {
    const q = urlQuery(opts.toQuery(applied.value))
    if (list.pageSize.value !== DEFAULT_PAGE_SIZE) q.page_size = String(list.pageSize.value)
    const stack = list.cursors.value
    const cursor = stack[stack.length - 1]
    if (cursor) q.cursor = cursor
    sessionStorage.setItem(stackKey, JSON.stringify(stack))
    void router.replace({ query: q })
  }

  function search() {
    applied.value = { ...form }
    syncUrl()
    void list.reset()
  }

  /** several filter changes in one tick search once */
  const scheduleSearch = batched(search)

  function resetFilters() {
    Object.assign(form, empty)
    scheduleSearch()
  }

  function setPageSize(n: number) {
    void list.setPageSize(n).then(syncUrl)
  }

  if (opts.routeName !== undefined) {
    const same = (a: F, b: F) => JSON.stringify(opts.toQuery(a)) === JSON.stringify(opts.toQuery(b))
    watch(
      () => route.query,
      (q) => {
        if (route.name !== opts.routeName) return
        const next = opts.fromQuery(q)
        if (same(next, applied.value)) return
        Object.assign(form, next)
        scheduleSearch()
      },
    )
  }

  return { form, applied, list, empty, search, scheduleSearch, resetFilters, setPageSize }
}
