import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'

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
  private readonly ids = new Map<string, PeerId>()

  constructor (private readonly max = DEFAULT_PEER_ID_CACHE_SIZE) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`)
  }

  /** The parsed peer ID of `text`; throws when it is not one. */
  parse (text: string): PeerId {
    let id = this.ids.get(text)
    if (id !== undefined) {
      // Re-insert so that Map order is least recently used first.
      this.ids.delete(text)
      this.ids.set(text, id)
      return id
    }
    id = peerIdFromString(text)
    if (this.ids.size >= this.max) {
      const oldest = this.ids.keys().next()
      if (oldest.done !== true) this.ids.delete(oldest.value)
    }
    this.ids.set(text, id)
    return id
  }

  /** How many peer IDs are kept now. */
  get size (): number {
    return this.ids.size
  }
}
