import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { agentMessage, inspector, reply, request, result, sendMessage, wireMessage } from './helpers.js'

const ins = inspector()

/** The veto code of a request whose message is `message`. */
const messageCode = (message: unknown): string | undefined => ins.check(request(sendMessage(message)))?.code

describe('requests: the JSON-RPC envelope', () => {
  it('a well-formed SendMessage passes (the shape the SDK client sends)', () => {
    expect(ins.check(request(sendMessage(wireMessage('hi'))))).toBeUndefined()
  })

  it.each([
    ['not JSON', '{"jsonrpc":"2.0",'],
    ['not an object', '[1,2]'],
    ['jsonrpc 1.0', { jsonrpc: '1.0', id: 1, method: 'SendMessage', params: { message: wireMessage('hi') } }],
    ['no jsonrpc', { id: 1, method: 'SendMessage', params: { message: wireMessage('hi') } }],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'SendMessage', params: { message: wireMessage('hi') } }],
    ['an object id', { jsonrpc: '2.0', id: {}, method: 'SendMessage', params: { message: wireMessage('hi') } }],
    ['no method', { jsonrpc: '2.0', id: 1, params: { message: wireMessage('hi') } }],
    ['scalar params', { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: 'hi' }]
  ])('refuses %s', (_what, payload) => {
    const veto = ins.check(request(payload, 'SendMessage'))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toMatch(/JSON/)
  })

  it('refuses a payload whose method is not the call\'s (the policy decided on the call\'s)', () => {
    const veto = ins.check(request(sendMessage(wireMessage('hi')), 'GetTask'))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toContain('"SendMessage" is not the call\'s method "GetTask"')
  })

  it('unknown methods: only the envelope is checked', () => {
    expect(ins.check(request({ jsonrpc: '2.0', id: 'a', method: 'x/custom', params: { anything: [1, { b: null }] } }))).toBeUndefined()
    expect(ins.check(request({ jsonrpc: '2.0', method: 'x/notify' }))).toBeUndefined()
    expect(ins.check(request({ jsonrpc: '2.0', id: 1, method: 'x/custom', params: 3 }))?.code).toBe('SCHEMA_INVALID')
  })
})

describe('requests: the A2A v1.0 message', () => {
  it('refuses a message without messageId', () => {
    const { messageId: _, ...message } = wireMessage('hi')
    const veto = ins.check(request(sendMessage(message)))
    expect(veto).toMatchObject({ code: 'SCHEMA_INVALID' })
    expect(veto?.message).toContain('params.message.messageId')
  })

  it('refuses an empty messageId (the SDK agent refuses it too)', () => {
    expect(messageCode({ ...wireMessage('hi'), messageId: '' })).toBe('SCHEMA_INVALID')
  })

  it.each([['ROLE_ADMIN'], ['ROLE_UNSPECIFIED'], ['user'], [0], [3], [null], [undefined]])('refuses role %j', (role) => {
    const veto = ins.check(request(sendMessage({ ...wireMessage('hi'), role })))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toContain('params.message.role')
  })

  it('takes a role as its enum number, as proto3 JSON allows', () => {
    expect(messageCode({ ...wireMessage('hi'), role: 1 })).toBeUndefined()
    expect(messageCode({ ...wireMessage('hi'), role: 'ROLE_AGENT' })).toBeUndefined()
  })

  it.each([['a string', 'hi'], ['an object', { text: 'hi' }], ['a number', 1]])('refuses parts that are %s', (_what, parts) => {
    const veto = ins.check(request(sendMessage({ ...wireMessage(), parts })))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toContain('params.message.parts')
  })

  it.each([['a number', 42], ['an object', { value: 'hi' }], ['an array', ['hi']], ['true', true]])('refuses a text that is %s', (_what, text) => {
    const veto = ins.check(request(sendMessage({ ...wireMessage(), parts: [{ text }] })))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toContain('params.message.parts[0].text')
  })

  it('refuses a part with two contents, or none (a oneof)', () => {
    expect(messageCode({ ...wireMessage(), parts: [{ text: 'a', data: { b: 1 } }] })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage(), parts: [{ text: 'a', url: 'https://x' }] })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage(), parts: [{ mediaType: 'text/plain' }] })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage(), parts: [{ file: { uri: 'https://x' } }] })).toBe('SCHEMA_INVALID') // v0.3, not v1.0
  })

  it('refuses raw that is not base64, and wrongly typed optional fields', () => {
    expect(messageCode({ ...wireMessage(), parts: [{ raw: 'not base64!' }] })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage('hi'), metadata: 'skill' })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage('hi'), metadata: [1] })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage('hi'), extensions: 'x' })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage('hi'), contextId: 5 })).toBe('SCHEMA_INVALID')
    expect(messageCode({ ...wireMessage(), parts: [{ text: 'hi', mediaType: 5 }] })).toBe('SCHEMA_INVALID')
  })

  it('allows unknown fields (forward compatibility), null for absent, and omitted empty lists', () => {
    expect(messageCode({ ...wireMessage('hi'), futureField: { x: 1 }, contextId: null, metadata: null })).toBeUndefined()
    expect(messageCode({ ...wireMessage(), parts: [{ text: 'hi', futureField: 1, data: null }] })).toBeUndefined()
    expect(messageCode({ messageId: randomUUID(), role: 'ROLE_USER' })).toBeUndefined()
    expect(messageCode({ ...wireMessage(), parts: [{ data: null, text: 'x' }, { data: ['any', 'json'] }, { raw: 'AAEC-_8' }, { url: 'https://x' }] })).toBeUndefined()
  })

  it('takes the snake_case names proto3 JSON parsers accept, and refuses both spellings at once', () => {
    const { messageId, ...rest } = wireMessage('hi')
    expect(messageCode({ ...rest, message_id: messageId, context_id: 'c', reference_task_ids: ['t'] })).toBeUndefined()
    expect(messageCode({ ...rest, parts: [{ text: 'hi', media_type: 'text/plain' }], message_id: messageId })).toBeUndefined()
    const veto = ins.check(request(sendMessage({ ...wireMessage('hi'), message_id: 'other' })))
    expect(veto?.code).toBe('SCHEMA_INVALID')
    expect(veto?.message).toContain('both messageId and message_id')
  })

  it('refuses SendMessage without a message, and a malformed configuration', () => {
    expect(ins.check(request({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: {} }))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(request({ jsonrpc: '2.0', id: 1, method: 'SendMessage' }))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(request({ jsonrpc: '2.0', id: 1, method: 'SendStreamingMessage', params: [wireMessage('hi')] }))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(request({ ...sendMessage(wireMessage('hi')), params: { message: wireMessage('hi'), configuration: { historyLength: 'many' } } }))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(request({ ...sendMessage(wireMessage('hi')), params: { message: wireMessage('hi'), configuration: { historyLength: '5', returnImmediately: true } } }))).toBeUndefined()
  })

  it('checks the params of the task methods', () => {
    const call = (method: string, params: unknown): string | undefined => ins.check(request({ jsonrpc: '2.0', id: 2, method, params }))?.code
    expect(call('GetTask', { id: 't-1', historyLength: 3 })).toBeUndefined()
    expect(call('GetTask', {})).toBe('SCHEMA_INVALID')
    expect(call('GetTask', { id: 7 })).toBe('SCHEMA_INVALID')
    expect(call('CancelTask', { id: 't-1', metadata: 'x' })).toBe('SCHEMA_INVALID')
    expect(call('SubscribeToTask', { id: '' })).toBe('SCHEMA_INVALID')
    expect(call('ListTasks', { status: 'TASK_STATE_WORKING', pageSize: 10 })).toBeUndefined()
    expect(call('ListTasks', { status: 'working' })).toBe('SCHEMA_INVALID')
    expect(call('ListTasks', { includeArtifacts: 'yes' })).toBe('SCHEMA_INVALID')
    expect(ins.check(request({ jsonrpc: '2.0', id: 2, method: 'GetExtendedAgentCard' }))).toBeUndefined()
  })

  it('names the offending places in the veto detail', () => {
    const veto = ins.check(request(sendMessage({ role: 'ROLE_X', parts: [{ text: 1 }] })))
    expect(veto?.detail).toContain('params.message.messageId')
    expect(veto?.detail).toContain('params.message.role')
    expect(veto?.detail).toContain('params.message.parts[0].text')
  })
})

describe('replies', () => {
  it('a JSON-RPC error passes, and so does a result for an unknown method', () => {
    expect(ins.check(reply('SendMessage', { jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'Task not found', data: [{ reason: 'TASK_NOT_FOUND' }] } }))).toBeUndefined()
    expect(ins.check(reply('DeleteTaskPushNotificationConfig', { jsonrpc: '2.0', id: 1, result: null }))).toBeUndefined()
    expect(ins.check(reply('x/custom', result([1, 'two'])))).toBeUndefined()
  })

  it.each([
    ['not JSON', 'data: {}'],
    ['no result nor error', { jsonrpc: '2.0', id: 1 }],
    ['both result and error', { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } }],
    ['an error without a code', { jsonrpc: '2.0', id: 1, error: { message: 'x' } }],
    ['jsonrpc 1.0', { jsonrpc: '1.0', id: 1, result: { message: agentMessage('hi') } }]
  ])('refuses %s', (_what, payload) => {
    expect(ins.check(reply('SendMessage', payload))?.code).toBe('SCHEMA_INVALID')
  })

  it('SendMessage answers { message } or { task }, not a bare Message, not both', () => {
    const task = { id: 't', contextId: 'c', status: { state: 'TASK_STATE_COMPLETED' } }
    expect(ins.check(reply('SendMessage', result({ message: agentMessage('hi') })))).toBeUndefined()
    expect(ins.check(reply('SendMessage', result({ task })))).toBeUndefined()
    expect(ins.check(reply('SendMessage', result(agentMessage('hi'))))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendMessage', result({ message: agentMessage('hi'), task })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendMessage', result({ message: { ...agentMessage('hi'), role: 'ROLE_BOT' } })))?.code).toBe('SCHEMA_INVALID')
  })

  it('GetTask answers a Task: an id, typed status, artifacts and history', () => {
    expect(ins.check(reply('GetTask', result({ id: 't', status: { state: 5 } })))).toBeUndefined()
    expect(ins.check(reply('GetTask', result({ contextId: 'c' })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('GetTask', result({ id: 't', status: { state: 'done' } })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('GetTask', result({ id: 't', artifacts: [{ parts: 'x' }] })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('CancelTask', result({ id: 't', history: [{ role: 'ROLE_USER', parts: [] }] })))?.code).toBe('SCHEMA_INVALID')
  })

  it('stream events are StreamResponses: exactly one of message, task, statusUpdate, artifactUpdate', () => {
    const artifactUpdate = { taskId: 't', contextId: 'c', artifact: { artifactId: 'a', parts: [{ text: 'x' }] }, append: true, lastChunk: false }
    expect(ins.check(reply('SendStreamingMessage', result({ artifactUpdate })))).toBeUndefined()
    expect(ins.check(reply('SubscribeToTask', result({ artifact_update: { taskId: 't', artifact: artifactUpdate.artifact, last_chunk: true } })))).toBeUndefined()
    expect(ins.check(reply('SendStreamingMessage', result({})))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendStreamingMessage', result({ artifactUpdate, statusUpdate: { taskId: 't' } })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendStreamingMessage', result({ artifactUpdate, artifact_update: artifactUpdate })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendStreamingMessage', result({ artifactUpdate: { ...artifactUpdate, append: 'yes' } })))?.code).toBe('SCHEMA_INVALID')
    expect(ins.check(reply('SendStreamingMessage', result({ statusUpdate: { taskId: 't', status: { state: 'TASK_STATE_WORKING', message: { messageId: 'm', role: 'ROLE_AGENT', parts: [{ text: 9 }] } } } })))?.code).toBe('SCHEMA_INVALID')
  })
})
