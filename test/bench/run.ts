// `npm run bench`: every benchmark, each printed as ratios against a baseline
// measured in the same run on this machine.
import { benchCrypto, formatCryptoTable } from './crypto.js'

const only = process.argv[2]

if (only === undefined || only === 'crypto') {
  process.stdout.write('\n## Ed25519 sign/verify (baseline: node:crypto with a cached KeyObject)\n\n')
  process.stdout.write(formatCryptoTable(await benchCrypto()) + '\n')
}
