import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { DELEGATION_DOMAIN, extendChain, openChain, verifyChain } from '../src/delegation/index.js'
import { createVerifier, FrameKind, newEnvelopeId, newNonce, openFrame, sealEnvelope, type EnvelopeFields } from '../src/envelope/index.js'
import { decodeSigned, signBody } from '../src/envelope/signed.js'
import { DelegationChain, DelegationLink } from '../src/pb/agentmesh.js'
import { A2A_PROTOCOL } from '../src/relay/index.js'
import { sendMessage } from './agents.js'
import type { SimNode } from './sim-node.js'

/** How a receiving daemon answered one hand-made envelope. */
export interface RawOutcome {
  /** The receiver stored or answered the task (ACK, RESULT or EVENT): the envelope was accepted. */
  accepted: boolean
  /** The ERROR frame's code, or `NO_STREAM` / `NO_ANSWER` / `RESET`. */
  code: string
}

const verifier = createVerifier()
const MAX_FRAME = 8 * 1024 * 1024

/**
 * What a compromised host can do beyond its daemon's API: it holds the host's
 * key, so it seals envelopes by hand (any `from.agent`, any chain, any bytes)
 * and writes them on the relay protocol, skipping its own daemon's egress
 * checks. Only the receiving daemon stands in the way.
 */
export class Attacker {
  private count = 0
  constructor (readonly host: SimNode) {}

  /** Seals an envelope from this host (claiming `fromAgent`) to `agent@peer`, carrying `text` and `chain`. */
  seal (peer: string, agent: string, fromAgent: string, text: string, chain?: Uint8Array, id = newEnvelopeId()): Uint8Array {
    const now = this.host.now()
    const fields: EnvelopeFields = {
      id,
      from: { peer: this.host.peerId, agent: fromAgent },
      to: { peer, agent },
      timestampMs: now,
      nonce: newNonce(),
      // Daemons number envelopes from their clock (ms × 1000, in reserved blocks); stay just ahead of them.
      seq: (Math.floor(now) + 1000) * 1000 + ++this.count,
      deadlineMs: now + 30_000,
      method: 'SendMessage',
      payload: new TextEncoder().encode(JSON.stringify(sendMessage(text))),
      ...(chain != null ? { delegation: chain } : {})
    }
    return sealEnvelope(fields, this.host.signer)
  }

  /** Writes one sealed envelope on a fresh relay stream to `peer` and reads the answer. */
  async send (peer: string, bytes: Uint8Array, timeoutMs = 15_000): Promise<RawOutcome> {
    const signal = AbortSignal.timeout(timeoutMs)
    let stream
    try {
      stream = await this.host.node.dialProtocol(peerIdFromString(peer), A2A_PROTOCOL, { signal, runOnLimitedConnection: true })
    } catch {
      return { accepted: false, code: 'NO_STREAM' }
    }
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME })
    try {
      await lp.write(bytes, { signal })
      for (;;) {
        const frame = openFrame((await lp.read({ signal })).subarray(), { remotePeer: peer, verifier, maxBytes: MAX_FRAME })
        if (frame.kind === FrameKind.ERROR) {
          let code = 'ERROR'
          try { code = JSON.parse(new TextDecoder().decode(frame.payload)).code ?? code } catch {}
          return { accepted: false, code }
        }
        if (frame.kind === FrameKind.ACK || frame.kind === FrameKind.RESULT || frame.kind === FrameKind.EVENT) return { accepted: true, code: frame.kind }
      }
    } catch {
      return { accepted: false, code: signal.aborted ? 'NO_ANSWER' : 'RESET' }
    } finally {
      try { stream.abort(new Error('done')) } catch {}
    }
  }

  /** A chain this host may make for its own agent (what its daemon would open). */
  ownChain (certificate: Uint8Array, caller: string, audience: string): Uint8Array {
    const now = this.host.now()
    return openChain(this.host.signer, certificate, caller, audience, { expiresMs: now + 60_000, maxDepth: 5 }, newEnvelopeId(), now)
  }

  /**
   * The chain this host's daemon would send on a legitimate call: the captured
   * chain (whose audience is `caller`), extended by one proper link to `audience`.
   */
  legitChain (captured: Uint8Array, caller: string, audience: { peer: string, agent: string }, id: Uint8Array): Uint8Array | undefined {
    const own = this.host.store.certificate()?.bytes
    if (own == null) return undefined
    const now = this.host.now()
    try {
      const verified = verifyChain(captured, { verifier, checkCertificate: () => {}, now, audience: { peer: this.host.peerId, agent: caller }, method: 'SendMessage' })
      return extendChain(verified, this.host.signer, own, caller, `${audience.agent}@${audience.peer}`, {}, id, now)
    } catch {
      return undefined
    }
  }

  /**
   * A chain that claims to start with another host's operator: its root link
   * carries that host's (public) certificate but is signed with this host's key.
   */
  forgedChain (victimCertificate: Uint8Array, audience: string): Uint8Array {
    const now = this.host.now()
    return openChain(this.host.signer, victimCertificate, 'operator', audience, { expiresMs: now + 60_000, maxDepth: 5 }, newEnvelopeId(), now)
  }

  /**
   * Appends a link to a captured chain that widens what the chain allowed:
   * every method, any skill, a later expiry and a deeper limit, signed with
   * this host's key and certificate (which do cover the agent it speaks for).
   */
  widenedChain (captured: Uint8Array, caller: string, audience: string): Uint8Array | undefined {
    let links: Uint8Array[]
    let last: DelegationLink
    try {
      links = DelegationChain.decode(captured).links
      last = DelegationLink.decode(decodeSigned(links[links.length - 1] as Uint8Array, 1 << 20, 'link').body)
    } catch {
      return undefined
    }
    const own = this.host.store.certificate()?.bytes
    if (own == null) return undefined
    const now = this.host.now()
    const link = signBody(DELEGATION_DOMAIN, DelegationLink.encode({
      certificate: own as Uint8Array<ArrayBuffer>,
      agent: caller,
      audience,
      methods: ['SendMessage', 'SendStreamingMessage', 'GetTask', 'CancelTask', 'agentmesh/admin'],
      skills: ['*'],
      expiresMs: last.expiresMs + 86_400_000,
      maxDepth: last.maxDepth + 5,
      prev: createHash('sha256').update(links[links.length - 1] as Uint8Array).digest() as unknown as Uint8Array<ArrayBuffer>,
      issuedMs: now,
      task: newEnvelopeId() as Uint8Array<ArrayBuffer>
    }), this.host.signer)
    return DelegationChain.encode({ links: [...links, link].map((b) => b as Uint8Array<ArrayBuffer>) })
  }
}
