import { rmSync } from 'node:fs'
import { expect } from 'vitest'
import { FrameKind } from '../../src/envelope/index.js'
import { startAgent, type TestAgent } from './agents.js'
import { startDaemon, type TestDaemon } from './daemon.js'
import { ensureAgent, registerAgent } from './mesh-api.js'
import { RawPeer, type Exchange, type SealedEnvelope } from './raw-peer.js'

/** The codes an ERROR frame may carry (docs/relay-protocol.md). */
export const REJECTION_CODES = [
  'OVERSIZED', 'MALFORMED', 'SENDER_MISMATCH', 'RECIPIENT_MISMATCH', 'BAD_SIGNATURE', 'STALE', 'FUTURE',
  'REPLAYED', 'SEQ_OUT_OF_WINDOW', 'AGENT_NOT_FOUND', 'RATE_LIMITED', 'AGENT_UNREACHABLE', 'DEADLINE_EXCEEDED', 'INTERNAL'
]

/** One daemon under attack, with an echo agent registered on it and a raw attacking peer. */
export interface AttackTarget {
  daemon: TestDaemon
  agent: TestAgent
  /** The registered name of the echo agent. */
  agentName: string
  attacker: RawPeer
  /** Extra raw peers started with {@link AttackTarget.newPeer}; stopped by close. */
  peers: RawPeer[]
  /** Starts another raw peer with a fresh key. */
  newPeer(): Promise<RawPeer>
  /**
   * Stops the daemon (`SIGTERM`, or `SIGKILL` for a crash), starts a new one on
   * the same home and makes sure the agent is registered again. Returns
   * whether the registration had to be redone.
   */
  restartDaemon(how: 'SIGTERM' | 'SIGKILL'): Promise<{ reRegistered: boolean }>
  close(): Promise<void>
}

/** Starts a daemon, an in-process echo agent registered on it as `agentName`, and a raw peer. */
export async function startAttackTarget (agentName = 'echo'): Promise<AttackTarget> {
  const [daemon, agent, attacker] = await Promise.all([startDaemon(), startAgent({ kind: 'echo', name: agentName }), RawPeer.start()])
  await registerAgent(daemon, agentName, agent.url)
  const target: AttackTarget = {
    daemon,
    agent,
    agentName,
    attacker,
    peers: [],
    async newPeer () {
      const peer = await RawPeer.start()
      target.peers.push(peer)
      return peer
    },
    async restartDaemon (how) {
      if (how === 'SIGTERM') {
        const code = await target.daemon.stop()
        expect(code, `daemon exit code after SIGTERM; stderr:\n${target.daemon.stderr().slice(-2000)}`).toBe(0)
      } else {
        await target.daemon.kill()
      }
      target.daemon = await startDaemon({ home: target.daemon.home })
      return { reRegistered: await ensureAgent(target.daemon, agentName, agent.url) }
    },
    async close () {
      await Promise.all([
        target.daemon.stop().catch(() => {}),
        agent.close().catch(() => {}),
        attacker.stop().catch(() => {}),
        ...target.peers.map(async (p) => p.stop().catch(() => {}))
      ])
      rmSync(target.daemon.home, { recursive: true, force: true })
    }
  }
  return target
}

/** Frames in order as `KIND(code)` strings, for failure messages. */
export function summary (exchange: Exchange): string {
  const frames = exchange.frames.map((f) => f.kind === FrameKind.ERROR ? `ERROR(${f.payload?.code})` : f.kind)
  return `[${frames.join(', ')}] end=${exchange.end}${exchange.error != null ? ` (${exchange.error})` : ''}` +
    `${exchange.writeError != null ? ` writeError=${exchange.writeError}` : ''}` +
    `${exchange.undecodable.length > 0 ? ` undecodable=${JSON.stringify(exchange.undecodable)}` : ''}`
}

/** No frame that would mean the envelope got through: no ACK, EVENT or RESULT. */
export function expectNotAccepted (exchange: Exchange): void {
  const through = exchange.frames.filter((f) => f.kind === FrameKind.ACK || f.kind === FrameKind.EVENT || f.kind === FrameKind.RESULT)
  expect(through, `accepted? ${summary(exchange)}`).toEqual([])
}

/**
 * The daemon refused with exactly one ERROR frame carrying `code` (or one of
 * `code`), index 0, nothing after it, and nothing that means acceptance. With
 * `sealed`, the frame must name that envelope's id.
 */
export function expectRejected (exchange: Exchange, code: string | string[], sealed?: SealedEnvelope): void {
  const codes = Array.isArray(code) ? code : [code]
  expectNotAccepted(exchange)
  expect(exchange.undecodable, `undecodable reply frames: ${summary(exchange)}`).toEqual([])
  expect(exchange.frames.map((f) => f.kind), summary(exchange)).toEqual([FrameKind.ERROR])
  const frame = exchange.frames[0]!
  expect(codes, `ERROR code: ${summary(exchange)}`).toContain(frame.payload?.code)
  expect(typeof frame.payload?.message, 'ERROR payload has a message').toBe('string')
  expect(frame.index).toBe(0)
  if (sealed != null) expect(frame.envelopeId, 'ERROR frame names the envelope').toBe(sealed.idHex)
  expect(exchange.end, `the stream ends after ERROR: ${summary(exchange)}`).not.toBe('timeout')
}

/** The envelope reached the echo agent: a RESULT frame with `echo: <text>`, frames numbered 0, 1, … and the stream ended. */
export function expectEchoResult (exchange: Exchange, sealed: SealedEnvelope): void {
  expect(exchange.errorCode, summary(exchange)).toBeUndefined()
  expect(exchange.undecodable, summary(exchange)).toEqual([])
  expect(exchange.result, `RESULT frame: ${summary(exchange)}`).toBeDefined()
  expect(exchange.result.error, JSON.stringify(exchange.result)).toBeUndefined()
  expect(exchange.result.result?.message?.parts?.[0]?.text, JSON.stringify(exchange.result)).toBe(`echo: ${sealed.text}`)
  expect(exchange.frames.map((f) => f.index)).toEqual(exchange.frames.map((_, i) => i))
  for (const f of exchange.frames) expect(f.envelopeId).toBe(sealed.idHex)
  expect(exchange.end, summary(exchange)).toBe('eof')
}

/**
 * The daemon still relays a fresh, valid envelope from `peer` (default the
 * attacker) to the echo agent, exactly once.
 */
export async function expectStillServes (target: AttackTarget, peer: RawPeer = target.attacker): Promise<void> {
  expect(target.daemon.child.exitCode, `daemon exited; stderr:\n${target.daemon.stderr().slice(-2000)}`).toBeNull()
  const { sealed, exchange } = await peer.sendFresh(target.daemon, target.agentName)
  expectEchoResult(exchange, sealed)
  expect(target.agent.received.get(sealed.messageId)).toBe(1)
}
