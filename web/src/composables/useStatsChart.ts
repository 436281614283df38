import { nextTick, onBeforeUnmount, onMounted, ref, shallowRef, useTemplateRef, watch, type Ref } from 'vue'
import { loadECharts, type ECharts } from '@/utils/echarts'

export type Chart = ReturnType<ECharts['init']>

/**
 * The ECharts chart of a stats page, drawn on the element with `ref="chartEl"`: the load error, resizing with
 * the window, disposal on unmount, and `draw` again when the page switches between phone and desktop.
 */
export function useStatsChart(draw: () => unknown, isMobile: Ref<boolean>) {
  const chartEl = useTemplateRef<HTMLDivElement>('chartEl')
  const chart = shallowRef<Chart | null>(null)
  const chartError = ref('')

  /**
   * Loads ECharts (on demand) and returns the chart on `chartEl`, made the first time (then `setup`
   * runs on it); null when there is no element or ECharts failed to load (`chartError` says so).
   */
  async function ensureChart(setup?: (c: Chart) => void): Promise<Chart | null> {
    const el = chartEl.value
    if (!el) return null
    let echarts: ECharts
    try {
      echarts = await loadECharts()
    } catch {
      chartError.value = '图表组件加载失败，请刷新页面重试'
      return null
    }
    if (!chartEl.value) return null
    if (!chart.value || chart.value.isDisposed()) {
      chart.value = echarts.init(el)
      setup?.(chart.value)
    }
    return chart.value
  }

  function onResize() {
    chart.value?.resize()
  }
  onMounted(() => window.addEventListener('resize', onResize))
  onBeforeUnmount(() => {
    window.removeEventListener('resize', onResize)
    chart.value?.dispose()
    chart.value = null
  })
  watch(isMobile, () => void nextTick(draw))

  return { chart, chartError, ensureChart }
}
