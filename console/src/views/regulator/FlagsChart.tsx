/**
 * Flags per day as a bar chart. ECharts is imported from `echarts/core` with only the bar chart, the grid, axis
 * tooltip and the canvas renderer, and only here, so the other desks' chunks never carry it.
 */
// The ES module build (the CommonJS one under lib/ gives its default export wrapped once bundled).
import ReactEChartsCore from "echarts-for-react/esm/core";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export default function FlagsChart(props: { days: string[]; counts: number[]; label: string; seriesName: string }) {
  return (
    // The canvas is a picture to a screen reader: it is named, and the table below holds the same flags as text.
    <div role="img" aria-label={props.label}>
      <ReactEChartsCore
        echarts={echarts}
        style={{ height: 260 }}
        notMerge
        option={{
          grid: { left: 40, right: 16, top: 16, bottom: 32 },
          animation: false,
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: props.days },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            {
              type: "bar",
              name: props.seriesName,
              data: props.counts,
              barMaxWidth: 48,
              itemStyle: { color: "#1f4e79" },
            },
          ],
        }}
      />
    </div>
  );
}
