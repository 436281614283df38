// 重大危险源 on 风险一张图: the registered units in view, a diamond coloured by grade (一级 darkest).
import L from 'leaflet'
import { mapApi } from '@/api'
import type { MajorHazardGrade } from '@/utils/risk'
import { GRADES, gradeColor, gradeTextColor, type MapMajorHazardProps } from '@/utils/riskMap'
import { usePointLayer, type PointQuery } from './usePointLayer'

const icons = new Map<string, L.DivIcon>()

/** one icon per grade, its first character (一 / 二 / 三 / 四) on the grade's colour */
function majorHazardIcon(grade: string): L.DivIcon {
  let icon = icons.get(grade)
  if (!icon) {
    const ch = GRADES.includes(grade as MajorHazardGrade) ? grade.charAt(0) : '?'
    icon = L.divIcon({
      className: 'map-major-hazard-icon',
      html: `<div style="background:${gradeColor(grade)};color:${gradeTextColor(grade)}"><span>${ch}</span></div>`,
      iconSize: [20, 20],
      iconAnchor: [10, 10],
    })
    icons.set(grade, icon)
  }
  return icon
}

export function useMajorHazardLayer(opts: { visible: () => boolean; query: () => PointQuery; pick: (p: MapMajorHazardProps) => void }) {
  return usePointLayer<MapMajorHazardProps>({
    visible: opts.visible,
    query: opts.query,
    fetch: (q) => mapApi.majorHazards(q),
    marker: (at, p) =>
      L.marker(at, { icon: majorHazardIcon(p.grade), zIndexOffset: 900, title: `重大危险源 ${p.name}（${p.grade}）`, riseOnHover: true }).on(
        'click',
        () => opts.pick(p),
      ),
  })
}
