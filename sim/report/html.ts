import type { TopLevelSpec } from 'vega-lite'
import { renderSvg } from './charts.js'

/** One section of the report: a heading, a table, charts. */
export interface ReportSection {
  title: string
  table?: { head: string[], rows: Array<Array<string | number>> }
  charts?: TopLevelSpec[]
  notes?: string[]
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c] as string))

/** A self-contained HTML page (inline SVG charts, inline CSS, no scripts) with the run's sections and its JSON. */
export async function renderHtml (title: string, sections: ReportSection[], json: unknown): Promise<string> {
  const parts: string[] = []
  for (const s of sections) {
    parts.push(`<h2>${escape(s.title)}</h2>`)
    if (s.table != null) {
      parts.push('<table><thead><tr>' + s.table.head.map((h) => `<th>${escape(h)}</th>`).join('') + '</tr></thead><tbody>' +
        s.table.rows.map((r) => '<tr>' + r.map((c) => `<td>${escape(String(c))}</td>`).join('') + '</tr>').join('') + '</tbody></table>')
    }
    for (const n of s.notes ?? []) parts.push(`<p>${escape(n)}</p>`)
    for (const c of s.charts ?? []) parts.push(`<figure>${await renderSvg(c)}</figure>`)
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}figure{margin:1em 0}
details pre{font-size:12px;background:#f8f8f8;padding:1em;overflow:auto}</style></head>
<body><h1>${escape(title)}</h1>
${parts.join('\n')}
<details><summary>Result JSON</summary><pre>${escape(JSON.stringify(json, null, 2))}</pre></details>
</body></html>
`
}

/** A plain-text table for the terminal (one screen). */
export function textTable (head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))]
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]): string => r.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(r.map(String)))].join('\n')
}
