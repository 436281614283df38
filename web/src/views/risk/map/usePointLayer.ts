// The shape every layer of 风险一张图 shares, and the one for a layer of plain markers (重大隐患,
// 重大危险源): reloaded for the visible area, a load whose query did not change is skipped, a
// load overtaken by a later one is dropped, a layer switched off is emptied.
import { ref, type Ref } from 'vue'
import L from 'leaflet'
import type { MapLayerFilter } from '@/api'
import type { MapLayer as MapLayerGeoJson } from '@/api/types'
import { placedPoints, type PointLayer } from '@/utils/riskMap'

export interface MapLayer {
  /** once the map exists */
  attach(map: L.Map): void
  /** (re)load for the current view and filters; empties the layer when it is off */
  load(): Promise<void>
  /** the layer was switched on or off in the panel */
  toggle(on: boolean): void
  /** the page is leaving: pending loads are dropped */
  dispose(): void
}

export type PointQuery = Pick<MapLayerFilter, 'bbox' | 'jurisdiction_id'>

export interface PointLayerOptions<P> {
  visible: () => boolean
  query: () => PointQuery
  fetch: (q: PointQuery) => Promise<MapLayerGeoJson>
  /** the marker of one feature (with its click handler) */
  marker: (at: L.LatLngExpression, p: P) => L.Marker
}

export function usePointLayer<P>(opts: PointLayerOptions<P>): MapLayer & { count: Ref<number> } {
  const count = ref(0)
  let map: L.Map | null = null
  let group: L.LayerGroup | null = null
  let seq = 0
  /** the query of the last load: a moveend that did not move the view is not reloaded */
  let lastKey = ''

  function attach(m: L.Map) {
    map = m
    group = L.layerGroup()
    if (opts.visible()) group.addTo(m)
  }

  async function load() {
    if (!map || !group) return
    if (!opts.visible()) {
      seq++
      group.clearLayers()
      count.value = 0
      lastKey = ''
      return
    }
    const query = opts.query()
    const key = JSON.stringify(query)
    if (key === lastKey) return
    const mine = ++seq
    try {
      const points = placedPoints((await opts.fetch(query)) as PointLayer<P>)
      if (!group || mine !== seq) return
      lastKey = key
      group.clearLayers()
      for (const { lat, lng, p } of points) opts.marker([lat, lng], p).addTo(group)
      count.value = points.length
    } catch {
      /* shown by the http wrapper */
    }
  }

  function toggle(on: boolean) {
    if (!map || !group) return
    if (on) group.addTo(map)
    else map.removeLayer(group)
    void load()
  }

  function dispose() {
    seq++
    map = null
    group = null
  }

  return { count, attach, load, toggle, dispose }
}
