// ECharts, loaded on demand (only the 隐患统计 page draws charts) with only the parts it uses.
export type ECharts = typeof import('echarts/core')

let loading: Promise<ECharts> | null = null

export function loadECharts(): Promise<ECharts> {
  if (!loading) {
    loading = import('./echartsSetup')
      .then((m) => m.default)
      .catch((e: unknown) => {
        loading = null
        throw e
      })
  }
  return loading
}
