// Workers started by hand (`node dist/sim/worker.js --coordinator HOST:PORT`), as on other
// machines: here on loopback, each a real process that connects to the coordinator over TCP.
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { acceptWorkers, buildFingerprint, LineChannel, WORKER_EXEC_ARGV, workerScript } from '../../sim/worker-link.js'
import { WORKER_PROTOCOL_VERSION } from '../../sim/worker-protocol.js'
import { settingsOf } from '../../sim/scenarios/scale.js'
import { runWorkers, SimWorkerError } from '../../sim/workers.js'
import { quiet, requireBuiltWorker, smallRun, waitGone } from './helpers.js'

interface Started { child: ChildProcess, exit: Promise<{ code: number | null, stderr: string }> }

/** Starts a worker by hand; `flags`: V8 flags (without them it re-runs itself with the forked workers'). */
function startWorker (args: string[], token: string | undefined, flags: string[] = []): Started {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.AM_SIM_WORKER_TOKEN
  if (token !== undefined) env.AM_SIM_WORKER_TOKEN = token
  const child = spawn(process.execPath, [...flags, workerScript(), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (c: string) => { stderr += c })
  const exit = new Promise<{ code: number | null, stderr: string }>((resolve) => { child.on('exit', (code) => { resolve({ code, stderr }) }) })
  return { child, exit }
}

/** Opens a raw connection to `port`, sends `hello` (a line), and answers the coordinator's reply. */
async function rawHello (port: number, hello: unknown): Promise<unknown> {
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise((resolve) => socket.once('connect', resolve))
  const channel = new LineChannel(socket)
  socket.write(typeof hello === 'string' ? `${hello}\n` : `${JSON.stringify(hello)}\n`)
  try {
    return await channel.next(5_000)
  } finally {
    socket.destroy()
  }
}

describe('sim workers started by hand (--listen-workers)', () => {
  it('a scale run over two workers that connect to the coordinator: tasks cross between them; an impostor is turned away; the workers exit when the run ends', async () => {
    requireBuiltWorker()
    const workers: Started[] = []
    let impostor: Started | undefined
    const result = await runWorkers(smallRun('scale', { nodes: 12, workers: 2, listenWorkers: '127.0.0.1:0', lookups: 8, tasks: 8, seed: 5 }), quiet, {
      onListening: ({ port }, token) => {
        // First an impostor (wrong token), then the two real workers: one with the V8 flags, one that re-runs itself to get them.
        impostor = startWorker(['--coordinator', `127.0.0.1:${port}`], 'not-the-token')
        void impostor.exit.then(() => {
          workers.push(startWorker(['--coordinator', `127.0.0.1:${port}`, '--host', '127.0.0.1'], token, WORKER_EXEC_ARGV))
          workers.push(startWorker(['--coordinator', `127.0.0.1:${port}`], token))
        })
      }
    })
    const turnedAway = await impostor!.exit
    expect(turnedAway.code).toBe(2)
    expect(turnedAway.stderr).toMatch(/turned this worker away: wrong token/)

    expect(result.nodesStarted).toBe(12)
    expect(result.workers?.count).toBe(2)
    expect(result.workers?.perWorker.map((w) => w.nodes)).toEqual([6, 6])
    // The tunnel between the two hand-started workers: one socket on each worker's --host carries their nodes' connections.
    expect(result.workers?.transport).toMatch(/one TCP socket per pair of workers on 127\.0\.0\.1/)
    for (const w of result.workers?.perWorker ?? []) expect(w.connectionEnds.tunnelRemote).toBeGreaterThan(0)
    expect(settingsOf(smallRun('scale', { workers: 2, listenWorkers: '127.0.0.1:0' })).transport).toMatch(/^2 workers started by hand \(--listen-workers 127\.0\.0\.1:0\)/)
    expect(result.converge.converged).toBe(true)
    expect(result.findPeer.success).toBeGreaterThanOrEqual(0.8)
    expect(result.tasks.deliveryRate).toBeGreaterThanOrEqual(0.75)
    const cross = result.workers?.crossWorker
    expect(cross?.tasks.sent).toBeGreaterThanOrEqual(2)
    expect(cross?.tasks.delivered).toBeGreaterThanOrEqual(1)
    // Both workers let go of the run and exited on their own, with code 0.
    const exits = await Promise.all(workers.map(async (w) => await w.exit))
    expect(exits.map((e) => e.code)).toEqual([0, 0])
    expect(exits.every((e) => /sim worker \d: joined the coordinator/.test(e.stderr))).toBe(true)
    expect(await waitGone(result.workers?.perWorker.map((w) => w.pid) ?? [], 5_000)).toEqual([])
  }, 120_000)

  it('turns away a wrong token, another build, another protocol, a host that is no IPv4 address and a first line that is no hello; only real workers count', async () => {
    let port = 0
    let listening: () => void = () => {}
    const ready = new Promise<void>((resolve) => { listening = resolve })
    const events: string[] = []
    const abort = new AbortController()
    const joined = acceptWorkers({
      listen: '127.0.0.1:0', count: 1, token: 'sesame', timeoutMs: 30_000, signal: abort.signal,
      onListening: (a) => { port = a.port; listening() },
      onEvent: (line) => { events.push(line) }
    })
    await ready
    const hello = { type: 'hello', token: 'sesame', protocol: WORKER_PROTOCOL_VERSION, build: buildFingerprint(), pid: 1234, host: '127.0.0.1' }
    expect(await rawHello(port, { ...hello, token: 'open' })).toEqual({ type: 'refused', error: expect.stringMatching(/^wrong token/) })
    expect(await rawHello(port, { ...hello, build: '0000000000000000' })).toEqual({ type: 'refused', error: expect.stringMatching(/^another build \(worker 0000000000000000, coordinator [0-9a-f]{16}\)/) })
    expect(await rawHello(port, { ...hello, protocol: 99 })).toEqual({ type: 'refused', error: expect.stringMatching(/^worker protocol 99/) })
    expect(await rawHello(port, { ...hello, host: '0.0.0.0' })).toEqual({ type: 'refused', error: expect.stringMatching(/is not an IPv4 address its nodes can be reached at/) })
    expect(await rawHello(port, { type: 'reply', id: 1 })).toEqual({ type: 'refused', error: 'its first message was not a hello' })
    expect(events.filter((e) => e.startsWith('turned away'))).toHaveLength(5)
    // The real one is accepted as worker 0.
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise((resolve) => socket.once('connect', resolve))
    const channel = new LineChannel(socket)
    channel.send(hello)
    expect(await channel.next(5_000)).toEqual({ type: 'welcome', worker: 0 })
    const links = await joined
    expect(links.map((l) => l.label)).toEqual(['pid 1234 on 127.0.0.1'])
    // Its link reports the socket closing as the worker being gone.
    const why = new Promise<string>((resolve) => { links[0]?.onGone(resolve) })
    socket.destroy()
    expect(await why).toMatch(/closed its connection to the coordinator/)
  })

  it('a run whose workers do not all come is interrupted cleanly (SIGINT while waiting)', async () => {
    const run = runWorkers(smallRun('scale', { nodes: 4, workers: 2, listenWorkers: '127.0.0.1:0' }), quiet, {
      onListening: () => { setTimeout(() => { process.emit('SIGINT', 'SIGINT') }, 200) }
    })
    const err = await run.then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(SimWorkerError)
    expect((err as Error).message).toMatch(/--listen-workers 127\.0\.0\.1:0: interrupted while waiting for workers/)
  })

  it('the worker refuses a bad command line with exit 2 and prints its usage with --help', async () => {
    const help = startWorker(['--help'], undefined)
    expect((await help.exit).code).toBe(0)
    const noToken = await startWorker(['--coordinator', '127.0.0.1:9'], undefined).exit
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toMatch(/AM_SIM_WORKER_TOKEN is not set/)
    const badHost = await startWorker(['--coordinator', '127.0.0.1:9', '--host', 'example.org'], 't').exit
    expect(badHost.code).toBe(2)
    expect(badHost.stderr).toMatch(/--host must be an IPv4 address/)
    expect((await startWorker(['--coordinator', '127.0.0.1:9', '--host', '10.0.0.256'], 't').exit).stderr).toMatch(/--host must be an IPv4 address, not "10\.0\.0\.256"/)
    expect((await startWorker(['--coordinator', '127.0.0.1:70000'], 't').exit).stderr).toMatch(/--coordinator must be HOST:PORT/)
    const unreachable = await startWorker(['--coordinator', '127.0.0.1:9'], 't', WORKER_EXEC_ARGV).exit
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toMatch(/cannot reach the coordinator at 127\.0\.0\.1:9/)
  })
})
