import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, tempHome } from '../../helpers/daemon.js'

const COMMANDS = ['init', 'daemon', 'id', 'status', 'peers', 'ping', 'find', 'connect', 'agent add', 'agent ls', 'agent rm', 'agents find', 'send']

describe('the agentmesh command line', () => {
  const homes: string[] = []
  const home = (): string => { const h = tempHome(); homes.push(h); return h }
  afterAll(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }) })

  it.each(COMMANDS)('`%s --help` prints usage and exits 0', async (cmd) => {
    const r = await runCli([...cmd.split(' '), '--help'])
    expect(r.code, `exit code; stderr:\n${r.stderr}\nstdout:\n${r.stdout}`).toBe(0)
    expect(r.stdout).toContain(`Usage: agentmesh ${cmd}`)
    expect(r.stdout).toContain('--home')
  })

  it('exits 2 on an unknown command, an unknown flag and a missing argument', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2)
    const flag = await runCli(['status', '--bogus'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--bogus')
    const missing = await runCli(['ping', '--home', home()])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('missing PEER')
  })

  it('init creates a home and id prints the same peer ID every time', async () => {
    const h = home()
    const init = await runCli(['init', '--home', h, '--json'])
    expect(init.code).toBe(0)
    const { peerId, createdKey } = JSON.parse(init.stdout)
    expect(createdKey).toBe(true)
    expect(peerId).toMatch(/^12D3KooW/)
    const again = await runCli(['init', '--home', h, '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({ peerId, createdKey: false })
    expect((await runCli(['id', '--home', h])).stdout.trim()).toBe(peerId)
    expect((await runCli(['id'], { env: { AGENTMESH_HOME: h } })).stdout.trim()).toBe(peerId)
  })

  describe('invalid configuration exits 2 and names the key', () => {
    const cases: Array<{ what: string, args?: string[], env?: Record<string, string>, file?: unknown, key: RegExp }> = [
      { what: 'a listen flag that is not a multiaddr', args: ['--listen', 'localhost:80'], key: /"listen\[0\]" from flags: expected a multiaddr/ },
      { what: 'a bootstrap address without a peer ID', args: ['--bootstrap', '/ip4/127.0.0.1/tcp/4401'], key: /"bootstrap\[0\]".*\/p2p\/<peer-id>/ },
      { what: 'a bad mesh name', args: ['--mesh', 'Bad Name!'], key: /"mesh" from flags/ },
      { what: 'a non-loopback API TCP address', args: ['--api-tcp', '0.0.0.0:80'], key: /"api\.tcp".*loopback/ },
      { what: 'an unknown log level', args: ['--log-level', 'loud'], key: /"log\.level"/ },
      { what: 'an environment boolean that is not one', env: { AGENTMESH_MDNS: 'maybe' }, key: /"mdns" from environment variable AGENTMESH_MDNS: expected true or false/ },
      { what: 'an environment listen list with a bad entry', env: { AGENTMESH_LISTEN: '/ip4/127.0.0.1/tcp/0,nope' }, key: /"listen\[1\]" from environment variable AGENTMESH_LISTEN/ },
      { what: 'a config-file value of the wrong type', file: { dht: { queryTimeoutMs: 'soon' } }, key: /"dht\.queryTimeoutMs" from config file .*expected number/ },
      { what: 'a config-file key that does not exist', file: { listn: ['/ip4/0.0.0.0/tcp/1'] }, key: /"listn" from config file .*no such key/ },
      { what: 'a config file that is not JSON', file: '{ nope', key: /config key "\(file\)".*valid JSON/ }
    ]
    it.each(cases)('$what', async ({ args, env, file, key }) => {
      const h = home()
      await runCli(['init', '--home', h])
      if (file !== undefined) writeFileSync(join(h, 'config.json'), typeof file === 'string' ? file : JSON.stringify(file))
      const r = await runCli(['daemon', '--home', h, '--no-mdns', ...(args ?? [])], { ...(env != null ? { env } : {}), timeoutMs: 20_000 })
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(key)
    })
  })
})
