#!/usr/bin/env node
// On-CPU breakdown of agentmesh daemons from a Linux perf recording.
//
// V8's own --cpu-prof samples on a wall-clock timer: a sample that lands while the
// process is descheduled (a write to a loopback socket that wakes the peer daemon,
// say) is charged to whatever JavaScript was running, so socket writes and SQLite
// commits look several times dearer than they are. perf's cpu-clock event only
// samples a thread while it runs. Usage (see docs/relay-protocol.md, "Performance"):
//
//   NODE_OPTIONS=--perf-basic-prof npm run bench -- a2a &      # daemons write /tmp/perf-PID.map
//   perf record -e cpu-clock -F 999 -g -p PID_A,PID_B -o perf.data -- sleep 15
//   perf script -i perf.data -F pid,tid,ip,sym,dso | node scripts/perf-breakdown.mjs
//
// Prints, per process, the main thread's samples by module (the nearest JavaScript
// frame's package or agentmesh file; native work such as Ed25519 or SQLite is charged
// to the JavaScript that called it) and the agentmesh functions with the largest
// inclusive share.
import { createInterface } from 'node:readline'

const TOP = Number(process.env.TOP ?? 25)
const processes = new Map()

function frameFile (frame) {
  const m = frame.match(/(node:[\w/]+|file:\/\/\S+)/)
  if (m == null) return undefined
  const file = m[1]
  const pkg = file.match(/node_modules\/((@[^/]+\/)?[^/]+)/)
  if (pkg != null) return pkg[1]
  if (file.includes('/dist/src/')) return 'agentmesh ' + file.split('/dist/src/')[1].replace(/:\d+(:\d+)?$/, '')
  return file.replace(/:\d+(:\d+)?$/, '')
}

function count (map, key) { map.set(key, (map.get(key) ?? 0) + 1) }

function take (sample) {
  if (sample == null) return
  let p = processes.get(sample.pid)
  if (p == null) processes.set(sample.pid, p = { all: 0, main: 0, modules: new Map(), inclusive: new Map() })
  p.all++
  if (sample.tid !== sample.pid) return // libuv, V8 compiler and GC helper threads: counted in `all` only
  p.main++
  const js = sample.frames.find((f) => f.includes('JS:'))
  count(p.modules, js == null ? '(no JavaScript on the stack: event loop, GC, …)' : (frameFile(js) ?? js))
  const seen = new Set()
  for (const f of sample.frames) {
    if (!f.includes('JS:') || !f.includes('/dist/src/')) continue
    const name = f.replace(/^[0-9a-f]+\s+JS:./, '').replace(/ \(\/tmp.*$/, '').replace(/file:\/\/\S*\/dist\/src\//, '').replace(/:\d+$/, '')
    if (!seen.has(name)) { seen.add(name); count(p.inclusive, name) }
  }
}

let current
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const head = line.match(/^\s*(\d+)\/(\d+)/)
    if (head != null) {
      take(current)
      current = { pid: head[1], tid: head[2], frames: [] }
    } else if (current != null && line.trim() !== '') {
      current.frames.push(line.trim())
    }
  })
  .on('close', () => {
    take(current)
    const pct = (n, of) => `${(100 * n / of).toFixed(1).padStart(5)} %`
    for (const [pid, p] of [...processes].sort((a, b) => b[1].all - a[1].all)) {
      if (p.main === 0) continue
      process.stdout.write(`\n## pid ${pid}: ${p.all} samples, ${p.main} on the main thread\n\nby module (share of the main thread):\n`)
      for (const [k, n] of [...p.modules].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`${pct(n, p.main)}  ${k}\n`)
      process.stdout.write('\nagentmesh functions, inclusive:\n')
      for (const [k, n] of [...p.inclusive].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`${pct(n, p.main)}  ${k}\n`)
    }
  })
