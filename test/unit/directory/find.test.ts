import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Directory, FIND_GRACE_MS } from '../../../src/directory/directory.js'
import { silentLogger } from '../../../src/telemetry/index.js'
import type { MeshNode } from '../../../src/node/index.js'

const peer = (id: string): { id: { toString: () => string, equals: (o: unknown) => boolean } } =>
  ({ id: { toString: () => id, equals: (o: unknown) => String(o) === id } })

/**
 * A node whose provider query yields `providers` at the given times (ms after
 * the query starts), then keeps walking until its signal aborts (a long query
 * in a large mesh), or ends at `endsAt` if given.
 */
function stubNode (providers: Array<{ id: string, at: number }>, endsAt?: number): { node: MeshNode, aborted: () => boolean } {
  let aborted = false
  const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms)
      signal.addEventListener('abort', () => { clearTimeout(t); aborted = true; reject(signal.reason) }, { once: true })
    })
  }
  const node = {
    peerId: { equals: (o: unknown) => String(o) === 'self', toString: () => 'self' },
    getConnections: () => [],
    contentRouting: {
      async * findProviders (_key: unknown, options: { signal: AbortSignal }) {
        let now = 0
        for (const p of providers) {
          await sleep(p.at - now, options.signal)
          now = p.at
          yield peer(p.id)
        }
        await sleep((endsAt ?? 3_600_000) - now, options.signal)
      }
    }
  }
  return { node: node as unknown as MeshNode, aborted: () => aborted }
}

function directory (node: MeshNode, extra: Partial<ConstructorParameters<typeof Directory>[0]> = {}): Directory {
  return new Directory({ node, mesh: 'm', log: silentLogger(), queryTimeoutMs: 30_000, localAgents: () => [], ...extra })
}

describe('Directory.find', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('answers a short grace after the first provider, without waiting for the rest of the query', async () => {
    const n = stubNode([{ id: 'a', at: 50 }, { id: 'b', at: 50 + FIND_GRACE_MS / 2 }, { id: 'late', at: 20_000 }])
    let result: string[] | undefined
    void directory(n.node).find('agent', new AbortController().signal).then((r) => { result = r })
    await vi.advanceTimersByTimeAsync(50 + FIND_GRACE_MS + 10)
    expect(result?.sort()).toEqual(['a', 'b'])
    expect(n.aborted()).toBe(true) // the query was stopped, not left running
  })

  it('returns at once when the query ends, and nothing when nobody advertises', async () => {
    const ended = stubNode([{ id: 'a', at: 10 }], 20)
    let r1: string[] | undefined
    void directory(ended.node, { findGraceMs: 10_000 }).find('agent', new AbortController().signal).then((r) => { r1 = r })
    await vi.advanceTimersByTimeAsync(25)
    expect(r1).toEqual(['a'])

    const empty = stubNode([], 5_000)
    let r2: string[] | undefined
    void directory(empty.node).find('agent', new AbortController().signal).then((r) => { r2 = r })
    await vi.advanceTimersByTimeAsync(5_010)
    expect(r2).toEqual([])
  })

  it('with a certificate check, an impostor does not end the search, and certified hosts come first', async () => {
    const n = stubNode([{ id: 'impostor', at: 10 }, { id: 'real', at: 2_000 }, { id: 'late', at: 20_000 }])
    const checked: string[] = []
    const certifiedFor = async (p: string): Promise<boolean> => { checked.push(p); return p === 'real' }
    let result: string[] | undefined
    void directory(n.node, { certifiedFor }).find('agent', new AbortController().signal).then((r) => { result = r })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(result).toBeUndefined() // the impostor alone is no answer
    await vi.advanceTimersByTimeAsync(1_000 + FIND_GRACE_MS + 10)
    expect(result).toEqual(['real', 'impostor'])
    expect(checked).toEqual(['impostor', 'real'])
  })

  it("throws when the caller's signal aborts", async () => {
    const n = stubNode([], 60_000)
    const caller = new AbortController()
    const p = directory(n.node).find('agent', caller.signal)
    const settled = p.then(() => 'resolved', () => 'rejected')
    await vi.advanceTimersByTimeAsync(100)
    caller.abort()
    await vi.advanceTimersByTimeAsync(1)
    expect(await settled).toBe('rejected')
  })
})
