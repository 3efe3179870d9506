import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
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

export interface AgentGrant {
  name: string
  role: string
  parent: string
}

export namespace AgentGrant {
  let _codec: Codec<AgentGrant>

  export const codec = (): Codec<AgentGrant> => {
    if (_codec == null) {
      _codec = message<AgentGrant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(18)
          w.string(obj.role)
        }

        if ((obj.parent != null && obj.parent !== '')) {
          w.uint32(26)
          w.string(obj.parent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          role: '',
          parent: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.role = reader.string()
              break
            }
            case 3: {
              obj.parent = reader.string()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parent`,
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

  export interface AgentGrantNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AgentGrantRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface AgentGrantParentFieldEvent {
    field: '$.parent'
    value: string
  }

  export function encode (obj: Partial<AgentGrant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentGrant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentGrant>): AgentGrant {
    return decodeMessage(buf, AgentGrant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentGrant>): Generator<AgentGrantNameFieldEvent | AgentGrantRoleFieldEvent | AgentGrantParentFieldEvent> {
    return streamMessage(buf, AgentGrant.codec(), opts)
  }
}

export interface Certificate {
  serial: number
  issuer: string
  subject: string
  agents: AgentGrant[]
  groups: string[]
  notBeforeMs: number
  notAfterMs: number
  issuedMs: number
}

export namespace Certificate {
  let _codec: Codec<Certificate>

  export const codec = (): Codec<Certificate> => {
    if (_codec == null) {
      _codec = message<Certificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.serial != null && obj.serial !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.serial)
        }

        if ((obj.issuer != null && obj.issuer !== '')) {
          w.uint32(18)
          w.string(obj.issuer)
        }

        if ((obj.subject != null && obj.subject !== '')) {
          w.uint32(26)
          w.string(obj.subject)
        }

        if (obj.agents != null && obj.agents.length > 0) {
          for (const value of obj.agents) {
            w.uint32(34)
            AgentGrant.codec().encode(value, w)
          }
        }

        if (obj.groups != null && obj.groups.length > 0) {
          for (const value of obj.groups) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.notBeforeMs != null && obj.notBeforeMs !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.notBeforeMs)
        }

        if ((obj.notAfterMs != null && obj.notAfterMs !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.notAfterMs)
        }

        if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.issuedMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          serial: 0,
          issuer: '',
          subject: '',
          agents: [],
          groups: [],
          notBeforeMs: 0,
          notAfterMs: 0,
          issuedMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.serial = reader.uint64Number()
              break
            }
            case 2: {
              obj.issuer = reader.string()
              break
            }
            case 3: {
              obj.subject = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.agents != null && obj.agents.length === opts.limits.agents) {
                throw new MaxLengthError('Decode error - repeated field "agents" had too many elements')
              }

              obj.agents.push(AgentGrant.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.agents$
              }))
              break
            }
            case 5: {
              if (opts.limits?.groups != null && obj.groups.length === opts.limits.groups) {
                throw new MaxLengthError('Decode error - repeated field "groups" had too many elements')
              }

              obj.groups.push(reader.string())
              break
            }
            case 6: {
              obj.notBeforeMs = reader.uint64Number()
              break
            }
            case 7: {
              obj.notAfterMs = reader.uint64Number()
              break
            }
            case 8: {
              obj.issuedMs = reader.uint64Number()
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
        const obj = {
          agents: 0,
          groups: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.serial`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.subject`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.agents != null && obj.agents === opts.limits.agents) {
                throw new MaxLengthError('Streaming decode error - repeated field "agents" had too many elements')
              }

              for (const evt of AgentGrant.codec().stream(reader, reader.uint32(), `${prefix}.agents[]`, {
                limits: opts.limits?.agents$
              })) {
                yield {
                  ...evt,
                  index: obj.agents
                }
              }

              obj.agents++

              break
            }
            case 5: {
              if (opts.limits?.groups != null && obj.groups === opts.limits.groups) {
                throw new MaxLengthError('Streaming decode error - repeated field "groups" had too many elements')
              }

              yield {
                field: `${prefix}.groups[]`,
                index: obj.groups,
                value: reader.string()
              }

              obj.groups++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.notBeforeMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.notAfterMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.issuedMs`,
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

  export interface CertificateSerialFieldEvent {
    field: '$.serial'
    value: number
  }

  export interface CertificateIssuerFieldEvent {
    field: '$.issuer'
    value: string
  }

  export interface CertificateSubjectFieldEvent {
    field: '$.subject'
    value: string
  }

  export interface CertificateAgentsNameFieldEvent {
    field: '$.agents[].name'
    value: string
    index: number
  }

  export interface CertificateAgentsRoleFieldEvent {
    field: '$.agents[].role'
    value: string
    index: number
  }

  export interface CertificateAgentsParentFieldEvent {
    field: '$.agents[].parent'
    value: string
    index: number
  }

  export interface CertificateGroupsFieldEvent {
    field: '$.groups[]'
    index: number
    value: string
  }

  export interface CertificateNotBeforeMsFieldEvent {
    field: '$.notBeforeMs'
    value: number
  }

  export interface CertificateNotAfterMsFieldEvent {
    field: '$.notAfterMs'
    value: number
  }

  export interface CertificateIssuedMsFieldEvent {
    field: '$.issuedMs'
    value: number
  }

  export function encode (obj: Partial<Certificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Certificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Certificate>): Certificate {
    return decodeMessage(buf, Certificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Certificate>): Generator<CertificateSerialFieldEvent | CertificateIssuerFieldEvent | CertificateSubjectFieldEvent | CertificateAgentsNameFieldEvent | CertificateAgentsRoleFieldEvent | CertificateAgentsParentFieldEvent | CertificateGroupsFieldEvent | CertificateNotBeforeMsFieldEvent | CertificateNotAfterMsFieldEvent | CertificateIssuedMsFieldEvent> {
    return streamMessage(buf, Certificate.codec(), opts)
  }
}

export interface PolicyRelease {
  issuer: string
  version: number
  issuedMs: number
  document: string
}

export namespace PolicyRelease {
  let _codec: Codec<PolicyRelease>

  export const codec = (): Codec<PolicyRelease> => {
    if (_codec == null) {
      _codec = message<PolicyRelease>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.issuer != null && obj.issuer !== '')) {
          w.uint32(10)
          w.string(obj.issuer)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.version)
        }

        if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.issuedMs)
        }

        if ((obj.document != null && obj.document !== '')) {
          w.uint32(34)
          w.string(obj.document)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          issuer: '',
          version: 0,
          issuedMs: 0,
          document: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.issuer = reader.string()
              break
            }
            case 2: {
              obj.version = reader.uint64Number()
              break
            }
            case 3: {
              obj.issuedMs = reader.uint64Number()
              break
            }
            case 4: {
              obj.document = reader.string()
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
                field: `${prefix}.issuer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.document`,
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

  export interface PolicyReleaseIssuerFieldEvent {
    field: '$.issuer'
    value: string
  }

  export interface PolicyReleaseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PolicyReleaseIssuedMsFieldEvent {
    field: '$.issuedMs'
    value: number
  }

  export interface PolicyReleaseDocumentFieldEvent {
    field: '$.document'
    value: string
  }

  export function encode (obj: Partial<PolicyRelease>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PolicyRelease.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PolicyRelease>): PolicyRelease {
    return decodeMessage(buf, PolicyRelease.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PolicyRelease>): Generator<PolicyReleaseIssuerFieldEvent | PolicyReleaseVersionFieldEvent | PolicyReleaseIssuedMsFieldEvent | PolicyReleaseDocumentFieldEvent> {
    return streamMessage(buf, PolicyRelease.codec(), opts)
  }
}

export interface RevocationList {
  issuer: string
  version: number
  issuedMs: number
  serials: number[]
}

export namespace RevocationList {
  let _codec: Codec<RevocationList>

  export const codec = (): Codec<RevocationList> => {
    if (_codec == null) {
      _codec = message<RevocationList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.issuer != null && obj.issuer !== '')) {
          w.uint32(10)
          w.string(obj.issuer)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.version)
        }

        if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.issuedMs)
        }

        if (obj.serials != null && obj.serials.length > 0) {
          for (const value of obj.serials) {
            w.uint32(32)
            w.uint64Number(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          issuer: '',
          version: 0,
          issuedMs: 0,
          serials: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.issuer = reader.string()
              break
            }
            case 2: {
              obj.version = reader.uint64Number()
              break
            }
            case 3: {
              obj.issuedMs = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.serials != null && obj.serials.length === opts.limits.serials) {
                throw new MaxLengthError('Decode error - repeated field "serials" had too many elements')
              }

              obj.serials.push(reader.uint64Number())
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
        const obj = {
          serials: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.serials != null && obj.serials === opts.limits.serials) {
                throw new MaxLengthError('Streaming decode error - repeated field "serials" had too many elements')
              }

              yield {
                field: `${prefix}.serials[]`,
                index: obj.serials,
                value: reader.uint64Number()
              }

              obj.serials++

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

  export interface RevocationListIssuerFieldEvent {
    field: '$.issuer'
    value: string
  }

  export interface RevocationListVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RevocationListIssuedMsFieldEvent {
    field: '$.issuedMs'
    value: number
  }

  export interface RevocationListSerialsFieldEvent {
    field: '$.serials[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<RevocationList>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevocationList.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationList>): RevocationList {
    return decodeMessage(buf, RevocationList.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevocationList>): Generator<RevocationListIssuerFieldEvent | RevocationListVersionFieldEvent | RevocationListIssuedMsFieldEvent | RevocationListSerialsFieldEvent> {
    return streamMessage(buf, RevocationList.codec(), opts)
  }
}

export interface Hello {
  certificate: Uint8Array<ArrayBuffer>
  policies: Uint8Array<ArrayBuffer>[]
  revocations: Uint8Array<ArrayBuffer>[]
  mesh: string
  refusal: string
}

export namespace Hello {
  let _codec: Codec<Hello>

  export const codec = (): Codec<Hello> => {
    if (_codec == null) {
      _codec = message<Hello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if (obj.policies != null && obj.policies.length > 0) {
          for (const value of obj.policies) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.revocations != null && obj.revocations.length > 0) {
          for (const value of obj.revocations) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if ((obj.mesh != null && obj.mesh !== '')) {
          w.uint32(34)
          w.string(obj.mesh)
        }

        if ((obj.refusal != null && obj.refusal !== '')) {
          w.uint32(42)
          w.string(obj.refusal)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          policies: [],
          revocations: [],
          mesh: '',
          refusal: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.policies != null && obj.policies.length === opts.limits.policies) {
                throw new MaxLengthError('Decode error - repeated field "policies" had too many elements')
              }

              obj.policies.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements')
              }

              obj.revocations.push(reader.bytes())
              break
            }
            case 4: {
              obj.mesh = reader.string()
              break
            }
            case 5: {
              obj.refusal = reader.string()
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
        const obj = {
          policies: 0,
          revocations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.policies != null && obj.policies === opts.limits.policies) {
                throw new MaxLengthError('Streaming decode error - repeated field "policies" had too many elements')
              }

              yield {
                field: `${prefix}.policies[]`,
                index: obj.policies,
                value: reader.bytes()
              }

              obj.policies++

              break
            }
            case 3: {
              if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements')
              }

              yield {
                field: `${prefix}.revocations[]`,
                index: obj.revocations,
                value: reader.bytes()
              }

              obj.revocations++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.mesh`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.refusal`,
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

  export interface HelloCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelloPoliciesFieldEvent {
    field: '$.policies[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelloRevocationsFieldEvent {
    field: '$.revocations[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelloMeshFieldEvent {
    field: '$.mesh'
    value: string
  }

  export interface HelloRefusalFieldEvent {
    field: '$.refusal'
    value: string
  }

  export function encode (obj: Partial<Hello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Hello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello {
    return decodeMessage(buf, Hello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Generator<HelloCertificateFieldEvent | HelloPoliciesFieldEvent | HelloRevocationsFieldEvent | HelloMeshFieldEvent | HelloRefusalFieldEvent> {
    return streamMessage(buf, Hello.codec(), opts)
  }
}

export interface JoinBundle {
  certificate: Uint8Array<ArrayBuffer>
  authority: string
  policy: Uint8Array<ArrayBuffer>
  revocations: Uint8Array<ArrayBuffer>
}

export namespace JoinBundle {
  let _codec: Codec<JoinBundle>

  export const codec = (): Codec<JoinBundle> => {
    if (_codec == null) {
      _codec = message<JoinBundle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.authority != null && obj.authority !== '')) {
          w.uint32(18)
          w.string(obj.authority)
        }

        if ((obj.policy != null && obj.policy.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.policy)
        }

        if ((obj.revocations != null && obj.revocations.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.revocations)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          authority: '',
          policy: uint8ArrayAlloc(0),
          revocations: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.authority = reader.string()
              break
            }
            case 3: {
              obj.policy = reader.bytes()
              break
            }
            case 4: {
              obj.revocations = reader.bytes()
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
                field: `${prefix}.certificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.authority`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.policy`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.revocations`,
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

  export interface JoinBundleCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinBundleAuthorityFieldEvent {
    field: '$.authority'
    value: string
  }

  export interface JoinBundlePolicyFieldEvent {
    field: '$.policy'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinBundleRevocationsFieldEvent {
    field: '$.revocations'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<JoinBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinBundle>): JoinBundle {
    return decodeMessage(buf, JoinBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinBundle>): Generator<JoinBundleCertificateFieldEvent | JoinBundleAuthorityFieldEvent | JoinBundlePolicyFieldEvent | JoinBundleRevocationsFieldEvent> {
    return streamMessage(buf, JoinBundle.codec(), opts)
  }
}

export interface DelegationLink {
  certificate: Uint8Array<ArrayBuffer>
  agent: string
  audience: string
  methods: string[]
  skills: string[]
  expiresMs: number
  maxDepth: number
  prev: Uint8Array<ArrayBuffer>
  issuedMs: number
  task: Uint8Array<ArrayBuffer>
}

export namespace DelegationLink {
  let _codec: Codec<DelegationLink>

  export const codec = (): Codec<DelegationLink> => {
    if (_codec == null) {
      _codec = message<DelegationLink>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(18)
          w.string(obj.agent)
        }

        if ((obj.audience != null && obj.audience !== '')) {
          w.uint32(26)
          w.string(obj.audience)
        }

        if (obj.methods != null && obj.methods.length > 0) {
          for (const value of obj.methods) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.skills != null && obj.skills.length > 0) {
          for (const value of obj.skills) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.expiresMs != null && obj.expiresMs !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.expiresMs)
        }

        if ((obj.maxDepth != null && obj.maxDepth !== 0)) {
          w.uint32(56)
          w.uint32(obj.maxDepth)
        }

        if ((obj.prev != null && obj.prev.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.prev)
        }

        if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.issuedMs)
        }

        if ((obj.task != null && obj.task.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.task)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          agent: '',
          audience: '',
          methods: [],
          skills: [],
          expiresMs: 0,
          maxDepth: 0,
          prev: uint8ArrayAlloc(0),
          issuedMs: 0,
          task: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.agent = reader.string()
              break
            }
            case 3: {
              obj.audience = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.methods != null && obj.methods.length === opts.limits.methods) {
                throw new MaxLengthError('Decode error - repeated field "methods" had too many elements')
              }

              obj.methods.push(reader.string())
              break
            }
            case 5: {
              if (opts.limits?.skills != null && obj.skills.length === opts.limits.skills) {
                throw new MaxLengthError('Decode error - repeated field "skills" had too many elements')
              }

              obj.skills.push(reader.string())
              break
            }
            case 6: {
              obj.expiresMs = reader.uint64Number()
              break
            }
            case 7: {
              obj.maxDepth = reader.uint32()
              break
            }
            case 8: {
              obj.prev = reader.bytes()
              break
            }
            case 9: {
              obj.issuedMs = reader.uint64Number()
              break
            }
            case 10: {
              obj.task = reader.bytes()
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
        const obj = {
          methods: 0,
          skills: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.certificate`,
                value: reader.bytes()
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
            case 3: {
              yield {
                field: `${prefix}.audience`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.methods != null && obj.methods === opts.limits.methods) {
                throw new MaxLengthError('Streaming decode error - repeated field "methods" had too many elements')
              }

              yield {
                field: `${prefix}.methods[]`,
                index: obj.methods,
                value: reader.string()
              }

              obj.methods++

              break
            }
            case 5: {
              if (opts.limits?.skills != null && obj.skills === opts.limits.skills) {
                throw new MaxLengthError('Streaming decode error - repeated field "skills" had too many elements')
              }

              yield {
                field: `${prefix}.skills[]`,
                index: obj.skills,
                value: reader.string()
              }

              obj.skills++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.expiresMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.maxDepth`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.prev`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.issuedMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.task`,
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

  export interface DelegationLinkCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegationLinkAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface DelegationLinkAudienceFieldEvent {
    field: '$.audience'
    value: string
  }

  export interface DelegationLinkMethodsFieldEvent {
    field: '$.methods[]'
    index: number
    value: string
  }

  export interface DelegationLinkSkillsFieldEvent {
    field: '$.skills[]'
    index: number
    value: string
  }

  export interface DelegationLinkExpiresMsFieldEvent {
    field: '$.expiresMs'
    value: number
  }

  export interface DelegationLinkMaxDepthFieldEvent {
    field: '$.maxDepth'
    value: number
  }

  export interface DelegationLinkPrevFieldEvent {
    field: '$.prev'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegationLinkIssuedMsFieldEvent {
    field: '$.issuedMs'
    value: number
  }

  export interface DelegationLinkTaskFieldEvent {
    field: '$.task'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DelegationLink>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DelegationLink.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegationLink>): DelegationLink {
    return decodeMessage(buf, DelegationLink.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegationLink>): Generator<DelegationLinkCertificateFieldEvent | DelegationLinkAgentFieldEvent | DelegationLinkAudienceFieldEvent | DelegationLinkMethodsFieldEvent | DelegationLinkSkillsFieldEvent | DelegationLinkExpiresMsFieldEvent | DelegationLinkMaxDepthFieldEvent | DelegationLinkPrevFieldEvent | DelegationLinkIssuedMsFieldEvent | DelegationLinkTaskFieldEvent> {
    return streamMessage(buf, DelegationLink.codec(), opts)
  }
}

export interface DelegationChain {
  links: Uint8Array<ArrayBuffer>[]
}

export namespace DelegationChain {
  let _codec: Codec<DelegationChain>

  export const codec = (): Codec<DelegationChain> => {
    if (_codec == null) {
      _codec = message<DelegationChain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.links != null && obj.links.length > 0) {
          for (const value of obj.links) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          links: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.links != null && obj.links.length === opts.limits.links) {
                throw new MaxLengthError('Decode error - repeated field "links" had too many elements')
              }

              obj.links.push(reader.bytes())
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
        const obj = {
          links: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.links != null && obj.links === opts.limits.links) {
                throw new MaxLengthError('Streaming decode error - repeated field "links" had too many elements')
              }

              yield {
                field: `${prefix}.links[]`,
                index: obj.links,
                value: reader.bytes()
              }

              obj.links++

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

  export interface DelegationChainLinksFieldEvent {
    field: '$.links[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DelegationChain>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DelegationChain.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegationChain>): DelegationChain {
    return decodeMessage(buf, DelegationChain.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegationChain>): Generator<DelegationChainLinksFieldEvent> {
    return streamMessage(buf, DelegationChain.codec(), opts)
  }
}
