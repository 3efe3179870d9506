// Correctly signed envelopes that are too old, from the future, or carry a
// sequence number outside the window: what a sender with a stolen backlog or a
// broken clock would send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectEchoResult, expectRejected, expectStillServes, startAttackTarget, type AttackTarget
} from '../helpers/attack-target.js'
import { rejectedTotal } from '../helpers/mesh-api.js'

let t: AttackTarget

beforeAll(async () => { t = await startAttackTarget() })
afterAll(async () => { await t?.close() })

const FIVE_MINUTES = 5 * 60_000

describe('timestamps outside the ±30 s window', () => {
  it('an envelope stamped five minutes ago is STALE', async () => {
    const before = await rejectedTotal(t.daemon, 'STALE')
    const deliveredBefore = t.agent.total()
    const sealed = t.attacker.seal(t.daemon, t.agentName, { timestampMs: Date.now() - FIVE_MINUTES })

    expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'STALE', sealed)
    expect(t.agent.total()).toBe(deliveredBefore)
    expect(await rejectedTotal(t.daemon, 'STALE')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('an envelope stamped five minutes ahead is FUTURE', async () => {
    const before = await rejectedTotal(t.daemon, 'FUTURE')
    const deliveredBefore = t.agent.total()
    const sealed = t.attacker.seal(t.daemon, t.agentName, { timestampMs: Date.now() + FIVE_MINUTES, deadlineMs: Date.now() + 2 * FIVE_MINUTES })

    expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'FUTURE', sealed)
    expect(t.agent.total()).toBe(deliveredBefore)
    expect(await rejectedTotal(t.daemon, 'FUTURE')).toBe(before + 1)
    await expectStillServes(t)
  })
})

describe('sequence numbers outside the window', () => {
  it('seq 5000, then seq 1: the second is SEQ_OUT_OF_WINDOW', async () => {
    const before = await rejectedTotal(t.daemon, 'SEQ_OUT_OF_WINDOW')
    const high = t.attacker.seal(t.daemon, t.agentName, { seq: 5000 })
    expectEchoResult(await t.attacker.send(t.daemon, high.bytes), high)

    const low = t.attacker.seal(t.daemon, t.agentName, { seq: 1 })
    expectRejected(await t.attacker.send(t.daemon, low.bytes), 'SEQ_OUT_OF_WINDOW', low)
    expect(t.agent.received.get(low.messageId)).toBeUndefined()
    expect(await rejectedTotal(t.daemon, 'SEQ_OUT_OF_WINDOW')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('an accepted seq sent again with a fresh nonce is SEQ_OUT_OF_WINDOW', async () => {
    const before = await rejectedTotal(t.daemon, 'SEQ_OUT_OF_WINDOW')
    const first = t.attacker.seal(t.daemon, t.agentName)
    expectEchoResult(await t.attacker.send(t.daemon, first.bytes), first)

    const again = t.attacker.seal(t.daemon, t.agentName, { seq: first.fields.seq })
    expectRejected(await t.attacker.send(t.daemon, again.bytes), 'SEQ_OUT_OF_WINDOW', again)
    expect(t.agent.received.get(again.messageId)).toBeUndefined()
    expect(await rejectedTotal(t.daemon, 'SEQ_OUT_OF_WINDOW')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('a late seq inside the window is still accepted once', async () => {
    const top = t.attacker.seal(t.daemon, t.agentName, { seq: 9000 })
    expectEchoResult(await t.attacker.send(t.daemon, top.bytes), top)
    const late = t.attacker.seal(t.daemon, t.agentName, { seq: 8990 })
    expectEchoResult(await t.attacker.send(t.daemon, late.bytes), late)
    const lateAgain = t.attacker.seal(t.daemon, t.agentName, { seq: 8990 })
    expectRejected(await t.attacker.send(t.daemon, lateAgain.bytes), 'SEQ_OUT_OF_WINDOW', lateAgain)
    await expectStillServes(t)
  })
})
