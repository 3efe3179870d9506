// An attacker who captured an envelope on the wire sends the same bytes again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectEchoResult, expectRejected, expectStillServes, startAttackTarget, type AttackTarget
} from '../helpers/attack-target.js'
import { rejectedTotal } from '../helpers/mesh-api.js'

let t: AttackTarget

beforeAll(async () => { t = await startAttackTarget() })
afterAll(async () => { await t?.close() })

describe('replaying a captured envelope', () => {
  it('to the same daemon: the first send is answered, the replay is REPLAYED and the agent runs once', async () => {
    const before = await rejectedTotal(t.daemon, 'REPLAYED')
    const { sealed, exchange: first } = await t.attacker.sendFresh(t.daemon, t.agentName)
    expectEchoResult(first, sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)

    const replay = await t.attacker.send(t.daemon, sealed.bytes)

    expectRejected(replay, 'REPLAYED', sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
    expect(await rejectedTotal(t.daemon, 'REPLAYED')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('ten more times: every copy is REPLAYED, the agent still ran once', async () => {
    const { sealed, exchange: first } = await t.attacker.sendFresh(t.daemon, t.agentName)
    expectEchoResult(first, sealed)
    const before = await rejectedTotal(t.daemon, 'REPLAYED')

    const replays = await Promise.all(Array.from({ length: 10 }, async () => t.attacker.send(t.daemon, sealed.bytes)))

    for (const replay of replays) expectRejected(replay, 'REPLAYED', sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
    expect(await rejectedTotal(t.daemon, 'REPLAYED')).toBe(before + 10)
    await expectStillServes(t)
  })

  it('a genuine retry (same task id, fresh nonce and seq) is answered from the inbox; the agent still runs once', async () => {
    const { sealed, exchange: first } = await t.attacker.sendFresh(t.daemon, t.agentName)
    expectEchoResult(first, sealed)

    // The sender retries the task: same id and payload, new nonce, timestamp and seq.
    const retry = t.attacker.seal(t.daemon, t.agentName, { id: sealed.fields.id, payload: sealed.fields.payload, text: sealed.text, messageId: sealed.messageId })
    const second = await t.attacker.send(t.daemon, retry.bytes)

    expectEchoResult(second, retry)
    expect(second.result).toEqual(first.result)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
  })

  it('after the sender restarts with the same key: REPLAYED', async () => {
    const { sealed, exchange: first } = await t.attacker.sendFresh(t.daemon, t.agentName)
    expectEchoResult(first, sealed)
    const before = await rejectedTotal(t.daemon, 'REPLAYED')

    const oldPeer = t.attacker.node.peerId.toString()
    await t.attacker.restart()
    expect(t.attacker.node.peerId.toString()).toBe(oldPeer)
    const replay = await t.attacker.send(t.daemon, sealed.bytes)

    expectRejected(replay, 'REPLAYED', sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
    expect(await rejectedTotal(t.daemon, 'REPLAYED')).toBe(before + 1)
    await expectStillServes(t)
  })
})
