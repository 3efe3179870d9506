import { StreamPool, type PooledStream } from './stream-pool.js'
import type { PeerId } from '@libp2p/interface'
import type { Frame } from '../pb/agentmesh.js'
import { FrameKind, openFrame, RandomPool, sealEnvelope, type SequenceCounter, type Signer, type Verifier } from '../envelope/index.js'
import type { MeshNode } from '../node/index.js'
import type { OutboxRecord } from '../store/index.js'
import type { TraceContext } from './local-delivery.js'
import { ACK_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from './constants.js'
import { RouteRefresher } from './route-refresh.js'
import { AnswerRefusedError, RelayRejectedError, RelayTransportError } from './errors.js'
import { OversizedMessageError } from './message-stream.js'
import { NO_CLOCK, type StageClock } from './stage-clock.js'
import { linkedSignal, type LinkedSignal } from '../signals/index.js'
import { PeerIdCache } from '../node/peer-id-cache.js'

/** One transmission's content: the stored task, plus the caller's W3C trace context. */
export type OutgoingTask = Pick<OutboxRecord, 'id' | 'toPeer' | 'toAgent' | 'fromAgent' | 'method' | 'payload' | 'deadlineMs'> & TraceContext & {
  /** The encoded delegation chain sealed into the envelope. */
  delegation?: Uint8Array
}

/** What {@link RelaySender} needs. */
export interface RelaySenderInit {
  node: MeshNode
  signer: Signer
  verifier: Verifier
  sequences: SequenceCounter
  now: () => number
  /** Largest envelope sent or frame read (`relay.maxMessageBytes`). */
  maxMessageBytes?: number
  /** Shared with the daemon's other dials of peers (default: the sender's own). */
  routes?: RouteRefresher
}

const decoder = new TextDecoder()

/**
 * The sending side of the relay protocol: seals a fresh envelope (new nonce,
 * next sequence number, same task id) for each transmission and reads the
 * receiver's signed frames, checking their order.
 */
export class RelaySender {
  private readonly init: RelaySenderInit
  private readonly pool: StreamPool
  private readonly peerIds = new PeerIdCache()
  private readonly random = new RandomPool()
  private readonly routes: RouteRefresher

  constructor (init: RelaySenderInit) {
    this.init = init
    this.pool = new StreamPool(init.node, init.now, init.maxMessageBytes)
    this.routes = init.routes ?? new RouteRefresher({ node: init.node, now: init.now })
  }

  /**
   * Sends one transmission. Calls `onFrame` for each frame after verifying it.
   * Resolves at END; throws {@link RelayRejectedError} on an ERROR frame and
   * {@link RelayTransportError} when the stream cannot be opened or breaks.
   * `acked` tells the caller whether the receiver stored the task.
   */
  async send (task: OutgoingTask, onFrame: (frame: Frame) => void | Promise<void>, signal: AbortSignal, clock: StageClock = NO_CLOCK): Promise<void> {
    const peer = this.peerIds.parse(task.toPeer)
    const pooled = await this.acquire(peer, signal)
    clock.mark('stream')
    try {
      await this.sendOn(pooled, peer, task, onFrame, signal, clock)
    } catch (err) {
      // A reused stream that fails before any answer was most likely closed
      // by the receiver while idle: try once more on a fresh one. The task id
      // is unchanged, so the receiver's inbox makes this safe either way.
      if (!(err instanceof StaleStreamError)) throw err
      await this.sendOn(await this.acquire(peer, signal, true), peer, task, onFrame, signal, clock)
    }
  }

  /** Stops reusing streams and closes the idle ones. */
  close (): void {
    this.pool.close()
  }

  /** A stream to `peer` (pooled unless `fresh`); a failed open is retried once after a DHT lookup of the peer. */
  private async acquire (peer: PeerId, signal: AbortSignal, fresh = false): Promise<PooledStream> {
    try {
      return await this.routes.open(peer, async (s) => fresh ? await this.pool.acquireFresh(peer, s) : await this.pool.acquire(peer, s), signal)
    } catch (err) {
      if (err instanceof RelayTransportError) throw err
      throw new RelayTransportError(`cannot open a relay stream to ${peer.toString()}: ${(err as Error).message}`, { cause: err })
    }
  }

  private async sendOn (pooled: PooledStream, peer: PeerId, task: OutgoingTask, onFrame: (frame: Frame) => void | Promise<void>, signal: AbortSignal, clock: StageClock): Promise<void> {
    const { signer, verifier, sequences, now } = this.init
    const { stream, lp } = pooled
    const sealed = sealEnvelope({
      id: task.id,
      from: { peer: signer.peerId, agent: task.fromAgent },
      to: { peer: task.toPeer, agent: task.toAgent },
      timestampMs: now(),
      nonce: this.random.nonce(),
      seq: sequences.next(task.toPeer),
      deadlineMs: task.deadlineMs,
      method: task.method,
      payload: task.payload,
      ...(task.delegation != null && task.delegation.byteLength > 0 ? { delegation: task.delegation } : {}),
      ...(task.traceparent != null ? { traceparent: task.traceparent } : {}),
      ...(task.tracestate != null ? { tracestate: task.tracestate } : {})
    }, signer)
    clock.mark('seal')
    let expected = 0
    let acked = false
    // Until the first frame the receiver must answer promptly (counted once a big envelope is written); after it, the agent takes its time.
    let beforeAck: LinkedSignal | undefined
    try {
      await lp.write(sealed, { signal })
      clock.mark('send')
      beforeAck = linkedSignal(signal, ACK_TIMEOUT_MS)
      while (true) {
        const readSignal = acked ? signal : beforeAck.signal
        const bytes = await lp.read({ signal: readSignal })
        clock.mark('remote')
        const frame = openFrame(bytes, { remotePeer: task.toPeer, verifier, maxBytes: this.init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES })
        clock.mark('verify_answer')
        if (frame.index !== expected++ || (frame.kind !== FrameKind.ERROR && !equalBytes(frame.envelopeId, task.id))) {
          throw new RelayTransportError(`out-of-order or foreign frame from ${task.toPeer}`)
        }
        if (frame.kind === FrameKind.ERROR) {
          const e = parseError(frame.payload)
          throw new RelayRejectedError(e.code, e.message, e.rule)
        }
        if (!acked) beforeAck.clear()
        acked = true
        await onFrame(frame)
        // A RESULT ends a plain answer; END ends a stream of EVENTs.
        if (frame.kind === FrameKind.END || frame.kind === FrameKind.RESULT) break
      }
      this.pool.release(peer, pooled)
    } catch (err) {
      stream.abort(err as Error)
      // Too big an envelope (or answer) for the cap: the same task would be again.
      if (err instanceof OversizedMessageError) throw new RelayRejectedError('OVERSIZED', err.message)
      if (err instanceof RelayRejectedError || err instanceof RelayTransportError || err instanceof AnswerRefusedError) throw err
      if (signal.aborted) throw err
      if (!pooled.fresh && expected === 0 && (err as Error).name !== 'TimeoutError') {
        throw new StaleStreamError(`reused relay stream to ${task.toPeer} was closed`, { cause: err })
      }
      throw new RelayTransportError(`relay stream to ${task.toPeer} broke${acked ? ' after the task was stored' : ''}: ${(err as Error).message}`, { cause: err })
    } finally {
      beforeAck?.clear()
    }
  }

}

/** A reused stream failed before any answer: worth one retry on a fresh stream. */
class StaleStreamError extends RelayTransportError {}

function parseError (payload: Uint8Array): { code: string, message: string, rule?: string } {
  try {
    const e = JSON.parse(decoder.decode(payload)) as { code?: unknown, message?: unknown, rule?: unknown }
    return { code: String(e.code ?? 'ERROR'), message: String(e.message ?? 'rejected'), ...(typeof e.rule === 'string' ? { rule: e.rule } : {}) }
  } catch {
    return { code: 'ERROR', message: 'rejected (unreadable reason)' }
  }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
