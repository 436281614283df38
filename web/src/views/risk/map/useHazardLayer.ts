// 重大隐患 on 风险一张图: the open major hazards in view, a red warning triangle each.
import L from 'leaflet'
import { mapApi } from '@/api'
import type { MapHazardProps } from '@/utils/riskMap'
import { usePointLayer, type PointQuery } from './usePointLayer'

function hazardIcon(): L.DivIcon {
  return L.divIcon({
    className: 'map-hazard-icon',
    html:
      '<svg viewBox="0 0 24 22" width="24" height="22" aria-hidden="true">' +
      '<path d="M12 1.5 23 20.5H1z" fill="#d32f2f" stroke="#fff" stroke-width="1.6" stroke-linejoin="round"/>' +
      '<rect x="11" y="7.5" width="2" height="7" fill="#fff"/><rect x="11" y="16" width="2" height="2" fill="#fff"/></svg>',
    iconSize: [24, 22],
    iconAnchor: [12, 20],
  })
}

export function useHazardLayer(opts: { visible: () => boolean; query: () => PointQuery; pick: (p: MapHazardProps) => void }) {
  let icon: L.DivIcon | null = null
  return usePointLayer<MapHazardProps>({
    visible: opts.visible,
    query: opts.query,
    fetch: (q) => mapApi.hazards(q),
    marker: (at, p) =>
      L.marker(at, { icon: (icon ??= hazardIcon()), zIndexOffset: 1000, title: `重大隐患 ${p.number}`, riseOnHover: true }).on('click', () =>
        opts.pick(p),
      ),
  })
}
