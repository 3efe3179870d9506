import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createSigner, newEnvelopeId, newNonce } from '../../../src/envelope/index.js'
import type { EnvelopeFields, Signer } from '../../../src/envelope/index.js'

/** A signer over a fresh Ed25519 key. */
export async function newSigner (): Promise<Signer> {
  return createSigner(await generateKeyPair('Ed25519'))
}

/** Complete, valid envelope fields from `from` to `to`; override what a test is about. */
export function envelopeFields (from: string, to: string, overrides: Partial<EnvelopeFields> = {}): EnvelopeFields {
  return {
    id: newEnvelopeId(),
    from: { peer: from, agent: 'planner' },
    to: { peer: to, agent: 'coder' },
    timestampMs: 1_700_000_000_000,
    nonce: newNonce(),
    seq: 1,
    method: 'message/send',
    payload: new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}'),
    ...overrides
  }
}

/** A clock the test moves by hand. */
export function manualClock (startMs = 1_700_000_000_000): { now: () => number, set: (ms: number) => void, advance: (ms: number) => void } {
  let current = startMs
  return {
    now: () => current,
    set: (ms) => { current = ms },
    advance: (ms) => { current += ms }
  }
}

/** A fresh temporary directory and its clean-up. */
export function tempDir (): { path: string, remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'agentmesh-envelope-'))
  return { path, remove: () => { rmSync(path, { recursive: true, force: true }) } }
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export function thrown (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}
