import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '../telemetry/index.js'
import type { MeshNode } from './create-node.js'

/**
 * Makes the daemon a relay client once it meets a relay: when an identified
 * peer speaks the circuit relay HOP protocol, the node starts listening on
 * `/p2p-circuit`, which reserves a slot there and advertises the relayed
 * address. Listening on `/p2p-circuit` from the start would be simpler, but
 * with no relay in sight libp2p's relay discovery searches without pause
 * (measured: an idle daemon at 70–85 % of a core). Returns a function that
 * stops listening for relays.
 *
 * Losing a relay needs nothing more from us: when the connection to the relay
 * closes, libp2p's reservation store drops the reservation (the relayed
 * address is withdrawn and identify-push tells connected peers) and restarts
 * its relay discovery, which searches the peer store and walks the DHT until
 * a relay connects again; identify then reserves anew and the address comes
 * back. Measured on emulated NATs (test/netns/nat.test.ts): a relay down for
 * 40–75 s, past libp2p's reconnect queue (5 retries, ≈ 31 s), is reserved
 * again within 1–2 s of its return. What this adds is a log line for each
 * change, so an operator sees a host lose and regain its relayed address.
 */
export function reserveOnRelays (node: MeshNode, log: Logger): () => void {
  let started = false
  const onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
    if (started || !evt.detail.protocols.includes(RELAY_V2_HOP_CODEC)) return
    started = true
    const transports = (node as unknown as { components: { transportManager: { listen: (addrs: Multiaddr[]) => Promise<void> } } }).components.transportManager
    transports.listen([multiaddr('/p2p-circuit')])
      .then(() => { log.info({ relay: evt.detail.peerId.toString() }, 'met a relay: reserving a slot on relays') })
      .catch((err: Error) => {
        started = false
        log.warn({ err: err.message }, 'could not listen for relayed connections')
      })
  }
  let relays = new Set<string>()
  const onAddresses = (): void => {
    const now = new Set(node.getMultiaddrs().map(String).filter((a) => a.includes('/p2p-circuit')).map(relayOf))
    for (const r of now) if (!relays.has(r)) log.info({ relay: r }, 'reserved a slot on a relay: advertising the relayed address')
    for (const r of relays) {
      if (!now.has(r)) log.warn({ relay: r, remaining: now.size }, 'lost the reservation on a relay: relayed address withdrawn; looking for a relay again')
    }
    relays = now
  }
  node.addEventListener('peer:identify', onIdentify)
  node.addEventListener('self:peer:update', onAddresses)
  return () => {
    node.removeEventListener('peer:identify', onIdentify)
    node.removeEventListener('self:peer:update', onAddresses)
  }
}

/** The relay's peer ID in a relayed address `…/p2p/RELAY/p2p-circuit[/p2p/SELF]`. */
function relayOf (addr: string): string {
  const parts = addr.split('/')
  const at = parts.indexOf('p2p-circuit')
  return at >= 2 && parts[at - 2] === 'p2p' ? parts[at - 1] ?? addr : addr
}
