import { createHash, randomBytes } from 'node:crypto'
import type { AgentRecord, AgentStore } from '../store/index.js'
import { fetchCard, type CardResponse } from './card-fetch.js'
import { RegistryError } from './errors.js'

/** Agent names: what may stand before the `@` of `name@peer`. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The path of the agent card below an agent's base URL (A2A v1.0). */
export const AGENT_CARD_PATH = '.well-known/agent-card.json'

/** Caller tokens start with this, so a leaked one is recognisable (and scanners can find it). */
export const TOKEN_PREFIX = 'amt_'

/** The stored form of a caller token: hex SHA-256. The token has 256 random bits, so no salt or slow hash is needed. */
export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** How long fetching an agent's card may take. */
const CARD_TIMEOUT_MS = 10_000

/** What {@link AgentRegistry} needs. */
export interface AgentRegistryInit {
  store: AgentStore
  now?: () => number
  /** How cards are fetched; default node:http (see card-fetch.ts). The simulator's scripted agents answer here. */
  fetch?: typeof fetch
  /** Called after an agent is added or removed. */
  onChange?: (name: string, change: 'added' | 'removed') => void
}

/** Throws unless `name` is a valid agent name. */
export function checkAgentName (name: string): void {
  if (!AGENT_NAME.test(name)) {
    throw new RegistryError('INVALID_AGENT_NAME', `"${name}" is not a valid agent name (1–64 of letters, digits, . _ -, starting with a letter or digit)`)
  }
}

/**
 * The local agents this daemon hosts. Adding one fetches and keeps its A2A
 * agent card, from which the JSON-RPC endpoint is taken.
 */
export class AgentRegistry {
  private readonly init: AgentRegistryInit
  private readonly fetch: ((url: URL, headers: Record<string, string>, signal: AbortSignal) => Promise<CardResponse>)
  /** Every envelope looks its agent up: keep the records in memory (they change only through this class). */
  private cache: Map<string, AgentRecord> | undefined

  constructor (init: AgentRegistryInit) {
    this.init = init
    const given = init.fetch
    this.fetch = given == null
      ? fetchCard
      : async (url, headers, signal) => {
        const res = await given(url, { headers, signal })
        return { status: res.status, body: res.ok ? await res.text() : '' }
      }
  }

  /** Registers (or re-registers) a local agent at `url`, its A2A base URL. */
  async add (input: { name: string, url: string, role?: string | null, parent?: string | null }, signal?: AbortSignal): Promise<AgentRecord & { token: string }> {
    checkAgentName(input.name)
    let base: URL
    try {
      base = new URL(input.url.endsWith('/') ? input.url : `${input.url}/`)
    } catch {
      throw new RegistryError('INVALID_AGENT_URL', `"${input.url}" is not a URL (expected e.g. http://127.0.0.1:8080/my-agent)`)
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new RegistryError('INVALID_AGENT_URL', `agent URL must be http or https, not ${base.protocol}`)
    }
    const cardUrl = new URL(AGENT_CARD_PATH, base)
    let res: CardResponse
    try {
      const timeout = AbortSignal.timeout(CARD_TIMEOUT_MS)
      res = await this.fetch(cardUrl, { 'A2A-Version': '1.0', Accept: 'application/json' }, signal != null ? AbortSignal.any([signal, timeout]) : timeout)
    } catch (err) {
      throw new RegistryError('AGENT_UNREACHABLE', `cannot fetch the agent card at ${cardUrl.href}: ${(err as Error).message}`, { cause: err })
    }
    if (res.status < 200 || res.status >= 300) {
      throw new RegistryError('AGENT_UNREACHABLE', `the agent card at ${cardUrl.href} answered HTTP ${res.status}`)
    }
    let card: unknown
    try { card = JSON.parse(res.body) } catch (err) {
      throw new RegistryError('INVALID_AGENT_CARD', `the agent card at ${cardUrl.href} is not JSON`, { cause: err })
    }
    const record: AgentRecord = {
      name: input.name,
      url: input.url,
      rpcUrl: jsonRpcUrl(card, cardUrl.href),
      role: input.role ?? null,
      parent: input.parent ?? null,
      tokenHash: null,
      card,
      addedMs: (this.init.now ?? Date.now)()
    }
    // A new token on every registration: re-adding an agent is how its token is replaced.
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
    record.tokenHash = hashToken(token)
    this.init.store.put(record)
    this.cache = undefined
    this.init.onChange?.(record.name, 'added')
    return { ...record, token }
  }

  /** The agent whose caller token this is, if any (compared by hash). */
  byToken (token: string): AgentRecord | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined
    const hash = hashToken(token)
    return this.list().find((a) => a.tokenHash === hash)
  }

  get (name: string): AgentRecord | undefined {
    return this.records().get(name)
  }

  list (): AgentRecord[] {
    return [...this.records().values()]
  }

  private records (): Map<string, AgentRecord> {
    this.cache ??= new Map(this.init.store.list().map((a) => [a.name, a]))
    return this.cache
  }

  /** Removes a local agent; throws AGENT_NOT_FOUND if there is none of that name. */
  remove (name: string): void {
    if (!this.init.store.delete(name)) throw new RegistryError('AGENT_NOT_FOUND', `no local agent named "${name}"`)
    this.cache = undefined
    this.init.onChange?.(name, 'removed')
  }
}

/** The JSON-RPC interface URL an A2A v1.0 card declares. */
function jsonRpcUrl (card: unknown, where: string): string {
  const c = card as { name?: unknown, supportedInterfaces?: Array<{ url?: unknown, protocolBinding?: unknown }> }
  if (typeof c !== 'object' || c === null || typeof c.name !== 'string') {
    throw new RegistryError('INVALID_AGENT_CARD', `the agent card at ${where} has no name: is it an A2A agent?`)
  }
  const iface = (Array.isArray(c.supportedInterfaces) ? c.supportedInterfaces : [])
    .find((i) => i?.protocolBinding === 'JSONRPC' && typeof i.url === 'string')
  if (iface == null) {
    throw new RegistryError('INVALID_AGENT_CARD', `the agent card at ${where} declares no JSONRPC interface in supportedInterfaces (A2A v1.0)`)
  }
  try {
    return new URL(iface.url as string).href
  } catch {
    throw new RegistryError('INVALID_AGENT_CARD', `the agent card at ${where} has an invalid interface URL "${String(iface.url)}"`)
  }
}
