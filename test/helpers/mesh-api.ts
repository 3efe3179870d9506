import type { TestDaemon } from './daemon.js'

/** What `POST /v1/agents` answers. */
export interface RegisteredAgent {
  name: string
  url: string
  /** `name@<peerId>` */
  address: string
  card: any
}

/** Registers the local A2A agent at `url` under `name` on `daemon`; fails unless the daemon answers 201. */
export async function registerAgent (daemon: Pick<TestDaemon, 'api'>, name: string, url: string): Promise<RegisteredAgent> {
  const res = await daemon.api('POST', '/v1/agents', { name, url })
  if (res.status !== 201) throw new Error(`POST /v1/agents ${name} answered ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as RegisteredAgent
}

/** Whether `daemon` lists an agent called `name` (`GET /v1/agents`). */
export async function hasAgent (daemon: Pick<TestDaemon, 'api'>, name: string): Promise<boolean> {
  const res = await daemon.api('GET', '/v1/agents')
  if (res.status !== 200) throw new Error(`GET /v1/agents answered ${res.status} ${JSON.stringify(res.body)}`)
  const list: any[] = Array.isArray(res.body) ? res.body : (res.body?.agents ?? [])
  return list.some((a) => a?.name === name)
}

/** Registers `name` unless the daemon already has it (e.g. kept across a restart). Returns whether it had to register. */
export async function ensureAgent (daemon: Pick<TestDaemon, 'api'>, name: string, url: string): Promise<boolean> {
  if (await hasAgent(daemon, name)) return false
  await registerAgent(daemon, name, url)
  return true
}

/** The daemon's `/metrics` text. */
export async function metricsText (daemon: Pick<TestDaemon, 'api'>): Promise<string> {
  const res = await daemon.api('GET', '/metrics')
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status} ${JSON.stringify(res.body)}`)
  return typeof res.body === 'string' ? res.body : JSON.stringify(res.body)
}

/**
 * The sum of the samples of metric `name` whose labels include all of
 * `labels` (0 when there is none yet), from Prometheus text.
 */
export function metricValue (text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line)
    if (match == null || match[1] !== name) continue
    const have = new Map<string, string>()
    for (const m of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have.set(m[1] as string, m[2] as string)
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total += Number(match[4])
  }
  return total
}

/** `agentmesh_envelopes_rejected_total{reason}` on `daemon` now. */
export async function rejectedTotal (daemon: Pick<TestDaemon, 'api'>, reason: string): Promise<number> {
  return metricValue(await metricsText(daemon), 'agentmesh_envelopes_rejected_total', { reason })
}
