import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AgentAddress {
  peer: string
  agent: string
}

export namespace AgentAddress {
  let _codec: Codec<AgentAddress>

  export const codec = (): Codec<AgentAddress> => {
    if (_codec == null) {
      _codec = message<AgentAddress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(18)
          w.string(obj.agent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          agent: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.agent = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AgentAddressPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface AgentAddressAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export function encode (obj: Partial<AgentAddress>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentAddress.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentAddress>): AgentAddress {
    return decodeMessage(buf, AgentAddress.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentAddress>): Generator<AgentAddressPeerFieldEvent | AgentAddressAgentFieldEvent> {
    return streamMessage(buf, AgentAddress.codec(), opts)
  }
}

export interface Envelope {
  id: Uint8Array<ArrayBuffer>
  from?: AgentAddress
  to?: AgentAddress
  timestampMs: number
  nonce: Uint8Array<ArrayBuffer>
  seq: number
  deadlineMs: number
  delegation: Uint8Array<ArrayBuffer>
  traceparent: string
  tracestate: string
  method: string
  payload: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.from != null) {
          w.uint32(18)
          AgentAddress.codec().encode(obj.from, w)
        }

        if (obj.to != null) {
          w.uint32(26)
          AgentAddress.codec().encode(obj.to, w)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.timestampMs)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.nonce)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.seq)
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.deadlineMs)
        }

        if ((obj.delegation != null && obj.delegation.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.delegation)
        }

        if ((obj.traceparent != null && obj.traceparent !== '')) {
          w.uint32(74)
          w.string(obj.traceparent)
        }

        if ((obj.tracestate != null && obj.tracestate !== '')) {
          w.uint32(82)
          w.string(obj.tracestate)
        }

        if ((obj.method != null && obj.method !== '')) {
          w.uint32(90)
          w.string(obj.method)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.payload)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          timestampMs: 0,
          nonce: uint8ArrayAlloc(0),
          seq: 0,
          deadlineMs: 0,
          delegation: uint8ArrayAlloc(0),
          traceparent: '',
          tracestate: '',
          method: '',
          payload: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.from = AgentAddress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.from
              })
              break
            }
            case 3: {
              obj.to = AgentAddress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.to
              })
              break
            }
            case 4: {
              obj.timestampMs = reader.uint64Number()
              break
            }
            case 5: {
              obj.nonce = reader.bytes()
              break
            }
            case 6: {
              obj.seq = reader.uint64Number()
              break
            }
            case 7: {
              obj.deadlineMs = reader.uint64Number()
              break
            }
            case 8: {
              obj.delegation = reader.bytes()
              break
            }
            case 9: {
              obj.traceparent = reader.string()
              break
            }
            case 10: {
              obj.tracestate = reader.string()
              break
            }
            case 11: {
              obj.method = reader.string()
              break
            }
            case 12: {
              obj.payload = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield * AgentAddress.codec().stream(reader, reader.uint32(), `${prefix}.from`, {
                limits: opts.limits?.from
              })

              break
            }
            case 3: {
              yield * AgentAddress.codec().stream(reader, reader.uint32(), `${prefix}.to`, {
                limits: opts.limits?.to
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.deadlineMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.delegation`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.tracestate`,
                value: reader.string()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.method`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeFromPeerFieldEvent {
    field: '$.from.peer'
    value: string
  }

  export interface EnvelopeFromAgentFieldEvent {
    field: '$.from.agent'
    value: string
  }

  export interface EnvelopeToPeerFieldEvent {
    field: '$.to.peer'
    value: string
  }

  export interface EnvelopeToAgentFieldEvent {
    field: '$.to.agent'
    value: string
  }

  export interface EnvelopeTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: number
  }

  export interface EnvelopeNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface EnvelopeDeadlineMsFieldEvent {
    field: '$.deadlineMs'
    value: number
  }

  export interface EnvelopeDelegationFieldEvent {
    field: '$.delegation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export interface EnvelopeTracestateFieldEvent {
    field: '$.tracestate'
    value: string
  }

  export interface EnvelopeMethodFieldEvent {
    field: '$.method'
    value: string
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeIdFieldEvent | EnvelopeFromPeerFieldEvent | EnvelopeFromAgentFieldEvent | EnvelopeToPeerFieldEvent | EnvelopeToAgentFieldEvent | EnvelopeTimestampMsFieldEvent | EnvelopeNonceFieldEvent | EnvelopeSeqFieldEvent | EnvelopeDeadlineMsFieldEvent | EnvelopeDelegationFieldEvent | EnvelopeTraceparentFieldEvent | EnvelopeTracestateFieldEvent | EnvelopeMethodFieldEvent | EnvelopePayloadFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface Signed {
  body: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Signed {
  let _codec: Codec<Signed>

  export const codec = (): Codec<Signed> => {
    if (_codec == null) {
      _codec = message<Signed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Signed>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Signed.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signed>): Signed {
    return decodeMessage(buf, Signed.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signed>): Generator<SignedBodyFieldEvent | SignedSignatureFieldEvent> {
    return streamMessage(buf, Signed.codec(), opts)
  }
}

export enum FrameKind {
  FRAME_KIND_UNSPECIFIED = 'FRAME_KIND_UNSPECIFIED',
  ACK = 'ACK',
  RESULT = 'RESULT',
  EVENT = 'EVENT',
  ERROR = 'ERROR',
  END = 'END'
}

enum __FrameKindValues {
  FRAME_KIND_UNSPECIFIED = 0,
  ACK = 1,
  RESULT = 2,
  EVENT = 3,
  ERROR = 4,
  END = 5
}

export namespace FrameKind {
  export const codec = (): Codec<FrameKind> => {
    return enumeration<FrameKind>(__FrameKindValues)
  }
}

export interface Frame {
  envelopeId: Uint8Array<ArrayBuffer>
  index: number
  kind: FrameKind
  payload: Uint8Array<ArrayBuffer>
  timestampMs: number
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.envelopeId != null && obj.envelopeId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.envelopeId)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(16)
          w.uint32(obj.index)
        }

        if (obj.kind != null && __FrameKindValues[obj.kind] !== 0) {
          w.uint32(24)
          FrameKind.codec().encode(obj.kind, w)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.payload)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.timestampMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopeId: uint8ArrayAlloc(0),
          index: 0,
          kind: FrameKind.FRAME_KIND_UNSPECIFIED,
          payload: uint8ArrayAlloc(0),
          timestampMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelopeId = reader.bytes()
              break
            }
            case 2: {
              obj.index = reader.uint32()
              break
            }
            case 3: {
              obj.kind = FrameKind.codec().decode(reader)
              break
            }
            case 4: {
              obj.payload = reader.bytes()
              break
            }
            case 5: {
              obj.timestampMs = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.envelopeId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: FrameKind.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrameEnvelopeIdFieldEvent {
    field: '$.envelopeId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface FrameKindFieldEvent {
    field: '$.kind'
    value: FrameKind
  }

  export interface FramePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: number
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameEnvelopeIdFieldEvent | FrameIndexFieldEvent | FrameKindFieldEvent | FramePayloadFieldEvent | FrameTimestampMsFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}
