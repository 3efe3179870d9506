import { z } from 'zod'

/*
 * A2A v1.0 on the JSON-RPC wire, as @a2a-js/sdk 1.x writes and reads it:
 * proto3 JSON. Shapes follow the SDK's generated `fromJSON`/`toJSON`
 * (dist/index.js) and its JSON-RPC transport handler:
 *
 * - fields are lowerCamelCase; the original snake_case names are accepted too
 *   (proto3 JSON parsers, the SDK's among them, must); both at once is refused;
 * - a field set to `null` is absent; default values (empty strings, empty
 *   lists, `false`, the UNSPECIFIED enum) are left out by writers;
 * - unknown fields are allowed (forward compatibility), wrong types are not
 *   (the SDK would coerce them with `String()`/`Number()`: we refuse instead);
 * - enums are names (`ROLE_USER`) or their numbers; int32 fields are numbers or
 *   decimal strings; bytes are base64 (standard or URL-safe);
 * - a Part has exactly one of `text`, `raw`, `url`, `data` (v1.0 has no `file`);
 * - SendMessage answers `{ message }` or `{ task }`; GetTask and CancelTask a
 *   bare Task; ListTasks `{ tasks, … }`; streams, one StreamResponse per event:
 *   `{ message }`, `{ task }`, `{ statusUpdate }` or `{ artifactUpdate }`.
 */

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null

/**
 * A proto3-JSON message: unknown fields kept; `aliases` maps each
 * snake_case spelling to its camelCase field, which it is renamed to.
 */
function protoMessage<S extends z.core.$ZodLooseShape> (shape: S, aliases: Record<string, keyof S & string> = {}) {
  const object = z.looseObject(shape)
  const renames = Object.entries(aliases)
  return z.preprocess((value, ctx) => {
    if (!isRecord(value)) return value
    let out: Record<string, unknown> | undefined
    for (const [snake, camel] of renames) {
      if (!isSet(value[snake])) continue
      if (isSet(value[camel])) {
        ctx.addIssue({ code: 'custom', message: `both ${camel} and ${snake} are set`, path: [snake], input: value })
        continue
      }
      out ??= { ...value }
      out[camel] = value[snake]
      delete out[snake]
    }
    return out ?? value
  }, object)
}

/** Exactly one of `fields` is set (a proto oneof that must be). */
function exactlyOne (fields: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>): void => {
    let set = 0
    for (const f of fields) if (isSet(value[f])) set++
    if (set !== 1) ctx.addIssue({ code: 'custom', message: `${set === 0 ? 'needs' : 'has more than'} one of ${fields.join(', ')}`, input: value })
  }
}

const str = z.string().nullish()
const strings = z.array(z.string()).nullish()
const bool = z.boolean().nullish()
/** proto3 JSON int32: a number or a decimal string. */
const int32 = z.union([z.number().int(), z.string().regex(/^-?\d+$/)], { error: 'expected an integer' }).nullish()
/** google.protobuf.Struct: a JSON object. */
const struct = z.record(z.string(), z.unknown()).nullish()
/** bytes: base64, standard or URL-safe, padded or not. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, { error: 'expected base64' }).nullish()

const ROLE_NAMES = ['ROLE_USER', 'ROLE_AGENT'] as const
/** A message's sender: required, and a known value (UNSPECIFIED is not). */
const role = z.union([z.enum(ROLE_NAMES), z.literal(1), z.literal(2)], { error: 'expected ROLE_USER or ROLE_AGENT' })
/** A task state: a TASK_STATE_* name (later versions may add some) or a number. */
const taskState = z.union([z.string().regex(/^TASK_STATE_[A-Z_]+$/), z.number().int().min(0)], { error: 'expected a TASK_STATE_* value' }).nullish()

/** One piece of content. */
export const partSchema = protoMessage({
  text: str,
  raw: base64,
  url: str,
  data: z.unknown().optional(),
  metadata: struct,
  filename: str,
  mediaType: str
}, { media_type: 'mediaType' }).superRefine(exactlyOne(['text', 'raw', 'url', 'data']))

const parts = z.array(partSchema).nullish()

/** A Message: `messageId` and `role` required. */
export const messageSchema = protoMessage({
  messageId: z.string().min(1),
  contextId: str,
  taskId: str,
  role,
  parts,
  metadata: struct,
  extensions: strings,
  referenceTaskIds: strings
}, { message_id: 'messageId', context_id: 'contextId', task_id: 'taskId', reference_task_ids: 'referenceTaskIds' })

export const artifactSchema = protoMessage({
  artifactId: str,
  name: str,
  description: str,
  parts,
  metadata: struct,
  extensions: strings
}, { artifact_id: 'artifactId' })

export const taskStatusSchema = protoMessage({
  state: taskState,
  message: messageSchema.nullish(),
  timestamp: str
})

/** A Task: `id` required. */
export const taskSchema = protoMessage({
  id: z.string().min(1),
  contextId: str,
  status: taskStatusSchema.nullish(),
  artifacts: z.array(artifactSchema).nullish(),
  history: z.array(messageSchema).nullish(),
  metadata: struct
}, { context_id: 'contextId' })

export const statusUpdateSchema = protoMessage({
  taskId: str,
  contextId: str,
  status: taskStatusSchema.nullish(),
  metadata: struct
}, { task_id: 'taskId', context_id: 'contextId' })

export const artifactUpdateSchema = protoMessage({
  taskId: str,
  contextId: str,
  artifact: artifactSchema.nullish(),
  append: bool,
  lastChunk: bool,
  metadata: struct
}, { task_id: 'taskId', context_id: 'contextId', last_chunk: 'lastChunk' })

/** The result of SendMessage: `{ message }` or `{ task }`. */
export const sendMessageResultSchema = protoMessage({
  task: taskSchema.nullish(),
  message: messageSchema.nullish()
}).superRefine(exactlyOne(['task', 'message']))

/** One event of SendStreamingMessage or SubscribeToTask. */
export const streamResponseSchema = protoMessage({
  task: taskSchema.nullish(),
  message: messageSchema.nullish(),
  statusUpdate: statusUpdateSchema.nullish(),
  artifactUpdate: artifactUpdateSchema.nullish()
}, { status_update: 'statusUpdate', artifact_update: 'artifactUpdate' }).superRefine(exactlyOne(['task', 'message', 'statusUpdate', 'artifactUpdate']))

export const listTasksResultSchema = protoMessage({
  tasks: z.array(taskSchema).nullish(),
  nextPageToken: str,
  pageSize: int32,
  totalSize: int32
}, { next_page_token: 'nextPageToken', page_size: 'pageSize', total_size: 'totalSize' })

const configurationSchema = protoMessage({
  acceptedOutputModes: strings,
  taskPushNotificationConfig: struct,
  historyLength: int32,
  returnImmediately: bool
}, { accepted_output_modes: 'acceptedOutputModes', task_push_notification_config: 'taskPushNotificationConfig', history_length: 'historyLength', return_immediately: 'returnImmediately' })

/** params of SendMessage and SendStreamingMessage. */
export const sendMessageParamsSchema = protoMessage({
  tenant: str,
  message: messageSchema,
  configuration: configurationSchema.nullish(),
  metadata: struct
})

const taskIdParamsSchema = protoMessage({
  tenant: str,
  id: z.string().min(1),
  historyLength: int32,
  metadata: struct
}, { history_length: 'historyLength' })

const listTasksParamsSchema = protoMessage({
  tenant: str,
  contextId: str,
  status: taskState,
  pageSize: int32,
  pageToken: str,
  historyLength: int32,
  statusTimestampAfter: str,
  includeArtifacts: bool
}, {
  context_id: 'contextId', page_size: 'pageSize', page_token: 'pageToken', history_length: 'historyLength',
  status_timestamp_after: 'statusTimestampAfter', include_artifacts: 'includeArtifacts'
})

/** Any params object (the SDK refuses arrays and scalars for every A2A method). */
const anyParamsSchema = z.record(z.string(), z.unknown())

/** The params schema of each A2A v1.0 method (GetExtendedAgentCard's are optional). */
export const PARAMS_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['SendMessage', sendMessageParamsSchema],
  ['SendStreamingMessage', sendMessageParamsSchema],
  ['GetTask', taskIdParamsSchema],
  ['CancelTask', taskIdParamsSchema],
  ['SubscribeToTask', taskIdParamsSchema],
  ['ListTasks', listTasksParamsSchema],
  ['CreateTaskPushNotificationConfig', anyParamsSchema],
  ['GetTaskPushNotificationConfig', anyParamsSchema],
  ['ListTaskPushNotificationConfigs', anyParamsSchema],
  ['DeleteTaskPushNotificationConfig', anyParamsSchema],
  ['GetExtendedAgentCard', anyParamsSchema.nullish()]
])

/** The result schema of each method whose answer carries messages or tasks. */
export const RESULT_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['SendMessage', sendMessageResultSchema],
  ['SendStreamingMessage', streamResponseSchema],
  ['SubscribeToTask', streamResponseSchema],
  ['GetTask', taskSchema],
  ['CancelTask', taskSchema],
  ['ListTasks', listTasksResultSchema]
])

const rpcId = z.union([z.string(), z.number().int(), z.null()], { error: 'expected a string, an integer or null' })

/** A JSON-RPC 2.0 request (a notification has no `id`); params are checked per method. */
export const rpcRequestSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: rpcId.optional(),
  method: z.string().min(1),
  // Not copied: the params schema of the method checks them in depth.
  params: z.custom<Record<string, unknown> | unknown[]>((v) => typeof v === 'object' && v !== null, { error: 'expected an object or an array' }).optional()
})

/** A JSON-RPC 2.0 error object. */
export const rpcErrorSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional()
})

/** A JSON-RPC 2.0 response: `result` (any JSON, null included) or `error`, not both. */
export const rpcResponseSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: rpcId.optional(),
  result: z.unknown().optional(),
  error: rpcErrorSchema.optional()
}).superRefine((value, ctx) => {
  const hasResult = Object.hasOwn(value, 'result')
  const hasError = Object.hasOwn(value, 'error')
  if (hasResult === hasError) ctx.addIssue({ code: 'custom', message: `${hasResult ? 'has both' : 'needs one of'} result and error`, input: value })
})

export type WirePart = z.output<typeof partSchema>
export type WireMessage = z.output<typeof messageSchema>
export type WireArtifact = z.output<typeof artifactSchema>
export type WireTask = z.output<typeof taskSchema>
export type WireStatus = z.output<typeof taskStatusSchema>
export type WireSendMessageResult = z.output<typeof sendMessageResultSchema>
export type WireStreamResponse = z.output<typeof streamResponseSchema>
export type WireListTasksResult = z.output<typeof listTasksResultSchema>
export type WireSendMessageParams = z.output<typeof sendMessageParamsSchema>
