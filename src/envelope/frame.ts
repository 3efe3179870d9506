import { Frame, FrameKind } from '../pb/agentmesh.js'
import { DEFAULT_MAX_FRAME_BYTES, FRAME_DOMAIN, ID_BYTES } from './constants.js'
import { EnvelopeError } from './errors.js'
import { checkSignature, decodeSigned, signBody } from './signed.js'
import type { Signer } from './signer.js'
import type { Verifier } from './verifier.js'

/** What a responder puts in a frame; `payload` defaults to empty. */
export interface FrameFields {
  /** The id of the envelope this frame answers (16 bytes). */
  envelopeId: Uint8Array
  /** Position in the response stream, from 0. */
  index: number
  /** Any kind but `FRAME_KIND_UNSPECIFIED`. */
  kind: FrameKind
  /** RESULT/EVENT: UTF-8 JSON-RPC; ERROR: UTF-8 JSON {code, message}; ACK/END: usually empty. */
  payload?: Uint8Array
  /** Responder's clock (ms since the epoch) at sealing. */
  timestampMs: number
}

/** Options of {@link openFrame}. */
export interface OpenFrameOptions {
  /** The peer at the other end of the stream: the envelope's recipient. */
  remotePeer: string
  /** Checks the signature against `remotePeer`'s key. */
  verifier: Verifier
  /** Size cap of the encoded Signed message. Default {@link DEFAULT_MAX_FRAME_BYTES}. */
  maxBytes?: number
}

/**
 * Encodes a frame and signs it: the result is an encoded Signed whose signature
 * covers "agentmesh/frame/v1\0" || encoded Frame.
 *
 * @throws {EnvelopeError} `MALFORMED` if a field is out of shape
 */
export function sealFrame (fields: FrameFields, signer: Signer): Uint8Array {
  const frame: Frame = {
    envelopeId: fields.envelopeId as Uint8Array<ArrayBuffer>,
    index: fields.index,
    kind: fields.kind,
    payload: (fields.payload ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
    timestampMs: fields.timestampMs
  }
  const problem = shapeProblem(frame)
  if (problem != null) throw new EnvelopeError('MALFORMED', `cannot seal frame: ${problem}`)
  return signBody(FRAME_DOMAIN, Frame.encode(frame), signer)
}

/**
 * Decodes and authenticates a frame received from `remotePeer`. Checks, in
 * order: size (`OVERSIZED`), structure (`MALFORMED`, including unknown kinds)
 * and the signature (`BAD_SIGNATURE`). Frames carry no sender field: the
 * signature alone binds them to the peer on the stream.
 *
 * @throws {EnvelopeError}
 */
export function openFrame (bytes: Uint8Array, options: OpenFrameOptions): Frame {
  const signed = decodeSigned(bytes, options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES, 'frame')
  let frame: Frame
  try {
    frame = Frame.decode(signed.body)
  } catch (err) {
    throw new EnvelopeError('MALFORMED', 'frame body does not decode', { cause: err })
  }
  const problem = shapeProblem(frame)
  if (problem != null) throw new EnvelopeError('MALFORMED', `frame: ${problem}`)
  checkSignature(FRAME_DOMAIN, signed, options.remotePeer, options.verifier, 'frame')
  return frame
}

const KINDS = new Set<string>([FrameKind.ACK, FrameKind.RESULT, FrameKind.EVENT, FrameKind.ERROR, FrameKind.END])

function shapeProblem (frame: Frame): string | undefined {
  if (frame.envelopeId?.byteLength !== ID_BYTES) return `envelopeId must be ${ID_BYTES} bytes`
  if (!KINDS.has(frame.kind)) return `kind ${String(frame.kind)} is not a frame kind`
  if (!Number.isInteger(frame.index) || frame.index < 0 || frame.index > 0xffff_ffff) return 'index must be a uint32'
  if (!Number.isSafeInteger(frame.timestampMs) || frame.timestampMs <= 0) return 'timestampMs must be a positive safe integer'
  return undefined
}
