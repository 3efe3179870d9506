import { Envelope } from '../pb/agentmesh.js'
import type { AgentAddress } from '../pb/agentmesh.js'
import { DEFAULT_MAX_ENVELOPE_BYTES, ENVELOPE_DOMAIN, ID_BYTES, NONCE_BYTES } from './constants.js'
import { EnvelopeError } from './errors.js'
import { checkSignature, decodeSigned, signBody } from './signed.js'
import type { Signer } from './signer.js'
import type { Verifier } from './verifier.js'

/** What a sender puts in an envelope; optional fields default to empty. */
export interface EnvelopeFields {
  /** 16 random bytes naming the task; the same on every retry. */
  id: Uint8Array
  /** The sending agent; `from.peer` must be the signer's peer ID. */
  from: AgentAddress
  /** The receiving agent and the peer hosting it. */
  to: AgentAddress
  /** Sender's clock (ms since the epoch) at sealing. */
  timestampMs: number
  /** 16 random bytes, fresh for every transmission. */
  nonce: Uint8Array
  /** From the sender's {@link SequenceCounter} for `to.peer`; at least 1. */
  seq: number
  /** When the sender stops waiting (ms since the epoch); 0 or absent = none. */
  deadlineMs?: number
  /** The delegation chain (opaque for now). */
  delegation?: Uint8Array
  /** W3C trace context of the sending span. */
  traceparent?: string
  /** W3C trace state, carried along with `traceparent`. */
  tracestate?: string
  /** The A2A JSON-RPC method. */
  method: string
  /** UTF-8 JSON of the A2A JSON-RPC request. */
  payload: Uint8Array
}

/** An envelope that passed {@link openEnvelope}: both addresses are present. */
export interface OpenedEnvelope extends Envelope {
  /** The sender; `from.peer` is the connection's remote peer. */
  from: AgentAddress
  /** The recipient. */
  to: AgentAddress
}

/** Options of {@link openEnvelope}. */
export interface OpenEnvelopeOptions {
  /** The peer at the other end of the connection the bytes came from. */
  remotePeer: string
  /** Checks the signature against `remotePeer`'s key. */
  verifier: Verifier
  /** Size cap of the encoded Signed message. Default {@link DEFAULT_MAX_ENVELOPE_BYTES}. */
  maxBytes?: number
  /** When given, the envelope must be addressed to this peer (`RECIPIENT_MISMATCH`). */
  localPeer?: string
}

/**
 * Encodes an envelope and signs it: the result is an encoded Signed whose
 * signature covers "agentmesh/envelope/v1\0" || encoded Envelope.
 *
 * @throws {EnvelopeError} `MALFORMED` if a field is out of shape, `SENDER_MISMATCH`
 * if `from.peer` is not the signer (receivers would refuse it)
 */
export function sealEnvelope (fields: EnvelopeFields, signer: Signer): Uint8Array {
  const envelope: Envelope = {
    id: fields.id as Uint8Array<ArrayBuffer>,
    from: fields.from,
    to: fields.to,
    timestampMs: fields.timestampMs,
    nonce: fields.nonce as Uint8Array<ArrayBuffer>,
    seq: fields.seq,
    deadlineMs: fields.deadlineMs ?? 0,
    delegation: (fields.delegation ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
    traceparent: fields.traceparent ?? '',
    tracestate: fields.tracestate ?? '',
    method: fields.method,
    payload: fields.payload as Uint8Array<ArrayBuffer>
  }
  const problem = shapeProblem(envelope)
  if (problem != null) throw new EnvelopeError('MALFORMED', `cannot seal envelope: ${problem}`)
  if (envelope.from?.peer !== signer.peerId) {
    throw new EnvelopeError('SENDER_MISMATCH', `envelope from ${envelope.from?.peer} cannot be signed by ${signer.peerId}`)
  }
  return signBody(ENVELOPE_DOMAIN, Envelope.encode(envelope), signer)
}

/**
 * Decodes and authenticates an envelope received from `remotePeer`. Checks, in
 * order: size (`OVERSIZED`), structure (`MALFORMED`), that the sender is the
 * connection's peer (`SENDER_MISMATCH`), optionally that we are the recipient
 * (`RECIPIENT_MISMATCH`), and the signature (`BAD_SIGNATURE`). Replay is the
 * {@link ReplayWindow}'s job.
 *
 * @throws {EnvelopeError}
 */
export function openEnvelope (bytes: Uint8Array, options: OpenEnvelopeOptions): OpenedEnvelope {
  const signed = decodeSigned(bytes, options.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES, 'envelope')
  let envelope: Envelope
  try {
    envelope = Envelope.decode(signed.body)
  } catch (err) {
    throw new EnvelopeError('MALFORMED', 'envelope body does not decode', { cause: err })
  }
  const problem = shapeProblem(envelope)
  if (problem != null) throw new EnvelopeError('MALFORMED', `envelope: ${problem}`)
  const opened = envelope as OpenedEnvelope
  if (opened.from.peer !== options.remotePeer) {
    throw new EnvelopeError('SENDER_MISMATCH', `envelope from ${opened.from.peer} arrived from ${options.remotePeer}`)
  }
  if (options.localPeer != null && opened.to.peer !== options.localPeer) {
    throw new EnvelopeError('RECIPIENT_MISMATCH', `envelope for ${opened.to.peer} arrived at ${options.localPeer}`)
  }
  checkSignature(ENVELOPE_DOMAIN, signed, options.remotePeer, options.verifier, 'envelope')
  return opened
}

/** What is wrong with the envelope's shape, or undefined if nothing. */
function shapeProblem (envelope: Envelope): string | undefined {
  if (envelope.id?.byteLength !== ID_BYTES) return `id must be ${ID_BYTES} bytes`
  if (envelope.nonce?.byteLength !== NONCE_BYTES) return `nonce must be ${NONCE_BYTES} bytes`
  if (!isAddress(envelope.from)) return 'from needs a peer and an agent'
  if (!isAddress(envelope.to)) return 'to needs a peer and an agent'
  if (!isPositiveSafeInteger(envelope.timestampMs)) return 'timestampMs must be a positive safe integer'
  if (!isPositiveSafeInteger(envelope.seq)) return 'seq must be a positive safe integer'
  if (!Number.isSafeInteger(envelope.deadlineMs) || envelope.deadlineMs < 0) return 'deadlineMs must be a non-negative safe integer'
  return undefined
}

function isAddress (address: AgentAddress | undefined): address is AgentAddress {
  return typeof address?.peer === 'string' && address.peer !== '' &&
    typeof address.agent === 'string' && address.agent !== ''
}

function isPositiveSafeInteger (value: number): boolean {
  return Number.isSafeInteger(value) && value > 0
}
