/** Who calls or is called. */
export interface Principal {
  /** Agent name on its peer, or `'operator'` for the host's operator. */
  agent: string
  /** Hosting peer ID (may be `''` in offline tests). */
  peer: string
  /** Role, e.g. `'orchestrator'`, `'specialist'`; `'operator'` for the operator. */
  role: string
  /** The agent it reports to: `'name'` or `'name@peer'`; null if none. */
  parent: string | null
  /** Groups of the peer's certificate. */
  groups: string[]
}

/** One call to decide: who calls whom, with which A2A method, for which skill. */
export interface PolicyRequest {
  from: Principal
  to: Principal
  /** The A2A method, e.g. `SendMessage`. */
  method: string
  /** The skill asked for, if the call names one. */
  skill?: string
  /** The principal the call's delegation chain is rooted in (on whose behalf it is made), if known. */
  origin?: Principal
}

/** What {@link evaluatePolicy} decided, and why. */
export interface Decision {
  allowed: boolean
  /** id of the deciding rule, or `'default-deny'`. */
  rule: string
  /** One human sentence: why, naming the rule and what matched or did not. */
  reason: string
}

/** A name, or a list of names of which one must match. */
export type NameList = string | readonly string[]

/**
 * Which principals a rule's `from` or `to` side covers. Every key given must
 * match; an absent or empty selector matches anyone. References name the other
 * side of the call, so a `to` selector uses `$from…` and a `from` selector `$to…`.
 */
export interface Selector {
  /** Agent names, or `$from.parent` / `$to.parent`: the agent the other side reports to. */
  readonly agent?: NameList
  /** Roles. */
  readonly role?: NameList
  /** Groups: the principal must be in at least one. */
  readonly group?: NameList
  /** Peer IDs. */
  readonly peer?: NameList
  /**
   * Parents (`name` matches any peer, `name@peer` only that one), or `$from` /
   * `$to`: the principal reports to the other side's agent.
   */
  readonly parent?: NameList
}

/** One rule of a policy. */
export interface PolicyRule {
  /** Unique within the policy; `[a-z0-9][a-z0-9._-]*`. */
  readonly id: string
  /** Deny rules win over allow rules, wherever they stand. */
  readonly effect: 'allow' | 'deny'
  readonly description?: string
  /** The caller; absent means anyone. */
  readonly from?: Selector
  /** The callee; absent means anyone. */
  readonly to?: Selector
  /** A2A methods the rule covers; absent means any method. */
  readonly methods?: readonly string[]
  /** Skills the rule covers; absent means any skill (a call naming no skill only matches then). */
  readonly skills?: readonly string[]
  /**
   * The principal the call's delegation chain must be rooted in (no
   * references): e.g. `{ role: operator }` for "only on behalf of a human
   * operator". A call with no known origin never matches a rule that has one.
   */
  readonly origin?: Selector
}

/** A principal in an embedded test, when the compact `NAME:ROLE[:PARENT]` form is not enough. */
export interface TestPrincipal {
  readonly agent: string
  readonly role: string
  readonly parent?: string | null
  readonly groups?: readonly string[]
  readonly peer?: string
}

/** An embedded test case, like a firewall's: a call and the expected outcome. */
export interface PolicyTestCase {
  readonly expect: 'allow' | 'deny'
  /** `NAME:ROLE[:PARENT]`, `operator`, or a full principal. */
  readonly from: string | TestPrincipal
  readonly to: string | TestPrincipal
  /** Default `SendMessage`. */
  readonly method?: string
  readonly skill?: string
  /** Groups of `from`, with the compact form only. */
  readonly fromGroups?: readonly string[]
  /** Groups of `to`, with the compact form only. */
  readonly toGroups?: readonly string[]
  /** The chain's origin (`NAME:ROLE[:PARENT]`, `operator` or a full principal), if the call has one. */
  readonly origin?: string | TestPrincipal
  /** If given, the deciding rule must also be this one (a rule id or `default-deny`). */
  readonly rule?: string
}

/**
 * A validated policy document, deeply frozen. `rules` keep their document
 * order (it decides which rule is reported); `tests` is `[]` when the document
 * has none.
 */
export interface Policy {
  readonly rules: readonly PolicyRule[]
  readonly tests: readonly PolicyTestCase[]
}

/** One embedded test that did not hold. */
export interface PolicyTestFailure {
  /** Its position in `tests`, from 0. */
  index: number
  expected: 'allow' | 'deny'
  got: Decision
  /** The call, e.g. `planner:orchestrator → search:specialist:planner (SendMessage)`. */
  test: string
  /** Set when the test named a deciding rule and another decided: the rule the test expected. */
  wrongRule?: string
}

/** The outcome of a policy's embedded tests. */
export interface PolicyTestReport {
  total: number
  passed: number
  failures: PolicyTestFailure[]
}
