import { evaluatePolicy, type Decision, type Principal } from '../policy/index.js'
import type { PeerTrust } from './peer-trust.js'
import type { TrustStore } from './trust-store.js'
import { OPERATOR } from './constants.js'
import { principalOf } from './principal.js'

/** Why a call may not go ahead: a stable code, a message, and the deciding rule for policy denials. */
export interface Refusal {
  code: 'POLICY_DENIED' | 'NOT_CERTIFIED' | 'PEER_NOT_CERTIFIED' | 'SENDER_NOT_CERTIFIED' | 'DELEGATION_INVALID'
  message: string
  rule?: string
}

/** What {@link AccessControl} needs. */
export interface AccessControlInit {
  store: TrustStore
  peers: PeerTrust
  localPeer: string
  open: boolean
}

/** The rule reported when a host holds no policy from its authority. */
export const NO_POLICY_RULE = 'no-policy'

const SKILL_MARK = '"skill"'

/**
 * Who may call whom: turns a local caller or an envelope's sender into a
 * certified principal and asks the hierarchy policy of this host's
 * authority. Used by the sending daemon before a task leaves the host
 * (egress) and by the receiving daemon before it reaches an agent (ingress).
 * In open mode everything is allowed and nothing is checked.
 */
export class AccessControl {
  private readonly init: AccessControlInit

  constructor (init: AccessControlInit) {
    this.init = init
  }

  get open (): boolean {
    return this.init.open
  }

  /** A local caller (`operator` or a registered agent) as this host's certificate describes it. */
  local (agent: string): Principal | Refusal {
    const own = this.init.store.certificate()
    const problem = this.init.store.ownProblem()
    if (own == null || problem != null) return { code: 'NOT_CERTIFIED', message: `this host cannot act in the closed mesh: ${problem?.message ?? 'no certificate'} (install one with: agentmesh join FILE)` }
    return principalOf(own.cert, agent) ?? { code: 'NOT_CERTIFIED', message: `this host's certificate does not cover an agent named "${agent}"` }
  }

  /** The role and parent this host's certificate gives local agent `name`, or why it gives none. */
  grant (name: string): { role: string, parent: string | null } | Refusal {
    const p = this.local(name)
    return isRefusal(p) ? p : { role: p.role, parent: p.parent }
  }

  /** Agent `agent` on connected peer `peer`, as that peer's verified certificate describes it. */
  remote (peer: string, agent: string): Principal | Refusal {
    if (peer === this.init.localPeer) return this.local(agent)
    const cert = this.init.peers.certificateOf(peer)
    if (cert == null) return { code: 'PEER_NOT_CERTIFIED', message: `peer ${peer} has presented no valid certificate` }
    return principalOf(cert, agent) ?? { code: 'SENDER_NOT_CERTIFIED', message: `the certificate of ${peer} does not cover an agent named "${agent}"` }
  }

  /** The policy's decision for a call between two principals, made on behalf of `origin` (default: the caller). */
  decide (from: Principal, to: Principal, method: string, payload?: Uint8Array | string, origin?: Principal): Decision {
    const held = this.init.store.policy()
    if (held == null) return { allowed: false, rule: NO_POLICY_RULE, reason: 'this host holds no policy from its authority, so every call is denied' }
    const skill = payload === undefined ? undefined : skillOf(payload)
    return evaluatePolicy(held.policy, { from, to, method, origin: origin ?? from, ...(skill !== undefined ? { skill } : {}) })
  }

  /**
   * May local caller `fromAgent` call `toAgent` on `toPeer` with `method`?
   * Returns undefined when it may, else why not.
   */
  egress (fromAgent: string, toPeer: string, toAgent: string, method: string, payload?: Uint8Array | string, origin?: Principal): Refusal | undefined {
    if (this.init.open) return undefined
    const from = this.local(fromAgent)
    if (isRefusal(from)) return from
    const to = this.remote(toPeer, toAgent)
    if (isRefusal(to)) return to.code === 'SENDER_NOT_CERTIFIED' ? { code: 'NOT_CERTIFIED', message: to.message } : to
    return this.verdict(from, to, method, payload, origin)
  }

  /**
   * May an envelope from `remotePeer` speaking for `fromAgent` reach local
   * agent `toAgent`? The sender's certificate must cover `fromAgent`, and the
   * policy must allow the edge.
   */
  ingress (remotePeer: string, fromAgent: string, toAgent: string, method: string, payload: Uint8Array, checkPolicy = true, origin?: Principal): Refusal | undefined {
    return this.ingressDetail(remotePeer, fromAgent, toAgent, method, payload, checkPolicy, origin).refusal
  }

  /** {@link ingress}, with the principals and the policy decision it reached (for inspection and audit). */
  ingressDetail (remotePeer: string, fromAgent: string, toAgent: string, method: string, payload: Uint8Array, checkPolicy = true, origin?: Principal): { refusal?: Refusal, from?: Principal, to?: Principal, decision?: Decision } {
    if (this.init.open) return {}
    const from = this.remote(remotePeer, fromAgent)
    if (isRefusal(from)) return { refusal: from }
    if (!checkPolicy) return { from }
    const to = this.local(toAgent)
    if (isRefusal(to)) return { refusal: to, from }
    const decision = this.decide(from, to, method, payload, origin)
    return decision.allowed
      ? { from, to, decision }
      : { from, to, decision, refusal: { code: 'POLICY_DENIED', message: `${from.agent}@${from.peer} → ${to.agent}@${to.peer} (${method}): ${decision.reason}`, rule: decision.rule } }
  }

  private verdict (from: Principal, to: Principal, method: string, payload?: Uint8Array | string, origin?: Principal): Refusal | undefined {
    const d = this.decide(from, to, method, payload, origin)
    return d.allowed ? undefined : { code: 'POLICY_DENIED', message: `${from.agent}@${from.peer} → ${to.agent}@${to.peer} (${method}): ${d.reason}`, rule: d.rule }
  }
}

/** True for a {@link Refusal}, false for a principal. */
export function isRefusal (x: Principal | Refusal): x is Refusal {
  return 'code' in x
}

const decoder = new TextDecoder()

/**
 * The skill a JSON-RPC request asks for: `params.message.metadata.skill` (a
 * convention of agentmesh; A2A messages name no skill of their own). Parsed
 * only when the payload mentions one, so ordinary calls pay nothing.
 */
export function skillOf (payload: Uint8Array | string): string | undefined {
  const text = typeof payload === 'string' ? payload : decoder.decode(payload)
  if (!text.includes(SKILL_MARK)) return undefined
  try {
    const skill = (JSON.parse(text) as { params?: { message?: { metadata?: { skill?: unknown } } } }).params?.message?.metadata?.skill
    return typeof skill === 'string' ? skill : undefined
  } catch {
    return undefined
  }
}

