import type { z } from 'zod'
import { MAX_SCHEMA_ISSUES, MESSAGE_METHODS } from './constants.js'
import type { Veto } from './types.js'
import {
  PARAMS_SCHEMAS, RESULT_SCHEMAS, rpcRequestSchema, rpcResponseSchema,
  type WireArtifact, type WireListTasksResult, type WireMessage, type WirePart, type WireSendMessageParams,
  type WireSendMessageResult, type WireStatus, type WireStreamResponse, type WireTask
} from './wire-schema.js'

/** The parts of one message or artifact, and where they are (`params.message.parts`). */
export interface PartGroup {
  path: string
  parts: WirePart[]
}

/** What the content rules look at, found while checking the schema. */
export interface Content {
  /** Every parts list: message parts, artifact parts, status and history messages' parts. */
  groups: PartGroup[]
  /** Values whose every string counts as text: params or results of methods without a known shape, error objects. */
  loose: Array<{ path: string, value: unknown }>
  /** The message a SendMessage / SendStreamingMessage request carries. */
  message?: WireMessage
}

/** The schema verdict: a veto, or the content to apply the rules to. */
export type SchemaResult = { veto: Veto } | { content: Content }

/**
 * Checks one parsed payload against the JSON-RPC 2.0 envelope and, for the
 * A2A methods, the v1.0 wire shape of its params (request) or result
 * (reply), and collects its content on the way.
 */
export function checkSchema (direction: 'request' | 'reply', method: string, json: unknown): SchemaResult {
  return direction === 'request' ? checkRequest(method, json) : checkReply(method, json)
}

function checkRequest (method: string, json: unknown): SchemaResult {
  const envelope = rpcRequestSchema.safeParse(json)
  if (!envelope.success) return invalid('not a JSON-RPC 2.0 request', envelope.error, '')
  const rpc = envelope.data
  // The policy decided on the envelope's method; the agent acts on the payload's.
  if (rpc.method !== method) return { veto: { code: 'SCHEMA_INVALID', message: `the request's method "${rpc.method}" is not the call's method "${method}"` } }
  const content: Content = { groups: [], loose: [] }
  const schema = PARAMS_SCHEMAS.get(method)
  if (schema === undefined) {
    content.loose.push({ path: 'params', value: rpc.params })
    return { content }
  }
  const params = schema.safeParse(rpc.params)
  if (!params.success) return invalid(`not a valid A2A ${method} request`, params.error, 'params')
  if (MESSAGE_METHODS.has(method)) {
    const message = (params.data as WireSendMessageParams).message
    content.message = message
    fromMessage(message, 'params.message', content)
  } else {
    content.loose.push({ path: 'params', value: params.data })
  }
  return { content }
}

function checkReply (method: string, json: unknown): SchemaResult {
  const envelope = rpcResponseSchema.safeParse(json)
  if (!envelope.success) return invalid('not a JSON-RPC 2.0 response', envelope.error, '')
  const rpc = envelope.data
  const content: Content = { groups: [], loose: [] }
  if (rpc.error !== undefined) {
    // An error's message and data reach the caller too.
    content.loose.push({ path: 'error', value: rpc.error })
    return { content }
  }
  const schema = RESULT_SCHEMAS.get(method)
  if (schema === undefined) {
    content.loose.push({ path: 'result', value: rpc.result })
    return { content }
  }
  const result = schema.safeParse(rpc.result)
  if (!result.success) return invalid(`not a valid A2A ${method} answer`, result.error, 'result')
  fromResult(method, result.data, content)
  return { content }
}

function fromResult (method: string, result: unknown, content: Content): void {
  switch (method) {
    case 'SendMessage': {
      const r = result as WireSendMessageResult
      if (r.message != null) fromMessage(r.message, 'result.message', content)
      if (r.task != null) fromTask(r.task, 'result.task', content)
      return
    }
    case 'GetTask':
    case 'CancelTask':
      fromTask(result as WireTask, 'result', content)
      return
    case 'ListTasks':
      (result as WireListTasksResult).tasks?.forEach((t, i) => { fromTask(t, `result.tasks[${i}]`, content) })
      return
    default: {
      const r = result as WireStreamResponse
      if (r.message != null) fromMessage(r.message, 'result.message', content)
      if (r.task != null) fromTask(r.task, 'result.task', content)
      if (r.statusUpdate?.status != null) fromStatus(r.statusUpdate.status, 'result.statusUpdate.status', content)
      if (r.artifactUpdate?.artifact != null) fromArtifact(r.artifactUpdate.artifact, 'result.artifactUpdate.artifact', content)
    }
  }
}

function fromMessage (message: WireMessage, path: string, content: Content): void {
  if (message.parts != null) content.groups.push({ path: `${path}.parts`, parts: message.parts })
}

function fromArtifact (artifact: WireArtifact, path: string, content: Content): void {
  if (artifact.parts != null) content.groups.push({ path: `${path}.parts`, parts: artifact.parts })
}

function fromStatus (status: WireStatus, path: string, content: Content): void {
  if (status.message != null) fromMessage(status.message, `${path}.message`, content)
}

function fromTask (task: WireTask, path: string, content: Content): void {
  if (task.status != null) fromStatus(task.status, `${path}.status`, content)
  task.artifacts?.forEach((a, i) => { fromArtifact(a, `${path}.artifacts[${i}]`, content) })
  // The history reaches the caller as well: an agent could hide text there.
  task.history?.forEach((m, i) => { fromMessage(m, `${path}.history[${i}]`, content) })
}

function invalid (what: string, error: z.ZodError, prefix: string): { veto: Veto } {
  const issues = error.issues.slice(0, MAX_SCHEMA_ISSUES).map((issue) => `${formatPath(prefix, issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`)
  return { veto: { code: 'SCHEMA_INVALID', message: `${what}: ${issues[0] ?? 'invalid'}`, detail: issues.join('; ') } }
}

/** `params.message.parts[0].text` from a zod issue path. */
export function formatPath (prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : `${out === '' ? '' : '.'}${String(k)}`
  return out === '' ? '(payload)' : out
}
