import type { Directory } from '../directory/index.js'
import { CARD_METHOD, type TaskService } from '../relay/index.js'
import { checkAgentName, type AgentRegistry } from '../registry/index.js'
import type { AgentRecord } from '../store/index.js'
import { ResolveError } from './errors.js'
import { PeerIdCache } from '../node/peer-id-cache.js'

/** The caller a card fetch is made as: the host itself. */
const OPERATOR = 'operator'

/** Where a call to `{agent}` goes. */
export type Target =
  | { kind: 'local', agent: AgentRecord }
  | { kind: 'remote', peer: string, name: string }

/** What {@link A2aGateway} needs. */
export interface A2aGatewayInit {
  localPeer: string
  registry: AgentRegistry
  directory: Directory
  tasks: TaskService
  now: () => number
  /** How long a name → peer answer and a remote card are cached. */
  cacheMs?: number
  /**
   * Closed mesh: connects to `peer`, waits for its verified certificate and
   * says whether that certificate covers agent `name`. Absent in open mode,
   * where the directory's first answer is taken.
   */
  certifiedFor?: (peer: string, name: string, signal: AbortSignal) => Promise<boolean>
  /** Throws unless `card` carries a valid signature by `peer` naming agent `name`. */
  verifyCard?: (card: unknown, peer: string, name: string) => Promise<void>
  /** Called for each directory answer or card refused (for metrics). */
  onRejected?: (reason: string, peer: string, name: string) => void
}

const DEFAULT_CACHE_MS = 30_000

/**
 * Resolves `{agent}` (`name` or `name@peer`) to a local agent or a remote
 * host, and fetches remote agent cards through the mesh.
 */
export class A2aGateway {
  private readonly init: A2aGatewayInit
  private readonly peers = new Map<string, { peer: string, until: number }>()
  private readonly cards = new Map<string, { card: unknown, until: number }>()
  private readonly peerIds = new PeerIdCache()

  constructor (init: A2aGatewayInit) {
    this.init = init
  }

  /** Finds where `{agent}` lives: this daemon, the named peer, or the DHT's first answer. */
  async resolve (spec: string, signal: AbortSignal): Promise<Target> {
    const at = spec.lastIndexOf('@')
    const name = at === -1 ? spec : spec.slice(0, at)
    const peer = at === -1 ? undefined : spec.slice(at + 1)
    try { checkAgentName(name) } catch (err) { throw new ResolveError('INVALID_AGENT_NAME', (err as Error).message) }
    if (peer !== undefined) {
      try { this.peerIds.parse(peer) } catch { throw new ResolveError('INVALID_PEER_ID', `"${peer}" in "${spec}" is not a peer ID`) }
    }
    if (peer === undefined || peer === this.init.localPeer) {
      const local = this.init.registry.get(name)
      if (local != null) return { kind: 'local', agent: local }
      if (peer !== undefined) throw new ResolveError('AGENT_NOT_FOUND', `no local agent named "${name}"`)
    }
    if (peer !== undefined) {
      if (this.init.certifiedFor != null && !await this.init.certifiedFor(peer, name, signal)) {
        this.init.onRejected?.('NOT_CERTIFIED_FOR_NAME', peer, name)
        throw new ResolveError('NOT_CERTIFIED', `peer ${peer} is not certified to host an agent named "${name}"`)
      }
      return { kind: 'remote', peer, name }
    }
    const cached = this.peers.get(name)
    if (cached != null && cached.until > this.init.now()) {
      // Connected and verified, this costs nothing; otherwise it reconnects (or finds the answer stale).
      if (this.init.certifiedFor == null || await this.init.certifiedFor(cached.peer, name, signal).catch(() => false)) return { kind: 'remote', peer: cached.peer, name }
      this.peers.delete(name)
    }
    const found = await this.init.directory.find(name, signal)
    if (found.length === 0) throw new ResolveError('AGENT_NOT_FOUND', `no peer in the mesh advertises an agent named "${name}"`)
    const chosen = await this.firstCertified(found, name, signal)
    this.peers.set(name, { peer: chosen, until: this.init.now() + (this.init.cacheMs ?? DEFAULT_CACHE_MS) })
    return { kind: 'remote', peer: chosen, name }
  }

  /**
   * The first advertiser whose certificate covers `name`; advertisers that are not certified for it
   * are skipped and counted. Throws when none is: `AGENT_NOT_FOUND` when every advertiser answered
   * and none is certified, `PEER_UNREACHABLE` when some could not be reached to check (a host at its
   * connection limit, say): that is not a finding about their certificates.
   */
  private async firstCertified (found: string[], name: string, signal: AbortSignal): Promise<string> {
    const check = this.init.certifiedFor
    if (check == null) return found[0] as string
    const unreachable: string[] = []
    for (const peer of found) {
      let covered = false
      try {
        covered = await check(peer, name, signal)
      } catch (err) {
        if (signal.aborted) throw signal.reason
        unreachable.push(`${peer}: ${(err as Error).message}`)
        continue
      }
      if (covered) return peer
      this.init.onRejected?.('NOT_CERTIFIED_FOR_NAME', peer, name)
    }
    const notCertified = found.length - unreachable.length
    if (unreachable.length > 0) {
      throw new ResolveError('PEER_UNREACHABLE', `${found.length} peer(s) advertise an agent named "${name}"; ${unreachable.length} could not be reached to check its certificate (${unreachable[0] as string})${notCertified > 0 ? `, and ${notCertified} ${notCertified === 1 ? 'is' : 'are'} not certified for it` : ''}`)
    }
    throw new ResolveError('AGENT_NOT_FOUND', `${found.length} peer(s) advertise an agent named "${name}", but none is certified for it`)
  }

  /** The agent card of `{agent}`, fetched through the mesh for a remote agent (cached briefly). */
  async card (target: Target, signal: AbortSignal): Promise<unknown> {
    if (target.kind === 'local') return target.agent.card
    const key = `${target.name}@${target.peer}`
    const cached = this.cards.get(key)
    if (cached != null && cached.until > this.init.now()) return cached.card
    let card: unknown
    await this.init.tasks.submit({ toPeer: target.peer, toAgent: target.name, fromAgent: OPERATOR, method: CARD_METHOD, payload: new TextEncoder().encode('{}') },
      (_kind, payload) => { card = JSON.parse(payload) }, signal)
    if (card === undefined) throw new ResolveError('INVALID_AGENT_CARD', `${key} sent no agent card`)
    if (this.init.verifyCard != null) {
      try {
        await this.init.verifyCard(card, target.peer, target.name)
      } catch (err) {
        this.init.onRejected?.('CARD_SIGNATURE', target.peer, target.name)
        throw new ResolveError('INVALID_AGENT_CARD', `the agent card of ${key} is refused: ${(err as Error).message}`, { cause: err })
      }
    }
    this.cards.set(key, { card, until: this.init.now() + (this.init.cacheMs ?? DEFAULT_CACHE_MS) })
    return card
  }

  /** Forgets cached answers for a name (after a failed call, say). */
  forget (spec: string): void {
    this.peers.delete(spec.split('@')[0] ?? spec)
  }
}

/**
 * The card a local client sees: the agent's own, with its JSON-RPC interface
 * pointed at this daemon's `/a2a/{agent}` endpoint and other transports
 * dropped (the mesh carries JSON-RPC only).
 */
export function rewriteCard (card: unknown, endpoint: string): unknown {
  // The card's own signatures are dropped: they cover the original interface
  // URL. This daemon has checked them; the local client trusts its daemon.
  const { signatures: _, ...c } = card as Record<string, unknown>
  const interfaces = Array.isArray(c.supportedInterfaces) ? c.supportedInterfaces as Array<Record<string, unknown>> : []
  const rpc = interfaces.find((i) => i.protocolBinding === 'JSONRPC') ?? { protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }
  c.supportedInterfaces = [{ ...rpc, url: endpoint }]
  return c
}
