import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/** The daemon's Prometheus metrics, in a registry of its own (no global state). */
export interface Metrics {
  registry: Registry
  envelopesReceived: Counter
  envelopesRejected: Counter<'reason'>
  tasksSent: Counter<'outcome'>
  tasksDelivered: Counter<'outcome'>
  connections: Gauge
  /** Peers refused at hello (no, bad, expired, revoked … certificate), by reason. */
  peersRefused: Counter<'reason'>
  /** Hello exchanges completed with a verified peer. */
  peersVerified: Counter
  /** Calls denied by the hierarchy policy, by side (egress: the sender; ingress: the receiver) and rule. */
  policyDenied: Counter<'side' | 'rule'>
  /** Directory answers and agent cards ignored because the signer is not certified for the name, by reason. */
  directoryRejected: Counter<'reason'>
}

/** Creates the metrics; `connections` reads its value from `countConnections` at scrape time. */
export function createMetrics (countConnections: () => number): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'agentmesh_process_' })
  return {
    registry,
    envelopesReceived: new Counter({ name: 'agentmesh_envelopes_received_total', help: 'Task envelopes received from peers', registers: [registry] }),
    envelopesRejected: new Counter({ name: 'agentmesh_envelopes_rejected_total', help: 'Task envelopes refused, by reason', labelNames: ['reason'], registers: [registry] }),
    tasksSent: new Counter({ name: 'agentmesh_tasks_sent_total', help: 'Tasks sent to remote agents, by outcome', labelNames: ['outcome'], registers: [registry] }),
    tasksDelivered: new Counter({ name: 'agentmesh_tasks_delivered_total', help: 'Tasks delivered to local agents, by outcome', labelNames: ['outcome'], registers: [registry] }),
    connections: new Gauge({ name: 'agentmesh_connections', help: 'Open libp2p connections', registers: [registry], collect () { this.set(countConnections()) } }),
    peersRefused: new Counter({ name: 'agentmesh_peers_refused_total', help: 'Peers refused at hello, by reason', labelNames: ['reason'], registers: [registry] }),
    peersVerified: new Counter({ name: 'agentmesh_peers_verified_total', help: 'Hello exchanges that verified the peer\'s certificate', registers: [registry] }),
    policyDenied: new Counter({ name: 'agentmesh_policy_denied_total', help: 'Calls denied by the hierarchy policy, by side and rule', labelNames: ['side', 'rule'], registers: [registry] }),
    directoryRejected: new Counter({ name: 'agentmesh_directory_rejected_total', help: 'Directory answers or agent cards ignored: signer not certified for the name', labelNames: ['reason'], registers: [registry] })
  }
}
