// Bytes that are not a well-formed relay message: an oversized envelope, a
// length prefix that lies, random garbage with and without a valid prefix, and
// an empty stream. The daemon must refuse them (or drop the stream) and keep
// serving everyone else.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectNotAccepted, expectRejected, expectStillServes, startAttackTarget, summary, type AttackTarget
} from '../helpers/attack-target.js'
import { rejectedTotal } from '../helpers/mesh-api.js'
import { withLengthPrefix, type Exchange } from '../helpers/raw-peer.js'
import { jsonRpcSendMessage } from '../helpers/a2a-client.js'

let t: AttackTarget

beforeAll(async () => { t = await startAttackTarget() })
afterAll(async () => { await t?.close() })

const MiB = 1024 * 1024

/** Refused with one of `codes`, or the stream was dropped without any frame; never hangs. */
function expectRefusedOrDropped (exchange: Exchange, codes: string[]): void {
  expectNotAccepted(exchange)
  expect(exchange.end, `the daemon must not leave the stream hanging: ${summary(exchange)}`).not.toBe('timeout')
  expect(exchange.end, summary(exchange)).not.toBe('dial-failed')
  if (exchange.frames.length > 0) expectRejected(exchange, codes)
}

describe('oversized messages', () => {
  it('a correctly signed 2 MiB envelope is OVERSIZED (or the stream is reset)', async () => {
    const before = await rejectedTotal(t.daemon, 'OVERSIZED')
    const deliveredBefore = t.agent.total()
    const big = 'x'.repeat(2 * MiB)
    const sealed = t.attacker.seal(t.daemon, t.agentName, {
      text: big,
      payload: new TextEncoder().encode(JSON.stringify(jsonRpcSendMessage(big)))
    })
    expect(sealed.bytes.byteLength).toBeGreaterThan(2 * MiB)

    const exchange = await t.attacker.send(t.daemon, sealed.bytes, { timeoutMs: 15_000 })

    expectRefusedOrDropped(exchange, ['OVERSIZED'])
    expect(t.agent.total()).toBe(deliveredBefore)
    if (exchange.errorCode != null) expect(await rejectedTotal(t.daemon, 'OVERSIZED')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('a length prefix announcing 2 MiB followed by a few bytes is refused without waiting for the rest', async () => {
    const prefix = withLengthPrefix(new Uint8Array(2 * MiB)).subarray(0, 3)
    const message = new Uint8Array([...prefix, ...randomBytes(100)])

    // Keep our side open: the daemon has to decide from the prefix alone.
    const started = Date.now()
    const exchange = await t.attacker.send(t.daemon, message, { lengthPrefix: false, closeWrite: false, timeoutMs: 15_000 })

    expectRefusedOrDropped(exchange, ['OVERSIZED'])
    expect(Date.now() - started).toBeLessThan(5_000)
    await expectStillServes(t)
  })
})

describe('garbage on the relay protocol', () => {
  it('random bytes behind a valid length prefix are MALFORMED', async () => {
    const before = await rejectedTotal(t.daemon, 'MALFORMED')
    const deliveredBefore = t.agent.total()
    for (const size of [1, 64, 1000, 64 * 1024]) {
      const exchange = await t.attacker.send(t.daemon, randomBytes(size))
      expectRefusedOrDropped(exchange, ['MALFORMED'])
      expect(exchange.errorCode, `${size} random bytes: ${summary(exchange)}`).toBe('MALFORMED')
    }
    expect(t.agent.total()).toBe(deliveredBefore)
    expect(await rejectedTotal(t.daemon, 'MALFORMED')).toBe(before + 4)
    await expectStillServes(t)
  })

  it('a length prefix that never ends (0xff…) is refused', async () => {
    const exchange = await t.attacker.send(t.daemon, new Uint8Array(16).fill(0xff), { lengthPrefix: false })
    // An over-long varint is a length beyond the cap: OVERSIZED, or MALFORMED.
    expectRefusedOrDropped(exchange, ['MALFORMED', 'OVERSIZED'])
    await expectStillServes(t)
  })

  it('a length prefix that never ends, with the stream left open, is cut off at once', async () => {
    // 256 KiB of 0xff: a varint that never terminates. A 1 MiB cap needs at most
    // 3 length bytes, so the daemon can refuse after the 4th; it must not keep
    // buffering length bytes until its 10 s read timeout.
    const started = Date.now()
    const exchange = await t.attacker.send(t.daemon, new Uint8Array(256 * 1024).fill(0xff), { lengthPrefix: false, closeWrite: false, timeoutMs: 5_000 })

    expectRefusedOrDropped(exchange, ['MALFORMED', 'OVERSIZED'])
    expect(Date.now() - started).toBeLessThan(3_000)
    await expectStillServes(t)
  })

  it('random bytes with no prefix at all are refused or dropped', async () => {
    const deliveredBefore = t.agent.total()
    for (let i = 0; i < 10; i++) {
      const exchange = await t.attacker.send(t.daemon, randomBytes(200), { lengthPrefix: false })
      expectRefusedOrDropped(exchange, ['MALFORMED', 'OVERSIZED'])
    }
    expect(t.agent.total()).toBe(deliveredBefore)
    await expectStillServes(t)
  })

  it('a prefix promising more bytes than arrive before the stream closes is dropped', async () => {
    const exchange = await t.attacker.send(t.daemon, new Uint8Array([...withLengthPrefix(new Uint8Array(500)).subarray(0, 2), ...randomBytes(100)]), { lengthPrefix: false })
    expectRefusedOrDropped(exchange, ['MALFORMED'])
    await expectStillServes(t)
  })

  it('an empty stream is dropped', async () => {
    const exchange = await t.attacker.send(t.daemon, new Uint8Array(0), { lengthPrefix: false })
    expectRefusedOrDropped(exchange, ['MALFORMED'])
    await expectStillServes(t)
  })

  it('a valid envelope with trailing garbage after it is not accepted twice', async () => {
    const sealed = t.attacker.seal(t.daemon, t.agentName)
    const exchange = await t.attacker.send(t.daemon, new Uint8Array([...withLengthPrefix(sealed.bytes), ...withLengthPrefix(sealed.bytes), ...randomBytes(50)]), { lengthPrefix: false })
    // One message per stream: the first is served (or the stream refused), the extras are ignored.
    expect(exchange.frames.filter((f) => f.kind === 'RESULT').length).toBeLessThanOrEqual(1)
    expect(t.agent.received.get(sealed.messageId) ?? 0).toBeLessThanOrEqual(1)
    await expectStillServes(t)
  })
})
