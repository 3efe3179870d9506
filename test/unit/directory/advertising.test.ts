import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Directory, REFRESH_MS, WELL_CONNECTED } from '../../../src/directory/directory.js'
import { silentLogger } from '../../../src/telemetry/index.js'
import type { MeshNode } from '../../../src/node/index.js'

/** Just what the directory touches of a libp2p node: events, a connection count, and provide(). */
function stubNode (): { node: MeshNode, connections: (n: number) => void, connect: () => void, provided: () => number } {
  const events = new EventTarget()
  let count = 0
  let provided = 0
  const node = {
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    getConnections: () => Array.from({ length: count }, () => ({ remotePeer: { toString: () => 'p' } })),
    contentRouting: { provide: async () => { provided++ } }
  }
  return {
    node: node as unknown as MeshNode,
    connections: (n) => { count = n },
    connect: () => { events.dispatchEvent(new Event('peer:connect')) },
    provided: () => provided
  }
}

describe('Directory advertising', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('advertises as peers arrive while poorly connected, then only on the refresh, never once per connection', async () => {
    const n = stubNode()
    const dir = new Directory({ node: n.node, mesh: 'm', log: silentLogger(), queryTimeoutMs: 1_000, localAgents: () => ['a', 'b'] })
    dir.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(0) // nobody to tell yet

    n.connections(1)
    n.connect()
    await vi.advanceTimersByTimeAsync(2_100)
    expect(n.provided()).toBe(2) // one round, both agents

    n.connections(3)
    n.connect()
    n.connect()
    await vi.advanceTimersByTimeAsync(2_100)
    expect(n.provided()).toBe(4) // still poorly connected: one more (debounced) round

    n.connections(WELL_CONNECTED + 2)
    n.connect()
    await vi.advanceTimersByTimeAsync(2_100)
    expect(n.provided()).toBe(6) // the round that finds it well connected

    for (let i = 0; i < 50; i++) { n.connect(); await vi.advanceTimersByTimeAsync(100) }
    await vi.advanceTimersByTimeAsync(2_100)
    expect(n.provided()).toBe(6) // fifty new connections, no new round

    await vi.advanceTimersByTimeAsync(REFRESH_MS)
    expect(n.provided()).toBe(8) // the periodic refresh
    dir.stop()
  })
})
