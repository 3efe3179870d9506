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
  node.addEventListener('peer:identify', onIdentify)
  return () => { node.removeEventListener('peer:identify', onIdentify) }
}
