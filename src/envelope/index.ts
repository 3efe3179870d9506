/**
 * The envelope security layer: signing and verification with Ed25519 peer
 * keys, sealing/opening of envelopes and response frames (signed bytes with a
 * domain prefix per message type), and the replay window.
 *
 * @example
 * ```ts
 * const signer = createSigner(privateKey)
 * const bytes = sealEnvelope({ id: newEnvelopeId(), nonce: newNonce(), seq: counter.next(to.peer), … }, signer)
 * // on the receiving daemon:
 * const envelope = openEnvelope(bytes, { remotePeer: connection.remotePeer.toString(), verifier })
 * replayWindow.check(envelope)
 * ```
 */
export {
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_MAX_CACHED_KEYS,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_PRUNE_BATCH,
  DEFAULT_PRUNE_INTERVAL_MS,
  DEFAULT_SEQ_BLOCK_SIZE,
  DEFAULT_SEQ_WINDOW,
  ENVELOPE_DOMAIN,
  FRAME_DOMAIN,
  ID_BYTES,
  NONCE_BYTES,
  SIGNATURE_BYTES
} from './constants.js'
export { EnvelopeError, PeerKeyError, ReplayError } from './errors.js'
export type { EnvelopeErrorCode, PeerKeyErrorCode, ReplayErrorCode } from './errors.js'
export { createSigner } from './signer.js'
export type { Signer } from './signer.js'
export { createVerifier } from './verifier.js'
export type { CachingVerifier, Verifier, VerifierInit } from './verifier.js'
export { openEnvelope, sealEnvelope } from './envelope.js'
export type { EnvelopeFields, OpenEnvelopeOptions, OpenedEnvelope } from './envelope.js'
export { openFrame, sealFrame } from './frame.js'
export type { FrameFields, OpenFrameOptions } from './frame.js'
export { newEnvelopeId, newNonce, RandomPool } from './random.js'
export { ReplayWindow } from './replay-window.js'
export type { ReplayCheckedEnvelope, ReplayStore, ReplayWindowInit } from './replay-window.js'
export { acceptSeq } from './seq-window.js'
export type { SeqWindowState } from './seq-window.js'
export { SequenceCounter } from './sequence-counter.js'
export type { SequenceCounterInit, SequenceStore } from './sequence-counter.js'
export { FrameKind } from '../pb/agentmesh.js'
export type { AgentAddress, Envelope, Frame } from '../pb/agentmesh.js'
