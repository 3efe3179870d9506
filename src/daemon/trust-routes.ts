import { ApiError, type Route } from '../api/index.js'
import { evaluatePolicy, parsePrincipalSpec, type Principal } from '../policy/index.js'
import { describeCertificate, isRefusal, OPERATOR, type AccessControl, type PeerTrust, type RefusalList, type TrustStore } from '../trust/index.js'

/** What the trust routes need. */
export interface TrustRoutesInit {
  store: TrustStore
  peers: PeerTrust
  refusals: RefusalList
  access: AccessControl
  localPeer: string
  /** Re-reads the trust folder and re-admits peers (after `agentmesh join`). */
  reload: () => void
}

/** The daemon's trust state as `GET /v1/trust` and `agentmesh status` show it. */
export interface TrustView {
  mode: 'closed' | 'open'
  certificate: { serial: number, issuer: string, subject: string, agents: Array<{ name: string, role: string, parent: string | null }>, groups: string[], notBefore: string, notAfter: string, summary: string } | null
  /** Why this host cannot act in the closed mesh now, if it cannot. */
  problem: { code: string, message: string } | null
  authorities: string[]
  policy: { issuer: string, version: number, rules: number } | null
  revocations: Array<{ issuer: string, version: number, revoked: number[] }>
  verifiedPeers: Array<{ peer: string, serial: number, agents: string[] }>
  refusedPeers: Array<{ peer: string, reason: string, until: string }>
}

/** Builds the trust view. */
export function trustView (init: TrustRoutesInit): TrustView {
  const { store, peers, refusals, access } = init
  const own = store.certificate()
  const problem = store.ownProblem()
  const held = store.policy()
  return {
    mode: access.open ? 'open' : 'closed',
    certificate: own == null
      ? null
      : {
          serial: own.cert.serial,
          issuer: own.cert.issuer,
          subject: own.cert.subject,
          agents: own.cert.agents.map((a) => ({ name: a.name, role: a.role, parent: a.parent === '' ? null : a.parent })),
          groups: own.cert.groups,
          notBefore: new Date(own.cert.notBeforeMs).toISOString(),
          notAfter: new Date(own.cert.notAfterMs).toISOString(),
          summary: describeCertificate(own.cert)
        },
    problem: problem == null ? null : { code: problem.code, message: problem.message },
    authorities: [...store.trusted()],
    policy: held == null ? null : { issuer: held.release.issuer, version: held.release.version, rules: held.policy.rules.length },
    revocations: [...store.trusted()].flatMap((issuer) => {
      const r = store.revocationList(issuer)
      return r == null ? [] : [{ issuer, version: r.list.version, revoked: [...r.list.serials] }]
    }),
    verifiedPeers: peers.verifiedPeers().map(({ peer, cert }) => ({ peer, serial: cert.serial, agents: cert.agents.map((a) => a.name) })),
    refusedPeers: refusals.list().map((r) => ({ peer: r.peer, reason: r.reason, until: new Date(r.untilMs).toISOString() }))
  }
}

/** `/v1/trust…` and `/v1/policy/explain`. */
export function trustRoutes (init: TrustRoutesInit): Route[] {
  return [
    { method: 'GET', pattern: /^\/v1\/trust$/, handler: () => ({ json: trustView(init) }) },
    {
      method: 'POST',
      pattern: /^\/v1\/trust\/reload$/,
      handler: () => { init.reload(); return { json: trustView(init) } }
    },
    {
      method: 'POST',
      pattern: /^\/v1\/trust\/documents$/,
      handler: async (ctx) => {
        const body = await ctx.body() as { policies?: unknown, revocations?: unknown } | undefined
        const list = (v: unknown): Uint8Array[] => {
          if (v === undefined) return []
          if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ApiError(400, 'INVALID_REQUEST', 'body must be {"policies"?: [base64…], "revocations"?: [base64…]}')
          return (v as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')))
        }
        const errors: string[] = []
        const taken = init.store.offer({ policies: list(body?.policies), revocations: list(body?.revocations) }, (err) => { errors.push(err.message) })
        if (errors.length > 0 && taken === 0) throw new ApiError(400, 'BAD_DOCUMENT', errors.join('; '))
        if (taken > 0) init.peers.documentsChanged()
        return { json: { taken, errors, trust: trustView(init) } }
      }
    },
    {
      method: 'POST',
      pattern: /^\/v1\/policy\/explain$/,
      handler: async (ctx) => {
        const body = await ctx.body() as { from?: unknown, to?: unknown, method?: unknown, skill?: unknown } | undefined
        if (typeof body?.from !== 'string' || typeof body.to !== 'string') {
          throw new ApiError(400, 'INVALID_REQUEST', 'body must be {"from": "name[@peer]" | "NAME:ROLE[:PARENT]", "to": …, "method"?: "SendMessage"}')
        }
        const held = init.store.policy()
        if (held == null) throw new ApiError(404, 'NO_POLICY', 'this host holds no policy from its authority (join a mesh first)')
        const from = principal(init, body.from)
        const to = principal(init, body.to)
        const method = typeof body.method === 'string' ? body.method : 'SendMessage'
        const decision = evaluatePolicy(held.policy, { from, to, method, ...(typeof body.skill === 'string' ? { skill: body.skill } : {}) })
        return { json: { from, to, method, decision, policy: { issuer: held.release.issuer, version: held.release.version } } }
      }
    }
  ]
}

/**
 * A principal from what a user typed: `operator`, `NAME:ROLE[:PARENT]`
 * (offline form), `name` (a local agent) or `name@peer` (a connected peer's
 * agent, as its certificate describes it).
 */
function principal (init: TrustRoutesInit, spec: string): Principal {
  if (spec.includes(':')) return parsePrincipalSpec(spec)
  const at = spec.lastIndexOf('@')
  const name = at === -1 ? spec : spec.slice(0, at)
  const peer = at === -1 ? init.localPeer : spec.slice(at + 1)
  const p = peer === init.localPeer ? init.access.local(name === '' ? OPERATOR : name) : init.access.remote(peer, name)
  if (isRefusal(p)) throw new ApiError(404, 'NOT_CERTIFIED', `cannot describe "${spec}": ${p.message}`)
  return p
}
