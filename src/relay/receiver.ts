import { lpStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { AgentmeshError } from '../errors.js'
import { EnvelopeError, FrameKind, ReplayError, openEnvelope, type OpenedEnvelope, type ReplayWindow, type Signer, type Verifier } from '../envelope/index.js'
import type { AgentRegistry } from '../registry/index.js'
import type { Database, InboxStore, StoredFrame } from '../store/index.js'
import type { Logger, Metrics } from '../telemetry/index.js'
import { CARD_METHOD, DEFAULT_PER_PEER_CONCURRENCY, ENVELOPE_READ_TIMEOUT_MS, MAX_MESSAGE_BYTES } from './constants.js'
import { FrameWriter } from './frame-writer.js'
import { deliverToAgent } from './local-delivery.js'

/** What {@link RelayReceiver} needs. */
export interface RelayReceiverInit {
  localPeer: string
  signer: Signer
  verifier: Verifier
  replay: ReplayWindow
  db: Database
  inbox: InboxStore
  registry: AgentRegistry
  metrics: Metrics
  log: Logger
  now: () => number
  perPeerConcurrency?: number
  fetch?: typeof fetch
}

const NO_ID = new Uint8Array(16)
const decoder = new TextDecoder()

/**
 * The receiving side of the relay protocol: verifies each envelope (signature
 * = connection peer, clock window, replay window), de-duplicates by task id in
 * the inbox, delivers to the local agent and streams its answer back as
 * signed frames.
 */
export class RelayReceiver {
  private readonly init: RelayReceiverInit
  private readonly inFlight = new Map<string, number>()
  /** Deliveries under way in this process, by task id (hex): a retry waits for them. */
  private readonly delivering = new Map<string, Promise<void>>()
  private readonly stopped = new AbortController()

  constructor (init: RelayReceiverInit) {
    this.init = init
  }

  /** Marks deliveries that a previous run left unfinished as failed: at most once, never twice. */
  recoverInterrupted (): number {
    const { inbox, now, log } = this.init
    const open = inbox.interrupted()
    for (const r of open) {
      inbox.finish(r.id, 'failed', null, { code: 'DELIVERY_INTERRUPTED', message: 'the receiving daemon stopped while delivering this task; the agent may or may not have processed it' }, now())
    }
    if (open.length > 0) log.warn({ count: open.length }, 'marked interrupted deliveries as failed')
    return open.length
  }

  stop (): void {
    this.stopped.abort()
  }

  /** The libp2p stream handler. */
  readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const { log, metrics } = this.init
    const remote = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
    let writer = new FrameWriter(NO_ID, this.init.signer, this.init.now)
    const reject = async (code: string, message: string): Promise<void> => {
      metrics.envelopesRejected.inc({ reason: code })
      log.warn({ remotePeer: remote, reason: code }, `envelope rejected: ${message}`)
      try {
        await lp.write(writer.error(code, message), { signal: AbortSignal.timeout(5_000) })
        await stream.close({ signal: AbortSignal.timeout(5_000) })
      } catch {
        stream.abort(new Error(code))
      }
    }

    let bytes: Uint8Array
    try {
      bytes = (await lp.read({ signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(ENVELOPE_READ_TIMEOUT_MS)]) })).subarray()
    } catch (err) {
      const name = (err as Error).name
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
        await reject('OVERSIZED', `message exceeds ${MAX_MESSAGE_BYTES} bytes`)
      } else if (name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'AbortError') {
        stream.abort(err as Error)
      } else {
        await reject('MALFORMED', `unreadable message: ${(err as Error).message}`)
      }
      return
    }
    metrics.envelopesReceived.inc()

    let envelope: OpenedEnvelope
    try {
      envelope = openEnvelope(bytes, { remotePeer: remote, verifier: this.init.verifier, maxBytes: MAX_MESSAGE_BYTES, localPeer: this.init.localPeer })
    } catch (err) {
      if (err instanceof EnvelopeError) await reject(err.code, err.message)
      else await reject('MALFORMED', (err as Error).message)
      return
    }
    writer = new FrameWriter(envelope.id, this.init.signer, this.init.now)

    const active = this.inFlight.get(remote) ?? 0
    if (active >= (this.init.perPeerConcurrency ?? DEFAULT_PER_PEER_CONCURRENCY)) {
      await reject('RATE_LIMITED', `too many tasks from ${remote} at once (limit ${this.init.perPeerConcurrency ?? DEFAULT_PER_PEER_CONCURRENCY}); retry later`)
      return
    }
    this.inFlight.set(remote, active + 1)
    try {
      await this.serve(envelope, remote, lp, writer, reject)
    } catch (err) {
      log.warn({ remotePeer: remote, err: (err as Error).message }, 'relay stream failed')
      stream.abort(err as Error)
    } finally {
      const n = (this.inFlight.get(remote) ?? 1) - 1
      if (n <= 0) this.inFlight.delete(remote)
      else this.inFlight.set(remote, n)
    }
  }

  private async serve (envelope: OpenedEnvelope, remote: string, lp: ReturnType<typeof lpStream>, writer: FrameWriter,
    reject: (code: string, message: string) => Promise<void>): Promise<void> {
    const { db, inbox, registry, replay, now } = this.init
    const agent = registry.get(envelope.to.agent)
    const isCard = envelope.method === CARD_METHOD
    let claimed = false
    try {
      // One transaction: the replay window and the inbox claim commit together.
      db.transaction(() => {
        replay.check(envelope)
        if (agent != null && !isCard) claimed = inbox.claim(envelope.id, remote, envelope.to.agent, envelope.method, now())
      })
    } catch (err) {
      if (err instanceof ReplayError) { await reject(err.code, err.message); return }
      throw err
    }
    if (agent == null) {
      await reject('AGENT_NOT_FOUND', `no agent named "${envelope.to.agent}" on ${this.init.localPeer}`)
      return
    }
    const write = async (frame: Uint8Array): Promise<void> => { await lp.write(frame, { signal: this.stopped.signal }) }

    if (isCard) {
      await write(writer.next(FrameKind.ACK))
      await write(writer.next(FrameKind.RESULT, JSON.stringify(agent.card)))
      await write(writer.next(FrameKind.END))
      await lp.unwrap().close()
      return
    }

    const key = Buffer.from(envelope.id).toString('hex')
    if (!claimed) {
      // A retry of a task we already have: answer from the inbox, never deliver twice.
      await this.delivering.get(key)
      const known = inbox.get(envelope.id)
      await write(writer.next(FrameKind.ACK))
      if (known?.state === 'done') {
        for (const f of known.frames ?? []) await write(writer.next(f.kind === 'EVENT' ? FrameKind.EVENT : FrameKind.RESULT, f.payload))
        await write(writer.next(FrameKind.END))
      } else {
        const e = known?.error ?? { code: 'DELIVERY_INTERRUPTED', message: 'the delivery of this task was interrupted' }
        await write(writer.error(e.code, e.message))
      }
      await lp.unwrap().close()
      return
    }

    await write(writer.next(FrameKind.ACK))
    const frames: StoredFrame[] = []
    let peerGone = false
    let failed = false
    const delivery = (async () => {
      try {
        await deliverToAgent(agent, envelope.method, decoder.decode(envelope.payload), async (f) => {
          frames.push(f)
          if (peerGone) return
          try {
            await write(writer.next(f.kind === 'EVENT' ? FrameKind.EVENT : FrameKind.RESULT, f.payload))
          } catch {
            // The sender went away; keep delivering so the inbox holds the whole answer for its retry.
            peerGone = true
          }
        }, this.stopped.signal, this.init.fetch)
        inbox.finish(envelope.id, 'done', frames, null, now())
        this.init.metrics.tasksDelivered.inc({ outcome: 'delivered' })
      } catch (err) {
        const code = err instanceof AgentmeshError ? err.code : 'AGENT_ERROR'
        const message = (err as Error).message
        inbox.finish(envelope.id, 'failed', null, { code, message }, now())
        this.init.metrics.tasksDelivered.inc({ outcome: 'failed' })
        failed = true
        if (!peerGone) await write(writer.error(code, message)).catch(() => { peerGone = true })
      }
    })()
    this.delivering.set(key, delivery)
    try {
      await delivery
    } finally {
      this.delivering.delete(key)
    }
    if (peerGone) return
    if (!failed) await write(writer.next(FrameKind.END))
    await lp.unwrap().close()
  }
}
