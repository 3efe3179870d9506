import { describe, expect, it } from 'vitest'
import { throttleEmptyWalks } from '../../../src/node/walk-throttle.js'

/** A stand-in for the node's random walk: only the part the throttle touches. */
function fakeNode (peers: number): { node: any, walk: { peerRouting: any }, calls: () => number } {
  let calls = 0
  const walk = {
    peerRouting: {
      async * getClosestPeers () {
        calls++
        for (let i = 0; i < peers; i++) yield { id: `peer-${i}`, multiaddrs: [] }
      }
    }
  }
  return { node: { components: { randomWalk: walk } }, walk, calls: () => calls }
}

describe('the random walk throttle', () => {
  it('makes a lookup that found nobody last at least the floor (no spinning when alone)', async () => {
    const { node, walk, calls } = fakeNode(0)
    throttleEmptyWalks(node, 150)
    const t0 = Date.now()
    for (let i = 0; i < 3; i++) for await (const _ of walk.peerRouting.getClosestPeers(new Uint8Array(32))) { /* none */ }
    expect(calls()).toBe(3)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 140)
  })

  it('leaves lookups that find peers alone, and ends the pause when aborted', async () => {
    const { node, walk } = fakeNode(2)
    throttleEmptyWalks(node, 10_000)
    const t0 = Date.now()
    const found: unknown[] = []
    for await (const p of walk.peerRouting.getClosestPeers(new Uint8Array(32))) found.push(p)
    expect(found).toHaveLength(2)
    expect(Date.now() - t0).toBeLessThan(1_000)
    const empty = fakeNode(0)
    throttleEmptyWalks(empty.node, 10_000)
    const ac = new AbortController()
    setTimeout(() => { ac.abort() }, 50)
    const t1 = Date.now()
    for await (const _ of empty.walk.peerRouting.getClosestPeers(new Uint8Array(32), { signal: ac.signal })) { /* none */ }
    expect(Date.now() - t1).toBeLessThan(2_000)
  })
})
