import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/** The daemon's Prometheus metrics, in a registry of its own (no global state). */
export interface Metrics {
  registry: Registry
  envelopesReceived: Counter
  envelopesRejected: Counter<'reason'>
  tasksSent: Counter<'outcome'>
  tasksDelivered: Counter<'outcome'>
  connections: Gauge
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
    connections: new Gauge({ name: 'agentmesh_connections', help: 'Open libp2p connections', registers: [registry], collect () { this.set(countConnections()) } })
  }
}
