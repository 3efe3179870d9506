// `npm run bench`: every benchmark, each printed as ratios against a baseline
// measured in the same run on this machine. `node dist/test/bench/run.js NAME`
// runs one section: crypto, a2a. `--open` runs the a2a section in lab mode
// (no certificates or policy), to compare with the closed mesh; `--legacy`
// benches daemons that predate the trust layer (copy dist/test/bench into an
// older build); `--agent-inline` puts the agent in the client's process (the
// old setup). By default the agent runs in its own process, as users run it.
// `--profile DIR` starts both daemons with --cpu-prof and leaves the profiles in DIR.
// `--daemon-bin PATH` runs another build's bin/agentmesh.js as the daemons (a before/after in one session).
// `--short` runs a small version of every section (CI runs it, so the bench cannot rot).
import { benchA2A, formatA2ATable } from './a2a.js'
import { benchCrypto, formatCryptoTable } from './crypto.js'

const open = process.argv.includes('--open')
const legacy = process.argv.includes('--legacy')
const agentInline = process.argv.includes('--agent-inline')
const short = process.argv.includes('--short')
const profileAt = process.argv.indexOf('--profile')
const cpuProfileDir = profileAt > 0 ? process.argv[profileAt + 1] : undefined
const binAt = process.argv.indexOf('--daemon-bin')
const daemonBin = binAt > 0 ? process.argv[binAt + 1] : undefined
const only = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--profile' && all[i - 1] !== '--daemon-bin')
const sections = ['crypto', 'a2a']
if (only !== undefined && !sections.includes(only)) {
  process.stderr.write(`unknown bench section ${JSON.stringify(only)}; one of: ${sections.join(', ')}\n`)
  process.exit(2)
}

if (only === undefined || only === 'crypto') {
  process.stdout.write('\n## Ed25519 sign/verify (baseline: node:crypto with a cached KeyObject)\n\n')
  process.stdout.write(formatCryptoTable(await benchCrypto()) + '\n')
}

if (only === undefined || only === 'a2a') {
  process.stdout.write('\n## A2A round trips and throughput (baseline: the same SDK client straight to the agent over HTTP)\n\n')
  process.stdout.write(formatA2ATable(await benchA2A({
    open,
    legacy,
    agentInline,
    ...(cpuProfileDir != null ? { cpuProfileDir } : {}),
    ...(daemonBin != null ? { daemonBin } : {}),
    ...(short ? { requests: 100, warmup: 20, concurrency: [1, 8], windowMs: 300, rounds: 1 } : {})
  })) + '\n')
}
