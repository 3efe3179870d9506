import type { Signer, Verifier } from '../envelope/index.js'
import type { Principal } from '../policy/index.js'
import { OpenedCertificates, type Certificate } from '../trust/index.js'
import { address, extendChain, openChain, verifyChain, type VerifiedChain } from './chain.js'
import { DelegationError } from './errors.js'
import { chainFromToken } from './token.js'

/** What {@link Delegations} needs. */
export interface DelegationsInit {
  signer: Signer
  verifier: Verifier
  localPeer: string
  /** This host's Signed certificate, if it has one. */
  ownCertificate: () => Uint8Array | undefined
  /** Judges a link signer's certificate now; throws if it fails. */
  checkCertificate: (cert: Certificate) => void
  /** How long a chain opened here is valid (ms). */
  ttlMs: number
  /** The most links a chain opened here may have. */
  maxDepth: number
  now: () => number
}

/** A chain for an outgoing call, and on whose behalf it is made. */
export interface OutgoingChain {
  /** The encoded chain to seal into the envelope (empty when this host has no certificate). */
  bytes: Uint8Array
  /** The chain's root principal when the caller passed a chain on; undefined for a new chain (the caller itself is the origin). */
  received?: VerifiedChain
}

/**
 * The daemon's side of delegation: opens a chain for a local caller, or
 * extends the one the caller passed on (in its message metadata), and
 * verifies the chains that arrive with envelopes.
 */
export class Delegations {
  private readonly init: DelegationsInit
  /** Certificates whose authority signature already verified, by their bytes (the same few arrive with every task). */
  private readonly certs: OpenedCertificates

  constructor (init: DelegationsInit) {
    this.init = init
    this.certs = new OpenedCertificates(init.verifier)
  }

  /**
   * The chain for a call by local `caller` to `audience`. With a `token` the
   * caller received with its own task, that chain must verify with the
   * caller as its audience and allow this call's method and skill; a link is
   * appended. Without one, a new chain is opened with the caller as its root.
   *
   * @throws {DelegationError} when the passed-on chain does not hold or is full
   */
  forCall (caller: string, token: string | undefined, audience: { peer: string, agent: string }, method: string, skill: string | undefined, task: Uint8Array): OutgoingChain {
    const { signer, now } = this.init
    const cert = this.init.ownCertificate()
    if (cert == null) return { bytes: new Uint8Array(0) }
    const to = address(audience.agent, audience.peer)
    const t = now()
    if (token === undefined) {
      return { bytes: openChain(signer, cert, caller, to, { expiresMs: t + this.init.ttlMs, maxDepth: this.init.maxDepth }, task, t) }
    }
    const bytes = chainFromToken(token)
    if (bytes === undefined) throw new DelegationError(-1, 'malformed', 'the delegation token in the message metadata is not base64url')
    const received = verifyChain(bytes, this.context({ peer: this.init.localPeer, agent: caller }, method, skill))
    return { bytes: extendChain(received, signer, cert, caller, to, { expiresMs: t + this.init.ttlMs }, task, t), received }
  }

  /**
   * Verifies the chain an envelope carries: made, link by link, down to its
   * sender `from`, for its recipient `to`, allowing `method` and `skill`.
   *
   * @throws {DelegationError}
   */
  verifyIncoming (bytes: Uint8Array, from: { peer: string, agent: string }, to: { peer: string, agent: string }, method: string, skill: string | undefined): VerifiedChain {
    return verifyChain(bytes, { ...this.context(to, method, skill), sender: from })
  }

  private context (audience: { peer: string, agent: string }, method: string, skill: string | undefined): Parameters<typeof verifyChain>[1] {
    return {
      verifier: this.init.verifier,
      openCertificate: (bytes) => this.certs.open(bytes),
      checkCertificate: this.init.checkCertificate,
      now: this.init.now(),
      audience,
      method,
      ...(skill !== undefined ? { skill } : {})
    }
  }
}


/** The origin of a call: the root of the chain it carries on, or the caller itself. */
export function originOf (chain: OutgoingChain, caller: Principal): Principal {
  return chain.received?.origin ?? caller
}
