import type { PeerInfo } from '@libp2p/interface'
import type { MeshNode } from './create-node.js'

/** The least time one random-walk lookup that found nobody takes (ms). */
export const EMPTY_WALK_MIN_MS = 2_000

interface ClosestPeers {
  getClosestPeers(key: Uint8Array, options?: { signal?: AbortSignal }): AsyncIterable<PeerInfo>
}

/**
 * libp2p 3.3's random walk (which the relay transport runs to find relays)
 * starts its next lookup as soon as one ends. With nobody to ask, a lookup
 * ends at once, so a daemon that is alone, or whose only relay went away,
 * spins: measured at 65–85 % of a core. This gives the walk's own view of peer
 * routing a floor: a lookup that found nobody lasts at least
 * {@link EMPTY_WALK_MIN_MS}. Other users of peer routing are not touched.
 */
export function throttleEmptyWalks (node: MeshNode, minMs = EMPTY_WALK_MIN_MS): void {
  const walk = (node as unknown as { components?: { randomWalk?: { peerRouting?: ClosestPeers } } }).components?.randomWalk
  const routing = walk?.peerRouting
  if (walk == null || routing == null) return
  walk.peerRouting = {
    async * getClosestPeers (key, options) {
      const started = Date.now()
      let found = 0
      try {
        for await (const peer of routing.getClosestPeers(key, options)) {
          found++
          yield peer
        }
      } finally {
        if (found === 0) await pause(minMs - (Date.now() - started), options?.signal)
      }
    }
  }
}

async function pause (ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms)
    function done (): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve() }
    signal?.addEventListener('abort', done, { once: true })
  })
}
