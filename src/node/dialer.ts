import type { PeerId } from '@libp2p/interface'
import type { Logger } from '../telemetry/index.js'
import { MDNS_DIAL_TIMEOUT_MS, REDIAL_CONCURRENCY, REDIAL_TIMEOUT_MS } from './constants.js'
import type { MeshNode } from './create-node.js'

/**
 * mDNS and other discovery modules only report peers; nothing dials them.
 * This dials every newly discovered peer we are not yet connected to.
 * Returns a function that stops listening.
 */
export function dialDiscoveredPeers (node: MeshNode, log: Logger): () => void {
  const onDiscovery = (evt: CustomEvent<{ id: PeerId }>): void => {
    const peer = evt.detail.id
    if (peer.equals(node.peerId) || node.getConnections(peer).length > 0) return
    node.dial(peer, { signal: AbortSignal.timeout(MDNS_DIAL_TIMEOUT_MS) })
      .then(() => { log.info({ remotePeer: peer.toString() }, 'connected to discovered peer') })
      .catch((err: Error) => { log.debug({ remotePeer: peer.toString(), err: err.message }, 'dial of discovered peer failed') })
  }
  node.addEventListener('peer:discovery', onDiscovery)
  return () => { node.removeEventListener('peer:discovery', onDiscovery) }
}

/**
 * Redials peers remembered in the persisted peer store, so a restarted daemon
 * rejoins the mesh without a bootstrap address. Runs in the background; the
 * returned promise settles with the number of peers reached.
 */
export async function redialKnownPeers (node: MeshNode, max: number, log: Logger, signal?: AbortSignal): Promise<number> {
  if (max === 0) return 0
  const known = (await node.peerStore.all({ signal }))
    .filter((p) => !p.id.equals(node.peerId) && p.addresses.length > 0)
    .slice(0, max)
  let reached = 0
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < known.length && signal?.aborted !== true) {
      const peer = known[next++]
      if (peer === undefined) return
      if (node.getConnections(peer.id).length > 0) { reached++; continue }
      try {
        const timeout = AbortSignal.timeout(REDIAL_TIMEOUT_MS)
        await node.dial(peer.id, { signal: signal != null ? AbortSignal.any([signal, timeout]) : timeout })
        reached++
      } catch (err) {
        log.debug({ remotePeer: peer.id.toString(), err: (err as Error).message }, 'redial of known peer failed')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(REDIAL_CONCURRENCY, known.length) }, worker))
  log.info({ known: known.length, reached }, 'redialled known peers')
  return reached
}
