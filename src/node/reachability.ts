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

/** What this host knows of its own reachability, and how it learnt it. */
export interface ReachabilityReport {
  /** `public`: others can dial it directly; `private`: they cannot (NAT, LAN only); `unknown`: not yet known. */
  reachability: 'public' | 'private' | 'unknown'
  /** How it was learnt, in words. */
  how: string
  /** Whether it holds a relay reservation (has a `/p2p-circuit` address). */
  relayed: boolean
  /** Its relayed addresses. */
  relayAddresses: string[]
}

/** One of the node's addresses, as libp2p's address manager describes it. */
export interface KnownAddress { multiaddr: Multiaddr, verified: boolean, type: string }

/**
 * Judges reachability from the address manager's view: an address the
 * operator announced or a public listen address → public; a public address
 * AutoNAT (or another peer's dial-back) confirmed → public; public addresses
 * seen by peers but not confirmed → unknown; only private ones → private.
 */
export function reachabilityReport (addresses: KnownAddress[], announced: boolean): ReachabilityReport {
  const relayAddresses = addresses.map((a) => a.multiaddr.toString()).filter((a) => a.includes('/p2p-circuit'))
  const direct = addresses.filter((a) => !a.multiaddr.toString().includes('/p2p-circuit'))
  const isPublic = (a: KnownAddress): boolean => { try { return !isPrivate(a.multiaddr) } catch { return false } }
  const base = { relayed: relayAddresses.length > 0, relayAddresses }
  if (announced) return { reachability: 'public', how: 'announced by the operator (--announce)', ...base }
  const confirmed = direct.find((a) => isPublic(a) && a.verified && a.type !== 'transport')
  if (confirmed != null) return { reachability: 'public', how: `peers dialled back ${confirmed.multiaddr.toString()} (AutoNAT)`, ...base }
  const listening = direct.find((a) => isPublic(a) && a.type === 'transport')
  if (listening != null) return { reachability: 'public', how: `listening on the public address ${listening.multiaddr.toString()}`, ...base }
  const seen = direct.find((a) => isPublic(a))
  if (seen != null) return { reachability: 'unknown', how: `peers see ${seen.multiaddr.toString()}, not yet confirmed dialable (AutoNAT)`, ...base }
  return { reachability: 'private', how: base.relayed ? 'only private addresses; reachable through a relay' : 'only private addresses (behind NAT or on a LAN)', ...base }
}
