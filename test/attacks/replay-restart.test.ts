// An attacker replays a captured envelope after the receiving daemon restarted,
// hoping that the replay window lived only in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectEchoResult, expectRejected, expectStillServes, startAttackTarget, type AttackTarget
} from '../helpers/attack-target.js'
import { rejectedTotal } from '../helpers/mesh-api.js'
import type { SealedEnvelope } from '../helpers/raw-peer.js'

let t: AttackTarget
/** Envelopes the daemon accepted before each restart. */
const captured: SealedEnvelope[] = []

beforeAll(async () => { t = await startAttackTarget() })
afterAll(async () => { await t?.close() })

async function captureAccepted (): Promise<SealedEnvelope> {
  const { sealed, exchange } = await t.attacker.sendFresh(t.daemon, t.agentName)
  expectEchoResult(exchange, sealed)
  expect(t.agent.received.get(sealed.messageId)).toBe(1)
  captured.push(sealed)
  return sealed
}

describe('replaying a captured envelope after the receiving daemon restarts', () => {
  it('after a clean stop (SIGTERM) and start on the same home: REPLAYED', async () => {
    await captureAccepted()
    const peerBefore = t.daemon.peerId

    await t.restartDaemon('SIGTERM')
    expect(t.daemon.peerId).toBe(peerBefore)

    for (const sealed of captured) {
      expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'REPLAYED', sealed)
      expect(t.agent.received.get(sealed.messageId)).toBe(1)
    }
    expect(await rejectedTotal(t.daemon, 'REPLAYED')).toBe(captured.length)
    await expectStillServes(t)
  })

  it('after a crash (kill -9) and start on the same home: REPLAYED', async () => {
    await captureAccepted()

    await t.restartDaemon('SIGKILL')

    // Both the envelope accepted just before the crash and the one from before the first restart.
    for (const sealed of captured) {
      expectRejected(await t.attacker.send(t.daemon, sealed.bytes), 'REPLAYED', sealed)
      expect(t.agent.received.get(sealed.messageId)).toBe(1)
    }
    expect(await rejectedTotal(t.daemon, 'REPLAYED')).toBe(captured.length)
    await expectStillServes(t)
  })

  it('after the crash, an already used seq with a fresh nonce is SEQ_OUT_OF_WINDOW (the window survived too)', async () => {
    const reused = t.attacker.seal(t.daemon, t.agentName, { seq: captured[captured.length - 1]!.fields.seq })
    expectRejected(await t.attacker.send(t.daemon, reused.bytes), 'SEQ_OUT_OF_WINDOW', reused)
    expect(t.agent.received.get(reused.messageId)).toBeUndefined()
    await expectStillServes(t)
  })
})
