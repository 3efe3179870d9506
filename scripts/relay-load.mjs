#!/usr/bin/env node
// Steady relay load for profiling: starts a closed mesh of two daemons (A, B) and the SDK echo
// agent in its own process (as `npm run bench -- a2a` does), then keeps C callers sending
// tasks through A → B for D seconds and prints tasks/s and both daemons' CPU per task.
// The daemons' PIDs are printed first, so a profiler can attach:
//
//   npm run build && node scripts/relay-load.mjs --callers 8 --seconds 20 &
//   perf record -e cpu-clock -F 999 -g -p PID_A,PID_B -o perf.data -- sleep 10
//
// Options: --callers C (8), --seconds D (20), --warmup S (3), --windows W (1: report the D
// seconds in W successive windows, to watch the daemons warm up), --daemon-node-flags "FLAGS",
// --daemon-bin PATH (another build's bin/agentmesh.js).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Agent } from 'undici'
import {
  apiCall, callEcho, certify, concurrentWindow, cpuMs, createClient, pickAddress, startDaemon, startEchoAgentProcess, stopDaemon, waitFor
} from '../dist/test/bench/a2a.js'

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback }
const callers = Number(arg('--callers', '8'))
const seconds = Number(arg('--seconds', '20'))
const warmup = Number(arg('--warmup', '3'))
const windows = Number(arg('--windows', '1'))
const flags = (arg('--daemon-node-flags', '') ?? '').split(/\s+/).filter((f) => f !== '')
const binArg = arg('--daemon-bin', undefined)
const bin = binArg != null ? resolve(binArg) : resolve('bin/agentmesh.js')

const root = mkdtempSync(join(tmpdir(), 'am-load-'))
const abort = new AbortController()
const daemons = []
let agent
try {
  agent = await startEchoAgentProcess()
  await certify(root, { a: [], b: ['echo:orchestrator'] }, bin)
  const b = await startDaemon(join(root, 'b'), ['--log-level', 'warn', '--api-tcp', '127.0.0.1:0'], abort.signal, flags, bin)
  daemons.push(b)
  const a = await startDaemon(join(root, 'a'), ['--log-level', 'warn', '--api-tcp', '127.0.0.1:0', '--bootstrap', pickAddress(b)], abort.signal, flags, bin)
  daemons.push(a)
  await waitFor(async () => (await apiCall(a.apiSocket, 'GET', '/v1/peers')).body?.peers?.some((p) => p.peer === b.peerId) === true, 'A to connect to B', 15_000, abort.signal)
  const reg = await apiCall(b.apiSocket, 'POST', '/v1/agents', { name: 'echo', url: agent.url })
  if (reg.status !== 201) throw new Error(`POST /v1/agents on B answered ${reg.status}`)
  const dispatcher = new Agent({ connect: { socketPath: a.apiSocket } })
  const client = await createClient(`http://localhost/a2a/${reg.body.address}/`, dispatcher)
  console.log(`pids A=${a.proc.pid} B=${b.proc.pid} agent=${agent.pid}`)
  await concurrentWindow((n) => callEcho(client, `warm ${n}`, abort.signal), callers, warmup * 1000, abort.signal)
  for (let i = 0; i < windows; i++) {
    const cpu0 = cpuMs(a.proc.pid) + cpuMs(b.proc.pid)
    const a0 = cpuMs(a.proc.pid)
    const w = await concurrentWindow((n) => callEcho(client, `load ${n}`, abort.signal), callers, seconds * 1000 / windows, abort.signal)
    const cpu = cpuMs(a.proc.pid) + cpuMs(b.proc.pid) - cpu0
    const cpuA = cpuMs(a.proc.pid) - a0
    console.log(`callers ${callers}${windows > 1 ? ` window ${i + 1}/${windows}` : ''}: ${w.tasks} tasks in ${(w.elapsedMs / 1000).toFixed(1)} s = ${(w.tasks / w.elapsedMs * 1000).toFixed(0)}/s, errors ${w.errors}; daemons' CPU ${(cpu / w.tasks).toFixed(3)} ms/task (A ${(cpuA / w.tasks).toFixed(3)}, B ${((cpu - cpuA) / w.tasks).toFixed(3)})`)
  }
  await dispatcher.close()
} finally {
  for (const d of daemons) await stopDaemon(d).catch(() => {})
  await agent?.close().catch(() => {})
  rmSync(root, { recursive: true, force: true })
}
