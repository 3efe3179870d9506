import { peerIdFromString } from '@libp2p/peer-id'
import { agentKey } from '../src/directory/index.js'
import { quantile } from './rng.js'
import type { SimNode } from './sim-node.js'

/** One DHT lookup: whether it found its target, how long it took, how many peers answered on the way. */
export interface LookupSample {
  ok: boolean
  ms: number
  /** PEER_RESPONSE events before the answer: the peers the query asked (a bound on its hops). */
  hops: number
}

/** `findPeer` of `target` from `src`'s DHT (kad-dht's own query, as `agentmesh find` runs it). */
export async function findPeer (src: SimNode, target: string, timeoutMs: number): Promise<LookupSample> {
  const started = performance.now()
  let hops = 0
  const id = peerIdFromString(target)
  try {
    for await (const e of src.node.services.dht.findPeer(id, { signal: AbortSignal.timeout(timeoutMs) })) {
      if (e.name === 'PEER_RESPONSE') hops++
      if (e.name === 'FINAL_PEER' && e.peer.id.equals(id)) return { ok: true, ms: performance.now() - started, hops }
    }
  } catch {}
  return { ok: false, ms: performance.now() - started, hops }
}

/** An agent lookup as the directory runs it: the DHT providers of agent `name`, until `expected` answers. */
export async function findAgent (src: SimNode, mesh: string, name: string, expected: string, timeoutMs: number): Promise<LookupSample> {
  const started = performance.now()
  let hops = 0
  try {
    for await (const e of src.node.services.dht.findProviders(await agentKey(mesh, name), { signal: AbortSignal.timeout(timeoutMs) })) {
      if (e.name === 'PEER_RESPONSE') hops++
      if (e.name === 'PROVIDER' && e.providers.some((p) => p.id.toString() === expected)) return { ok: true, ms: performance.now() - started, hops }
    }
  } catch {}
  return { ok: false, ms: performance.now() - started, hops }
}

/** Runs `fn` over `items`, `concurrency` at a time, reporting each completion. */
export async function pool<T, R> (items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let done = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T, i)
      onDone?.(++done)
    }
  }))
  return out
}

/** p50/p95/p99/mean/max of a list of milliseconds (NaN when empty), rounded to 0.1 ms. */
export function summary (values: readonly number[]): { n: number, p50: number, p95: number, p99: number, mean: number, max: number } {
  const r = (x: number): number => Math.round(x * 10) / 10
  return {
    n: values.length,
    p50: r(quantile(values, 0.5)),
    p95: r(quantile(values, 0.95)),
    p99: r(quantile(values, 0.99)),
    mean: r(values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length),
    max: r(values.length === 0 ? Number.NaN : Math.max(...values))
  }
}

/** Process memory now, in MB. */
export function memoryMb (): { rss: number, heapUsed: number } {
  const m = process.memoryUsage()
  return { rss: Math.round(m.rss / 1e5) / 10, heapUsed: Math.round(m.heapUsed / 1e5) / 10 }
}

/** Process memory now, in MB, by where it lives (`process.memoryUsage()`: V8 heap used and reserved, external memory, of it ArrayBuffers). */
export function memoryDetailMb (): { rss: number, heapUsed: number, heapTotal: number, external: number, arrayBuffers: number } {
  const m = process.memoryUsage()
  const mb = (b: number): number => Math.round(b / 1e5) / 10
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) }
}

/**
 * `count` random (caller, target) pairs of distinct node indices below `n`: the workload of a
 * scale run. One-process and worker runs both draw it here, so that one seed gives both the same.
 */
export function drawPairs (rng: { int: (n: number) => number }, n: number, count: number): Array<[number, number]> {
  return Array.from({ length: count }, () => {
    const a = rng.int(n)
    let b = rng.int(n - 1)
    if (b >= a) b++
    return [a, b]
  })
}
