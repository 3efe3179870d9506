// `npm run bench`: every benchmark, each printed as ratios against a baseline
// measured in the same run on this machine. `node dist/test/bench/run.js NAME`
// runs one section: crypto, a2a, platform, telemetry. `--open` runs the a2a section in lab mode
// (no certificates or policy), to compare with the closed mesh; `--legacy`
// benches daemons that predate the trust layer (copy dist/test/bench into an
// older build); `--agent-inline` puts the agent in the client's process (the
// old setup). By default the agent runs in its own process, as users run it.
// `--profile DIR` starts both daemons with --cpu-prof and leaves the profiles in DIR.
// `--daemon-bin PATH` runs another build's bin/agentmesh.js as the daemons (a before/after in one session).
// `--daemon-node-flags "FLAGS"` starts both daemons with these Node flags (V8 settings, say).
// `--short` runs a small version of every section (the test suite runs it, so the bench cannot rot).
// `--json FILE` also writes every section's figures to FILE.
import { writeFileSync } from 'node:fs'
import { benchA2A, formatA2ATable } from './a2a.js'
import { benchCrypto, formatCryptoTable } from './crypto.js'
import { benchPlatform, formatPlatformTable } from './platform.js'
import { benchTelemetry, formatTelemetryTable } from './telemetry.js'

const open = process.argv.includes('--open')
const legacy = process.argv.includes('--legacy')
const agentInline = process.argv.includes('--agent-inline')
const short = process.argv.includes('--short')
const profileAt = process.argv.indexOf('--profile')
const cpuProfileDir = profileAt > 0 ? process.argv[profileAt + 1] : undefined
const flagsAt = process.argv.indexOf('--daemon-node-flags')
const daemonNodeFlags = flagsAt > 0 ? (process.argv[flagsAt + 1] ?? '').split(/\s+/).filter((f) => f !== '') : undefined
const binAt = process.argv.indexOf('--daemon-bin')
const daemonBin = binAt > 0 ? process.argv[binAt + 1] : undefined
const jsonAt = process.argv.indexOf('--json')
const jsonFile = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined
const valued = new Set(['--profile', '--daemon-bin', '--daemon-node-flags', '--json'])
const only = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1] ?? ''))
const sections = ['crypto', 'a2a', 'platform', 'telemetry']
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version }
if (only !== undefined && !sections.includes(only)) {
  process.stderr.write(`unknown bench section ${JSON.stringify(only)}; one of: ${sections.join(', ')}\n`)
  process.exit(2)
}

if (only === undefined || only === 'crypto') {
  process.stdout.write('\n## Ed25519 sign/verify (baseline: node:crypto with a cached KeyObject)\n\n')
  const crypto = await benchCrypto()
  results.crypto = crypto
  process.stdout.write(formatCryptoTable(crypto) + '\n')
}

if (only === undefined || only === 'a2a') {
  process.stdout.write('\n## A2A round trips and throughput (baseline: the same SDK client straight to the agent over HTTP)\n\n')
  const a2a = await benchA2A({
    open,
    legacy,
    agentInline,
    ...(cpuProfileDir != null ? { cpuProfileDir } : {}),
    ...(daemonBin != null ? { daemonBin } : {}),
    ...(daemonNodeFlags != null ? { daemonNodeFlags } : {}),
    ...(short ? { requests: 100, warmup: 20, warmTasks: 200, concurrency: [1, 8], windowMs: 300, rounds: 1 } : {})
  })
  results.a2a = a2a
  process.stdout.write(formatA2ATable(a2a) + '\n')
}

if (only === undefined || only === 'platform') {
  process.stdout.write('\n## Platform: stream throughput, DHT lookups, start-up and idle memory (each beside its baseline)\n\n')
  const platform = await benchPlatform({ short })
  results.platform = platform
  process.stdout.write(formatPlatformTable(platform) + '\n')
}

if (only === undefined || only === 'telemetry') {
  process.stdout.write('\n## Telemetry: tasks/s through two daemons with tracing and metrics on vs off (interleaved windows)\n\n')
  const telemetry = await benchTelemetry({ short })
  results.telemetry = telemetry
  process.stdout.write(formatTelemetryTable(telemetry) + '\n')
}

if (jsonFile !== undefined) {
  writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n')
  process.stdout.write(`\n${jsonFile}\n`)
}
