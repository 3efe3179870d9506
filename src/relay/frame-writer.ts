import { FrameKind, sealFrame, type Signer } from '../envelope/index.js'

const encoder = new TextEncoder()

/** Seals numbered frames for one envelope. */
export class FrameWriter {
  private index = 0
  constructor (private readonly envelopeId: Uint8Array, private readonly signer: Signer, private readonly now: () => number) {}

  /** Seals the next frame (index 0, 1, 2, …). */
  next (kind: FrameKind, payload?: string): Uint8Array {
    return sealFrame({
      envelopeId: this.envelopeId,
      index: this.index++,
      kind,
      ...(payload !== undefined ? { payload: encoder.encode(payload) } : {}),
      timestampMs: this.now()
    }, this.signer)
  }

  /** An ERROR frame with `{ code, message }`, and the deciding `rule` for a policy denial. */
  error (code: string, message: string, rule?: string): Uint8Array {
    return this.next(FrameKind.ERROR, JSON.stringify(rule === undefined ? { code, message } : { code, message, rule }))
  }
}
