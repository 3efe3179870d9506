import { beforeAll, describe, expect, it } from 'vitest'
import {
  ENVELOPE_DOMAIN, EnvelopeError, FRAME_DOMAIN, FrameKind, createVerifier, openEnvelope, openFrame, sealEnvelope, sealFrame
} from '../../../src/envelope/index.js'
import type { EnvelopeErrorCode, Signer, Verifier } from '../../../src/envelope/index.js'
import { Envelope, Signed } from '../../../src/pb/agentmesh.js'
import { envelopeFields, newSigner, thrown } from './helpers.js'

let alice: Signer
let bob: Signer
let mallory: Signer
let verifier: Verifier

beforeAll(async () => {
  alice = await newSigner()
  bob = await newSigner()
  mallory = await newSigner()
  verifier = createVerifier()
})

function codeOf (fn: () => unknown): EnvelopeErrorCode {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(EnvelopeError)
  return (err as EnvelopeError).code
}

describe('sealEnvelope / openEnvelope', () => {
  it('round-trips every field', () => {
    const fields = envelopeFields(alice.peerId, bob.peerId, {
      seq: 42,
      deadlineMs: 1_700_000_060_000,
      delegation: new Uint8Array([1, 2, 3]),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=value'
    })
    const opened = openEnvelope(sealEnvelope(fields, alice), { remotePeer: alice.peerId, verifier, localPeer: bob.peerId })
    expect(opened).toEqual({
      ...fields,
      id: new Uint8Array(fields.id),
      nonce: new Uint8Array(fields.nonce),
      delegation: new Uint8Array([1, 2, 3]),
      payload: new Uint8Array(fields.payload)
    })
  })

  it('signs the domain-prefixed body, not the body alone', () => {
    const sealed = Signed.decode(sealEnvelope(envelopeFields(alice.peerId, bob.peerId), alice))
    const prefixed = new Uint8Array([...ENVELOPE_DOMAIN, ...sealed.body])
    expect(verifier.verify(alice.peerId, prefixed, sealed.signature)).toBe(true)
    expect(verifier.verify(alice.peerId, sealed.body, sealed.signature)).toBe(false)
    expect(new TextDecoder().decode(ENVELOPE_DOMAIN)).toBe('agentmesh/envelope/v1\0')
  })

  it('refuses an envelope signed under the frame domain (domain separation)', () => {
    const body = Envelope.encode({ ...envelopeFields(alice.peerId, bob.peerId) } as Envelope)
    const signature = alice.sign(new Uint8Array([...FRAME_DOMAIN, ...body]))
    const bytes = Signed.encode({ body, signature: signature as Uint8Array<ArrayBuffer> })
    expect(codeOf(() => openEnvelope(bytes, { remotePeer: alice.peerId, verifier }))).toBe('BAD_SIGNATURE')
  })

  it('refuses a frame presented as an envelope', () => {
    const frame = sealFrame({ envelopeId: new Uint8Array(16), index: 0, kind: FrameKind.ACK, timestampMs: 1 }, alice)
    expect(codeOf(() => openEnvelope(frame, { remotePeer: alice.peerId, verifier }))).toBe('MALFORMED')
  })

  it('refuses every single-bit flip of a sealed envelope', () => {
    const sealed = sealEnvelope({
      ...envelopeFields(alice.peerId, bob.peerId),
      payload: new TextEncoder().encode('{}'),
      method: 'm'
    }, alice)
    const tally: Partial<Record<EnvelopeErrorCode, number>> = {}
    for (let bit = 0; bit < sealed.byteLength * 8; bit++) {
      const flipped = sealed.slice()
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7))
      const code = codeOf(() => openEnvelope(flipped, { remotePeer: alice.peerId, verifier }))
      // A flip inside from.peer is caught as a sender mismatch before the signature.
      expect(['MALFORMED', 'SENDER_MISMATCH', 'BAD_SIGNATURE']).toContain(code)
      tally[code] = (tally[code] ?? 0) + 1
    }
    expect(tally.BAD_SIGNATURE).toBeGreaterThan(0)
    expect(tally.MALFORMED).toBeGreaterThan(0)
    // The unflipped original still opens, so the loop above tested flips, not a broken seal.
    expect(() => openEnvelope(sealed, { remotePeer: alice.peerId, verifier })).not.toThrow()
  })

  it('refuses a re-encoded wrapper around an authentic body and signature', () => {
    const sealed = sealEnvelope(envelopeFields(alice.peerId, bob.peerId), alice)
    const { body, signature } = Signed.decode(sealed)
    const variants = [
      new Uint8Array([...sealed, 0x18, 0x01]), // an unknown field appended
      new Uint8Array([...sealed.subarray(sealed.byteLength - 66), ...sealed.subarray(0, sealed.byteLength - 66)]), // fields swapped
      new Uint8Array([...sealed, ...Signed.encode({ body, signature })]) // fields repeated
    ]
    expect(Signed.decode(variants[1]!)).toEqual({ body, signature }) // the decoder alone would take it
    for (const bytes of variants) {
      expect(codeOf(() => openEnvelope(bytes, { remotePeer: alice.peerId, verifier }))).toBe('MALFORMED')
    }
  })

  it('accepts unknown fields inside the signed body (newer senders)', () => {
    const body = new Uint8Array([...Envelope.encode(envelopeFields(alice.peerId, bob.peerId) as Envelope), 0xa0, 0x06, 0x01]) // field 100 = 1
    const signature = alice.sign(new Uint8Array([...ENVELOPE_DOMAIN, ...body])) as Uint8Array<ArrayBuffer>
    const bytes = Signed.encode({ body: body as Uint8Array<ArrayBuffer>, signature })
    expect(openEnvelope(bytes, { remotePeer: alice.peerId, verifier }).method).toBe('message/send')
  })

  it('refuses a valid envelope relayed by another peer (SENDER_MISMATCH)', () => {
    const sealed = sealEnvelope(envelopeFields(alice.peerId, bob.peerId), alice)
    expect(codeOf(() => openEnvelope(sealed, { remotePeer: mallory.peerId, verifier }))).toBe('SENDER_MISMATCH')
  })

  it('refuses an envelope claiming another sender than its signer (BAD_SIGNATURE)', () => {
    // Mallory builds an envelope "from alice" and signs it herself, then sends it as alice would.
    const body = Envelope.encode({ ...envelopeFields(alice.peerId, bob.peerId) } as Envelope)
    const signature = mallory.sign(new Uint8Array([...ENVELOPE_DOMAIN, ...body]))
    const bytes = Signed.encode({ body, signature: signature as Uint8Array<ArrayBuffer> })
    expect(codeOf(() => openEnvelope(bytes, { remotePeer: alice.peerId, verifier }))).toBe('BAD_SIGNATURE')
  })

  it('refuses an envelope addressed to another peer when localPeer is given', () => {
    const sealed = sealEnvelope(envelopeFields(alice.peerId, mallory.peerId), alice)
    expect(codeOf(() => openEnvelope(sealed, { remotePeer: alice.peerId, verifier, localPeer: bob.peerId }))).toBe('RECIPIENT_MISMATCH')
  })

  it('refuses oversized input before decoding it', () => {
    const sealed = sealEnvelope(envelopeFields(alice.peerId, bob.peerId), alice)
    expect(codeOf(() => openEnvelope(sealed, { remotePeer: alice.peerId, verifier, maxBytes: sealed.byteLength - 1 }))).toBe('OVERSIZED')
    expect(() => openEnvelope(sealed, { remotePeer: alice.peerId, verifier, maxBytes: sealed.byteLength })).not.toThrow()
    const huge = new Uint8Array(1024 * 1024 + 1)
    expect(codeOf(() => openEnvelope(huge, { remotePeer: alice.peerId, verifier }))).toBe('OVERSIZED')
  })

  it('refuses garbage and empty input as MALFORMED', () => {
    const garbage = [
      new Uint8Array(0),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      new TextEncoder().encode('{"jsonrpc":"2.0"}'),
      new Uint8Array([0x0a, 0x05, 1, 2]) // body length beyond the end
    ]
    for (let i = 0; i < 200; i++) garbage.push(new Uint8Array(Array.from({ length: 1 + (i % 64) }, (_, j) => (i * 31 + j * 17) & 0xff)))
    for (const bytes of garbage) {
      expect(codeOf(() => openEnvelope(bytes, { remotePeer: alice.peerId, verifier }))).toBe('MALFORMED')
    }
  })

  it('refuses a signed body with a missing or ill-sized id or nonce, or no seq', () => {
    const bad: Array<Partial<Envelope>> = [
      { id: new Uint8Array(15) as Uint8Array<ArrayBuffer> },
      { id: new Uint8Array(0) as Uint8Array<ArrayBuffer> },
      { nonce: new Uint8Array(17) as Uint8Array<ArrayBuffer> },
      { nonce: new Uint8Array(0) as Uint8Array<ArrayBuffer> },
      { seq: 0 },
      { timestampMs: 0 },
      { from: undefined },
      { to: { peer: bob.peerId, agent: '' } }
    ]
    for (const override of bad) {
      const body = Envelope.encode({ ...envelopeFields(alice.peerId, bob.peerId), ...override } as Envelope)
      const signature = alice.sign(new Uint8Array([...ENVELOPE_DOMAIN, ...body])) as Uint8Array<ArrayBuffer>
      const bytes = Signed.encode({ body, signature })
      expect(codeOf(() => openEnvelope(bytes, { remotePeer: alice.peerId, verifier }))).toBe('MALFORMED')
    }
  })

  it('refuses to seal what receivers would refuse', () => {
    expect(codeOf(() => sealEnvelope(envelopeFields(alice.peerId, bob.peerId, { nonce: new Uint8Array(8) }), alice))).toBe('MALFORMED')
    expect(codeOf(() => sealEnvelope(envelopeFields(alice.peerId, bob.peerId, { seq: 0 }), alice))).toBe('MALFORMED')
    expect(codeOf(() => sealEnvelope(envelopeFields(alice.peerId, bob.peerId, { seq: 2 ** 53 }), alice))).toBe('MALFORMED')
    expect(codeOf(() => sealEnvelope(envelopeFields(alice.peerId, bob.peerId), mallory))).toBe('SENDER_MISMATCH')
  })

  it('maps verifier errors (non-Ed25519 remote peer) to BAD_SIGNATURE and keeps the cause', () => {
    const rsaLike = 'QmUdch66wH1SpWnQCaRtCcD7VS7Dn3AF6m8bWfQa1cpEG7'
    const fields = envelopeFields(rsaLike, bob.peerId)
    const body = Envelope.encode(fields as Envelope)
    const bytes = Signed.encode({ body, signature: new Uint8Array(64) as Uint8Array<ArrayBuffer> })
    const err = thrown(() => openEnvelope(bytes, { remotePeer: rsaLike, verifier })) as EnvelopeError
    expect(err.code).toBe('BAD_SIGNATURE')
    expect((err.cause as Error).name).toBe('PeerKeyError')
  })
})

describe('sealFrame / openFrame', () => {
  const envelopeId = new Uint8Array(16).fill(7)

  it('round-trips', () => {
    const payload = new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"result":{}}')
    const sealed = sealFrame({ envelopeId, index: 3, kind: FrameKind.RESULT, payload, timestampMs: 1_700_000_000_123 }, bob)
    expect(openFrame(sealed, { remotePeer: bob.peerId, verifier })).toEqual({
      envelopeId, index: 3, kind: FrameKind.RESULT, payload, timestampMs: 1_700_000_000_123
    })
  })

  it('refuses a frame signed by another peer, flipped, oversized, or of no kind', () => {
    const sealed = sealFrame({ envelopeId, index: 0, kind: FrameKind.ACK, timestampMs: 1 }, bob)
    expect(codeOf(() => openFrame(sealed, { remotePeer: alice.peerId, verifier }))).toBe('BAD_SIGNATURE')
    expect(codeOf(() => openFrame(sealed, { remotePeer: bob.peerId, verifier, maxBytes: 10 }))).toBe('OVERSIZED')
    for (let bit = 0; bit < sealed.byteLength * 8; bit++) {
      const flipped = sealed.slice()
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7))
      expect(['MALFORMED', 'BAD_SIGNATURE']).toContain(codeOf(() => openFrame(flipped, { remotePeer: bob.peerId, verifier })))
    }
    expect(codeOf(() => sealFrame({ envelopeId, index: 0, kind: FrameKind.FRAME_KIND_UNSPECIFIED, timestampMs: 1 }, bob))).toBe('MALFORMED')
  })

  it('refuses an envelope presented as a frame', () => {
    const envelope = sealEnvelope(envelopeFields(bob.peerId, alice.peerId), bob)
    expect(codeOf(() => openFrame(envelope, { remotePeer: bob.peerId, verifier }))).toBe('MALFORMED')
  })

  it('refuses a frame signed under the envelope domain', () => {
    const frame = Signed.decode(sealFrame({ envelopeId, index: 0, kind: FrameKind.END, timestampMs: 1 }, bob))
    const signature = bob.sign(new Uint8Array([...ENVELOPE_DOMAIN, ...frame.body])) as Uint8Array<ArrayBuffer>
    const bytes = Signed.encode({ body: frame.body, signature })
    expect(codeOf(() => openFrame(bytes, { remotePeer: bob.peerId, verifier }))).toBe('BAD_SIGNATURE')
  })
})
