import { describe, expect, it } from 'vitest'
import { runCompromiseOnce } from '../../sim/scenarios/compromise.js'
import { parseSimArgs } from '../../sim/options.js'
import { layout, type SimAgentSpec } from '../../sim/topology.js'
import { quiet, smallRun } from './helpers.js'

/**
 * Spread `work` with enforcement off: attacker text travels only along work edges (down the tree,
 * along the chain), so from the same compromised positions a chain carries it to everything
 * downstream while a tree keeps it in the attackers' (and their parents') subtrees.
 */
describe('sim compromise, spread work, enforcement off', () => {
  const options = smallRun('compromise', { nodes: 20, compromised: 0.1, fanout: 3, seed: 7, spread: 'work' })

  it('parses --spread and --repeat', () => {
    expect(parseSimArgs(['compromise', '--spread', 'work', '--repeat', '3'])).toMatchObject({ spread: 'work', repeat: 3 })
    expect(parseSimArgs(['compromise']).spread).toBe('any')
    expect(() => parseSimArgs(['compromise', '--spread', 'everywhere'])).toThrow(/--spread/)
  })

  it('reaches exactly the work-edge reach of the attackers, and a chain further than a tree from the same positions', async () => {
    const linear = await runCompromiseOnce(options, 'linear', false, quiet)
    const tree = await runCompromiseOnce(options, 'hierarchical', false, quiet)
    // One seed, one compromised set, whatever the topology.
    expect(tree.compromisedAgents).toEqual(linear.compromisedAgents)
    // Nothing out of the topology: no probes of strangers, no forwarding up.
    expect(linear.vectors['outside-hierarchy'].attempted).toBe(0)
    expect(tree.vectors['outside-hierarchy'].attempted).toBe(0)
    expect(linear.victimAgents).toEqual(expectedWorkVictims(layout('linear', 20, 3), linear.compromisedAgents))
    expect(tree.victimAgents).toEqual(expectedWorkVictims(layout('hierarchical', 20, 3), tree.compromisedAgents))
    expect(linear.victims).toBeGreaterThan(tree.victims)
    // The team's task: the work below an attacker is lost, and its injected reply taints the answer.
    expect(linear.task?.tainted).toBe(true)
    expect(tree.task?.tainted).toBe(true)
    expect(linear.task?.lost).toBeGreaterThan(tree.task?.lost ?? 1)
    expect(linear.invariants.replaysAccepted + tree.invariants.replaysAccepted).toBe(0)
  }, 240_000)
})

/**
 * The victims spread `work` guarantees in a tree or a chain when every call is delivered and
 * nothing is enforced: the task reaches each attacker with no attacker above it, whose injected
 * reply its parent obeys; the text then goes down the work edges from the attackers and those
 * parents, through every honest agent below them. Sorted indices.
 */
function expectedWorkVictims (agents: readonly SimAgentSpec[], compromised: readonly number[]): number[] {
  const bad = new Set(compromised)
  const parent = (i: number): number | undefined => {
    const p = agents[i]?.parent
    return p == null ? undefined : Number(p.slice(1))
  }
  const reachedByTask = (i: number): boolean => {
    for (let p = parent(i); p !== undefined; p = parent(p)) if (bad.has(p)) return false
    return true
  }
  const sources = [...compromised, ...compromised.filter(reachedByTask).flatMap((a) => parent(a) ?? [])]
  const reached = new Set<number>()
  const stack = [...sources]
  while (stack.length > 0) {
    const i = stack.pop() as number
    if (reached.has(i)) continue
    reached.add(i)
    stack.push(...(agents[i]?.delegates ?? []))
  }
  return [...reached].filter((i) => !bad.has(i)).sort((a, b) => a - b)
}
