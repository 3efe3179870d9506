import { describe, expect, it } from 'vitest'
import { main } from '../../sim/cli.js'
import { settingsOf } from '../../sim/scenarios/scale.js'
import { parseSimArgs, SimUsageError } from '../../sim/options.js'
import { Rng } from '../../sim/rng.js'
import { layout, policyFor } from '../../sim/topology.js'
import { parsePolicy, evaluatePolicy } from '../../src/policy/index.js'

describe('sim options', () => {
  it('takes the option names of the issue', () => {
    const o = parseSimArgs(['compromise', '--nodes', '500', '--topology', 'linear', '--fanout', '5', '--latency', '2', '--loss', '0.01',
      '--churn', '0.2', '--compromised', '0.05', '--enforcement', 'off', '--seed', '42', '--out', 'x'])
    expect(o).toMatchObject({ scenario: 'compromise', nodes: 500, topology: 'linear', fanout: 5, latencyMs: 2, loss: 0.01, churn: 0.2, compromised: 0.05, enforcement: false, seed: 42, out: 'x' })
    expect(parseSimArgs(['scale', '--workers', '2', '--between-workers', 'tcp', '--worker-local', 'tcp', '--disjoint-paths', '2'])).toMatchObject({ workers: 2, betweenWorkers: 'tcp', workerLocal: 'tcp', disjointPaths: 2 })
    expect(parseSimArgs(['scale']).prefixLength).toBe(8)
    expect(parseSimArgs(['scale']).headroom).toBe(true)
    expect(parseSimArgs(['scale', '--headroom', 'off']).headroom).toBe(false)
    expect(parseSimArgs(['scale']).requeryAfterSettle).toBe(false)
    expect(parseSimArgs(['scale', '--requery', 'on']).requeryAfterSettle).toBe(true)
    expect(settingsOf(parseSimArgs(['scale', '--requery', 'on'])).requeryAfterSettle).toBe(true)
    expect(parseSimArgs(['scale']).followUpSelfQuery).toBe(true)
    expect(parseSimArgs(['scale', '--follow-up', 'off']).followUpSelfQuery).toBe(false)
    expect(settingsOf(parseSimArgs(['scale', '--follow-up', 'off'])).followUpSelfQuery).toBe(false)
    expect(() => parseSimArgs(['scale', '--requery', 'twice'])).toThrow(SimUsageError)
    expect(parseSimArgs(['scale', '--prefix-length', '10']).prefixLength).toBe(10)
    expect(() => parseSimArgs(['scale', '--prefix-length', '17'])).toThrow(SimUsageError)
    expect(() => parseSimArgs(['scale', '--prefix-length', '0'])).toThrow(SimUsageError)
  })

  it('connects workers over the tunnel unless told tcp; --worker-local only goes with tcp', () => {
    expect(parseSimArgs(['scale', '--workers', '2']).betweenWorkers).toBe('tunnel')
    expect(parseSimArgs(['scale', '--workers', '2', '--between-workers', 'tcp']).betweenWorkers).toBe('tcp')
    expect(() => parseSimArgs(['scale', '--between-workers', 'udp'])).toThrow(/--between-workers must be tunnel or tcp, not "udp"/)
    expect(() => parseSimArgs(['scale', '--workers', '2', '--worker-local', 'memory'])).toThrow(/--worker-local applies with --between-workers tcp/)
    expect(settingsOf(parseSimArgs(['scale', '--workers', '2'])).transport).toMatch(/tunnel/)
    expect(settingsOf(parseSimArgs(['scale', '--workers', '2', '--between-workers', 'tcp'])).transport).toMatch(/@libp2p\/tcp on 127.0.0.1 between workers/)
  })

  it('refuses --workers with a scenario other than scale (exit 2, saying why)', async () => {
    for (const scenario of ['compromise', 'churn', 'flood']) {
      expect(() => parseSimArgs([scenario, '--workers', '2'])).toThrow(/--workers is for the scale scenario only/)
    }
    // --workers 1 is the one-process run every scenario is anyway.
    expect(parseSimArgs(['churn', '--workers', '1']).workers).toBe(1)
    const written: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true }) as typeof process.stderr.write
    try {
      expect(await main(['flood', '--workers', '3', '--nodes', '10'])).toBe(2)
    } finally {
      process.stderr.write = write
    }
    expect(written.join('')).toMatch(/--workers is for the scale scenario only \(flood runs in one process\)/)
    expect(written.join('')).toMatch(/usage: npm run sim/)
  })

  it('--help (before or after a scenario) prints the usage to stdout and exits 0', async () => {
    for (const argv of [['--help'], ['scale', '-h']]) {
      const written: string[] = []
      const write = process.stdout.write
      process.stdout.write = ((chunk: string) => { written.push(String(chunk)); return true }) as typeof process.stdout.write
      try {
        expect(await main(argv)).toBe(0)
      } finally {
        process.stdout.write = write
      }
      expect(written.join('')).toMatch(/^usage: npm run sim -- SCENARIO/)
    }
  })

  it('takes --in-flight (default 8) and reports it with the settings', () => {
    expect(parseSimArgs(['scale']).inFlight).toBe(8)
    expect(settingsOf(parseSimArgs(['scale', '--in-flight', '1'])).inFlight).toBe(1)
    expect(() => parseSimArgs(['scale', '--in-flight', '0'])).toThrow(/--in-flight/)
  })

  it('takes --listen-workers HOST:PORT for scale, and refuses a bad address or another scenario', () => {
    expect(parseSimArgs(['scale', '--workers', '3', '--listen-workers', '0.0.0.0:7700']).listenWorkers).toBe('0.0.0.0:7700')
    expect(parseSimArgs(['scale']).listenWorkers).toBeUndefined()
    expect(() => parseSimArgs(['scale', '--listen-workers', '7700'])).toThrow(/--listen-workers must be HOST:PORT \(e\.g\. 0\.0\.0\.0:7700\), not "7700"/)
    expect(() => parseSimArgs(['scale', '--listen-workers', 'h:99999'])).toThrow(/must be HOST:PORT/)
    expect(() => parseSimArgs(['churn', '--listen-workers', '0.0.0.0:7700'])).toThrow(/--listen-workers is for the scale scenario only \(churn runs in one process\)/)
  })

  it('takes --encryption and --libp2p-log, and keeps plaintext out of the compromise scenario', () => {
    expect(parseSimArgs(['scale'])).toMatchObject({ encryption: 'noise', libp2pLog: false })
    expect(parseSimArgs(['scale', '--libp2p-log', 'on']).libp2pLog).toBe(true)
    expect(parseSimArgs(['scale', '--encryption', 'plaintext', '--libp2p-log', 'off'])).toMatchObject({ encryption: 'plaintext', libp2pLog: false })
    expect(() => parseSimArgs(['scale', '--encryption', 'tls'])).toThrow(/--encryption must be noise or plaintext/)
    expect(() => parseSimArgs(['compromise', '--encryption', 'plaintext'])).toThrow(/not for the compromise scenario/)
    expect(parseSimArgs(['compromise', '--encryption', 'noise']).encryption).toBe('noise')
    // Every figure is reported with its settings: a plaintext run says so.
    expect(settingsOf(parseSimArgs(['scale', '--encryption', 'plaintext', '--libp2p-log', 'off']))).toMatchObject({ encryption: expect.stringMatching(/^plaintext .*not proven/), libp2pLog: false })
  })

  it('takes --settle-ms (default 10 s, the daemon 30 s) and reports it with the settings', () => {
    expect(parseSimArgs(['scale']).settleMs).toBe(10_000)
    expect(parseSimArgs(['compromise', '--settle-ms', '30000']).settleMs).toBe(30_000)
    expect(() => parseSimArgs(['scale', '--settle-ms', '-1'])).toThrow(/--settle-ms/)
    expect(settingsOf(parseSimArgs(['scale', '--settle-ms', '5000']))).toMatchObject({ settleMs: 5_000 })
  })

  it('names the offending option', () => {
    expect(() => parseSimArgs(['scale', '--nodes', 'many'])).toThrow(/--nodes/)
    expect(() => parseSimArgs(['scale', '--topology', 'star'])).toThrow(SimUsageError)
    expect(() => parseSimArgs(['dance'])).toThrow(/scenario/)
  })
})

describe('sim determinism and topologies', () => {
  it('one seed gives one sequence', () => {
    const a = new Rng(5)
    const b = new Rng(5)
    expect(Array.from({ length: 5 }, () => a.u32())).toEqual(Array.from({ length: 5 }, () => b.u32()))
    expect(new Rng(5).sample([...Array(100).keys()], 10)).toEqual(new Rng(5).sample([...Array(100).keys()], 10))
  })

  it('lays out a tree, a chain and a flat set, and their policies allow exactly the work edges', () => {
    const tree = layout('hierarchical', 13, 3)
    expect(tree[1]?.parent).toBe('a0')
    expect(tree[4]?.parent).toBe('a1')
    expect(tree[0]?.delegates).toEqual([1, 2, 3])
    const chain = layout('linear', 4, 3)
    expect(chain.map((a) => a.parent)).toEqual([null, 'a0', 'a1', 'a2'])
    const root = '12D3KooWRoot'
    const policy = parsePolicy(policyFor('hierarchical', root), 'json')
    const p = (agent: string, parent: string | null, role = 'orchestrator', peer = 'x'): any => ({ agent, peer, role, parent, groups: [] })
    const origin = p('operator', null, 'operator', root)
    expect(evaluatePolicy(policy, { from: p('a1', 'a0'), to: p('a4', 'a1'), method: 'SendMessage', origin }).allowed).toBe(true)
    expect(evaluatePolicy(policy, { from: p('a1', 'a0'), to: p('a5', 'a2'), method: 'SendMessage', origin }).allowed).toBe(false)
    expect(evaluatePolicy(policy, { from: p('a4', 'a1'), to: p('a1', 'a0'), method: 'SendMessage', origin }).allowed).toBe(false)
    expect(evaluatePolicy(policy, { from: p('a1', 'a0'), to: p('a4', 'a1'), method: 'SendMessage', origin: p('a1', 'a0') }).allowed).toBe(false)
  })
})
