// Attacks on who sent an envelope and whom it is for: relaying another peer's
// envelope, signing with a key that is not the claimed sender's, sending an
// envelope meant for another daemon, and naming an agent that is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectEchoResult, expectRejected, expectStillServes, startAttackTarget, type AttackTarget
} from '../helpers/attack-target.js'
import { startAgent } from '../helpers/agents.js'
import { registerAgent, rejectedTotal } from '../helpers/mesh-api.js'
import { ENVELOPE_DOMAIN } from '../../src/envelope/index.js'
import { Signed } from '../../src/pb/agentmesh.js'
import type { RawPeer } from '../helpers/raw-peer.js'

let t: AttackTarget
let mallory: RawPeer

beforeAll(async () => {
  t = await startAttackTarget()
  mallory = await t.newPeer()
})
afterAll(async () => { await t?.close() })

describe('impersonation and misdirection', () => {
  it('a valid envelope relayed by a different peer is SENDER_MISMATCH', async () => {
    const before = await rejectedTotal(t.daemon, 'SENDER_MISMATCH')
    // Alice (the attacker fixture's peer) seals an envelope; Mallory sends Alice's bytes.
    const sealed = t.attacker.seal(t.daemon, t.agentName)

    const relayed = await mallory.send(t.daemon, sealed.bytes)

    expectRejected(relayed, 'SENDER_MISMATCH')
    expect(t.agent.received.get(sealed.messageId)).toBeUndefined()
    expect(await rejectedTotal(t.daemon, 'SENDER_MISMATCH')).toBe(before + 1)
    // Mallory's attempt burned nothing: Alice's own send of the same bytes goes through.
    expectEchoResult(await t.attacker.send(t.daemon, sealed.bytes), sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
    await expectStillServes(t, mallory)
  })

  it('another peer reusing a delivered task id does not get the first sender\'s answer', async () => {
    // Alice's task is delivered and its answer stored in the inbox.
    const alice = await t.attacker.sendFresh(t.daemon, t.agentName)
    expectEchoResult(alice.exchange, alice.sealed)

    // Mallory seals her own, correctly signed envelope that carries Alice's task id.
    const sealed = mallory.seal(t.daemon, t.agentName, { id: alice.sealed.fields.id })
    const exchange = await mallory.send(t.daemon, sealed.bytes)

    // Whatever the daemon does with it (deliver it as Mallory's task, or refuse
    // it), it must not hand Mallory the answer to Alice's task.
    const leaked = exchange.frames.filter((f) => JSON.stringify(f.payload ?? '').includes(alice.sealed.text))
    expect(leaked, `Mallory got Alice's answer: ${JSON.stringify(exchange.frames)}`).toEqual([])
    if (exchange.result != null) {
      expect(exchange.result.result?.message?.parts?.[0]?.text).toBe(`echo: ${sealed.text}`)
      expect(t.agent.received.get(sealed.messageId)).toBe(1)
    }
    expect(t.agent.received.get(alice.sealed.messageId)).toBe(1)
    await expectStillServes(t, mallory)
  })

  it('an envelope claiming the connection peer as sender but signed by another key is BAD_SIGNATURE', async () => {
    const before = await rejectedTotal(t.daemon, 'BAD_SIGNATURE')
    const genuine = Signed.decode(mallory.seal(t.daemon, t.agentName).bytes)
    // Mallory's envelope body (from = Mallory), re-signed with Alice's key.
    const forged = Signed.encode({
      body: genuine.body,
      signature: t.attacker.signer.sign(new Uint8Array([...ENVELOPE_DOMAIN, ...genuine.body])) as Uint8Array<ArrayBuffer>
    })

    expectRejected(await mallory.send(t.daemon, forged), 'BAD_SIGNATURE')
    expect(await rejectedTotal(t.daemon, 'BAD_SIGNATURE')).toBe(before + 1)
    await expectStillServes(t, mallory)
  })

  it('an envelope addressed to another peer is RECIPIENT_MISMATCH', async () => {
    const before = await rejectedTotal(t.daemon, 'RECIPIENT_MISMATCH')
    const deliveredBefore = t.agent.total()
    // Sealed for Mallory's peer (a real, other mesh peer), sent to the daemon.
    const sealed = t.attacker.seal(t.daemon, t.agentName, { to: { peer: mallory.peerId, agent: t.agentName } })

    expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'RECIPIENT_MISMATCH')
    expect(t.agent.total()).toBe(deliveredBefore)
    expect(await rejectedTotal(t.daemon, 'RECIPIENT_MISMATCH')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('an envelope for an agent that is not registered is AGENT_NOT_FOUND', async () => {
    const before = await rejectedTotal(t.daemon, 'AGENT_NOT_FOUND')
    const deliveredBefore = t.agent.total()
    const sealed = t.attacker.seal(t.daemon, 'nobody-here')

    expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'AGENT_NOT_FOUND', sealed)
    expect(t.agent.total()).toBe(deliveredBefore)
    expect(await rejectedTotal(t.daemon, 'AGENT_NOT_FOUND')).toBe(before + 1)
    await expectStillServes(t)
  })

  it('an envelope for an agent that was unregistered is AGENT_NOT_FOUND', async () => {
    const agent = await startAgent({ kind: 'echo', name: 'brief' })
    try {
      await registerAgent(t.daemon, 'brief', agent.url)
      const accepted = await t.attacker.sendFresh(t.daemon, 'brief')
      expectEchoResult(accepted.exchange, accepted.sealed)
      expect((await t.daemon.api('DELETE', '/v1/agents/brief')).status).toBeLessThan(300)

      const sealed = t.attacker.seal(t.daemon, 'brief')
      expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'AGENT_NOT_FOUND', sealed)
      expect(agent.received.get(sealed.messageId)).toBeUndefined()
      await expectStillServes(t)
    } finally {
      await agent.close()
    }
  })
})
