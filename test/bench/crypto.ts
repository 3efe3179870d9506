/**
 * Ed25519 sign/verify throughput of the back-ends the envelope layer could use.
 *
 * Run with `npx tsc && node dist/test/bench/crypto.js` (Node 22: use
 * node_modules/.bin/node). Prints one row per (operation, message size,
 * implementation) and the ratio to node:crypto with a cached key object,
 * which is what src/envelope uses.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ed25519 } from '@noble/curves/ed25519.js'
import { benchCli } from './args.js'

/** One measured row. */
export interface CryptoBenchResult {
  /** e.g. "sign 64 B node:crypto cached". */
  name: string
  opsPerSec: number
  op: 'sign' | 'verify'
  bytes: number
  impl: string
}

/** Options of {@link benchCrypto}. */
export interface BenchCryptoOptions {
  /** Measuring time per row (ms), after a short warm-up. Default 1000. */
  durationMs?: number
  /** Message sizes (bytes). Default 64 and 1024. */
  sizes?: number[]
}

/** The implementation every ratio is relative to. */
export const BASELINE_IMPL = 'node:crypto cached'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

type Op = () => unknown

interface Impl {
  name: string
  sign: (message: Uint8Array) => Op
  verify: (message: Uint8Array, signature: Uint8Array) => Op
}

/**
 * Measures Ed25519 sign and verify operations per second for node:crypto with
 * a cached KeyObject, node:crypto rebuilding the key from DER on every call,
 * @noble/curves, and libp2p's own key methods (which rebuild from JWK), for
 * each message size, about `durationMs` each.
 */
export async function benchCrypto (options: BenchCryptoOptions = {}): Promise<CryptoBenchResult[]> {
  const durationMs = options.durationMs ?? 1000
  const sizes = options.sizes ?? [64, 1024]
  const impls = await implementations()
  const results: CryptoBenchResult[] = []
  for (const bytes of sizes) {
    const message = new Uint8Array(randomBytes(bytes))
    for (const op of ['sign', 'verify'] as const) {
      for (const impl of impls) {
        const signature = await impls[0]!.sign(message)() as Uint8Array
        const fn = op === 'sign' ? impl.sign(message) : impl.verify(message, signature)
        await sanityCheck(op, fn, message, signature, impl.name)
        const opsPerSec = await measure(fn, durationMs)
        results.push({ name: `${op} ${bytes} B ${impl.name}`, opsPerSec, op, bytes, impl: impl.name })
      }
    }
  }
  return results
}

async function implementations (): Promise<Impl[]> {
  const key = await generateKeyPair('Ed25519')
  const seed = key.raw.subarray(0, 32)
  const publicRaw = key.publicKey.raw
  const pkcs8 = Buffer.concat([PKCS8_PREFIX, seed])
  const spki = Buffer.concat([SPKI_PREFIX, publicRaw])
  const privateKey: KeyObject = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  const publicKey: KeyObject = createPublicKey({ key: spki, format: 'der', type: 'spki' })
  return [
    {
      name: BASELINE_IMPL,
      sign: (m) => () => sign(null, m, privateKey),
      verify: (m, s) => () => verify(null, m, publicKey, s)
    },
    {
      name: 'node:crypto rebuilt',
      sign: (m) => () => sign(null, m, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })),
      verify: (m, s) => () => verify(null, m, createPublicKey({ key: spki, format: 'der', type: 'spki' }), s)
    },
    {
      name: '@noble/curves',
      sign: (m) => () => ed25519.sign(m, seed),
      verify: (m, s) => () => ed25519.verify(s, m, publicRaw)
    },
    {
      name: 'libp2p key (JWK rebuilt)',
      sign: (m) => () => key.sign(m),
      verify: (m, s) => () => key.publicKey.verify(m, s)
    }
  ]
}

/** Refuses to time an implementation that does not do the job. */
async function sanityCheck (op: 'sign' | 'verify', fn: Op, message: Uint8Array, signature: Uint8Array, name: string): Promise<void> {
  const out = await fn()
  const ok = op === 'sign' ? Buffer.from(out as Uint8Array).equals(signature) : out === true
  if (!ok) throw new Error(`${name} ${op} gave a wrong answer for a ${message.byteLength}-byte message`)
}

/** Operations per second of `fn`, awaiting it only when it returns a promise. */
async function measure (fn: Op, durationMs: number): Promise<number> {
  await run(fn, Math.min(200, durationMs / 5))
  const { ops, elapsedMs } = await run(fn, durationMs)
  return ops / (elapsedMs / 1000)
}

async function run (fn: Op, durationMs: number): Promise<{ ops: number, elapsedMs: number }> {
  const batch = 32
  let ops = 0
  const start = performance.now()
  let elapsedMs = 0
  while (elapsedMs < durationMs) {
    for (let i = 0; i < batch; i++) {
      const out = fn()
      if (out instanceof Promise) await out
    }
    ops += batch
    elapsedMs = performance.now() - start
  }
  // Let other work (timers, I/O) run between rows.
  await new Promise((resolve) => setImmediate(resolve))
  return { ops, elapsedMs }
}

/** The results as a text table with ratios to {@link BASELINE_IMPL} for the same operation and size. */
export function formatCryptoTable (results: CryptoBenchResult[]): string {
  const header = ['operation', 'bytes', 'implementation', 'ops/s', 'vs cached']
  const rows = results.map((r) => {
    const base = results.find((b) => b.op === r.op && b.bytes === r.bytes && b.impl === BASELINE_IMPL)
    const ratio = base == null ? '' : `${(r.opsPerSec / base.opsPerSec).toFixed(2)}×`
    return [r.op, String(r.bytes), r.impl, Math.round(r.opsPerSec).toLocaleString('en-US'), ratio]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 1 || i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCli(process.argv.slice(2), {}, 'usage: node dist/test/bench/crypto.js   (or: npm run bench -- crypto)\nEd25519 sign/verify ops/s of each implementation, against node:crypto with a cached KeyObject.\n  -h, --help              this text', () => undefined)
  const results = await benchCrypto()
  process.stdout.write(`Ed25519 on Node ${process.version} (${process.arch})\n${formatCryptoTable(results)}\n`)
}
