// An attacker on the path flips one bit of a sealed envelope: in the Signed
// container's tags and lengths, anywhere in the envelope body (ids, addresses,
// timestamps, seq, method, payload) or in the signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  REJECTION_CODES, expectEchoResult, expectNotAccepted, expectStillServes, startAttackTarget, summary, type AttackTarget
} from '../helpers/attack-target.js'
import { metricsText, metricValue } from '../helpers/mesh-api.js'
import { flipBit } from '../helpers/raw-peer.js'
import type { Exchange } from '../helpers/raw-peer.js'

let t: AttackTarget

beforeAll(async () => { t = await startAttackTarget() })
afterAll(async () => { await t?.close() })

const REJECTED = 'agentmesh_envelopes_rejected_total'

describe('an envelope with one flipped bit', () => {
  it('is refused at every sampled bit position, never reaches the agent, and burns nothing', async () => {
    const sealed = t.attacker.seal(t.daemon, t.agentName)
    const bits = sealed.bytes.byteLength * 8
    // Every 7th bit walks through every byte and every bit position within a byte;
    // the last bits of the signature are added explicitly.
    const positions = new Set<number>()
    for (let bit = 0; bit < bits; bit += 7) positions.add(bit)
    for (let bit = bits - 8; bit < bits; bit++) positions.add(bit)
    expect(positions.size).toBeGreaterThanOrEqual(100)
    const signatureStart = (sealed.bytes.byteLength - 64) * 8
    expect([...positions].filter((b) => b >= signatureStart).length).toBeGreaterThanOrEqual(64)

    const rejectedBefore = metricValue(await metricsText(t.daemon), REJECTED)
    const deliveredBefore = t.agent.total()
    const codes = new Map<string, number>()
    const unanswered: string[] = []
    for (const bit of positions) {
      const exchange: Exchange = await t.attacker.send(t.daemon, flipBit(sealed.bytes, bit))
      expectNotAccepted(exchange)
      if (exchange.errorCode == null) {
        unanswered.push(`bit ${bit}: ${summary(exchange)}`)
        continue
      }
      expect(REJECTION_CODES, `bit ${bit}: ${summary(exchange)}`).toContain(exchange.errorCode)
      expect(exchange.end, `bit ${bit}: ${summary(exchange)}`).not.toBe('timeout')
      codes.set(exchange.errorCode, (codes.get(exchange.errorCode) ?? 0) + 1)
    }

    // Every flip got an ERROR frame (the length prefix is intact, so the daemon read a whole message).
    expect(unanswered).toEqual([])
    expect(t.agent.total()).toBe(deliveredBefore)
    // Signature flips can only be BAD_SIGNATURE; body flips mostly too. A flipped
    // envelope never authenticates, so no check that runs after the signature
    // (STALE, REPLAYED, SEQ_OUT_OF_WINDOW, AGENT_NOT_FOUND, …) may answer it.
    // (RECIPIENT_MISMATCH answers flips in to.peer: openEnvelope compares the
    // recipient before it verifies the signature.)
    expect(codes.get('BAD_SIGNATURE') ?? 0).toBeGreaterThanOrEqual(64)
    const preAuthentication = ['OVERSIZED', 'MALFORMED', 'SENDER_MISMATCH', 'RECIPIENT_MISMATCH', 'BAD_SIGNATURE']
    expect([...codes.keys()].filter((c) => !preAuthentication.includes(c)), JSON.stringify([...codes])).toEqual([])
    expect(metricValue(await metricsText(t.daemon), REJECTED)).toBe(rejectedBefore + positions.size)

    // None of the refusals recorded the nonce or the seq: the untouched original still goes through, once.
    const original = await t.attacker.send(t.daemon, sealed.bytes)
    expectEchoResult(original, sealed)
    expect(t.agent.received.get(sealed.messageId)).toBe(1)
    await expectStillServes(t)
  })
})
