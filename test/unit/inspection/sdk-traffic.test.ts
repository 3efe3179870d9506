import { randomUUID } from 'node:crypto'
import {
  CancelTaskRequest, GetTaskRequest, ListTasksRequest, ListTasksResponse, Message, Role, SendMessageRequest, SendMessageResponse,
  StreamResponse, SubscribeToTaskRequest, Task, TaskState
} from '@a2a-js/sdk'
import type { Artifact as SdkArtifact, Message as SdkMessage, Task as SdkTask } from '@a2a-js/sdk'
import { beforeAll, describe, expect, it } from 'vitest'
import { captureSdkTraffic, type Exchange } from './sdk-traffic.js'
import { INJECTION, inspector, reply, request } from './helpers.js'

// Patterns that real traffic does not match, so that the text scan runs on every part.
const strict = inspector({ denyPatterns: [INJECTION, 'system prompt', '<\\|im_start\\|>'] })

describe('real @a2a-js/sdk traffic (a stock client and stock agents, captured on the wire)', () => {
  let traffic: Exchange[]
  beforeAll(async () => { traffic = await captureSdkTraffic() })

  it('covers every method and every kind of answer', () => {
    const methods = new Set(traffic.map((e) => e.method))
    expect([...methods].sort()).toEqual(['CancelTask', 'GetTask', 'ListTasks', 'SendMessage', 'SendStreamingMessage', 'SubscribeToTask'])
    const kinds = new Set(traffic.flatMap((e) => e.replies.map((r) => {
      const rpc = JSON.parse(r) as { result?: Record<string, unknown>, error?: unknown }
      return rpc.error !== undefined ? 'error' : `${e.method}:${Object.keys(rpc.result ?? {}).filter((k) => ['message', 'task', 'statusUpdate', 'artifactUpdate'].includes(k)).join('') || 'task'}`
    })))
    for (const k of ['error', 'SendMessage:message', 'SendMessage:task', 'SendStreamingMessage:message', 'SendStreamingMessage:task',
      'SendStreamingMessage:statusUpdate', 'SendStreamingMessage:artifactUpdate', 'SubscribeToTask:artifactUpdate', 'GetTask:task', 'CancelTask:task']) {
      expect(kinds, k).toContain(k)
    }
  })

  it('passes every request', async () => {
    for (const e of traffic) {
      expect(await strict.inspect(request(e.request, e.method)), `${e.method} ${e.request}`).toBeUndefined()
    }
  })

  it('passes every answer: JSON results, SSE events and errors', async () => {
    let replies = 0
    for (const e of traffic) {
      for (const r of e.replies) {
        expect(await strict.inspect(reply(e.method, r)), `${e.method} ${r}`).toBeUndefined()
        replies++
      }
    }
    expect(replies).toBeGreaterThan(15)
  })

  it('would refuse the same traffic with a pattern it matches (the scan really reads it)', async () => {
    const seen = /chunk1|echo: hello|working/
    const catchAll = inspector({ denyPatterns: [seen.source] })
    let vetoed = 0
    for (const e of traffic) {
      for (const r of e.replies.filter((r) => seen.test(r))) {
        expect((await catchAll.inspect(reply(e.method, r)))?.code, r).toBe('CONTENT_DENIED')
        vetoed++
      }
    }
    expect(vetoed).toBeGreaterThan(3)
  })
})

/** Every field of a Message set, every part kind, as the SDK types want them. */
function fullMessage (role: Role, text: string): SdkMessage {
  return {
    messageId: randomUUID(),
    contextId: randomUUID(),
    taskId: randomUUID(),
    role,
    parts: [
      { content: { $case: 'text', value: text }, mediaType: 'text/markdown', filename: 'note.md', metadata: { lang: 'en' } },
      { content: { $case: 'data', value: { rows: [1, 2], ok: true, nothing: null, name: 'x' } }, mediaType: 'application/json', filename: '', metadata: undefined },
      { content: { $case: 'raw', value: Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)) }, mediaType: 'application/octet-stream', filename: 'blob.bin', metadata: undefined },
      { content: { $case: 'url', value: 'https://example.com/a.pdf' }, mediaType: 'application/pdf', filename: 'a.pdf', metadata: undefined }
    ],
    metadata: { skill: 'echo', nested: { a: [1, 'b'] } },
    extensions: ['https://example.com/ext/v1'],
    referenceTaskIds: [randomUUID(), randomUUID()]
  }
}

function fullArtifact (text: string): SdkArtifact {
  return { artifactId: 'out', name: 'result', description: 'the result', parts: fullMessage(Role.ROLE_AGENT, text).parts, metadata: { v: 1 }, extensions: ['https://example.com/ext/v1'] }
}

function fullTask (state: TaskState): SdkTask {
  return {
    id: randomUUID(),
    contextId: randomUUID(),
    status: { state, message: fullMessage(Role.ROLE_AGENT, `state ${state}`), timestamp: new Date().toISOString() },
    artifacts: [fullArtifact('a1'), fullArtifact('a2')],
    history: [fullMessage(Role.ROLE_USER, 'question'), fullMessage(Role.ROLE_AGENT, 'answer')],
    metadata: { priority: 'high' }
  }
}

const STATES = [TaskState.TASK_STATE_UNSPECIFIED, TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_AUTH_REQUIRED]

const rpcRequest = (method: string, params: unknown): string => JSON.stringify({ jsonrpc: '2.0', method, params, id: 7 })
const rpcResult = (value: unknown): string => JSON.stringify({ jsonrpc: '2.0', id: 7, result: value })

describe('the SDK\'s own proto3-JSON writers, every field set', () => {
  it('requests pass', async () => {
    const send = SendMessageRequest.toJSON({
      tenant: 'acme',
      message: fullMessage(Role.ROLE_USER, 'hello'),
      configuration: {
        acceptedOutputModes: ['text/plain', 'application/json'],
        historyLength: 3,
        returnImmediately: true,
        taskPushNotificationConfig: { tenant: 'acme', id: 'cfg', taskId: 't', url: 'https://hooks.example.com/x', token: 'tok', authentication: { scheme: 'Bearer', credentials: 'c' } }
      },
      metadata: { trace: 'abc' }
    })
    const payloads: Array<[string, unknown]> = [
      ['SendMessage', send],
      ['SendStreamingMessage', send],
      ['SendMessage', SendMessageRequest.toJSON({ tenant: '', message: fullMessage(Role.ROLE_AGENT, 'agent to agent'), configuration: undefined, metadata: undefined })],
      ['GetTask', GetTaskRequest.toJSON({ tenant: 'acme', id: randomUUID(), historyLength: 0 })],
      ['CancelTask', CancelTaskRequest.toJSON({ tenant: 'acme', id: randomUUID(), metadata: { why: 'no longer needed' } })],
      ['SubscribeToTask', SubscribeToTaskRequest.toJSON({ tenant: 'acme', id: randomUUID() })],
      ['ListTasks', ListTasksRequest.toJSON({ tenant: 'acme', contextId: randomUUID(), status: TaskState.TASK_STATE_WORKING, pageSize: 50, pageToken: 'tok', historyLength: 2, statusTimestampAfter: new Date().toISOString(), includeArtifacts: true })]
    ]
    for (const [method, params] of payloads) {
      expect(await strict.inspect(request(rpcRequest(method, params), method)), `${method} ${JSON.stringify(params)}`).toBeUndefined()
    }
  })

  it('answers pass, in every task state', async () => {
    for (const state of STATES) {
      const task = fullTask(state)
      const answers: Array<[string, unknown]> = [
        ['SendMessage', SendMessageResponse.toJSON({ payload: { $case: 'task', value: task } })],
        ['SendMessage', SendMessageResponse.toJSON({ payload: { $case: 'message', value: fullMessage(Role.ROLE_AGENT, 'hi') } })],
        ['GetTask', Task.toJSON(task)],
        ['CancelTask', Task.toJSON(task)],
        ['ListTasks', ListTasksResponse.toJSON({ tasks: [task, fullTask(state)], nextPageToken: 'next', pageSize: 2, totalSize: 9 })],
        ['SendStreamingMessage', StreamResponse.toJSON({ payload: { $case: 'task', value: task } })],
        ['SendStreamingMessage', StreamResponse.toJSON({ payload: { $case: 'message', value: fullMessage(Role.ROLE_AGENT, 'hi') } })],
        ['SubscribeToTask', StreamResponse.toJSON({ payload: { $case: 'statusUpdate', value: { taskId: task.id, contextId: task.contextId, status: task.status, metadata: { m: 1 } } } })],
        ['SubscribeToTask', StreamResponse.toJSON({ payload: { $case: 'artifactUpdate', value: { taskId: task.id, contextId: task.contextId, artifact: fullArtifact('chunk'), append: true, lastChunk: true, metadata: { m: 1 } } } })]
      ]
      for (const [method, value] of answers) {
        expect(await strict.inspect(reply(method, rpcResult(value))), `${method} ${JSON.stringify(value)}`).toBeUndefined()
      }
    }
  })

  it('what passes, the SDK reads back as the same content', () => {
    // A guard against accepting a shape the SDK would read differently from us.
    const wire = Message.toJSON(fullMessage(Role.ROLE_USER, 'round trip'))
    const back = Message.fromJSON(wire)
    expect(back.parts.map((p) => p.content?.$case)).toEqual(['text', 'data', 'raw', 'url'])
    expect(strict.check(request(rpcRequest('SendMessage', { message: wire }), 'SendMessage'))).toBeUndefined()
  })
})
