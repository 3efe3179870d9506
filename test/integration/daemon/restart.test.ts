import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, runCli, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'

describe('a restarted daemon', () => {
  const running: Array<TestDaemon | undefined> = []
  afterAll(async () => { await cleanup(running) })

  it('keeps its peer ID and reconnects to the peers it knew, with no bootstrap address', async () => {
    const a = await startDaemon()
    running.push(a)
    let b = await startDaemon({ args: ['--bootstrap', a.addresses[0] as string] })
    running.push(b)
    const home = b.home
    const firstId = b.peerId
    await waitFor(async () => (await a.api('GET', '/v1/peers')).body.peers.some((p: any) => p.peer === firstId), 'A to see B')

    expect(await b.stop()).toBe(0)
    await waitFor(async () => !(await a.api('GET', '/v1/peers')).body.peers.some((p: any) => p.peer === firstId), 'A to notice B left')

    const idOffline = await runCli(['id', '--home', home])
    expect(idOffline.stdout.trim()).toBe(firstId)

    b = await startDaemon({ home })
    running.push(b)
    expect(b.peerId).toBe(firstId)
    await waitFor(async () => (await b.api('GET', '/v1/peers')).body.peers.some((p: any) => p.peer === a.peerId), 'restarted B to reconnect to A')
  })

  it('removes its socket and lock on SIGTERM', async () => {
    const d = await startDaemon()
    running.push(d)
    expect(await d.stop()).toBe(0)
    const { existsSync } = await import('node:fs')
    expect(existsSync(d.apiSocket)).toBe(false)
    expect(existsSync(`${d.home}/daemon.lock`)).toBe(false)
  })
})
