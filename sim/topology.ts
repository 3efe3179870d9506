import type { Topology } from './options.js'

/** One simulated agent: node `index` hosts it. */
export interface SimAgentSpec {
  index: number
  name: string
  role: string
  /** The agent it reports to (the one that hands it work), or null. */
  parent: string | null
  /** The agents it hands work to: its children (tree), its successor (chain), or nobody in particular (flat). */
  delegates: number[]
}

/** The agent name of node `i`. */
export function agentName (i: number): string {
  return `a${i}`
}

/**
 * Lays `n` agents out as a topology of Huang et al. (arXiv 2408.00989):
 * hierarchical (a tree of fan-out `fanout`, a0 at the root), linear (a chain
 * a0 → a1 → …), flat (peers, no hierarchy). a0 is where the root host's
 * operator starts work.
 */
export function layout (topology: Topology, n: number, fanout: number): SimAgentSpec[] {
  const agents: SimAgentSpec[] = []
  for (let i = 0; i < n; i++) {
    let parent: number | null = null
    const delegates: number[] = []
    if (topology === 'hierarchical') {
      parent = i === 0 ? null : Math.floor((i - 1) / fanout)
      for (let c = i * fanout + 1; c <= i * fanout + fanout && c < n; c++) delegates.push(c)
    } else if (topology === 'linear') {
      parent = i === 0 ? null : i - 1
      if (i + 1 < n) delegates.push(i + 1)
    }
    const role = topology === 'flat' ? 'peer' : delegates.length > 0 ? 'orchestrator' : 'specialist'
    agents.push({ index: i, name: agentName(i), role, parent: parent === null ? null : agentName(parent), delegates })
  }
  return agents
}

/** The depth of each agent in the tree or chain (flat: 1 for all but a0). */
export function depths (agents: readonly SimAgentSpec[]): number[] {
  const d = new Array<number>(agents.length).fill(0)
  for (const a of agents) {
    if (a.parent !== null) d[a.index] = (d[Number(a.parent.slice(1))] ?? 0) + 1
    else if (a.index !== 0) d[a.index] = 1
  }
  return d
}

/**
 * The hierarchy policy the authority signs for a topology (enforcement on):
 * only the root host's operator starts work, at a0; work then flows along the
 * topology's edges (down the tree, along the chain, between any two peers in
 * flat), and every such call must be made on behalf of that operator (the
 * delegation chain's origin). `open` adds a rule that lets every host's
 * operator call any agent (the scale, churn and flood workloads).
 */
export function policyFor (topology: Topology, rootPeer: string, options: { operatorsCallAnyone?: boolean } = {}): string {
  const origin = { role: 'operator', peer: rootPeer }
  const rules: unknown[] = [
    { id: 'operator-starts-at-root', effect: 'allow', from: { agent: 'operator', role: 'operator', peer: rootPeer }, to: { agent: 'a0' } }
  ]
  if (topology === 'flat') {
    rules.push({ id: 'peers-call-peers', effect: 'allow', from: { role: 'peer' }, to: { role: 'peer' }, origin })
  } else {
    rules.push({ id: 'delegate-to-own-reports', effect: 'allow', to: { parent: '$from' }, origin })
  }
  if (options.operatorsCallAnyone === true) {
    rules.push({ id: 'operators-call-anyone', effect: 'allow', from: { agent: 'operator', role: 'operator' } })
  }
  return JSON.stringify({ rules })
}
