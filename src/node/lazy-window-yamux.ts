import { yamux } from '@chainsafe/libp2p-yamux'
import type { StreamMuxerFactory } from '@libp2p/interface'

type YamuxInit = Parameters<typeof yamux>[0]

/** The parts of @chainsafe/libp2p-yamux's stream this module reaches into. */
interface YamuxStreamInternals {
  sendWindowUpdate?: () => void
  state?: number
  recvWindow?: number
  recvWindowCapacity?: number
}

interface YamuxMuxerInternals {
  _newStream?: (...args: unknown[]) => YamuxStreamInternals
}

/**
 * Stream states in which a window update carries no flag (yamux's
 * StreamState.SYNSent = 1 and Established = 3). In Init and SYNReceived the
 * next frame must carry SYN or ACK, so it always goes out; Paused and Finished
 * are left to yamux.
 */
const NO_FLAG_STATES: ReadonlySet<number> = new Set([1, 3])

/**
 * Yamux, as `yamux()` makes it, except that a stream grants the sender more
 * window only once half of it is used, as Hashicorp's yamux (the protocol's
 * reference) and go-yamux do.
 *
 * The stock stream answers every data frame it reads with a WINDOW_UPDATE
 * frame: one more socket write for the reader and one more wake-up for the
 * writer per relay message, two per task. Granting at half the window keeps
 * the sender at least half a window (128 KiB by default) ahead, so flow
 * control never stalls, and bulk transfers still get an update per half
 * window. Frames with flags (SYN/ACK, FIN, RST) always go out at once.
 *
 * If a yamux release renames the internals this relies on, streams behave as
 * stock (correct, just chattier); test/unit/node/lazy-window-yamux.test.ts
 * then fails and says so.
 */
export function lazyWindowYamux (init: YamuxInit = {}): () => StreamMuxerFactory {
  const make = yamux(init)
  return () => {
    const factory = make()
    const create = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const muxer = create(maConn)
      patchMuxer(muxer as unknown as YamuxMuxerInternals)
      return muxer
    }
    return factory
  }
}

/** Wraps the muxer's stream constructor so each new stream gets {@link lazyWindowUpdates}; false if it cannot. */
export function patchMuxer (muxer: YamuxMuxerInternals): boolean {
  const newStream = muxer._newStream
  if (typeof newStream !== 'function') return false
  muxer._newStream = function (this: unknown, ...args: unknown[]) {
    const stream = newStream.apply(this, args)
    lazyWindowUpdates(stream)
    return stream
  }
  return true
}

/** Makes one stream skip window updates while the sender still has half the window or more; false if it cannot. */
export function lazyWindowUpdates (stream: YamuxStreamInternals): boolean {
  const send = stream.sendWindowUpdate
  if (typeof send !== 'function' || typeof stream.state !== 'number' || typeof stream.recvWindow !== 'number' || typeof stream.recvWindowCapacity !== 'number') return false
  stream.sendWindowUpdate = function (this: YamuxStreamInternals) {
    // Not getSendFlags(): it moves the stream's state on as it answers.
    if (NO_FLAG_STATES.has(this.state ?? -1) && (this.recvWindowCapacity ?? 0) * 2 >= (this.recvWindow ?? 0)) return
    send.call(this)
  }
  return true
}
