// The ECharts parts the 隐患统计 page uses, registered once. Only imported dynamically (from
// utils/echarts.ts), so the chart code is a separate chunk loaded on that page alone.
import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, CanvasRenderer])

export default echarts
