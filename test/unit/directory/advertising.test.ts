import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ADDRESS_CHANGE_DEBOUNCE_MS, Directory, FIRST_ROUND_MAX_WAIT_MS, REFRESH_MS, SELF_QUERY_EVENT, SETTLE_MS, WELL_CONNECTED, type DirectoryInit } from '../../../src/directory/directory.js'
import { silentLogger } from '../../../src/telemetry/index.js'
import type { MeshNode } from '../../../src/node/index.js'

/** Just what the directory touches of a libp2p node: events, a connection count, and provide(). */
function stubNode (provideMs = 0): { node: MeshNode, connections: (n: number) => void, connect: () => void, selfQuery: () => void, selfUpdate: (addrs: string[], before?: string[]) => void, provided: () => number } {
  const events = new EventTarget()
  let count = 0
  let provided = 0
  const node = {
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    getConnections: () => Array.from({ length: count }, () => ({ remotePeer: { toString: () => 'p' } })),
    contentRouting: {
      provide: async () => {
        provided++
        if (provideMs > 0) await new Promise((resolve) => setTimeout(resolve, provideMs))
      }
    }
  }
  return {
    node: node as unknown as MeshNode,
    connections: (n) => { count = n },
    connect: () => { events.dispatchEvent(new Event('peer:connect')) },
    // kad-dht's self-query completing (libp2p forwards its components' events to the node's listeners).
    selfQuery: () => { events.dispatchEvent(new CustomEvent(SELF_QUERY_EVENT, { detail: { peers: 3, duration: 1_000 } })) },
    // libp2p's self:peer:update: this node's own peer record changed (addresses, or only protocols).
    selfUpdate: (addrs, before) => {
      const peer = (list: string[]): unknown => ({ addresses: list.map((a) => ({ multiaddr: { toString: () => a } })), protocols: [] })
      events.dispatchEvent(new CustomEvent('self:peer:update', { detail: { peer: peer(addrs), ...(before != null ? { previous: peer(before) } : {}) } }))
    },
    provided: () => provided
  }
}

/** A directory over stub node `n`, mesh `m`, 1 s queries unless `init` says otherwise. */
function directory (n: { node: MeshNode }, init: Partial<DirectoryInit> & Pick<DirectoryInit, 'localAgents'>): Directory {
  return new Directory({ node: n.node, mesh: 'm', log: silentLogger(), queryTimeoutMs: 1_000, ...init })
}

describe('Directory advertising', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('advertises as peers arrive while poorly connected, once more when settled, then only on the refresh, never once per connection', async () => {
    const n = stubNode()
    const dir = directory(n, { localAgents: () => ['a', 'b'] })
    dir.start()
    await vi.advanceTimersByTimeAsync(FIRST_ROUND_MAX_WAIT_MS + 10)
    expect(n.provided()).toBe(0) // nobody to tell yet (a lone daemon: its first round's wait is over)

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

    await vi.advanceTimersByTimeAsync(SETTLE_MS)
    expect(n.provided()).toBe(8) // one more round once the view has settled, and only one

    await vi.advanceTimersByTimeAsync(SETTLE_MS)
    expect(n.provided()).toBe(8)

    await vi.advanceTimersByTimeAsync(REFRESH_MS)
    expect(n.provided()).toBe(10) // the periodic refresh
    dir.stop()
  })

  it('runs the settle round settleMs after the first well-connected round when given (the simulator shortens it), once', async () => {
    const n = stubNode()
    const settleMs = 5_000
    const dir = directory(n, { localAgents: () => ['a'], settleMs })
    dir.start()
    n.connections(WELL_CONNECTED)
    n.connect()
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(1) // the start round finds it well connected
    await vi.advanceTimersByTimeAsync(settleMs - 100)
    expect(n.provided()).toBe(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(n.provided()).toBe(2) // the settle round, settleMs later rather than SETTLE_MS
    await vi.advanceTimersByTimeAsync(SETTLE_MS)
    expect(n.provided()).toBe(2) // and only that one
    dir.stop()
  })

  it('advertises again once its own addresses change (a relayed address gained), debounced, not when only its protocols change', async () => {
    const n = stubNode()
    const dir = directory(n, { localAgents: () => ['a'] })
    dir.start()
    const direct = ['/ip4/10.2.0.2/tcp/4401']
    const relayed = [...direct, '/ip4/198.51.100.10/tcp/4401/p2p/R/p2p-circuit']
    n.connections(1)
    n.selfUpdate(direct, []) // listening, before the first round: that round carries the addresses
    n.connect()
    n.selfQuery()
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(1) // the first round, with the direct addresses only

    n.selfUpdate(direct, direct) // identify's protocols changed, not the addresses
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS + 100)
    expect(n.provided()).toBe(1)

    n.selfUpdate([...relayed].reverse(), direct) // the relay reservation: a reachable address
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS / 2)
    n.selfUpdate(relayed, [...relayed].reverse()) // the same set in another order: no change
    expect(n.provided()).toBe(1)
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS)
    expect(n.provided()).toBe(2) // one round, carrying the relayed address
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS * 5)
    expect(n.provided()).toBe(2)

    n.selfUpdate(direct, relayed) // the reservation lost: peers should stop handing out the relayed address
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS + 100)
    expect(n.provided()).toBe(3)
    dir.stop()
    n.selfUpdate(relayed, direct) // stopped: nothing more
    await vi.advanceTimersByTimeAsync(ADDRESS_CHANGE_DEBOUNCE_MS + 100)
    expect(n.provided()).toBe(3)
  })

  it('never starts a round while one is in flight; a round asked for meanwhile runs once, after it', async () => {
    const n = stubNode(10_000) // a provide query that takes 10 s (a loaded mesh)
    const dir = directory(n, { queryTimeoutMs: 30_000, localAgents: () => ['a'] })
    dir.start()
    n.connections(1)
    n.connect()
    n.selfQuery()
    await vi.advanceTimersByTimeAsync(100)
    expect(n.provided()).toBe(1) // the first round (t = 0) is running until t = 10 s
    for (let i = 2; i < 5; i++) { n.connections(i); n.connect(); await vi.advanceTimersByTimeAsync(2_100) }
    expect(n.provided()).toBe(1) // poorly connected still, but no round on top of the first
    await vi.advanceTimersByTimeAsync(4_000)
    expect(n.provided()).toBe(2) // the first ended: one more round, not three
    await vi.advanceTimersByTimeAsync(30_000)
    expect(n.provided()).toBe(2)
    dir.stop()
  })

  it('waits for the self-query before its first round: bootstrap connections and registrations alone do not start one', async () => {
    const n = stubNode()
    const agents = ['a']
    const dir = directory(n, { localAgents: () => agents })
    dir.start()
    n.connections(3) // the bootstrap peers
    for (let i = 0; i < 3; i++) n.connect()
    agents.push('b')
    await dir.advertise('b') // registered meanwhile: the first round will advertise it
    await vi.advanceTimersByTimeAsync(3_000)
    expect(n.provided()).toBe(0)

    n.connections(WELL_CONNECTED) // what the self-query's walk connected
    n.selfQuery()
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(2) // one round, at once, both agents

    for (let i = 0; i < 10; i++) { n.connect(); await vi.advanceTimersByTimeAsync(500) }
    await vi.advanceTimersByTimeAsync(FIRST_ROUND_MAX_WAIT_MS)
    expect(n.provided()).toBe(2) // no second round for the connections that arrived, nor at the fallback time
    n.selfQuery() // the periodic self-query: not a round
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(2)

    await dir.advertise('c') // a registration once started: at once
    expect(n.provided()).toBe(3)
    await vi.advanceTimersByTimeAsync(SETTLE_MS)
    expect(n.provided()).toBe(5) // the settle round
    dir.stop()
  })

  it('starts its first round at WELL_CONNECTED connections if the self-query has not completed by then', async () => {
    const n = stubNode()
    const dir = directory(n, { localAgents: () => ['a'] })
    dir.start()
    n.connections(WELL_CONNECTED - 1)
    n.connect()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(n.provided()).toBe(0)
    n.connections(WELL_CONNECTED)
    n.connect()
    await vi.advanceTimersByTimeAsync(10)
    expect(n.provided()).toBe(1)
    n.selfQuery()
    await vi.advanceTimersByTimeAsync(FIRST_ROUND_MAX_WAIT_MS)
    expect(n.provided()).toBe(1) // the self-query ending later starts nothing more
    dir.stop()
  })

  it('advertises within FIRST_ROUND_MAX_WAIT_MS in a small mesh whose self-query never completes, then per new connection while poorly connected', async () => {
    const n = stubNode()
    const dir = directory(n, { localAgents: () => ['a'] })
    dir.start()
    n.connections(1)
    n.connect()
    await vi.advanceTimersByTimeAsync(FIRST_ROUND_MAX_WAIT_MS - 100)
    expect(n.provided()).toBe(0)
    await vi.advanceTimersByTimeAsync(200)
    expect(n.provided()).toBe(1)
    n.connections(2)
    n.connect()
    await vi.advanceTimersByTimeAsync(2_100)
    expect(n.provided()).toBe(2) // still poorly connected: a new peer starts a (debounced) round, as before
    dir.stop()
  })

  it('stop() before the first round leaves no timer and no listener behind', async () => {
    const n = stubNode()
    const dir = directory(n, { localAgents: () => ['a'] })
    dir.start()
    n.connections(WELL_CONNECTED - 1)
    n.connect()
    dir.stop()
    expect(vi.getTimerCount()).toBe(0)
    n.selfQuery()
    n.connections(WELL_CONNECTED + 1)
    n.connect()
    await vi.advanceTimersByTimeAsync(REFRESH_MS + FIRST_ROUND_MAX_WAIT_MS)
    expect(n.provided()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
