import type { Connection } from '@libp2p/interface'
import type { SimNode } from './sim-node.js'

/**
 * What the mesh is doing, process-wide, when `AM_SIM_TRACE=1`: connections
 * opened and closed, outbound streams by protocol, provides started; printed
 * to stderr every 5 s with the event-loop lag. A debugging aid (it is how the
 * connection churn at scale was found), off by default.
 */
export class SimTrace {
  static readonly enabled = process.env.AM_SIM_TRACE === '1'
  private static instance: SimTrace | undefined
  readonly counts = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | undefined
  private last = performance.now()

  static get (): SimTrace | undefined {
    if (!SimTrace.enabled) return undefined
    SimTrace.instance ??= new SimTrace()
    return SimTrace.instance
  }

  inc (key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n)
  }

  /** Counts what node `sim` does from now on. */
  watch (sim: SimNode): void {
    const node = sim.node
    node.addEventListener('connection:open', (evt) => {
      const conn: Connection = evt.detail
      this.inc(`conn.open.${conn.direction}`)
      const open = conn.newStream.bind(conn)
      ;(conn as any).newStream = async (protocols: string | string[], options?: any) => {
        this.inc(`stream.${String(Array.isArray(protocols) ? protocols[0] : protocols).replace(/^\/agentmesh\/[^/]+/, '')}`)
        return open(protocols, options)
      }
    })
    node.addEventListener('connection:close', () => { this.inc('conn.close') })
    node.addEventListener('self:peer:update', (evt) => {
      const prev = evt.detail.previous
      const now = evt.detail.peer
      const what = prev == null ? 'new' : [prev.addresses.length !== now.addresses.length ? 'addrs' : '', prev.protocols.length !== now.protocols.length ? 'protocols' : ''].join('') || 'other'
      this.inc(`self-update.${what}`)
    })
    node.addEventListener('peer:identify', () => { this.inc('identify') })
    const cr = node.contentRouting
    const provide = cr.provide.bind(cr)
    ;(cr as any).provide = async (...args: Parameters<typeof provide>) => {
      this.inc('provide')
      const started = performance.now()
      try {
        await provide(...args)
        this.inc('provide.ok')
        this.inc('provide.ok.ms', Math.round(performance.now() - started))
      } catch (err) {
        this.inc(`provide.fail.${(err as Error).name}`)
        throw err
      }
    }
    // Every DHT query, by where it came from (the first caller outside kad-dht's query code).
    const qm = (node.services.dht as any).queryManager
    if (qm?.run != null) {
      const run = qm.run.bind(qm)
      qm.run = (...args: unknown[]) => {
        const frames = (new Error().stack ?? '').split('\n').slice(2)
        const origin = frames.find((f) => !/query\/manager|timeOperation|utils\.js|node:internal|<anonymous>/.test(f)) ?? '?'
        this.inc(`query.${origin.replace(/^.*\/(node_modules\/)?/, '').replace(/[()]/g, '').trim()}`)
        return run(...args)
      }
    }
    this.timer ??= setInterval(() => { this.print() }, 5000)
    this.timer.unref()
  }

  print (): void {
    const now = performance.now()
    const lag = Math.round(now - this.last - 5000)
    this.last = now
    const parts = [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`)
    process.stderr.write(`[trace ${new Date().toISOString().slice(11, 19)} lag≈${lag}ms] ${parts.join(' ')}\n`)
    this.counts.clear()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }
}
