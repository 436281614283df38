// 辖区边界 on 风险一张图: the street / community / grid boundaries with their names, drawn under the
// points in panes of their own; the first load fits the map to them.
import type { Ref } from 'vue'
import L from 'leaflet'
import { mapApi } from '@/api'
import type { BoundaryLayer, BoundaryLevel, MapBoundaryFeature } from '@/utils/riskMap'
import type { MapLayer } from './usePointLayer'

export function useBoundaryLayer(opts: { visible: () => boolean; level: Ref<BoundaryLevel> }): MapLayer & { fitOnce(): Promise<void> } {
  let map: L.Map | null = null
  let layer: L.GeoJSON | null = null
  let seq = 0
  let fitted = false

  function attach(m: L.Map) {
    map = m
    m.createPane('boundaries').style.zIndex = '350'
    const labels = m.createPane('boundaryLabels')
    labels.style.zIndex = '360'
    labels.style.pointerEvents = 'none'
  }

  async function load() {
    if (!map) return
    const mine = ++seq
    if (layer) {
      map.removeLayer(layer)
      layer = null
    }
    if (!opts.visible()) return
    let fc: BoundaryLayer
    try {
      fc = (await mapApi.boundaries(opts.level.value)) as BoundaryLayer
    } catch {
      return
    }
    if (!map || mine !== seq) return
    const features = (fc.features ?? []).filter((f: MapBoundaryFeature) => !!f.geometry)
    const street = opts.level.value === 'street'
    layer = L.geoJSON({ type: 'FeatureCollection', features } as unknown as Parameters<typeof L.geoJSON>[0], {
      pane: 'boundaries',
      interactive: false,
      style: () => ({
        color: '#37474f',
        weight: street ? 1.4 : 1,
        opacity: 0.85,
        fillColor: '#90a4ae',
        fillOpacity: 0.08,
        dashArray: street ? undefined : '4 3',
      }),
      onEachFeature: (f, l) => {
        const name = (f.properties as { name?: string } | null)?.name
        if (name) {
          // A string tooltip is HTML to Leaflet: the name goes in as text, never as markup.
          const label = document.createElement('span')
          label.textContent = name
          l.bindTooltip(label, { permanent: true, direction: 'center', className: `map-boundary-label ${street ? '' : 'minor'}`, pane: 'boundaryLabels' })
        }
      },
    }).addTo(map)
    if (!fitted) {
      fitted = true
      const b = layer.getBounds()
      if (b.isValid()) map.fitBounds(b, { padding: [16, 16] })
    }
  }

  /** The first load, which fits the map to the boundaries; later loads keep the view. */
  async function fitOnce() {
    await load()
    fitted = true
  }

  function dispose() {
    seq++
    map = null
    layer = null
  }

  return { attach, load, toggle: () => void load(), dispose, fitOnce }
}
