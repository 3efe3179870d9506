import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { LruMap } from '../lru-map.js'

/** How many parsed peer IDs a {@link PeerIdCache} keeps by default. */
export const DEFAULT_PEER_ID_CACHE_SIZE = 1024

/**
 * Parses peer ID strings once: `peerIdFromString` decodes base58 and a
 * multihash on every call (about 9 µs here), and a task names its peer
 * several times on its way through a daemon. Keeps the most recently used
 * entries, up to `max`; a string that is not a peer ID is never cached and
 * throws as `peerIdFromString` does.
 */
export class PeerIdCache {
  private readonly ids: LruMap<string, PeerId>

  constructor (max = DEFAULT_PEER_ID_CACHE_SIZE) {
    this.ids = new LruMap(max)
  }

  /** The parsed peer ID of `text`; throws when it is not one. */
  parse (text: string): PeerId {
    let id = this.ids.get(text)
    if (id === undefined) {
      id = peerIdFromString(text)
      this.ids.set(text, id)
    }
    return id
  }

  /** How many peer IDs are kept now. */
  get size (): number {
    return this.ids.size
  }
}
