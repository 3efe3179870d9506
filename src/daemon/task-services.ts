import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { A2aGateway, a2aRoutes } from '../a2a/index.js'
import type { Route } from '../api/index.js'
import type { Config } from '../config/index.js'
import { Directory, type DirectoryInit } from '../directory/index.js'
import { createSigner, createVerifier, ReplayWindow, SequenceCounter } from '../envelope/index.js'
import { privateKeyObjectFromRaw } from '../envelope/ed25519-keys.js'
import type { MeshNode } from '../node/index.js'
import { A2A_PROTOCOL, CARD_METHOD, ensureRouteTo, MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, RelayReceiver, RelaySender, RouteRefresher, TaskService } from '../relay/index.js'
import { AgentRegistry } from '../registry/index.js'
import {
  createSqliteAgentStore, createSqliteInboxStore, createSqliteOutboxStore, createSqliteReplayStore, createSqliteSequenceStore, type AgentRecord, type Database
} from '../store/index.js'
import { taskLogFields, type Logger, type Metrics, type Tracing } from '../telemetry/index.js'
import { grantFor, signAgentCard, skillOf, verifyAgentCard, type AccessControl, type PeerTrust, type TrustStore } from '../trust/index.js'
import { chainToken, DelegationError, Delegations, describeChain, summarizeChain, withToken, type VerifiedChain } from '../delegation/index.js'
import { Inspector } from '../inspection/index.js'
import { decisionFor, traceIdOf, type AuditSink } from '../audit/index.js'
import type { ReceiverAudit } from '../relay/index.js'
import type { Decision, Principal } from '../policy/index.js'

/** What {@link TaskServices} needs. */
export interface TaskServicesInit {
  node: MeshNode
  config: Config
  privateKey: PrivateKey
  db: Database
  log: Logger
  metrics: Metrics
  access: AccessControl
  peers: PeerTrust
  store: TrustStore
  /** The audit log: every decision of both sides is appended to it. */
  audit?: AuditSink
  /** Whether a bearer token is the daemon's API token. */
  isApiToken?: (token: string) => boolean
  /** How the daemon reaches its local agents (their cards and JSON-RPC); default the global fetch. The simulator's scripted agents answer here. */
  fetch?: typeof fetch
  /** OpenTelemetry spans for every step of a task on this daemon (absent or disabled: none). */
  tracing?: Tracing
  /** Directory tunings the daemon leaves at their defaults (the simulator shortens the settle round). */
  directory?: Pick<DirectoryInit, 'settleMs'>
  now: () => number
}

/** How long dialling a peer to check its certificate may take. */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Everything that moves A2A tasks: the agent registry, the directory, the
 * relay protocol (both sides), the outbox and the `/a2a` and `/v1/agents`
 * routes, wired over one database and one libp2p node.
 */
export class TaskServices {
  readonly routes: Route[]
  readonly metrics: Metrics
  readonly registry: AgentRegistry
  /** Names of the registered local agents. */
  readonly localAgents: () => string[]
  private readonly init: TaskServicesInit
  private readonly receiver: RelayReceiver
  private readonly tasks: TaskService
  private readonly sender: RelaySender
  /** Dials of peers, for the sender and for certificate checks: one DHT lookup per peer and interval after failed dials. */
  private readonly peerRoutes: RouteRefresher
  private readonly directory: Directory
  private readonly signedCards = new Map<string, { addedMs: number, card: Promise<unknown> }>()

  constructor (init: TaskServicesInit) {
    this.init = init
    const { node, config, db, log, now, access } = init
    const localPeer = node.peerId.toString()
    const signer = createSigner(init.privateKey)
    const verifier = createVerifier()
    this.metrics = init.metrics
    const registry = this.registry = new AgentRegistry({ store: createSqliteAgentStore(db), now, ...(init.fetch != null ? { fetch: init.fetch } : {}) })
    this.localAgents = () => registry.list().map((a) => a.name)
    this.directory = new Directory({
      node, mesh: config.mesh, log: log.child({ component: 'directory' }), queryTimeoutMs: config.dht.queryTimeoutMs,
      localAgents: () => registry.list().map((a) => a.name),
      ...(init.directory?.settleMs !== undefined ? { settleMs: init.directory.settleMs } : {}),
      // Closed mesh: only a certified host's record starts find's short grace, so an impostor's cannot end the search.
      ...(!init.access.open ? { certifiedFor: async (peer: string, name: string, signal: AbortSignal) => this.certifiedFor(peer, name, signal) } : {})
    })
    const cardKey = privateKeyObjectFromRaw(init.privateKey.raw)
    // In open mode a host with a certificate still opens chains (a closed
    // receiver asks for one), but passes no caller's chain on and checks none.
    const delegations = new Delegations({
        signer, verifier, localPeer, now,
        ownCertificate: () => init.store.certificate()?.bytes,
        checkCertificate: (cert) => { init.store.check(cert, cert.subject) },
        ttlMs: config.delegation.ttlMs,
        maxDepth: config.delegation.maxDepth
      })
    const encoder = new TextEncoder()
    const decoder = new TextDecoder()
    const inspector = new Inspector({ config: config.inspection, log: log.child({ component: 'inspection' }) })
    /** What admission learnt about an envelope, for its inspection. */
    const admitted = new WeakMap<object, { from?: Principal, to?: Principal, chain?: VerifiedChain, decision?: Decision }>()
    const audit = init.audit
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
    const receiverAudit = audit == null
      ? undefined
      : (e: ReceiverAudit): void => {
          const env = e.envelope
          const known = env != null ? admitted.get(env) : undefined
          const traceId = traceIdOf(env?.traceparent)
          audit.append({
            decision: e.decision ?? decisionFor(e.reason ?? ''),
            fromPeer: e.remote,
            toPeer: localPeer,
            ...(env != null ? { fromAgent: env.from.agent, toAgent: env.to.agent, taskId: hex(env.id) } : {}),
            ...(e.toAgent !== undefined ? { toAgent: e.toAgent } : {}),
            ...(e.taskId !== undefined ? { taskId: hex(e.taskId) } : {}),
            ...(e.reason !== undefined ? { reason: e.reason } : {}),
            ...(e.rule !== undefined ? { rule: e.rule } : {}),
            ...(e.detail !== undefined ? { detail: e.detail } : {}),
            ...(e.envelopeHash !== undefined ? { envelopeHash: e.envelopeHash } : {}),
            ...(traceId !== undefined ? { traceId } : {}),
            ...(known?.chain != null ? { chain: describeChain(known.chain) } : {})
          })
        }
    this.receiver = new RelayReceiver({
      localPeer, signer, verifier, db, now, registry,
      ...(init.fetch != null ? { fetch: init.fetch } : {}),
      replay: new ReplayWindow({ store: createSqliteReplayStore(db), now, skewMs: config.relay.clockSkewMs }),
      inbox: createSqliteInboxStore(db),
      metrics: this.metrics,
      log: log.child({ component: 'relay' }),
      perPeerConcurrency: config.relay.perPeerConcurrency,
      perPeerRatePerSecond: config.relay.perPeerRatePerSecond,
      maxMessageBytes: config.relay.maxMessageBytes,
      admit: (envelope, remote) => {
        if (access.open) return undefined
        if (envelope.method === CARD_METHOD) return access.ingress(remote, envelope.from.agent, envelope.to.agent, envelope.method, envelope.payload, false)
        // The sender must speak for a certified agent before its chain is worth reading.
        const sender = access.ingress(remote, envelope.from.agent, envelope.to.agent, envelope.method, envelope.payload, false)
        if (sender != null) return sender
        let chain: VerifiedChain
        try {
          chain = delegations.verifyIncoming(envelope.delegation, { peer: remote, agent: envelope.from.agent }, envelope.to, envelope.method, skillOf(envelope.payload))
        } catch (err) {
          if (err instanceof DelegationError) return { code: err.code, message: err.message }
          throw err
        }
        const detail = access.ingressDetail(remote, envelope.from.agent, envelope.to.agent, envelope.method, envelope.payload, true, chain.origin)
        admitted.set(envelope, { ...detail, chain })
        return detail.refusal
      },
      inspect: async (envelope, remote, signal) => {
        const known = admitted.get(envelope)
        const subject = {
          direction: 'request' as const,
          method: envelope.method,
          payload: decoder.decode(envelope.payload),
          from: { agent: envelope.from.agent, peer: remote, ...(known?.from != null ? { role: known.from.role } : {}) },
          to: { agent: envelope.to.agent, peer: localPeer, ...(known?.to != null ? { role: known.to.role } : {}) },
          ...(known?.chain != null ? { chain: describeChain(known.chain) } : {}),
          ...(known?.decision != null ? { decision: { allowed: known.decision.allowed, rule: known.decision.rule } } : {})
        }
        const veto = await inspector.inspect(subject, signal)
        if (veto != null) log.warn({ remotePeer: remote, reason: veto.code, detail: veto.detail, ...taskLogFields({ id: envelope.id, fromPeer: remote, fromAgent: envelope.from.agent, toAgent: envelope.to.agent, ...(envelope.traceparent != null ? { traceparent: envelope.traceparent } : {}) }) }, `inspection vetoed a request: ${veto.message}`)
        return veto
      },
      deliveryPayload: (envelope) => envelope.delegation.byteLength === 0
        ? envelope.payload
        : encoder.encode(withToken(decoder.decode(envelope.payload), chainToken(envelope.delegation))),
      cardOf: async (agent) => this.signedCard(agent, localPeer, cardKey),
      stages: this.metrics.observeStage,
      ...(init.tracing?.enabled === true ? { tracer: init.tracing } : {}),
      ...(receiverAudit != null ? { audit: receiverAudit } : {})
    })
    const peerRoutes = this.peerRoutes = new RouteRefresher({ node, now })
    const sender = this.sender = new RelaySender({ node, signer, verifier, now, routes: peerRoutes, maxMessageBytes: config.relay.maxMessageBytes, sequences: new SequenceCounter({ store: createSqliteSequenceStore(db), now }) })
    this.tasks = new TaskService({
      sender, now, outbox: createSqliteOutboxStore(db), metrics: this.metrics, log: log.child({ component: 'outbox' }), taskDeadlineMs: config.relay.taskDeadlineMs,
      transaction: (fn) => db.transaction(fn),
      ...(audit != null
        ? {
            audit: (task, decision, reason, detail) => {
              const traceId = traceIdOf(task.traceparent)
              audit.append({
                decision, fromAgent: task.fromAgent, fromPeer: localPeer, toAgent: task.toAgent, toPeer: task.toPeer, taskId: hex(task.id),
                ...(reason !== undefined ? { reason } : {}), ...(detail !== undefined ? { detail } : {}), ...(traceId !== undefined ? { traceId } : {}),
                ...(decision === 'sent' && task.delegation != null && task.delegation.byteLength > 0 ? { chain: summarizeChain(task.delegation) } : {})
              })
            }
          }
        : {})
    })
    const closed = !access.open
    const gateway = new A2aGateway({
      localPeer, registry, directory: this.directory, tasks: this.tasks, now,
      ...(closed ? { certifiedFor: async (peer: string, name: string, signal: AbortSignal) => this.certifiedFor(peer, name, signal) } : {}),
      verifyCard: async (card, peer, name) => {
        const { agent } = await verifyAgentCard(card, peer)
        if (agent !== name) throw new Error(`the card is signed for agent "${agent}", not "${name}"`)
      },
      onRejected: (reason) => { this.metrics.directoryRejected.inc({ reason }) }
    })
    this.routes = [
      ...a2aRoutes({
        gateway, registry, directory: this.directory, tasks: this.tasks, localPeer, access, inspector,
        ...(audit != null ? { audit: (entry) => { audit.append(entry) } } : {}),
        delegations: access.open ? { forCall: (caller, _token, audience, method, skill, task) => delegations.forCall(caller, undefined, audience, method, skill, task) } : delegations,
        ...(init.isApiToken != null ? { isApiToken: init.isApiToken } : {}),
        onAgentAdded: (name) => { void this.directory.advertise(name) },
        onDenied: (rule) => { this.metrics.policyDenied.inc({ side: 'egress', rule }) },
        stages: this.metrics.observeStage,
        ...(init.tracing?.enabled === true ? { tracer: init.tracing } : {})
      }),
      {
        method: 'GET',
        pattern: /^\/metrics$/,
        handler: async () => ({ text: await this.metrics.registry.metrics(), contentType: this.metrics.registry.contentType })
      }
    ]
  }

  /** Connects to `peer` if needed, waits for its verified certificate and says whether it covers agent `name`. */
  private async certifiedFor (peer: string, name: string, signal: AbortSignal): Promise<boolean> {
    const { node, peers } = this.init
    // The common case, a connected peer whose certificate verified: no waiting, nothing to allocate.
    const known = peers.certificateOf(peer)
    if (known != null) return grantFor(known, name) != null
    const id = peerIdFromString(peer)
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(CONNECT_TIMEOUT_MS)])
    if (node.getConnections(id).length === 0) {
      // A daemon that has just started may know nobody yet: give discovery a moment, but never dial a
      // peer with no address and nobody to ask (libp2p would tie every later dial of it to that lookup).
      for (;;) {
        try {
          await ensureRouteTo(node, id, bounded)
          break
        } catch (err) {
          if (bounded.aborted || node.getConnections().length > 0) throw err
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      }
      // Known but dead addresses (a NATed host's direct ones, say): one fresh DHT lookup, then one more dial.
      await this.peerRoutes.open(id, async (s) => await node.dial(id, { signal: s }), bounded)
    }
    await peers.waitVerified(peer, bounded)
    const cert = peers.certificateOf(peer)
    return cert != null && grantFor(cert, name) != null
  }

  /** A local agent's card signed with this daemon's key, cached until the agent is registered anew. */
  private async signedCard (agent: AgentRecord, localPeer: string, key: ReturnType<typeof privateKeyObjectFromRaw>): Promise<unknown> {
    const held = this.signedCards.get(agent.name)
    if (held != null && held.addedMs === agent.addedMs) return held.card
    const card = signAgentCard(agent.card, agent.name, localPeer, key)
    this.signedCards.set(agent.name, { addedMs: agent.addedMs, card })
    return card
  }

  /** Registers the relay protocol, recovers interrupted work and starts advertising agents. */
  async start (): Promise<void> {
    const { node } = this.init
    this.receiver.recoverUnfinished()
    await node.handle(A2A_PROTOCOL, this.receiver.handle, {
      maxInboundStreams: MAX_INBOUND_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS,
      runOnLimitedConnection: true
    })
    this.directory.start()
    this.tasks.resume()
  }

  /** Stops taking tasks; what is unfinished stays stored for the next run. */
  async stop (): Promise<void> {
    this.directory.stop()
    // No new tasks in, then let the ones in hand finish.
    await this.init.node.unhandle(A2A_PROTOCOL).catch(() => {})
    await this.receiver.stop()
    await this.tasks.stop()
    this.sender.close()
  }
}
