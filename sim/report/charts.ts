import * as vega from 'vega'
import * as vl from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'

/** Renders a Vega-Lite spec to an SVG string, in Node, with no canvas and no browser. */
export async function renderSvg (spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** A histogram of latencies (ms). */
export function latencyHistogram (title: string, values: number[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: 420, height: 180,
    data: { values: values.map((ms) => ({ ms })) },
    mark: 'bar',
    encoding: {
      x: { field: 'ms', type: 'quantitative', bin: { maxbins: 30 }, title: 'ms' },
      y: { aggregate: 'count', type: 'quantitative', title: 'samples' }
    }
  }
}

/** Grouped bars: one value per (group, series). */
export function groupedBars (title: string, rows: Array<{ group: string, series: string, value: number }>, yTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: 140, height: 180,
    data: { values: rows },
    mark: 'bar',
    encoding: {
      column: { field: 'group', type: 'nominal', title: null },
      x: { field: 'series', type: 'nominal', title: null },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'series', type: 'nominal' }
    }
  }
}

/** Lines over time: one line per series. */
export function lines (title: string, rows: Array<{ x: number, y: number, series: string }>, xTitle: string, yTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: 420, height: 200,
    data: { values: rows },
    mark: { type: 'line', point: true, interpolate: 'step-after' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle },
      color: { field: 'series', type: 'nominal' }
    }
  }
}
