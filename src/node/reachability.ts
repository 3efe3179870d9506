import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

/** How other hosts can reach this one, judged from its own addresses. */
export type Reachability = 'public' | 'private' | 'relayed'

/**
 * Classifies a node's addresses: any public address → `public`; else any
 * circuit-relay address → `relayed`; else `private` (LAN or loopback only).
 */
export function classifyReachability (addrs: Multiaddr[]): Reachability {
  let relayed = false
  for (const ma of addrs) {
    const s = ma.toString()
    if (s.includes('/p2p-circuit')) { relayed = true; continue }
    if (!isPrivate(ma)) return 'public'
  }
  return relayed ? 'relayed' : 'private'
}
