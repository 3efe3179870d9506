#!/usr/bin/env node
// Daemon CPU per task with telemetry on and off, in one set of interleaved windows.
//
// The telemetry bench (`npm run bench -- telemetry`) reports throughput, which on a shared
// two-core machine moves by ±5–8 % between runs. This script measures what telemetry adds to
// the daemons' own work: two closed-mesh pairs on one echo agent, "off" (no telemetry) and "on"
// (the flags in ON; default a trace endpoint), both warmed with the same number of tasks, then
// ROUNDS rounds of one 2 s window per kind at 8 callers, the order reversed every other round:
//   off           the "off" pair;
//   on-unsampled  the "on" pair, callers sending a "not sampled" traceparent;
//   on-root       the "on" pair, callers sending none (every task the root of a new, sampled trace).
// The trace endpoint is a sink in a process of its own that reads and drops each request.
// Run after `npm run build`, under the measurement lock if others share the machine:
//
//   node scripts/telemetry-pairs.mjs                         # tracing on vs off
//   ON='--metrics 127.0.0.1:0' node scripts/telemetry-pairs.mjs
//   OTEL_TRACES_SAMPLER=always_off node scripts/telemetry-pairs.mjs   # tracing configured, nothing sampled
//
// Environment: ON (flags of the "on" daemons; URL is replaced by the sink's), WARM (tasks per
// pair before measuring, default 12000), ROUNDS (default 8), VERBOSE=1 (every window).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Agent } from 'undici'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const b = await import(join(repo, 'dist', 'test', 'bench', 'a2a.js'))
const BIN = join(repo, 'bin', 'agentmesh.js')
const WARM = Number(process.env.WARM ?? 12_000)
const ROUNDS = Number(process.env.ROUNDS ?? 8)
const abort = new AbortController()

const sinkCode = "const s = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end()) }); s.listen(0, '127.0.0.1', () => console.log(s.address().port))"
const sink = spawn(process.execPath, ['-e', sinkCode], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((resolve) => createInterface({ input: sink.stdout }).once('line', resolve))
const url = `http://127.0.0.1:${port}/v1/traces`

const root = mkdtempSync(join(tmpdir(), 'am-pairs-'))
const agent = await b.startEchoAgentProcess()
const daemons = []
try {
  await b.certify(root, { 'off-a': [], 'off-b': ['echo:orchestrator'], 'on-a': [], 'on-b': ['echo:orchestrator'] }, BIN)
  const traceparent = (sampled) => () => ({ traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}` })
  const onFlags = (process.env.ON ?? '--trace-endpoint URL').replace('URL', url).split(' ').filter(Boolean)
  const pairs = {}
  for (const [name, extra] of [['off', []], ['on', onFlags]]) {
    const B = await b.startDaemon(join(root, `${name}-b`), extra, abort.signal, [], BIN)
    const A = await b.startDaemon(join(root, `${name}-a`), [...extra, '--bootstrap', b.pickAddress(B)], abort.signal, [], BIN)
    daemons.push(A, B)
    await b.waitFor(async () => {
      const r = await b.apiCall(A.apiSocket, 'GET', '/v1/peers')
      return r.status === 200 && r.body.peers.some((p) => p.peer === B.peerId)
    }, `${name}: A to connect to B`, 15_000, abort.signal)
    const reg = await b.apiCall(B.apiSocket, 'POST', '/v1/agents', { name: 'echo', url: agent.url })
    if (reg.status !== 201) throw new Error(`${name}: registering the agent answered ${reg.status}`)
    const dispatcher = new Agent({ connect: { socketPath: A.apiSocket } })
    const u = `http://localhost/a2a/echo@${B.peerId}/`
    pairs[name] = { A, B, root: await b.createClient(u, dispatcher), unsampled: await b.createClient(u, dispatcher, undefined, traceparent(false)) }
  }
  for (const p of Object.values(pairs)) {
    let sent = 0
    while (sent < WARM) sent += (await b.concurrentWindow((n) => b.callEcho(p.root, `warm ${n}`, abort.signal), 8, 1000, abort.signal)).tasks
  }
  const kinds = { off: [pairs.off, 'root'], 'on-unsampled': [pairs.on, 'unsampled'], 'on-root': [pairs.on, 'root'] }
  const sums = Object.fromEntries(Object.keys(kinds).map((k) => [k, { tasks: 0, ms: 0, cpu: 0 }]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = Object.keys(kinds)
    if (r % 2 === 1) order.reverse()
    for (const k of order) {
      const [p, client] = kinds[k]
      const cpu0 = b.cpuMs(p.A.proc.pid) + b.cpuMs(p.B.proc.pid)
      const w = await b.concurrentWindow((n) => b.callEcho(p[client], `r${r} ${n}`, abort.signal), 8, 2000, abort.signal)
      const cpu = b.cpuMs(p.A.proc.pid) + b.cpuMs(p.B.proc.pid) - cpu0
      Object.assign(sums[k], { tasks: sums[k].tasks + w.tasks, ms: sums[k].ms + w.elapsedMs, cpu: sums[k].cpu + cpu })
      if (process.env.VERBOSE) console.log(`round ${r} ${k.padEnd(13)} ${(w.tasks / w.elapsedMs * 1000).toFixed(0)} tasks/s, ${(cpu / w.tasks).toFixed(3)} ms CPU per task`)
    }
  }
  const off = sums.off
  console.log(`on: ${onFlags.join(' ')}${process.env.OTEL_TRACES_SAMPLER != null ? ` (OTEL_TRACES_SAMPLER=${process.env.OTEL_TRACES_SAMPLER})` : ''}; ${WARM} warm-up tasks per pair, ${ROUNDS} rounds`)
  for (const [k, s] of Object.entries(sums)) {
    const rate = s.tasks / s.ms * 1000
    const perTask = s.cpu / s.tasks
    console.log(`${k.padEnd(13)} ${rate.toFixed(0)} tasks/s (${(rate / (off.tasks / off.ms * 1000)).toFixed(3)}×), daemon CPU ${perTask.toFixed(3)} ms per task (${(perTask - off.cpu / off.tasks >= 0 ? '+' : '')}${(perTask - off.cpu / off.tasks).toFixed(3)} ms)`)
  }
} finally {
  await Promise.all(daemons.map(b.stopDaemon))
  await agent.close()
  sink.kill()
  rmSync(root, { recursive: true, force: true })
}
