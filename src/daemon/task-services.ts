import type { PrivateKey } from '@libp2p/interface'
import { A2aGateway, a2aRoutes } from '../a2a/index.js'
import type { Route } from '../api/index.js'
import type { Config } from '../config/index.js'
import { Directory } from '../directory/index.js'
import { createSigner, createVerifier, ReplayWindow, SequenceCounter } from '../envelope/index.js'
import type { MeshNode } from '../node/index.js'
import { A2A_PROTOCOL, MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, RelayReceiver, RelaySender, TaskService } from '../relay/index.js'
import { AgentRegistry } from '../registry/index.js'
import {
  createSqliteAgentStore, createSqliteInboxStore, createSqliteOutboxStore, createSqliteReplayStore, createSqliteSequenceStore, type Database
} from '../store/index.js'
import { createMetrics, type Logger, type Metrics } from '../telemetry/index.js'

/** What {@link TaskServices} needs. */
export interface TaskServicesInit {
  node: MeshNode
  config: Config
  privateKey: PrivateKey
  db: Database
  log: Logger
  now: () => number
}

/**
 * Everything that moves A2A tasks: the agent registry, the directory, the
 * relay protocol (both sides), the outbox and the `/a2a` and `/v1/agents`
 * routes, wired over one database and one libp2p node.
 */
export class TaskServices {
  readonly routes: Route[]
  readonly metrics: Metrics
  /** Names of the registered local agents. */
  readonly localAgents: () => string[]
  private readonly init: TaskServicesInit
  private readonly receiver: RelayReceiver
  private readonly tasks: TaskService
  private readonly sender: RelaySender
  private readonly directory: Directory

  constructor (init: TaskServicesInit) {
    this.init = init
    const { node, config, db, log, now } = init
    const localPeer = node.peerId.toString()
    const signer = createSigner(init.privateKey)
    const verifier = createVerifier()
    this.metrics = createMetrics(() => node.getConnections().length)
    const registry = new AgentRegistry({ store: createSqliteAgentStore(db), now })
    this.localAgents = () => registry.list().map((a) => a.name)
    this.directory = new Directory({
      node, mesh: config.mesh, log: log.child({ component: 'directory' }), queryTimeoutMs: config.dht.queryTimeoutMs,
      localAgents: () => registry.list().map((a) => a.name)
    })
    this.receiver = new RelayReceiver({
      localPeer, signer, verifier, db, now, registry,
      replay: new ReplayWindow({ store: createSqliteReplayStore(db), now, skewMs: config.relay.clockSkewMs }),
      inbox: createSqliteInboxStore(db),
      metrics: this.metrics,
      log: log.child({ component: 'relay' }),
      perPeerConcurrency: config.relay.perPeerConcurrency,
      perPeerRatePerSecond: config.relay.perPeerRatePerSecond
    })
    const sender = this.sender = new RelaySender({ node, signer, verifier, now, sequences: new SequenceCounter({ store: createSqliteSequenceStore(db), now }) })
    this.tasks = new TaskService({
      sender, now, outbox: createSqliteOutboxStore(db), metrics: this.metrics, log: log.child({ component: 'outbox' }), taskDeadlineMs: config.relay.taskDeadlineMs
    })
    const gateway = new A2aGateway({ localPeer, registry, directory: this.directory, tasks: this.tasks, now })
    this.routes = [
      ...a2aRoutes({ gateway, registry, directory: this.directory, tasks: this.tasks, localPeer, onAgentAdded: (name) => { void this.directory.advertise(name) } }),
      {
        method: 'GET',
        pattern: /^\/metrics$/,
        handler: async () => ({ text: await this.metrics.registry.metrics(), contentType: this.metrics.registry.contentType })
      }
    ]
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
