// Keyset pagination over a `{items, next_cursor, total}` list endpoint.
// 下一页 follows `next_cursor`; 上一页 pops a stack of the cursors that opened each page.
import { computed, ref, shallowRef, type Ref } from 'vue'
import type { Query } from '@/api/http'
import type { Page } from '@/api/types'

export const PAGE_SIZES = [20, 50, 100]

/** What KeysetPager reads and calls of a list (any `useKeysetList` result). */
export interface KeysetPaging {
  total: Readonly<Ref<number>>
  totalCapped: Readonly<Ref<boolean>>
  loading: Readonly<Ref<boolean>>
  pageSize: Readonly<Ref<number>>
  pageIndex: Readonly<Ref<number>>
  pageCount: Readonly<Ref<number>>
  hasPrev: Readonly<Ref<boolean>>
  hasNext: Readonly<Ref<boolean>>
  prev: () => unknown
  next: () => unknown
  setPageSize: (n: number) => unknown
}

export function useKeysetList<T>(
  fetcher: (q: Query) => Promise<Page<T>>,
  filters: () => Query,
  pageSize = 20,
  opts: {
    /** the cursors of the pages to come back to (a list reopened with Back: see useUrlFilters) */
    stack?: (string | null)[]
    /** called when the page changes (the URL keeps it) */
    onMove?: (stack: (string | null)[]) => void
  } = {},
) {
  const items = shallowRef<T[]>([])
  const total = ref(0)
  /** The server stopped counting at a cap: there are at least `total` rows. */
  const totalCapped = ref(false)
  const loading = ref(false)
  const size = ref(pageSize)
  const error = ref<unknown>(null)
  /** cursor that opened each visited page; the first page has none */
  const stack = ref<(string | null)[]>(opts.stack?.length ? opts.stack : [null])
  const nextCursor = ref<string | null>(null)
  let seq = 0

  async function load(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const cursor = stack.value[stack.value.length - 1] ?? undefined
      const page = await fetcher({ ...filters(), page_size: size.value, cursor })
      if (mine !== seq) return
      items.value = Array.isArray(page?.items) ? page.items : []
      total.value = typeof page?.total === 'number' ? page.total : items.value.length
      totalCapped.value = page?.total_capped === true
      nextCursor.value = page?.next_cursor ?? null
    } catch (e) {
      if (mine !== seq) return
      error.value = e
      items.value = []
      nextCursor.value = null
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Back to the first page (after a filter or page-size change, or a create/delete). */
  function moveTo(s: (string | null)[]): Promise<void> {
    stack.value = s
    opts.onMove?.(s)
    return load()
  }

  function reset(): Promise<void> {
    return moveTo([null])
  }

  function next(): Promise<void> | undefined {
    if (!nextCursor.value) return
    return moveTo([...stack.value, nextCursor.value])
  }

  function prev(): Promise<void> | undefined {
    if (stack.value.length <= 1) return
    return moveTo(stack.value.slice(0, -1))
  }

  function setPageSize(n: number): Promise<void> {
    size.value = n
    return reset()
  }

  const pageIndex = computed(() => stack.value.length)
  const pageCount = computed(() => Math.max(1, Math.ceil(total.value / size.value)))
  const hasPrev = computed(() => stack.value.length > 1)
  const hasNext = computed(() => !!nextCursor.value)

  /** the cursors of the pages visited, the current one last */
  const cursors = computed(() => stack.value)

  return { items, total, totalCapped, loading, error, pageSize: size, pageIndex, pageCount, hasPrev, hasNext, cursors, load, reset, next, prev, setPageSize }
}
