import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError, type RequestContext, type Route } from '../api/index.js'
import { AgentmeshError } from '../errors.js'
import type { Directory } from '../directory/index.js'
import { deliverToAgent, StageClock, STREAMING_METHODS, validTrace, type StageObserver, type TaskService, type TaskTracer } from '../relay/index.js'
import type { AgentRegistry } from '../registry/index.js'
import { JSONRPC } from './errors.js'
import { chainToken, DelegationError, summarizeChain, tokenOf, withToken } from '../delegation/index.js'
import { newEnvelopeId, RandomPool } from '../envelope/index.js'
import type { Principal } from '../policy/index.js'
import { skillOf } from '../trust/index.js'
import { InspectionVetoError, type Inspector } from '../inspection/index.js'
import { decisionFor, traceIdOf, type AuditEntry } from '../audit/index.js'
import { rewriteCard, type A2aGateway } from './gateway.js'

/** What the A2A and agent routes need. */
export interface A2aRoutesInit {
  gateway: A2aGateway
  registry: AgentRegistry
  directory: Directory
  tasks: TaskService
  localPeer: string
  /** Called after a local agent is registered, to advertise it. */
  onAgentAdded?: (name: string) => void
  /** Who may call whom (closed mesh); absent or open: anyone. */
  access?: CallPolicy
  /** Whether a bearer token is the daemon's API token (which acts as the operator). */
  isApiToken?: (token: string) => boolean
  /** Counts a call denied before it left the host. */
  onDenied?: (rule: string) => void
  /** Opens or extends the delegation chain of each call (closed mesh). */
  delegations?: CallDelegations
  /** Inspects every reply before the caller gets it, and requests to local agents before they do. */
  inspector?: Inspector
  /** Records the decisions taken here (the audit log): refusals before a call leaves, reply vetoes, local deliveries. */
  audit?: (entry: AuditEntry) => void
  /** Times the stages of each call through the mesh (the sending side). */
  stages?: StageObserver
  /** Where task ids come from (default: a pool of these routes' own). */
  ids?: RandomPool
  /** Makes a span per call in the caller's trace (when tracing is on). */
  tracer?: TaskTracer
}

/** What the routes ask of delegation (see Delegations in src/delegation). */
export interface CallDelegations {
  /** The chain for a call by `caller` to `audience` (extending the one in `token`, if any); throws a DelegationError. */
  forCall(caller: string, token: string | undefined, audience: { peer: string, agent: string }, method: string, skill: string | undefined, task: Uint8Array): { bytes: Uint8Array, received?: { origin: Principal } }
}

/** What the routes ask of the closed mesh (see AccessControl in src/trust). */
export interface CallPolicy {
  readonly open: boolean
  /** The role and parent this host's certificate gives agent `name`, or why it gives none. */
  grant(name: string): { role: string, parent: string | null } | { code: string, message: string }
  /** Why `from` (a local caller) may not call `toAgent` on `toPeer`, or undefined if it may. */
  egress(from: string, toPeer: string, toAgent: string, method: string, payload: string, origin?: Principal): { code: string, message: string, rule?: string } | undefined
}

/** The agent name of a host's operator: the caller of a request without an agent token. */
export const OPERATOR = 'operator'

const AGENT = '(?<agent>[^/]+)'
const encoder = new TextEncoder()

/** `/v1/agents…`, `/v1/directory/{name}` and the `/a2a/{agent}` endpoint. */
export function a2aRoutes (routesInit: A2aRoutesInit): Route[] {
  const init = { ...routesInit, ids: routesInit.ids ?? new RandomPool() }
  const { gateway, registry, directory, tasks } = init
  const view = (a: { name: string, url: string, role: string | null, parent: string | null, card: unknown, addedMs: number }): Record<string, unknown> =>
    ({ name: a.name, url: a.url, role: a.role, parent: a.parent, address: `${a.name}@${init.localPeer}`, addedAt: new Date(a.addedMs).toISOString(), card: a.card })

  return [
    { method: 'GET', pattern: /^\/v1\/tasks$/, handler: () => ({ json: { outbox: tasks.stats() } }) },
    { method: 'GET', pattern: /^\/v1\/agents$/, handler: () => ({ json: { agents: registry.list().map(view) } }) },
    {
      method: 'POST',
      pattern: /^\/v1\/agents$/,
      handler: async (ctx) => {
        const body = await ctx.body() as { name?: unknown, url?: unknown, role?: unknown } | undefined
        if (typeof body?.name !== 'string' || typeof body.url !== 'string' || (body.role !== undefined && body.role !== null && typeof body.role !== 'string')) {
          throw new ApiError(400, 'INVALID_REQUEST', 'body must be {"name": "…", "url": "http://…", "role"?: "…"}')
        }
        let role = (body.role as string | undefined) ?? null
        let parent: string | null = null
        if (body.name === OPERATOR) throw new ApiError(400, 'INVALID_AGENT_NAME', `"${OPERATOR}" is reserved for the host's operator`)
        if (init.access != null && !init.access.open) {
          const grant = init.access.grant(body.name)
          if ('code' in grant) throw new ApiError(403, 'NOT_CERTIFIED', grant.message)
          if (role !== null && role !== grant.role) throw new ApiError(400, 'INVALID_REQUEST', `this host's certificate makes "${body.name}" a ${grant.role}, not a ${role}`)
          role = grant.role
          parent = grant.parent
        }
        const record = await registry.add({ name: body.name, url: body.url, role, parent }, ctx.signal)
        init.onAgentAdded?.(record.name)
        return { status: 201, json: { ...view(record), token: record.token } }
      }
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/agents/${AGENT}$`),
      handler: (ctx) => {
        const a = registry.get(ctx.params.agent ?? '')
        if (a == null) throw new ApiError(404, 'AGENT_NOT_FOUND', `no local agent named "${ctx.params.agent ?? ''}"`)
        return { json: view(a) }
      }
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/v1/agents/${AGENT}$`),
      handler: (ctx) => { registry.remove(ctx.params.agent ?? ''); return { json: { removed: ctx.params.agent } } }
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/directory/${AGENT}$`),
      handler: async (ctx) => {
        const name = ctx.params.agent ?? ''
        const local = registry.get(name)
        const remote = await directory.find(name, ctx.signal)
        const providers = [...(local != null ? [init.localPeer] : []), ...remote].map((peer) => ({ peer, address: `${name}@${peer}`, local: peer === init.localPeer }))
        return { json: { name, providers } }
      }
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/a2a/${AGENT}/\\.well-known/agent-card\\.json$`),
      handler: async (ctx) => {
        const spec = ctx.params.agent ?? ''
        const target = await gateway.resolve(spec, ctx.signal)
        const card = await gateway.card(target, ctx.signal)
        return { json: rewriteCard(card, endpointUrl(ctx.req, spec)), contentType: 'application/json' }
      }
    },
    { method: 'POST', pattern: new RegExp(`^/a2a/${AGENT}/?$`), handler: async (ctx) => { await callAgent(ctx, init); return undefined } }
  ]
}

/** The absolute URL of this daemon's endpoint for `spec`, as the caller addressed us. */
function endpointUrl (req: IncomingMessage, spec: string): string {
  const host = req.headers.host ?? 'localhost'
  return `http://${host}/a2a/${encodeURIComponent(spec)}`
}

interface RpcRequest { jsonrpc: string, id?: string | number | null, method: string, params?: unknown }

/** Handles one JSON-RPC request for `{agent}`: local agents directly, remote ones through the mesh. */
async function callAgent (ctx: RequestContext, init: A2aRoutesInit): Promise<void> {
  const clock = new StageClock(init.stages)
  // The caller's trace context comes in headers, so the span can start before the body is read.
  clock.attach(init.tracer?.startTask('send', validTrace(ctx.req.headers.traceparent, ctx.req.headers.tracestate), { 'agentmesh.agent': ctx.params.agent ?? '', 'agentmesh.peer': init.localPeer }, clock.startedMs))
  try {
    await handleCall(ctx, init, clock)
  } finally {
    clock.end()
  }
}

async function handleCall (ctx: RequestContext, init: A2aRoutesInit, clock: StageClock): Promise<void> {
  const { res } = ctx
  let body: unknown
  try {
    body = await ctx.body()
    clock.mark('api_receive')
  } catch (err) {
    if (err instanceof ApiError && err.code === 'BAD_JSON') { rpcError(res, null, JSONRPC.PARSE_ERROR, err.message); return }
    throw err
  }
  const rpc = body as RpcRequest | undefined
  if (typeof rpc !== 'object' || rpc === null || rpc.jsonrpc !== '2.0' || typeof rpc.method !== 'string') {
    rpcError(res, (rpc as RpcRequest | undefined)?.id ?? null, JSONRPC.INVALID_REQUEST, 'not a JSON-RPC 2.0 request')
    return
  }
  const id = rpc.id ?? null
  const spec = ctx.params.agent ?? ''
  const stream = new AnswerWriter(res, id, clock)
  const caller = callerOf(ctx.req, init)
  if (caller === undefined) {
    rpcError(res, id, JSONRPC.MESH_ERROR, 'the bearer token is neither an agent\'s token nor the API token', { reason: 'UNAUTHORIZED' }, 401)
    return
  }
  try {
    const target = await init.gateway.resolve(spec, ctx.signal)
    const payload = JSON.stringify(rpc)
    clock.mark('resolve')
    // With tracing on, the next hop continues this daemon's span; otherwise the caller's context passes through.
    const span = clock.traced
    const trace = span != null
      ? { traceparent: span.traceparent, ...(span.tracestate != null ? { tracestate: span.tracestate } : {}) }
      : validTrace(ctx.req.headers.traceparent, ctx.req.headers.tracestate)
    const toPeer = target.kind === 'local' ? init.localPeer : target.peer
    const toAgent = target.kind === 'local' ? target.agent.name : target.name
    const taskId = init.ids?.envelopeId() ?? newEnvelopeId()
    const traceId = traceIdOf(trace.traceparent)
    const record = (entry: Omit<AuditEntry, 'fromAgent' | 'fromPeer' | 'toAgent' | 'toPeer' | 'taskId'>): void => {
      init.audit?.({ fromAgent: caller, fromPeer: init.localPeer, toAgent, toPeer, taskId: Buffer.from(taskId).toString('hex'), ...(traceId !== undefined ? { traceId } : {}), ...entry })
    }
    let chain: { bytes: Uint8Array, received?: { origin: Principal } } | undefined
    try {
      chain = init.delegations?.forCall(caller, tokenOf(rpc), { peer: toPeer, agent: toAgent }, rpc.method, skillOf(payload), taskId)
    } catch (err) {
      if (!(err instanceof DelegationError)) throw err
      record({ decision: 'bad_chain', reason: err.code, detail: err.message })
      stream.fail(JSONRPC.MESH_ERROR, `agentmesh refused the call to "${spec}": ${err.message}`, { reason: err.code, link: err.link, problem: err.problem })
      return
    }
    clock.mark('delegation')
    const refusal = init.access?.egress(caller, toPeer, toAgent, rpc.method, payload, chain?.received?.origin)
    // The chain as the audit log records it, decoded only for a record made here (a task sent on is recorded by the outbox).
    const chainJson = (): Array<Record<string, unknown>> | undefined => init.audit != null && chain != null ? summarizeChain(chain.bytes) : undefined
    clock.mark('policy')
    if (refusal != null) {
      record({ decision: decisionFor(refusal.code), reason: refusal.code, detail: refusal.message, ...(refusal.rule !== undefined ? { rule: refusal.rule } : {}), ...chainEntry(chainJson()) })
      if (refusal.rule !== undefined) init.onDenied?.(refusal.rule)
      stream.fail(JSONRPC.MESH_ERROR, `agentmesh refused the call to "${spec}": ${refusal.message}`, { reason: refusal.code, ...(refusal.rule !== undefined ? { rule: refusal.rule } : {}) })
      return
    }
    const carried = chain != null && chain.bytes.byteLength > 0 ? chain.bytes : undefined
    const parties = { from: { agent: caller, peer: init.localPeer }, to: { agent: toAgent, peer: toPeer } }
    const inspector = init.inspector
    // Every answer is inspected before the caller sees it: an injected reply is as dangerous as an injected request.
    const answer = async (kind: 'RESULT' | 'EVENT', text: string): Promise<void> => {
      const veto = await inspector?.inspect({ direction: 'reply', method: rpc.method, payload: text, ...parties }, ctx.signal)
      if (veto != null) {
        record({ decision: 'reply_vetoed', reason: veto.code, detail: veto.message })
        throw new InspectionVetoError(veto)
      }
      stream.frame(kind, text)
    }
    if (target.kind === 'local') {
      // A remote agent's daemon inspects what reaches it; for a local agent, this daemon does.
      const veto = await inspector?.inspect({ direction: 'request', method: rpc.method, payload, ...parties }, ctx.signal)
      if (veto != null) {
        record({ decision: 'inspection_veto', reason: veto.code, detail: veto.message })
        throw new InspectionVetoError(veto)
      }
      const delivered = carried != null ? withToken(payload, chainToken(carried)) : payload
      try {
        await deliverToAgent(target.agent, rpc.method, delivered, async (f) => { await answer(f.kind, f.payload) }, ctx.signal, { trace })
        record({ decision: 'delivered', ...chainEntry(chainJson()) })
      } catch (err) {
        if (!(err instanceof InspectionVetoError)) record({ decision: 'delivery_failed', reason: err instanceof AgentmeshError ? err.code : 'AGENT_ERROR', detail: (err as Error).message })
        throw err
      }
    } else {
      await init.tasks.submit({ id: taskId, toPeer: target.peer, toAgent: target.name, fromAgent: caller, method: rpc.method, payload: encoder.encode(payload), ...(carried != null ? { delegation: carried } : {}), ...trace },
        answer, ctx.signal, clock)
    }
    stream.end(STREAMING_METHODS.has(rpc.method))
  } catch (err) {
    if (ctx.signal.aborted) { res.destroy(); return }
    const reason = err instanceof AgentmeshError ? err.code : 'INTERNAL'
    if (reason === 'AGENT_NOT_FOUND' || reason === 'PEER_UNREACHABLE') init.gateway.forget(spec)
    const rule = (err as { rule?: unknown }).rule
    stream.fail(JSONRPC.MESH_ERROR, `agentmesh could not deliver to "${spec}": ${(err as Error).message}`, { reason, ...(typeof rule === 'string' ? { rule } : {}) })
  }
}

/**
 * Who is calling: the agent whose caller token the request bears, or the
 * host's operator when it bears none (or the API token). Undefined for a
 * token that is neither: a wrong token never falls back to the operator.
 */
/** The `chain` field of an audit entry, when there is a chain. */
function chainEntry (chain: Array<Record<string, unknown>> | undefined): { chain?: Array<Record<string, unknown>> } {
  return chain != null ? { chain } : {}
}

function callerOf (req: IncomingMessage, init: A2aRoutesInit): string | undefined {
  const header = req.headers.authorization
  if (header === undefined || header === '') return OPERATOR
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : ''
  const agent = init.registry.byToken(token)
  if (agent != null) return agent.name
  return init.isApiToken?.(token) === true ? OPERATOR : undefined
}

/** Writes an agent's answer to the HTTP caller: SSE for events, JSON for a result. */
class AnswerWriter {
  private sse = false
  private done = false
  constructor (private readonly res: ServerResponse, private readonly id: string | number | null, private readonly clock?: StageClock) {}

  frame (kind: 'RESULT' | 'EVENT', payload: string): void {
    if (this.done) return
    if (kind === 'RESULT') {
      if (this.sse) { this.res.write(`data: ${payload}\n\n`); return }
      this.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) })
      this.res.end(payload)
      this.done = true
      return
    }
    if (!this.sse) {
      this.res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
      this.res.flushHeaders()
      this.sse = true
    }
    this.res.write(`data: ${payload}\n\n`)
  }

  end (streaming: boolean): void {
    if (this.done) return
    this.done = true
    if (this.sse) { this.res.end(); return }
    if (streaming) {
      this.res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      this.res.end()
      return
    }
    rpcError(this.res, this.id, JSONRPC.INTERNAL, 'the agent sent no answer')
  }

  fail (code: number, message: string, data: unknown): void {
    if (this.done) return
    this.done = true
    this.clock?.fail(String((data as { reason?: unknown } | undefined)?.reason ?? code), message)
    const error = JSON.stringify({ jsonrpc: '2.0', id: this.id, error: { code, message, data } })
    if (this.sse) {
      this.res.end(`event: error\ndata: ${error}\n\n`)
      return
    }
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(error) })
    this.res.end(error)
  }
}

function rpcError (res: ServerResponse, id: unknown, code: number, message: string, data?: unknown, status = 200): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code, message, ...(data !== undefined ? { data } : {}) } })
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}
