// Reference data shared by many pages, fetched once per page load and cached:
// the sector names, the caller's visible jurisdiction tree, the names of the listing levels.
import { ref, type Ref } from 'vue'
import { jurisdictionApi, listingApi, metaApi } from '@/api'
import type { JurisdictionNode, ListingLevel, ListingLevelName } from '@/api/types'

const levelNames = ref<ListingLevelName[]>([])
let levelNamesLoad: Promise<unknown> | null = null

/** What each 挂牌督办 level is called here (县, 镇（街道）…; the level itself until loaded). */
export function useListingLevelNames(): (level: ListingLevel) => string {
  if (!levelNamesLoad) {
    levelNamesLoad = listingApi
      .levels()
      .then((l) => (levelNames.value = l))
      .catch(() => (levelNamesLoad = null))
  }
  return (level) => levelNames.value.find((n) => n.level === level)?.label ?? level
}

const sectors = ref<string[]>([])
let sectorsLoad: Promise<string[]> | null = null

export function useSectors(): Ref<string[]> {
  if (!sectorsLoad) {
    sectorsLoad = metaApi
      .sectors()
      .then((s) => (sectors.value = s))
      .catch(() => {
        sectorsLoad = null
        return []
      })
  }
  return sectors
}

const tree = ref<JurisdictionNode[]>([])
const treeLoading = ref(false)
let treeLoad: Promise<JurisdictionNode[]> | null = null

/** The jurisdiction tree; `reload()` after an edit. */
export function useJurisdictionTree() {
  function reload(): Promise<JurisdictionNode[]> {
    treeLoading.value = true
    treeLoad = jurisdictionApi
      .tree()
      .then((t) => (tree.value = t))
      .catch(() => {
        treeLoad = null
        return tree.value
      })
      .finally(() => (treeLoading.value = false))
    return treeLoad
  }
  if (!treeLoad) void reload()
  return { tree, loading: treeLoading, reload, ready: () => treeLoad ?? reload() }
}

/** Drops the cached data (on logout: another user sees another subtree). */
export function resetMeta(): void {
  tree.value = []
  treeLoad = null
}

export function findNode(nodes: JurisdictionNode[], id: number | null | undefined): JurisdictionNode | null {
  if (id === null || id === undefined) return null
  for (const n of nodes) {
    if (n.id === id) return n
    const found = n.children ? findNode(n.children, id) : null
    if (found) return found
  }
  return null
}

/** Names from the root to the node, e.g. ["某市", "某区", "某街道"]. */
export function nodePath(nodes: JurisdictionNode[], id: number | null | undefined): JurisdictionNode[] {
  if (id === null || id === undefined) return []
  for (const n of nodes) {
    if (n.id === id) return [n]
    const sub = n.children ? nodePath(n.children, id) : []
    if (sub.length) return [n, ...sub]
  }
  return []
}

/** Ids of the first `depth` levels, for `default-expanded-keys` (a city tree has hundreds of nodes). */
export function topKeys(nodes: JurisdictionNode[], depth = 2): number[] {
  if (depth <= 0) return []
  return nodes.flatMap((n) => [n.id, ...(n.children ? topKeys(n.children, depth - 1) : [])])
}

export function countNodes(nodes: JurisdictionNode[]): number {
  return nodes.reduce((acc, n) => acc + 1 + (n.children ? countNodes(n.children) : 0), 0)
}
