import type { PeerId, Stream } from '@libp2p/interface'
import type { MeshNode } from '../node/index.js'
import { A2A_PROTOCOL, ACK_TIMEOUT_MS, MAX_OUTBOUND_STREAMS, POOL_IDLE_MS, POOL_MAX_IDLE_PER_PEER } from './constants.js'
import { messageStream, type MessageStream } from './message-stream.js'

/** A relay stream and its framing. */
export interface PooledStream {
  stream: Stream
  lp: MessageStream
  /** True when the stream was opened for this task (not reused). */
  fresh: boolean
  idleSince: number
}

/**
 * Keeps finished relay streams per peer for the next task: opening and
 * negotiating a libp2p stream costs milliseconds, reusing one costs nothing.
 * Each stream carries one task at a time.
 */
export class StreamPool {
  private readonly idle = new Map<string, PooledStream[]>()
  private readonly timer: ReturnType<typeof setInterval>

  constructor (private readonly node: MeshNode, private readonly now: () => number, private readonly maxMessageBytes?: number) {
    this.timer = setInterval(() => { this.sweep() }, POOL_IDLE_MS / 2)
    this.timer.unref?.()
  }

  /** An open stream to `peer`: an idle one if any, else a new one. */
  async acquire (peer: PeerId, signal: AbortSignal): Promise<PooledStream> {
    const list = this.idle.get(peer.toString())
    while (list != null && list.length > 0) {
      const s = list.pop() as PooledStream
      if (s.stream.status === 'open' && s.stream.writeStatus === 'writable' && s.stream.readStatus === 'readable') {
        return { ...s, fresh: false }
      }
      s.stream.abort(new Error('stale pooled stream'))
    }
    return this.acquireFresh(peer, signal)
  }

  /** A newly opened stream to `peer`. */
  async acquireFresh (peer: PeerId, signal: AbortSignal): Promise<PooledStream> {
    const stream = await this.node.dialProtocol(peer, A2A_PROTOCOL, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(ACK_TIMEOUT_MS)]),
      maxOutboundStreams: MAX_OUTBOUND_STREAMS
    } as Parameters<MeshNode['dialProtocol']>[2])
    return { stream, lp: messageStream(stream, this.maxMessageBytes !== undefined ? { maxMessageBytes: this.maxMessageBytes } : {}), fresh: true, idleSince: 0 }
  }

  /** Returns a stream whose last answer ended cleanly. */
  release (peer: PeerId, s: PooledStream): void {
    const key = peer.toString()
    const list = this.idle.get(key) ?? []
    if (list.length >= POOL_MAX_IDLE_PER_PEER) {
      void s.stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => { s.stream.abort(new Error('close failed')) })
      return
    }
    list.push({ ...s, idleSince: this.now() })
    this.idle.set(key, list)
  }

  /** Closes every idle stream and stops the sweeper. */
  close (): void {
    clearInterval(this.timer)
    for (const list of this.idle.values()) for (const s of list) s.stream.abort(new Error('pool closed'))
    this.idle.clear()
  }

  private sweep (): void {
    const cutoff = this.now() - POOL_IDLE_MS
    for (const [key, list] of this.idle) {
      const keep = list.filter((s) => {
        if (s.idleSince >= cutoff && s.stream.status === 'open') return true
        void s.stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => { s.stream.abort(new Error('close failed')) })
        return false
      })
      if (keep.length === 0) this.idle.delete(key)
      else this.idle.set(key, keep)
    }
  }
}
