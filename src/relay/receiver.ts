import { createHash } from 'node:crypto'
import { http } from '../builtin-http.js'
import type { Connection, Stream } from '@libp2p/interface'
import { AgentmeshError } from '../errors.js'
import { EnvelopeError, FrameKind, ReplayError, openEnvelope, type OpenedEnvelope, type ReplayWindow, type Signer, type Verifier } from '../envelope/index.js'
import type { AgentRegistry } from '../registry/index.js'
import type { AgentRecord, Database, InboxStore, StoredFrame } from '../store/index.js'
import type { Logger, Metrics } from '../telemetry/index.js'
import { ACK_DELAY_MS, AGENT_CONCURRENCY, STOP_GRACE_MS, CARD_METHOD, DEFAULT_PER_PEER_CONCURRENCY, DEFAULT_MAX_MESSAGE_BYTES, ENVELOPE_READ_TIMEOUT_MS, FRAME_OVERHEAD_BYTES, STREAM_IDLE_TIMEOUT_MS } from './constants.js'
import { FrameWriter } from './frame-writer.js'
import { deliverToAgent, type TraceContext } from './local-delivery.js'
import { messageStream, type MessageStream } from './message-stream.js'
import { PeerRateLimiter } from './rate-limiter.js'
import { Semaphore } from './semaphore.js'
import { NO_CLOCK, StageClock, type StageObserver, type TaskTracer } from './stage-clock.js'

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
  /** Largest envelope read or frame written (`relay.maxMessageBytes`); the agent's answer must fit in a frame. */
  maxMessageBytes?: number
  /** Envelopes accepted per second from one peer (burst: the same number). */
  perPeerRatePerSecond?: number
  fetch?: typeof fetch
  /**
   * The closed mesh's checks on an authentic envelope, before the replay
   * window: is the sender certified for the agent it speaks for, and does
   * the policy allow the edge? Returns why not, or undefined.
   */
  admit?: (envelope: OpenedEnvelope, remotePeer: string) => { code: string, message: string, rule?: string } | undefined
  /**
   * Pre-execution inspection of an admitted envelope's request (schema,
   * content rules, external guard): resolves the veto, or undefined.
   */
  inspect?: (envelope: OpenedEnvelope, remotePeer: string, signal: AbortSignal) => Promise<{ code: string, message: string } | undefined>
  /** The request handed to the agent, from an admitted envelope (the delegation chain added to its metadata); default: the payload as sent. */
  deliveryPayload?: (envelope: OpenedEnvelope) => Uint8Array
  /**
   * Records a decision (the audit log). Called inside the transaction of the
   * write the decision belongs with, where there is one, so both commit together.
   */
  audit?: (event: ReceiverAudit) => void
  /** The card served for a local agent (signed by this daemon); default: the card as registered. */
  cardOf?: (agent: AgentRecord) => Promise<unknown>
  /** Times the stages of each task (the receiving side). */
  stages?: StageObserver
  /** Makes a span per task, continuing the sender's trace (when tracing is on). */
  tracer?: TaskTracer
}

/** One decision of the receiving side, for the audit log. */
export interface ReceiverAudit {
  /** `accepted`, `delivered`, `delivery_failed`, or (with `reason`) a refusal. */
  decision?: string
  /** The refusal or failure code. */
  reason?: string
  rule?: string
  detail?: string
  /** The sending peer. */
  remote: string
  /** The envelope, once it opened. */
  envelope?: OpenedEnvelope
  /** Hex SHA-256 of the envelope's bytes. */
  envelopeHash?: string
  /** For a delivery that outlived its envelope (after a restart): the task and its agent. */
  taskId?: Uint8Array
  toAgent?: string
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
  /** Deliveries under way in this process, by sender and task id: a retry waits for them. */
  private readonly deliveries = new Map<string, { done: Promise<{ code: string, message: string } | undefined> }>()
  /** HTTP calls in flight per local agent; the rest wait, still 'received' (safe to resume after a crash). */
  private readonly agentSlots = new Map<string, Semaphore>()
  private readonly stopped = new AbortController()
  /** Set while stopping: no new task is handed to an agent. */
  private draining = false

  private readonly rate: PeerRateLimiter | undefined
  private readonly maxMessageBytes: number
  /** Kept-alive connections to the local agents. */
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: AGENT_CONCURRENCY })

  constructor (init: RelayReceiverInit) {
    this.init = init
    this.maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const rate = init.perPeerRatePerSecond
    this.rate = rate === undefined ? undefined : new PeerRateLimiter(rate, rate, init.now)
  }

  /**
   * Finishes what a previous run left: tasks stored but never handed to their
   * agent are delivered now; tasks whose delivery was under way when the
   * daemon died are reported failed — the agent may have seen them, and a
   * second delivery could do the work twice.
   */
  recoverUnfinished (): { resumed: number, failed: number } {
    const { inbox, now, log } = this.init
    let resumed = 0
    let failed = 0
    for (const r of inbox.unfinished()) {
      if (r.state === 'received') {
        resumed++
        void this.startDelivery(r.sender, r.id, r.toAgent, r.method, r.payload, undefined)
      } else {
        failed++
        const e = { code: 'DELIVERY_INTERRUPTED', message: 'the receiving daemon stopped while this task was with its agent; the agent may or may not have processed it' }
        this.init.db.transaction(() => {
          inbox.finish(r.sender, r.id, 'failed', null, e, now())
          this.init.audit?.({ decision: 'delivery_failed', reason: e.code, detail: e.message, remote: r.sender, taskId: r.id, toAgent: r.toAgent })
        })
      }
    }
    if (resumed + failed > 0) log.warn({ resumed, failed }, 'recovered unfinished deliveries')
    return { resumed, failed }
  }

  /**
   * Hands a stored task to its local agent, at most `AGENT_CONCURRENCY` at a
   * time per agent, and stores the answer. Resolves with the failure, if any.
   */
  private startDelivery (sender: string, id: Uint8Array, toAgent: string, method: string, payload: Uint8Array,
    slot: (() => void) | undefined, onFrame?: (f: StoredFrame) => Promise<void>, trace?: TraceContext, clock: StageClock = NO_CLOCK): { done: Promise<{ code: string, message: string } | undefined> } {
    const { inbox, registry, now, metrics } = this.init
    const key = deliveryKey(sender, id)
    const done = (async () => {
      const agent = registry.get(toAgent)
      if (agent == null) {
        slot?.()
        const e = { code: 'AGENT_NOT_FOUND', message: `no agent named "${toAgent}" on ${this.init.localPeer}` }
        this.init.db.transaction(() => {
          inbox.finish(sender, id, 'failed', null, e, now())
          this.init.audit?.({ decision: 'delivery_failed', reason: e.code, detail: e.message, remote: sender, taskId: id, toAgent })
        })
        return e
      }
      const release = slot ?? await this.slotsFor(toAgent).acquire()
      if (this.draining && slot == null) {
        // Stopping: leave it 'received'; the next start delivers it.
        release()
        return { code: 'DAEMON_STOPPING', message: 'the receiving daemon is restarting; the task is kept and will be delivered' }
      }
      const frames: StoredFrame[] = []
      try {
        if (slot == null) inbox.markDelivering(sender, id, now())
        await deliverToAgent(agent, method, decoder.decode(payload), async (f) => {
          frames.push(f)
          await onFrame?.(f)
        }, this.stopped.signal, { ...(this.init.fetch != null ? { fetch: this.init.fetch } : {}), httpAgent: this.httpAgent, maxAnswerBytes: this.maxMessageBytes - FRAME_OVERHEAD_BYTES, ...(trace != null ? { trace } : {}) })
        this.init.db.transaction(() => {
          inbox.finish(sender, id, 'done', frames, null, now())
          this.init.audit?.({ decision: 'delivered', remote: sender, taskId: id, toAgent })
        })
        clock.mark('store')
        metrics.tasksDelivered.inc({ outcome: 'delivered' })
        return undefined
      } catch (err) {
        const e = { code: err instanceof AgentmeshError ? err.code : 'AGENT_ERROR', message: (err as Error).message }
        if (!this.stopped.signal.aborted) {
          this.init.db.transaction(() => {
            inbox.finish(sender, id, 'failed', null, e, now())
            this.init.audit?.({ decision: 'delivery_failed', reason: e.code, detail: e.message, remote: sender, taskId: id, toAgent })
          })
        }
        metrics.tasksDelivered.inc({ outcome: 'failed' })
        return e
      } finally {
        release()
      }
    })()
    const entry = { done }
    this.deliveries.set(key, entry)
    void done.finally(() => { if (this.deliveries.get(key) === entry) this.deliveries.delete(key) })
    return entry
  }

  private slotsFor (agent: string): Semaphore {
    let slots = this.agentSlots.get(agent)
    if (slots == null) { slots = new Semaphore(AGENT_CONCURRENCY); this.agentSlots.set(agent, slots) }
    return slots
  }

  /**
   * Stops: first lets the agents finish the tasks they are working on (up
   * to `graceMs`), so that a restart does not turn them into
   * DELIVERY_INTERRUPTED failures; then aborts what is left. Tasks still
   * waiting for a slot stay 'received' and are delivered after the restart.
   */
  async stop (graceMs = STOP_GRACE_MS): Promise<void> {
    this.draining = true
    const deadline = Date.now() + graceMs
    while (this.deliveries.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.deliveries.values()].map(async (d) => d.done)), new Promise((resolve) => setTimeout(resolve, 100))])
    }
    this.stopped.abort()
    this.httpAgent.destroy()
  }

  /** The libp2p stream handler. */
  readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const remote = connection.remotePeer.toString()
    const lp = messageStream(stream, { maxMessageBytes: this.maxMessageBytes })
    // A stream carries one task at a time, and the sender may reuse it for the
    // next one once an answer has ended.
    for (let first = true; ; first = false) {
      const keepOpen = await this.handleOne(stream, lp, remote, first ? ENVELOPE_READ_TIMEOUT_MS : STREAM_IDLE_TIMEOUT_MS)
      if (!keepOpen) return
    }
  }

  /** Reads and answers one envelope; false once the stream is finished with. */
  private async handleOne (stream: Stream, lp: MessageStream, remote: string, timeoutMs: number): Promise<boolean> {
    const { log, metrics } = this.init
    let writer = new FrameWriter(NO_ID, this.init.signer, this.init.now)
    let opened: OpenedEnvelope | undefined
    let envelopeHash: string | undefined
    /** Set once the envelope is read: the task's stage clock (and span). */
    let failed: StageClock | undefined
    const reject = async (code: string, message: string, rule?: string): Promise<void> => {
      failed?.fail(code, message)
      metrics.envelopesRejected.inc({ reason: code })
      this.init.audit?.({ reason: code, detail: message, remote, ...(rule !== undefined ? { rule } : {}), ...(opened != null ? { envelope: opened } : {}), ...(envelopeHash !== undefined ? { envelopeHash } : {}) })
      log.warn({ remotePeer: remote, reason: code, ...(rule !== undefined ? { rule } : {}) }, `envelope rejected: ${message}`)
      try {
        await lp.write(writer.error(code, message, rule), { signal: AbortSignal.timeout(5_000) })
        await stream.close({ signal: AbortSignal.timeout(5_000) })
      } catch {
        stream.abort(new Error(code))
      }
    }

    let bytes: Uint8Array
    try {
      bytes = await lp.read({ signal: this.stopped.signal, chunkTimeoutMs: timeoutMs })
    } catch (err) {
      const name = (err as Error).name
      if (name === 'OversizedMessageError') {
        await reject('OVERSIZED', (err as Error).message)
      } else if (name === 'UnexpectedEOFError') {
        // The sender is done with this stream (or left mid-message): close our side too.
        await stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => { stream.abort(err as Error) })
      } else if (name === 'TimeoutError' || name === 'AbortError' || name === 'StreamResetError') {
        stream.abort(err as Error)
      } else {
        await reject('MALFORMED', `unreadable message: ${(err as Error).message}`)
      }
      return false
    }
    metrics.envelopesReceived.inc()
    const clock = failed = new StageClock(this.init.stages)
    try {
      if (this.init.audit != null) envelopeHash = createHash('sha256').update(bytes).digest('hex')

      let envelope: OpenedEnvelope
      try {
        envelope = openEnvelope(bytes, { remotePeer: remote, verifier: this.init.verifier, maxBytes: this.maxMessageBytes, localPeer: this.init.localPeer })
      } catch (err) {
        if (err instanceof EnvelopeError) await reject(err.code, err.message)
        else await reject('MALFORMED', (err as Error).message)
        return false
      }
      writer = new FrameWriter(envelope.id, this.init.signer, this.init.now)
      opened = envelope
      clock.attach(this.init.tracer?.startTask('receive', { ...(envelope.traceparent != null ? { traceparent: envelope.traceparent } : {}), ...(envelope.tracestate != null ? { tracestate: envelope.tracestate } : {}) },
        { 'agentmesh.peer': this.init.localPeer, 'agentmesh.from': `${envelope.from.agent}@${remote}`, 'agentmesh.to': envelope.to.agent, 'agentmesh.method': envelope.method, 'agentmesh.task_id': Buffer.from(envelope.id).toString('hex') }, clock.startedMs))
      clock.mark('verify')

      if (this.rate != null && !this.rate.take(remote)) {
        await reject('RATE_LIMITED', `more than ${this.init.perPeerRatePerSecond ?? 0} envelopes per second from ${remote}; retry later`)
        return false
      }
      const active = this.inFlight.get(remote) ?? 0
      if (active >= (this.init.perPeerConcurrency ?? DEFAULT_PER_PEER_CONCURRENCY)) {
        await reject('RATE_LIMITED', `too many tasks from ${remote} at once (limit ${this.init.perPeerConcurrency ?? DEFAULT_PER_PEER_CONCURRENCY}); retry later`)
        return false
      }
      const refusal = this.init.admit?.(envelope, remote)
      clock.mark('admit')
      if (refusal != null) {
        if (refusal.code === 'POLICY_DENIED') metrics.policyDenied.inc({ side: 'ingress', rule: refusal.rule ?? '' })
        await reject(refusal.code, refusal.message, refusal.rule)
        return false
      }
      // A task for an agent that is not here is refused as such (in serve), not inspected.
      if (this.init.inspect != null && envelope.method !== CARD_METHOD && this.init.registry.get(envelope.to.agent) != null) {
        const veto = await this.init.inspect(envelope, remote, this.stopped.signal).catch((err: Error) => ({ code: 'INTERNAL', message: `inspection failed: ${err.message}` }))
        if (veto != null) {
          await reject(veto.code, veto.message)
          return false
        }
      }
      clock.mark('inspection')
      this.inFlight.set(remote, active + 1)
      try {
        return await this.serve(envelope, remote, lp, writer, reject, envelopeHash, clock)
      } catch (err) {
        log.warn({ remotePeer: remote, err: (err as Error).message }, 'relay stream failed')
        stream.abort(err as Error)
        return false
      } finally {
        const n = (this.inFlight.get(remote) ?? 1) - 1
        if (n <= 0) this.inFlight.delete(remote)
        else this.inFlight.set(remote, n)
      }
    } finally {
      clock.end()
    }
  }

  private async serve (envelope: OpenedEnvelope, remote: string, lp: MessageStream, writer: FrameWriter,
    reject: (code: string, message: string) => Promise<void>, envelopeHash?: string, clock: StageClock = NO_CLOCK): Promise<boolean> {
    const { db, inbox, registry, replay, now } = this.init
    const agent = registry.get(envelope.to.agent)
    const isCard = envelope.method === CARD_METHOD
    let claimed = false
    // With a free slot for the agent, the task goes straight to 'delivering'
    // in the same write that stores it: one transaction on the hot path.
    const slot = agent != null && !isCard ? this.slotsFor(agent.name).tryAcquire() : undefined
    const payload = isCard || this.init.deliveryPayload == null ? envelope.payload : this.init.deliveryPayload(envelope)
    try {
      // One transaction: the replay window and the inbox claim commit together.
      db.transaction(() => {
        replay.check(envelope)
        if (agent != null && !isCard) claimed = inbox.claim(envelope.id, remote, envelope.to.agent, envelope.method, payload, now(), slot != null ? 'delivering' : 'received')
        if (claimed) this.init.audit?.({ decision: 'accepted', remote, envelope, ...(envelopeHash !== undefined ? { envelopeHash } : {}) })
      })
    } catch (err) {
      slot?.()
      if (err instanceof ReplayError) { await reject(err.code, err.message); return false }
      throw err
    }
    if (!claimed) slot?.()
    clock.mark('replay')
    if (agent == null) {
      await reject('AGENT_NOT_FOUND', `no agent named "${envelope.to.agent}" on ${this.init.localPeer}`)
      return false
    }
    const write = async (frame: Uint8Array): Promise<void> => { await lp.write(frame, { signal: this.stopped.signal }) }

    if (isCard) {
      await write(writer.next(FrameKind.RESULT, JSON.stringify(this.init.cardOf != null ? await this.init.cardOf(agent) : agent.card)))
      return true
    }

    const key = deliveryKey(remote, envelope.id)
    if (!claimed) {
      // A retry of a task we already have: answer from the inbox, never deliver twice.
      await this.deliveries.get(key)?.done
      const known = inbox.get(remote, envelope.id)
      if (known?.state === 'done') {
        for (const f of known.frames ?? []) await write(writer.next(f.kind === 'EVENT' ? FrameKind.EVENT : FrameKind.RESULT, f.payload))
        // A RESULT ends an answer by itself; a stream of EVENTs ends with END.
        if (known.frames?.at(-1)?.kind !== 'RESULT') await write(writer.next(FrameKind.END))
      } else if (known?.state === 'failed') {
        const e = known.error ?? { code: 'DELIVERY_INTERRUPTED', message: 'the delivery of this task was interrupted' }
        await write(writer.error(e.code, e.message))
      } else {
        // Stored, and no delivery of it runs in this process: this daemon is
        // stopping (a queued task is left 'received' for the next start, an
        // interrupted one is settled by the next start's recovery). Not final:
        // the sender tries again and the next run answers for good. Answering
        // DELIVERY_INTERRUPTED here made the sender give up on tasks the next
        // run then delivered.
        await write(writer.error('DAEMON_STOPPING', 'the receiving daemon is restarting; the task is kept, try again'))
      }
      return true
    }

    // Registered before the first await, so a retry that races this
    // transmission always finds the delivery and waits for its answer.
    // Frames go out in order through one chain. The ACK ("stored") is only
    // sent if the agent takes longer than ACK_DELAY_MS: a quick answer
    // implies it, and saves a signed frame per task.
    let peerGone = false
    let answered = false
    let lastKind: StoredFrame['kind'] | undefined
    let chain: Promise<void> = Promise.resolve()
    const send = async (frame: () => Uint8Array): Promise<void> => {
      chain = chain.then(async () => { if (!peerGone) await write(frame()) }).catch(() => { peerGone = true })
      await chain
    }
    const ackTimer = setTimeout(() => { if (!answered) void send(() => writer.next(FrameKind.ACK)) }, ACK_DELAY_MS)
    // The agent's own spans, if it makes any, join the task's trace under this daemon's span when tracing is on.
    const span = clock.traced
    const trace = span != null ? { traceparent: span.traceparent, tracestate: span.tracestate } : { traceparent: envelope.traceparent, tracestate: envelope.tracestate }
    const delivery = this.startDelivery(remote, envelope.id, envelope.to.agent, envelope.method, payload, slot, async (f) => {
      answered = true
      clearTimeout(ackTimer)
      lastKind = f.kind
      clock.mark('deliver')
      // If the sender went away, delivery goes on so the inbox holds the whole answer for its retry.
      await send(() => writer.next(f.kind === 'EVENT' ? FrameKind.EVENT : FrameKind.RESULT, f.payload))
      clock.mark('reply')
    }, trace, clock)
    const outcome = await delivery.done
    clearTimeout(ackTimer)
    answered = true
    if (outcome != null) {
      clock.fail(outcome.code, outcome.message)
      await send(() => writer.error(outcome.code, outcome.message))
    }
    else if (lastKind !== 'RESULT') await send(() => writer.next(FrameKind.END))
    if (peerGone) return false
    return true
  }
}

/** Deliveries are keyed by sender and task id, as the inbox is. */
function deliveryKey (sender: string, id: Uint8Array): string {
  return `${sender}/${Buffer.from(id).toString('hex')}`
}
