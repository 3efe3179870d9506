// Messages bigger than one 1 MiB chunk: a stock SDK client sends a 5 MiB file
// through two real daemons and gets a 5 MiB artifact back, in one JSON answer
// and as a stream event; past the receiver's relay.maxMessageBytes, a task is
// refused as OVERSIZED at once, not retried until its deadline.
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Message, Task } from '@a2a-js/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { a2aClientFor, closeA2AClients, textMessage, textRequest } from '../../helpers/a2a-client.js'
import { patternBytes } from '../../helpers/agent-core.mjs'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, runCli, startDaemon, tempHome, type TestDaemon } from '../../helpers/daemon.js'

const MiB = 1024 * 1024
const SIZE = 5 * MiB

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** A request with the text `text` and one file part of `file`'s bytes. */
function withFile (text: string, file: Buffer): ReturnType<typeof textRequest> {
  const message = textMessage(text)
  const parts: Message['parts'] = [...message.parts, { content: { $case: 'raw', value: file }, mediaType: 'application/octet-stream', filename: 'input.bin', metadata: undefined }]
  return { ...textRequest(text), message: { ...message, parts } }
}

/** The text and file parts of a task's artifacts. */
function artifactParts (task: Task): { text: string, file: Buffer } {
  const parts = task.artifacts.flatMap((a) => a.parts)
  const text = parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
  const raw = parts.find((p) => p.content?.$case === 'raw')?.content
  return { text, file: raw?.$case === 'raw' ? Buffer.from(raw.value) : Buffer.alloc(0) }
}

describe('messages larger than one chunk, through two daemons', () => {
  let a: TestDaemon, b: TestDaemon, small: TestDaemon
  let worker: TestAgent
  const input = randomBytes(SIZE)
  const expected = patternBytes(SIZE)

  beforeAll(async () => {
    worker = await startAgent({ kind: 'task', name: 'worker' })
    b = await startDaemon()
    a = await startDaemon({ args: ['--bootstrap', b.addresses[0] as string] })
    const home = tempHome()
    await runCli(['init', '--home', home])
    writeFileSync(join(home, 'config.json'), JSON.stringify({ relay: { maxMessageBytes: 2 * MiB } }))
    small = await startDaemon({ home, args: ['--bootstrap', b.addresses[0] as string] })
    for (const d of [b, small]) {
      const r = await d.cli(['agent', 'add', 'worker', '--url', worker.url, '--json'])
      expect(r.code, r.stderr).toBe(0)
    }
  })
  afterAll(async () => {
    await closeA2AClients()
    await cleanup([a, b, small].filter((d) => d != null))
    await worker?.close()
  })

  it('carries a 5 MiB file to the agent and a 5 MiB artifact back (one JSON answer)', async () => {
    const client = await a2aClientFor(a.apiSocket, `worker@${b.peerId}`)
    const started = Date.now()
    const result = await client.sendMessage(withFile(`artifact:${SIZE}`, input))
    const ms = Date.now() - started
    expect('id' in result, JSON.stringify(result).slice(0, 300)).toBe(true)
    const { text, file } = artifactParts(result as Task)
    expect(text).toBe(`received ${SIZE} ${sha256(input)}`)
    expect(file.byteLength).toBe(SIZE)
    expect(file.equals(expected)).toBe(true)
    console.log(`5 MiB each way, one JSON answer: ${ms} ms`)
  })

  it('streams a 2.5 MiB artifact as one event', async () => {
    // The stock SDK client refuses SSE events over 4 MiB (its parser's maxEventSizeBytes, not configurable
    // from the client), whatever the mesh carries: 2.5 MiB is 3.3 MiB of base64. And the request stays
    // small, since the task agent's first event repeats the request in the task's history.
    const streamed = 2.5 * MiB
    const client = await a2aClientFor(a.apiSocket, `worker@${b.peerId}`)
    const started = Date.now()
    let file = Buffer.alloc(0)
    const kinds: string[] = []
    for await (const ev of client.sendMessageStream(textRequest(`artifact:${streamed}`))) {
      kinds.push(ev.payload?.$case ?? '?')
      if (ev.payload?.$case === 'artifactUpdate') {
        const raw = ev.payload.value.artifact?.parts.find((p) => p.content?.$case === 'raw')?.content
        if (raw?.$case === 'raw') file = Buffer.from(raw.value)
      }
    }
    expect(kinds).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'])
    expect(file.equals(patternBytes(streamed))).toBe(true)
    console.log(`2.5 MiB streamed back: ${Date.now() - started} ms`)
  })

  it('refuses at once a task bigger than the receiver takes (OVERSIZED), before its agent sees it', async () => {
    // `small` takes at most 2 MiB: a 3 MiB file from `a` cannot reach its agent.
    const before = worker.total()
    const client = await a2aClientFor(a.apiSocket, `worker@${small.peerId}`)
    const started = Date.now()
    const err = await client.sendMessage(withFile('artifact:10', randomBytes(3 * MiB))).then(() => undefined, (e: Error) => e)
    expect(err?.message).toMatch(/exceeds 2097152 bytes/)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(worker.total()).toBe(before)
    // And its own answer cap: an artifact bigger than 2 MiB cannot come back to it.
    const fromSmall = await a2aClientFor(small.apiSocket, `worker@${b.peerId}`)
    const tooBig = await fromSmall.sendMessage(withFile('artifact:3145728', randomBytes(10))).then(() => undefined, (e: Error) => e)
    expect(tooBig?.message).toMatch(/exceeds 2097152 bytes/)
  })
})
