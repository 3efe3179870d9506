import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PeerId } from '@libp2p/interface'

/** The multiaddr code of the /p2p component. */
const CODE_P2P = 421
import type { PeerBook } from '../store/index.js'
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
 * Remembers every identified peer's listen addresses in the peer book, so a
 * restarted daemon can redial them. Returns a function that stops listening.
 */
export function rememberPeers (node: MeshNode, book: PeerBook, now: () => number): () => void {
  const onIdentify = (evt: CustomEvent<{ peerId: PeerId, listenAddrs: Multiaddr[] }>): void => {
    const addrs = evt.detail.listenAddrs.map(String)
    if (addrs.length > 0) book.remember(evt.detail.peerId.toString(), addrs, now())
  }
  // An outbound connection's address is one the peer listens on: remember it
  // at once, so a daemon stopped before identify finishes still knows it.
  const onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (conn.direction !== 'outbound' || conn.remoteAddr.toString().includes('/p2p-circuit')) return
    const peer = conn.remotePeer.toString()
    if (book.knows(peer)) return
    book.remember(peer, [conn.remoteAddr.decapsulateCode(CODE_P2P).toString()], now())
  }
  node.addEventListener('peer:identify', onIdentify)
  node.addEventListener('connection:open', onOpen)
  return () => {
    node.removeEventListener('peer:identify', onIdentify)
    node.removeEventListener('connection:open', onOpen)
  }
}

/**
 * Redials the peers remembered in the peer book, most recent first, so a
 * restarted daemon rejoins the mesh without a bootstrap address. Runs in the
 * background; the returned promise settles with the number of peers reached.
 */
export async function redialKnownPeers (node: MeshNode, book: PeerBook, max: number, log: Logger, signal?: AbortSignal): Promise<number> {
  if (max === 0) return 0
  const known = book.recent(max).filter((p) => p.peer !== node.peerId.toString())
  let reached = 0
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < known.length && signal?.aborted !== true) {
      const entry = known[next++]
      if (entry === undefined) return
      try {
        const peer = peerIdFromString(entry.peer)
        if (node.getConnections(peer).length > 0) { reached++; continue }
        await node.peerStore.merge(peer, { multiaddrs: entry.addrs.map((a) => multiaddr(a)) })
        const timeout = AbortSignal.timeout(REDIAL_TIMEOUT_MS)
        await node.dial(peer, { signal: signal != null ? AbortSignal.any([signal, timeout]) : timeout })
        reached++
      } catch (err) {
        log.debug({ remotePeer: entry.peer, err: (err as Error).message }, 'redial of known peer failed')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(REDIAL_CONCURRENCY, known.length) }, worker))
  log.info({ known: known.length, reached }, 'redialled known peers')
  return reached
}
