// 企业风险点位 on 风险一张图: the enterprises in view as canvas circles coloured by their risk level,
// clustered (a cluster shows its worst colour). A pan adds and removes only the difference.
import { ref } from 'vue'
import L from 'leaflet'
import 'leaflet.markercluster'
import { mapApi, type MapLayerFilter } from '@/api'
import { clusterBadge, colorOf, placedPoints, RANK, rankColor, type MapEnterpriseProps, type PointLayer } from '@/utils/riskMap'
import type { MapLayer } from './usePointLayer'

export interface EnterpriseLayerOptions {
  visible: () => boolean
  query: () => MapLayerFilter
  pick: (p: MapEnterpriseProps) => void
  /** after every change of the markers (the browser tests' hook) */
  onCount?: (n: number) => void
}

export function useEnterpriseLayer(opts: EnterpriseLayerOptions): MapLayer & { clear(): void; count: typeof count; loading: typeof loading } {
  const count = ref(0)
  const loading = ref(false)
  let map: L.Map | null = null
  let canvas: L.Canvas | null = null
  let cluster: L.MarkerClusterGroup | null = null
  let seq = 0
  let lastKey = ''
  /** `id|colour` → marker of the enterprises on the map */
  const markers = new Map<string, L.CircleMarker>()
  const markerProps = new WeakMap<L.Layer, MapEnterpriseProps>()
  const markerRank = new WeakMap<L.Layer, number>()

  function setCount(n: number) {
    count.value = n
    opts.onCount?.(n)
  }

  function clusterIcon(c: L.MarkerCluster): L.DivIcon {
    let worst = 0
    for (const m of c.getAllChildMarkers()) {
      const r = markerRank.get(m) ?? 0
      if (r > worst) {
        worst = r
        if (r === RANK.red) break
      }
    }
    const { size, label } = clusterBadge(c.getChildCount())
    return L.divIcon({ html: `<div><span>${label}</span></div>`, className: `map-cluster map-cluster-${rankColor(worst)}`, iconSize: L.point(size, size) })
  }

  function attach(m: L.Map) {
    map = m
    canvas = L.canvas({ padding: 0.3 })
    cluster = L.markerClusterGroup({
      chunkedLoading: true,
      chunkInterval: 120,
      chunkDelay: 30,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      disableClusteringAtZoom: 18,
      maxClusterRadius: 60,
      removeOutsideVisibleBounds: true,
      iconCreateFunction: clusterIcon,
    })
    cluster.on('click', (e: L.LeafletEvent) => {
      const p = markerProps.get((e as L.LeafletMouseEvent & { layer: L.Layer }).layer)
      if (p) opts.pick(p)
    })
    if (opts.visible()) cluster.addTo(m)
  }

  /** Every marker off (the filters changed: the colours may have too). */
  function clear() {
    cluster?.clearLayers()
    markers.clear()
    lastKey = ''
  }

  function marker(lat: number, lng: number, p: MapEnterpriseProps): L.CircleMarker {
    const m = L.circleMarker([lat, lng], {
      renderer: canvas ?? undefined,
      radius: p.key_enterprise ? 8 : 6,
      color: '#ffffff',
      weight: 1.5,
      fillColor: colorOf(p.color),
      fillOpacity: 0.95,
    })
    markerProps.set(m, p)
    markerRank.set(m, RANK[p.color] ?? 0)
    return m
  }

  async function load() {
    if (!map || !cluster) return
    if (!opts.visible()) {
      seq++
      loading.value = false
      clear()
      setCount(0)
      return
    }
    const query = opts.query()
    const key = JSON.stringify(query)
    if (key === lastKey) return
    const mine = ++seq
    loading.value = true
    try {
      const points = placedPoints((await mapApi.enterprises(query)) as PointLayer<MapEnterpriseProps>)
      if (!map || !cluster || mine !== seq) return
      lastKey = key
      const seen = new Set<string>()
      const add: L.CircleMarker[] = []
      for (const { lat, lng, p } of points) {
        const id = `${p.id}|${p.color}`
        seen.add(id)
        if (markers.has(id)) continue
        const m = marker(lat, lng, p)
        markers.set(id, m)
        add.push(m)
      }
      const remove: L.CircleMarker[] = []
      for (const [id, m] of markers) {
        if (!seen.has(id)) {
          remove.push(m)
          markers.delete(id)
        }
      }
      if (remove.length) cluster.removeLayers(remove)
      if (add.length) cluster.addLayers(add)
      setCount(markers.size)
    } catch {
      /* shown by the http wrapper */
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function toggle(on: boolean) {
    if (!map || !cluster) return
    if (on) cluster.addTo(map)
    else map.removeLayer(cluster)
    void load()
  }

  function dispose() {
    seq++
    markers.clear()
    map = null
    cluster = null
  }

  return { count, loading, attach, load, toggle, clear, dispose }
}
