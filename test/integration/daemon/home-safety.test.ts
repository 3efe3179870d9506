import { chmodSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, runCli, startDaemon, tempHome, type TestDaemon } from '../../helpers/daemon.js'

describe('home safety', () => {
  const running: Array<TestDaemon | undefined> = []
  const homes: string[] = []
  afterAll(async () => {
    await cleanup(running)
    for (const h of homes) rmSync(h, { recursive: true, force: true })
  })

  it('refuses an identity key that others can read, and says how to fix it', async () => {
    const home = tempHome()
    homes.push(home)
    expect((await runCli(['init', '--home', home])).code).toBe(0)
    const key = join(home, 'identity.key')
    chmodSync(key, 0o644)
    const r = await runCli(['daemon', '--home', home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('mode 0644')
    expect(r.stderr).toContain(`chmod 600 ${key}`)
    expect(r.stderr).toContain('KEY_PERMISSIONS')
    chmodSync(key, 0o600)
    expect((await runCli(['id', '--home', home])).code).toBe(0)
  })

  it('keeps a second daemon off a home that is in use', async () => {
    const first = await startDaemon()
    running.push(first)
    const r = await runCli(['daemon', '--home', first.home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/another agentmesh daemon \(pid \d+\) is already running/)
    expect((await first.api('GET', '/v1/status')).status).toBe(200)
  })

  it('takes over a lock left by a daemon that was killed', async () => {
    const d = await startDaemon()
    await d.kill()
    const again = await startDaemon({ home: d.home })
    running.push(again)
    expect(again.peerId).toBe(d.peerId)
  })

  it('says clearly when no daemon is running', async () => {
    const home = tempHome()
    homes.push(home)
    await runCli(['init', '--home', home])
    const r = await runCli(['status', '--home', home])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no daemon is running')
  })
})
