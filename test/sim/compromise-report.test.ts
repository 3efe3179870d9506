import { describe, expect, it } from 'vitest'
import { compromiseView, groupCompromise, stats } from '../../sim/report/sections.js'
import type { CompromiseRun } from '../../sim/scenarios/compromise.js'

/** A run with only what the report reads filled in. */
function run (topology: CompromiseRun['topology'], enforcement: boolean, seed: number, rate: number, lost: number, tainted: boolean): CompromiseRun {
  return {
    topology, enforcement, spread: 'work', seed, nodes: 10, compromisedAtStart: 1, compromisedAgents: [3], victimAgents: [],
    task: { honestParts: 0, honestAgents: 9, lost, tainted, answered: true, ms: 1 },
    victims: 0, compromiseRate: rate, chainLength: seed, blastRadius: rate, timeToContainmentMs: 0, contained: true, victimsByHop: {},
    vectors: {} as CompromiseRun['vectors'],
    invariants: { deniedEdgeDeliveries: 0, replaysAccepted: 0, forgeriesAccepted: seed },
    timeline: [], legitWork: { tasks: 1, delivered: 1, ms: [1], failures: {} }, replayOriginals: { accepted: 0, refused: 0 }, phasesMs: {}, settings: {}
  }
}

describe('sim compromise report over several seeds', () => {
  it('summarises a measure by mean, population sd, min and max', () => {
    expect(stats([0.2, 0.4])).toEqual({ n: 2, mean: expect.closeTo(0.3, 9), sd: expect.closeTo(0.1, 9), min: 0.2, max: 0.4 })
    expect(stats([]).n).toBe(0)
  })

  it('groups runs by setting and sums the invariants over seeds', () => {
    const runs = [run('linear', false, 1, 0.5, 0.5, true), run('linear', false, 2, 0.7, 0.3, false), run('linear', true, 1, 0, 0.4, false)]
    const [off, on] = groupCompromise(runs)
    expect(off).toMatchObject({ topology: 'linear', enforcement: false, seeds: [1, 2], tainted: 1, invariants: { forgeriesAccepted: 3 } })
    expect(off?.compromiseRate.mean).toBeCloseTo(0.6)
    expect(off?.workLost.mean).toBeCloseTo(0.4)
    expect(on?.seeds).toEqual([1])
    const view = compromiseView(runs)
    expect(view.rows).toHaveLength(2)
    expect(view.rows[0]).toContain('1–2')
    expect(view.rows[0]).toContain('1/2')
  })
})
