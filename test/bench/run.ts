// `npm run bench`: every benchmark, each printed as ratios against a baseline
// measured in the same run on this machine; `npm run bench -- SECTION` runs one.
// USAGE below (`--help`) lists the sections and options.
import { writeFileSync } from 'node:fs'
import { benchA2A, formatA2ATable } from './a2a.js'
import { benchCli, BenchUsageError } from './args.js'
import { benchCrypto, formatCryptoTable } from './crypto.js'
import { benchPlatform, formatPlatformTable } from './platform.js'
import { benchTelemetry, formatTelemetryTable } from './telemetry.js'

const sections = ['crypto', 'a2a', 'platform', 'telemetry']
const USAGE = `usage: npm run bench -- [SECTION] [options]   (or: node dist/test/bench/run.js …)
Every benchmark, each figure a ratio against a baseline measured in the same run on this machine.
sections: ${sections.join(', ')} (default: all, in that order)
  --short                 a small version of every section (the test suite runs it)
  --json FILE             also write every section's figures to FILE
a2a section:
  --open                  lab mode (no certificates or policy), to compare with the closed mesh
  --legacy                bench daemons that predate the trust layer (copy dist/test/bench into an older build)
  --agent-inline          the agent in the client's process (default: its own process, as users run it)
  --profile DIR           start both daemons with --cpu-prof, profiles left in DIR
  --daemon-bin PATH       another build's bin/agentmesh.js as the daemons (a before/after in one session)
  --daemon-node-flags=FLAGS  Node flags for both daemons, space-separated (use '=' when FLAGS start with '-')
  -h, --help              this text
Each section's own file takes more options: node dist/test/bench/telemetry.js --help, platform.js --help.`

const { open, legacy, agentInline, short, cpuProfileDir, daemonNodeFlags, daemonBin, jsonFile, only } = benchCli(process.argv.slice(2), {
  open: { type: 'boolean' },
  legacy: { type: 'boolean' },
  'agent-inline': { type: 'boolean' },
  short: { type: 'boolean' },
  profile: { type: 'string' },
  'daemon-node-flags': { type: 'string' },
  'daemon-bin': { type: 'string' },
  json: { type: 'string' }
}, USAGE, (args) => {
  if (args.positionals.length > 1) throw new BenchUsageError(`one section at most, got ${args.positionals.join(' ')}`)
  const only = args.positionals[0]
  if (only !== undefined && !sections.includes(only)) throw new BenchUsageError(`unknown bench section ${JSON.stringify(only)}; one of: ${sections.join(', ')}`)
  return {
    open: args.has('open'),
    legacy: args.has('legacy'),
    agentInline: args.has('agent-inline'),
    short: args.has('short'),
    cpuProfileDir: args.strings.profile,
    daemonNodeFlags: args.strings['daemon-node-flags']?.split(/\s+/).filter((f) => f !== ''),
    daemonBin: args.strings['daemon-bin'],
    jsonFile: args.strings.json,
    only
  }
}, true)
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version }

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
