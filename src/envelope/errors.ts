/** Stable reasons for {@link EnvelopeError}, in the order `open*` checks them. */
export type EnvelopeErrorCode =
  /** The encoded message is larger than the cap. */
  | 'OVERSIZED'
  /** Not a Signed message, or its content is not a well-formed Envelope/Frame. */
  | 'MALFORMED'
  /** A valid envelope, but from a peer other than the one on the connection (relayed). */
  | 'SENDER_MISMATCH'
  /** Addressed to another peer than this one. */
  | 'RECIPIENT_MISMATCH'
  /** The signature does not verify against the connection's remote peer. */
  | 'BAD_SIGNATURE'

/** Why a message was refused by `openEnvelope`/`openFrame`, or could not be sealed. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError'
  /** Stable reason, safe to compare and to send on the wire. */
  readonly code: EnvelopeErrorCode

  constructor (code: EnvelopeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/** Stable reasons for {@link ReplayError}, in the order the replay window checks them. */
export type ReplayErrorCode =
  /** The timestamp is older than now minus the clock skew. */
  | 'STALE'
  /** The timestamp is later than now plus the clock skew. */
  | 'FUTURE'
  /** This sender already used this nonce. */
  | 'REPLAYED'
  /** The sequence number is below the window or was already accepted. */
  | 'SEQ_OUT_OF_WINDOW'

/** Why the replay window refused an (authentic) envelope. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError'
  /** Stable reason, safe to compare and to send on the wire. */
  readonly code: ReplayErrorCode

  constructor (code: ReplayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/** Stable reasons for {@link PeerKeyError}. */
export type PeerKeyErrorCode =
  /** The string is not a peer ID. */
  | 'INVALID_PEER_ID'
  /** The peer ID or key is not Ed25519 (RSA, secp256k1, …). */
  | 'UNSUPPORTED_KEY_TYPE'
  /** An Ed25519 key whose bytes are inconsistent (wrong length, public half not matching). */
  | 'INVALID_KEY'

/** A key or peer ID that cannot sign or verify agentmesh messages. */
export class PeerKeyError extends Error {
  override readonly name = 'PeerKeyError'
  /** Stable reason, safe to compare. */
  readonly code: PeerKeyErrorCode

  constructor (code: PeerKeyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
