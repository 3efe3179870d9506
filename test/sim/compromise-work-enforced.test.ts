import { describe, expect, it } from 'vitest'
import { runCompromiseOnce } from '../../sim/scenarios/compromise.js'
import { quiet, smallRun } from './helpers.js'

/**
 * Spread `work` with enforcement on: the attacker abuses its own work edges (with the token it was
 * handed) and answers the task with an injection; the mesh refuses both, so nothing spreads and
 * the root's answer is clean — what the attacker costs is the work it was given and dropped.
 */
describe('sim compromise, spread work, enforcement on', () => {
  it('spreads nowhere, crosses no denied edge, and turns the attacker\'s part of the task into loss, not taint', async () => {
    const run = await runCompromiseOnce(smallRun('compromise', { nodes: 20, compromised: 0.1, fanout: 3, seed: 7, spread: 'work' }), 'linear', true, quiet)
    const first = Math.min(...run.compromisedAgents)
    expect(run.vectors['legit-edge-abuse'].attempted).toBeGreaterThan(0)
    expect(run.vectors['legit-edge-abuse'].accepted).toBe(0)
    expect(run.vectors['injected-reply'].attempted).toBeGreaterThan(0)
    expect(run.vectors['injected-reply'].accepted).toBe(0)
    expect(run.vectors['forged-sender'].attempted).toBeGreaterThan(0)
    expect(run.invariants).toEqual({ deniedEdgeDeliveries: 0, replaysAccepted: 0, forgeriesAccepted: 0 })
    expect(run.chainLength).toBeLessThanOrEqual(1)
    expect(run.victims).toBe(0)
    // The task went down the chain to the first attacker: every honest part above it reached the root.
    expect(run.task).toMatchObject({ answered: true, tainted: false, honestParts: first })
  }, 120_000)
})
