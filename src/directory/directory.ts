import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { MeshNode } from '../node/index.js'
import type { Logger } from '../telemetry/index.js'

/** What {@link Directory} needs. */
export interface DirectoryInit {
  node: MeshNode
  mesh: string
  log: Logger
  queryTimeoutMs: number
  /** The names of the agents hosted here, to advertise. */
  localAgents: () => string[]
}

/**
 * Connections at which a daemon counts as well connected: once an advertising
 * round has run with this many, new connections no longer start another one
 * (the periodic refresh keeps the records fresh).
 */
export const WELL_CONNECTED = 8

/** How often the local agents are advertised again (ms). */
export const REFRESH_MS = 10 * 60_000

/** The DHT key under which hosts of agent `name` in `mesh` advertise themselves. */
export async function agentKey (mesh: string, name: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`/agentmesh/${mesh}/agent/${name}`)))
}

/**
 * Which peers host which agents, through provider records in the mesh's
 * private DHT. A record only says where to ask, never who an agent is.
 *
 * Advertising is best effort: at start, on registration, every
 * {@link REFRESH_MS}, and when a peer connects while this daemon is still
 * poorly connected (its last round ran with fewer than {@link WELL_CONNECTED}
 * connections, or none has run). Not on every connection: each round is a DHT
 * query that opens connections of its own, so in a large mesh advertising on
 * every new connection fed itself (measured in sim/: a storm of rounds).
 */
export class Directory {
  private readonly init: DirectoryInit
  private timer: ReturnType<typeof setTimeout> | undefined
  private refresh: ReturnType<typeof setInterval> | undefined
  /** Connections when the last advertising round started, if one has. */
  private lastRoundConnections: number | undefined
  private readonly stopped = new AbortController()

  constructor (init: DirectoryInit) {
    this.init = init
  }

  /** Starts advertising local agents now and whenever a new peer connects (debounced). */
  start (): void {
    this.init.node.addEventListener('peer:connect', this.onConnect)
    this.advertiseSoon(0)
    this.refresh = setInterval(() => { this.advertiseSoon(0) }, REFRESH_MS)
    this.refresh.unref?.()
  }

  stop (): void {
    this.stopped.abort()
    this.init.node.removeEventListener('peer:connect', this.onConnect)
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.refresh !== undefined) clearInterval(this.refresh)
  }

  /** Advertises one agent now (after a registration). */
  async advertise (name: string): Promise<void> {
    const { node, mesh, queryTimeoutMs, log } = this.init
    if (node.getConnections().length === 0) return
    try {
      await node.contentRouting.provide(await agentKey(mesh, name), {
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(queryTimeoutMs)])
      })
      log.debug({ agent: name }, 'advertised agent in the DHT')
    } catch (err) {
      log.debug({ agent: name, err: (err as Error).message }, 'advertising agent failed')
    }
  }

  /** The peers that advertise agent `name`, connected ones first. */
  async find (name: string, signal: AbortSignal): Promise<string[]> {
    const { node, mesh, queryTimeoutMs } = this.init
    const found = new Set<string>()
    const key = await agentKey(mesh, name)
    try {
      for await (const provider of node.contentRouting.findProviders(key, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(queryTimeoutMs)])
      })) {
        if (!provider.id.equals(node.peerId)) found.add(provider.id.toString())
        if (found.size >= 20) break
      }
    } catch (err) {
      if (signal.aborted) throw err
      // A timeout or an empty DHT: whatever was found so far is the answer.
    }
    return [...found].sort((a, b) => connected(node, b) - connected(node, a))
  }

  private readonly onConnect = (): void => {
    if ((this.lastRoundConnections ?? 0) >= WELL_CONNECTED) return
    this.advertiseSoon(2_000)
  }

  private advertiseSoon (delayMs: number): void {
    if (this.timer !== undefined || this.stopped.signal.aborted) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const connections = this.init.node.getConnections().length
      // A round with nobody to tell does not count: the next connection starts one.
      if (connections === 0) return
      this.lastRoundConnections = connections
      for (const name of this.init.localAgents()) void this.advertise(name)
    }, delayMs)
    this.timer.unref?.()
  }
}

function connected (node: MeshNode, peer: string): number {
  return node.getConnections().some((c) => c.remotePeer.toString() === peer) ? 1 : 0
}
