import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[]
}

export namespace ExportTraceServiceRequest {
  let _codec: Codec<ExportTraceServiceRequest>

  export const codec = (): Codec<ExportTraceServiceRequest> => {
    if (_codec == null) {
      _codec = message<ExportTraceServiceRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.resourceSpans != null && obj.resourceSpans.length > 0) {
          for (const value of obj.resourceSpans) {
            w.uint32(10)
            ResourceSpans.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          resourceSpans: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.resourceSpans != null && obj.resourceSpans.length === opts.limits.resourceSpans) {
                throw new MaxLengthError('Decode error - repeated field "resourceSpans" had too many elements')
              }

              obj.resourceSpans.push(ResourceSpans.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resourceSpans$
              }))
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
          resourceSpans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.resourceSpans != null && obj.resourceSpans === opts.limits.resourceSpans) {
                throw new MaxLengthError('Streaming decode error - repeated field "resourceSpans" had too many elements')
              }

              for (const evt of ResourceSpans.codec().stream(reader, reader.uint32(), `${prefix}.resourceSpans[]`, {
                limits: opts.limits?.resourceSpans$
              })) {
                yield {
                  ...evt,
                  index: obj.resourceSpans
                }
              }

              obj.resourceSpans++

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

  export interface ExportTraceServiceRequestResourceSpansResourceAttributesKeyFieldEvent {
    field: '$.resourceSpans[].resource.attributes[].key'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansResourceAttributesValueStringValueFieldEvent {
    field: '$.resourceSpans[].resource.attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansResourceAttributesValueBoolValueFieldEvent {
    field: '$.resourceSpans[].resource.attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansResourceAttributesValueIntValueFieldEvent {
    field: '$.resourceSpans[].resource.attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansResourceAttributesValueDoubleValueFieldEvent {
    field: '$.resourceSpans[].resource.attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansScopeNameFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].scope.name'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansScopeVersionFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].scope.version'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansTraceIdFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].traceId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansSpanIdFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansTraceStateFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].traceState'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansParentSpanIdFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansNameFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].name'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansKindFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].kind'
    value: number
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansStartTimeUnixNanoFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].startTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansEndTimeUnixNanoFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].endTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesKeyFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].attributes[].key'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueStringValueFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueBoolValueFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueIntValueFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueDoubleValueFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansStatusMessageFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].status.message'
    value: string
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansStatusCodeFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].status.code'
    value: number
    index: number
  }

  export interface ExportTraceServiceRequestResourceSpansScopeSpansSpansFlagsFieldEvent {
    field: '$.resourceSpans[].scopeSpans[].spans[].flags'
    value: number
    index: number
  }

  export function encode (obj: Partial<ExportTraceServiceRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExportTraceServiceRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExportTraceServiceRequest>): ExportTraceServiceRequest {
    return decodeMessage(buf, ExportTraceServiceRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExportTraceServiceRequest>): Generator<ExportTraceServiceRequestResourceSpansResourceAttributesKeyFieldEvent | ExportTraceServiceRequestResourceSpansResourceAttributesValueStringValueFieldEvent | ExportTraceServiceRequestResourceSpansResourceAttributesValueBoolValueFieldEvent | ExportTraceServiceRequestResourceSpansResourceAttributesValueIntValueFieldEvent | ExportTraceServiceRequestResourceSpansResourceAttributesValueDoubleValueFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansScopeNameFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansScopeVersionFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansTraceIdFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansSpanIdFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansTraceStateFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansParentSpanIdFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansNameFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansKindFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansStartTimeUnixNanoFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansEndTimeUnixNanoFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesKeyFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueStringValueFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueBoolValueFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueIntValueFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansAttributesValueDoubleValueFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansStatusMessageFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansStatusCodeFieldEvent | ExportTraceServiceRequestResourceSpansScopeSpansSpansFlagsFieldEvent> {
    return streamMessage(buf, ExportTraceServiceRequest.codec(), opts)
  }
}

export interface ResourceSpans {
  resource?: Resource
  scopeSpans: ScopeSpans[]
}

export namespace ResourceSpans {
  let _codec: Codec<ResourceSpans>

  export const codec = (): Codec<ResourceSpans> => {
    if (_codec == null) {
      _codec = message<ResourceSpans>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.resource != null) {
          w.uint32(10)
          Resource.codec().encode(obj.resource, w)
        }

        if (obj.scopeSpans != null && obj.scopeSpans.length > 0) {
          for (const value of obj.scopeSpans) {
            w.uint32(18)
            ScopeSpans.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          scopeSpans: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.resource = Resource.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resource
              })
              break
            }
            case 2: {
              if (opts.limits?.scopeSpans != null && obj.scopeSpans.length === opts.limits.scopeSpans) {
                throw new MaxLengthError('Decode error - repeated field "scopeSpans" had too many elements')
              }

              obj.scopeSpans.push(ScopeSpans.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scopeSpans$
              }))
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
          scopeSpans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Resource.codec().stream(reader, reader.uint32(), `${prefix}.resource`, {
                limits: opts.limits?.resource
              })

              break
            }
            case 2: {
              if (opts.limits?.scopeSpans != null && obj.scopeSpans === opts.limits.scopeSpans) {
                throw new MaxLengthError('Streaming decode error - repeated field "scopeSpans" had too many elements')
              }

              for (const evt of ScopeSpans.codec().stream(reader, reader.uint32(), `${prefix}.scopeSpans[]`, {
                limits: opts.limits?.scopeSpans$
              })) {
                yield {
                  ...evt,
                  index: obj.scopeSpans
                }
              }

              obj.scopeSpans++

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

  export interface ResourceSpansResourceAttributesKeyFieldEvent {
    field: '$.resource.attributes[].key'
    value: string
    index: number
  }

  export interface ResourceSpansResourceAttributesValueStringValueFieldEvent {
    field: '$.resource.attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ResourceSpansResourceAttributesValueBoolValueFieldEvent {
    field: '$.resource.attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ResourceSpansResourceAttributesValueIntValueFieldEvent {
    field: '$.resource.attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ResourceSpansResourceAttributesValueDoubleValueFieldEvent {
    field: '$.resource.attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface ResourceSpansScopeSpansScopeNameFieldEvent {
    field: '$.scopeSpans[].scope.name'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansScopeVersionFieldEvent {
    field: '$.scopeSpans[].scope.version'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansTraceIdFieldEvent {
    field: '$.scopeSpans[].spans[].traceId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResourceSpansScopeSpansSpansSpanIdFieldEvent {
    field: '$.scopeSpans[].spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResourceSpansScopeSpansSpansTraceStateFieldEvent {
    field: '$.scopeSpans[].spans[].traceState'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansParentSpanIdFieldEvent {
    field: '$.scopeSpans[].spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResourceSpansScopeSpansSpansNameFieldEvent {
    field: '$.scopeSpans[].spans[].name'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansKindFieldEvent {
    field: '$.scopeSpans[].spans[].kind'
    value: number
    index: number
  }

  export interface ResourceSpansScopeSpansSpansStartTimeUnixNanoFieldEvent {
    field: '$.scopeSpans[].spans[].startTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ResourceSpansScopeSpansSpansEndTimeUnixNanoFieldEvent {
    field: '$.scopeSpans[].spans[].endTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ResourceSpansScopeSpansSpansAttributesKeyFieldEvent {
    field: '$.scopeSpans[].spans[].attributes[].key'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansAttributesValueStringValueFieldEvent {
    field: '$.scopeSpans[].spans[].attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansAttributesValueBoolValueFieldEvent {
    field: '$.scopeSpans[].spans[].attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ResourceSpansScopeSpansSpansAttributesValueIntValueFieldEvent {
    field: '$.scopeSpans[].spans[].attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ResourceSpansScopeSpansSpansAttributesValueDoubleValueFieldEvent {
    field: '$.scopeSpans[].spans[].attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface ResourceSpansScopeSpansSpansStatusMessageFieldEvent {
    field: '$.scopeSpans[].spans[].status.message'
    value: string
    index: number
  }

  export interface ResourceSpansScopeSpansSpansStatusCodeFieldEvent {
    field: '$.scopeSpans[].spans[].status.code'
    value: number
    index: number
  }

  export interface ResourceSpansScopeSpansSpansFlagsFieldEvent {
    field: '$.scopeSpans[].spans[].flags'
    value: number
    index: number
  }

  export function encode (obj: Partial<ResourceSpans>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResourceSpans.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResourceSpans>): ResourceSpans {
    return decodeMessage(buf, ResourceSpans.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResourceSpans>): Generator<ResourceSpansResourceAttributesKeyFieldEvent | ResourceSpansResourceAttributesValueStringValueFieldEvent | ResourceSpansResourceAttributesValueBoolValueFieldEvent | ResourceSpansResourceAttributesValueIntValueFieldEvent | ResourceSpansResourceAttributesValueDoubleValueFieldEvent | ResourceSpansScopeSpansScopeNameFieldEvent | ResourceSpansScopeSpansScopeVersionFieldEvent | ResourceSpansScopeSpansSpansTraceIdFieldEvent | ResourceSpansScopeSpansSpansSpanIdFieldEvent | ResourceSpansScopeSpansSpansTraceStateFieldEvent | ResourceSpansScopeSpansSpansParentSpanIdFieldEvent | ResourceSpansScopeSpansSpansNameFieldEvent | ResourceSpansScopeSpansSpansKindFieldEvent | ResourceSpansScopeSpansSpansStartTimeUnixNanoFieldEvent | ResourceSpansScopeSpansSpansEndTimeUnixNanoFieldEvent | ResourceSpansScopeSpansSpansAttributesKeyFieldEvent | ResourceSpansScopeSpansSpansAttributesValueStringValueFieldEvent | ResourceSpansScopeSpansSpansAttributesValueBoolValueFieldEvent | ResourceSpansScopeSpansSpansAttributesValueIntValueFieldEvent | ResourceSpansScopeSpansSpansAttributesValueDoubleValueFieldEvent | ResourceSpansScopeSpansSpansStatusMessageFieldEvent | ResourceSpansScopeSpansSpansStatusCodeFieldEvent | ResourceSpansScopeSpansSpansFlagsFieldEvent> {
    return streamMessage(buf, ResourceSpans.codec(), opts)
  }
}

export interface Resource {
  attributes: KeyValue[]
}

export namespace Resource {
  let _codec: Codec<Resource>

  export const codec = (): Codec<Resource> => {
    if (_codec == null) {
      _codec = message<Resource>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.attributes != null && obj.attributes.length > 0) {
          for (const value of obj.attributes) {
            w.uint32(10)
            KeyValue.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          attributes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.attributes != null && obj.attributes.length === opts.limits.attributes) {
                throw new MaxLengthError('Decode error - repeated field "attributes" had too many elements')
              }

              obj.attributes.push(KeyValue.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attributes$
              }))
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
          attributes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.attributes != null && obj.attributes === opts.limits.attributes) {
                throw new MaxLengthError('Streaming decode error - repeated field "attributes" had too many elements')
              }

              for (const evt of KeyValue.codec().stream(reader, reader.uint32(), `${prefix}.attributes[]`, {
                limits: opts.limits?.attributes$
              })) {
                yield {
                  ...evt,
                  index: obj.attributes
                }
              }

              obj.attributes++

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

  export interface ResourceAttributesKeyFieldEvent {
    field: '$.attributes[].key'
    value: string
    index: number
  }

  export interface ResourceAttributesValueStringValueFieldEvent {
    field: '$.attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ResourceAttributesValueBoolValueFieldEvent {
    field: '$.attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ResourceAttributesValueIntValueFieldEvent {
    field: '$.attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ResourceAttributesValueDoubleValueFieldEvent {
    field: '$.attributes[].value.doubleValue'
    value: number
    index: number
  }

  export function encode (obj: Partial<Resource>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Resource.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resource>): Resource {
    return decodeMessage(buf, Resource.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resource>): Generator<ResourceAttributesKeyFieldEvent | ResourceAttributesValueStringValueFieldEvent | ResourceAttributesValueBoolValueFieldEvent | ResourceAttributesValueIntValueFieldEvent | ResourceAttributesValueDoubleValueFieldEvent> {
    return streamMessage(buf, Resource.codec(), opts)
  }
}

export interface ScopeSpans {
  scope?: InstrumentationScope
  spans: Span[]
}

export namespace ScopeSpans {
  let _codec: Codec<ScopeSpans>

  export const codec = (): Codec<ScopeSpans> => {
    if (_codec == null) {
      _codec = message<ScopeSpans>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.scope != null) {
          w.uint32(10)
          InstrumentationScope.codec().encode(obj.scope, w)
        }

        if (obj.spans != null && obj.spans.length > 0) {
          for (const value of obj.spans) {
            w.uint32(18)
            Span.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          spans: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.scope = InstrumentationScope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scope
              })
              break
            }
            case 2: {
              if (opts.limits?.spans != null && obj.spans.length === opts.limits.spans) {
                throw new MaxLengthError('Decode error - repeated field "spans" had too many elements')
              }

              obj.spans.push(Span.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spans$
              }))
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
          spans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * InstrumentationScope.codec().stream(reader, reader.uint32(), `${prefix}.scope`, {
                limits: opts.limits?.scope
              })

              break
            }
            case 2: {
              if (opts.limits?.spans != null && obj.spans === opts.limits.spans) {
                throw new MaxLengthError('Streaming decode error - repeated field "spans" had too many elements')
              }

              for (const evt of Span.codec().stream(reader, reader.uint32(), `${prefix}.spans[]`, {
                limits: opts.limits?.spans$
              })) {
                yield {
                  ...evt,
                  index: obj.spans
                }
              }

              obj.spans++

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

  export interface ScopeSpansScopeNameFieldEvent {
    field: '$.scope.name'
    value: string
  }

  export interface ScopeSpansScopeVersionFieldEvent {
    field: '$.scope.version'
    value: string
  }

  export interface ScopeSpansSpansTraceIdFieldEvent {
    field: '$.spans[].traceId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ScopeSpansSpansSpanIdFieldEvent {
    field: '$.spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ScopeSpansSpansTraceStateFieldEvent {
    field: '$.spans[].traceState'
    value: string
    index: number
  }

  export interface ScopeSpansSpansParentSpanIdFieldEvent {
    field: '$.spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ScopeSpansSpansNameFieldEvent {
    field: '$.spans[].name'
    value: string
    index: number
  }

  export interface ScopeSpansSpansKindFieldEvent {
    field: '$.spans[].kind'
    value: number
    index: number
  }

  export interface ScopeSpansSpansStartTimeUnixNanoFieldEvent {
    field: '$.spans[].startTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ScopeSpansSpansEndTimeUnixNanoFieldEvent {
    field: '$.spans[].endTimeUnixNano'
    value: bigint
    index: number
  }

  export interface ScopeSpansSpansAttributesKeyFieldEvent {
    field: '$.spans[].attributes[].key'
    value: string
    index: number
  }

  export interface ScopeSpansSpansAttributesValueStringValueFieldEvent {
    field: '$.spans[].attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface ScopeSpansSpansAttributesValueBoolValueFieldEvent {
    field: '$.spans[].attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface ScopeSpansSpansAttributesValueIntValueFieldEvent {
    field: '$.spans[].attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface ScopeSpansSpansAttributesValueDoubleValueFieldEvent {
    field: '$.spans[].attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface ScopeSpansSpansStatusMessageFieldEvent {
    field: '$.spans[].status.message'
    value: string
    index: number
  }

  export interface ScopeSpansSpansStatusCodeFieldEvent {
    field: '$.spans[].status.code'
    value: number
    index: number
  }

  export interface ScopeSpansSpansFlagsFieldEvent {
    field: '$.spans[].flags'
    value: number
    index: number
  }

  export function encode (obj: Partial<ScopeSpans>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ScopeSpans.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScopeSpans>): ScopeSpans {
    return decodeMessage(buf, ScopeSpans.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScopeSpans>): Generator<ScopeSpansScopeNameFieldEvent | ScopeSpansScopeVersionFieldEvent | ScopeSpansSpansTraceIdFieldEvent | ScopeSpansSpansSpanIdFieldEvent | ScopeSpansSpansTraceStateFieldEvent | ScopeSpansSpansParentSpanIdFieldEvent | ScopeSpansSpansNameFieldEvent | ScopeSpansSpansKindFieldEvent | ScopeSpansSpansStartTimeUnixNanoFieldEvent | ScopeSpansSpansEndTimeUnixNanoFieldEvent | ScopeSpansSpansAttributesKeyFieldEvent | ScopeSpansSpansAttributesValueStringValueFieldEvent | ScopeSpansSpansAttributesValueBoolValueFieldEvent | ScopeSpansSpansAttributesValueIntValueFieldEvent | ScopeSpansSpansAttributesValueDoubleValueFieldEvent | ScopeSpansSpansStatusMessageFieldEvent | ScopeSpansSpansStatusCodeFieldEvent | ScopeSpansSpansFlagsFieldEvent> {
    return streamMessage(buf, ScopeSpans.codec(), opts)
  }
}

export interface InstrumentationScope {
  name: string
  version: string
}

export namespace InstrumentationScope {
  let _codec: Codec<InstrumentationScope>

  export const codec = (): Codec<InstrumentationScope> => {
    if (_codec == null) {
      _codec = message<InstrumentationScope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(18)
          w.string(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          version: ''
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
              obj.version = reader.string()
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
                field: `${prefix}.version`,
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

  export interface InstrumentationScopeNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface InstrumentationScopeVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export function encode (obj: Partial<InstrumentationScope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InstrumentationScope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstrumentationScope>): InstrumentationScope {
    return decodeMessage(buf, InstrumentationScope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstrumentationScope>): Generator<InstrumentationScopeNameFieldEvent | InstrumentationScopeVersionFieldEvent> {
    return streamMessage(buf, InstrumentationScope.codec(), opts)
  }
}

export interface Span {
  traceId: Uint8Array<ArrayBuffer>
  spanId: Uint8Array<ArrayBuffer>
  traceState: string
  parentSpanId: Uint8Array<ArrayBuffer>
  name: string
  kind: number
  startTimeUnixNano: bigint
  endTimeUnixNano: bigint
  attributes: KeyValue[]
  status?: Status
  flags: number
}

export namespace Span {
  let _codec: Codec<Span>

  export const codec = (): Codec<Span> => {
    if (_codec == null) {
      _codec = message<Span>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.traceId != null && obj.traceId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.traceId)
        }

        if ((obj.spanId != null && obj.spanId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.spanId)
        }

        if ((obj.traceState != null && obj.traceState !== '')) {
          w.uint32(26)
          w.string(obj.traceState)
        }

        if ((obj.parentSpanId != null && obj.parentSpanId.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.parentSpanId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(42)
          w.string(obj.name)
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(48)
          w.int32(obj.kind)
        }

        if ((obj.startTimeUnixNano != null && obj.startTimeUnixNano !== 0n)) {
          w.uint32(57)
          w.fixed64(obj.startTimeUnixNano)
        }

        if ((obj.endTimeUnixNano != null && obj.endTimeUnixNano !== 0n)) {
          w.uint32(65)
          w.fixed64(obj.endTimeUnixNano)
        }

        if (obj.attributes != null && obj.attributes.length > 0) {
          for (const value of obj.attributes) {
            w.uint32(74)
            KeyValue.codec().encode(value, w)
          }
        }

        if (obj.status != null) {
          w.uint32(122)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.flags != null && obj.flags !== 0)) {
          w.uint32(133)
          w.fixed32(obj.flags)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          traceId: uint8ArrayAlloc(0),
          spanId: uint8ArrayAlloc(0),
          traceState: '',
          parentSpanId: uint8ArrayAlloc(0),
          name: '',
          kind: 0,
          startTimeUnixNano: 0n,
          endTimeUnixNano: 0n,
          attributes: [],
          flags: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.traceId = reader.bytes()
              break
            }
            case 2: {
              obj.spanId = reader.bytes()
              break
            }
            case 3: {
              obj.traceState = reader.string()
              break
            }
            case 4: {
              obj.parentSpanId = reader.bytes()
              break
            }
            case 5: {
              obj.name = reader.string()
              break
            }
            case 6: {
              obj.kind = reader.int32()
              break
            }
            case 7: {
              obj.startTimeUnixNano = reader.fixed64()
              break
            }
            case 8: {
              obj.endTimeUnixNano = reader.fixed64()
              break
            }
            case 9: {
              if (opts.limits?.attributes != null && obj.attributes.length === opts.limits.attributes) {
                throw new MaxLengthError('Decode error - repeated field "attributes" had too many elements')
              }

              obj.attributes.push(KeyValue.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attributes$
              }))
              break
            }
            case 15: {
              obj.status = Status.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            case 16: {
              obj.flags = reader.fixed32()
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
          attributes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.traceId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.spanId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.traceState`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.parentSpanId`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.kind`,
                value: reader.int32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.startTimeUnixNano`,
                value: reader.fixed64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.endTimeUnixNano`,
                value: reader.fixed64()
              }
              break
            }
            case 9: {
              if (opts.limits?.attributes != null && obj.attributes === opts.limits.attributes) {
                throw new MaxLengthError('Streaming decode error - repeated field "attributes" had too many elements')
              }

              for (const evt of KeyValue.codec().stream(reader, reader.uint32(), `${prefix}.attributes[]`, {
                limits: opts.limits?.attributes$
              })) {
                yield {
                  ...evt,
                  index: obj.attributes
                }
              }

              obj.attributes++

              break
            }
            case 15: {
              yield * Status.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            case 16: {
              yield {
                field: `${prefix}.flags`,
                value: reader.fixed32()
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

  export interface SpanTraceIdFieldEvent {
    field: '$.traceId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanSpanIdFieldEvent {
    field: '$.spanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanTraceStateFieldEvent {
    field: '$.traceState'
    value: string
  }

  export interface SpanParentSpanIdFieldEvent {
    field: '$.parentSpanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface SpanKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface SpanStartTimeUnixNanoFieldEvent {
    field: '$.startTimeUnixNano'
    value: bigint
  }

  export interface SpanEndTimeUnixNanoFieldEvent {
    field: '$.endTimeUnixNano'
    value: bigint
  }

  export interface SpanAttributesKeyFieldEvent {
    field: '$.attributes[].key'
    value: string
    index: number
  }

  export interface SpanAttributesValueStringValueFieldEvent {
    field: '$.attributes[].value.stringValue'
    value: string
    index: number
  }

  export interface SpanAttributesValueBoolValueFieldEvent {
    field: '$.attributes[].value.boolValue'
    value: boolean
    index: number
  }

  export interface SpanAttributesValueIntValueFieldEvent {
    field: '$.attributes[].value.intValue'
    value: bigint
    index: number
  }

  export interface SpanAttributesValueDoubleValueFieldEvent {
    field: '$.attributes[].value.doubleValue'
    value: number
    index: number
  }

  export interface SpanStatusMessageFieldEvent {
    field: '$.status.message'
    value: string
  }

  export interface SpanStatusCodeFieldEvent {
    field: '$.status.code'
    value: number
  }

  export interface SpanFlagsFieldEvent {
    field: '$.flags'
    value: number
  }

  export function encode (obj: Partial<Span>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Span.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Span {
    return decodeMessage(buf, Span.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Generator<SpanTraceIdFieldEvent | SpanSpanIdFieldEvent | SpanTraceStateFieldEvent | SpanParentSpanIdFieldEvent | SpanNameFieldEvent | SpanKindFieldEvent | SpanStartTimeUnixNanoFieldEvent | SpanEndTimeUnixNanoFieldEvent | SpanAttributesKeyFieldEvent | SpanAttributesValueStringValueFieldEvent | SpanAttributesValueBoolValueFieldEvent | SpanAttributesValueIntValueFieldEvent | SpanAttributesValueDoubleValueFieldEvent | SpanStatusMessageFieldEvent | SpanStatusCodeFieldEvent | SpanFlagsFieldEvent> {
    return streamMessage(buf, Span.codec(), opts)
  }
}

export interface Status {
  message: string
  code: number
}

export namespace Status {
  let _codec: Codec<Status>

  export const codec = (): Codec<Status> => {
    if (_codec == null) {
      _codec = message<Status>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.code != null && obj.code !== 0)) {
          w.uint32(24)
          w.int32(obj.code)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          message: '',
          code: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.code = reader.int32()
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
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.code`,
                value: reader.int32()
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

  export interface StatusMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface StatusCodeFieldEvent {
    field: '$.code'
    value: number
  }

  export function encode (obj: Partial<Status>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Status.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Status {
    return decodeMessage(buf, Status.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Generator<StatusMessageFieldEvent | StatusCodeFieldEvent> {
    return streamMessage(buf, Status.codec(), opts)
  }
}

export interface KeyValue {
  key: string
  value?: AnyValue
}

export namespace KeyValue {
  let _codec: Codec<KeyValue>

  export const codec = (): Codec<KeyValue> => {
    if (_codec == null) {
      _codec = message<KeyValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if (obj.value != null) {
          w.uint32(18)
          AnyValue.codec().encode(obj.value, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = AnyValue.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.value
              })
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
                field: `${prefix}.key`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * AnyValue.codec().stream(reader, reader.uint32(), `${prefix}.value`, {
                limits: opts.limits?.value
              })

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

  export interface KeyValueKeyFieldEvent {
    field: '$.key'
    value: string
  }

  export interface KeyValueValueStringValueFieldEvent {
    field: '$.value.stringValue'
    value: string
  }

  export interface KeyValueValueBoolValueFieldEvent {
    field: '$.value.boolValue'
    value: boolean
  }

  export interface KeyValueValueIntValueFieldEvent {
    field: '$.value.intValue'
    value: bigint
  }

  export interface KeyValueValueDoubleValueFieldEvent {
    field: '$.value.doubleValue'
    value: number
  }

  export function encode (obj: Partial<KeyValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyValue>): KeyValue {
    return decodeMessage(buf, KeyValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyValue>): Generator<KeyValueKeyFieldEvent | KeyValueValueStringValueFieldEvent | KeyValueValueBoolValueFieldEvent | KeyValueValueIntValueFieldEvent | KeyValueValueDoubleValueFieldEvent> {
    return streamMessage(buf, KeyValue.codec(), opts)
  }
}

export interface AnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: bigint
  doubleValue?: number
}

export namespace AnyValue {
  let _codec: Codec<AnyValue>

  export const codec = (): Codec<AnyValue> => {
    if (_codec == null) {
      _codec = message<AnyValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.stringValue != null) {
          w.uint32(10)
          w.string(obj.stringValue)
        }

        if (obj.boolValue != null) {
          w.uint32(16)
          w.bool(obj.boolValue)
        }

        if (obj.intValue != null) {
          w.uint32(24)
          w.int64(obj.intValue)
        }

        if (obj.doubleValue != null) {
          w.uint32(33)
          w.double(obj.doubleValue)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.stringValue = reader.string()
              break
            }
            case 2: {
              obj.boolValue = reader.bool()
              break
            }
            case 3: {
              obj.intValue = reader.int64()
              break
            }
            case 4: {
              obj.doubleValue = reader.double()
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
                field: `${prefix}.stringValue`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.boolValue`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.intValue`,
                value: reader.int64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.doubleValue`,
                value: reader.double()
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

  export interface AnyValueStringValueFieldEvent {
    field: '$.stringValue'
    value: string
  }

  export interface AnyValueBoolValueFieldEvent {
    field: '$.boolValue'
    value: boolean
  }

  export interface AnyValueIntValueFieldEvent {
    field: '$.intValue'
    value: bigint
  }

  export interface AnyValueDoubleValueFieldEvent {
    field: '$.doubleValue'
    value: number
  }

  export function encode (obj: Partial<AnyValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AnyValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnyValue>): AnyValue {
    return decodeMessage(buf, AnyValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnyValue>): Generator<AnyValueStringValueFieldEvent | AnyValueBoolValueFieldEvent | AnyValueIntValueFieldEvent | AnyValueDoubleValueFieldEvent> {
    return streamMessage(buf, AnyValue.codec(), opts)
  }
}
