import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { apiCall, cleanup, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'

const TASKS = 1_000

interface OutboxRow { messageId: string, state: string, error: string | null }

/** Reads the sender's outbox (read-only; WAL lets us read beside the running daemon). */
function readOutbox (home: string): OutboxRow[] {
  const db = new DatabaseSync(join(home, 'agentmesh.db'), { readOnly: true })
  try {
    const rows = db.prepare("SELECT payload, state, error FROM outbox WHERE method = 'SendMessage'").all() as Array<{ payload: Uint8Array, state: string, error: string | null }>
    return rows.map((r) => ({ messageId: JSON.parse(Buffer.from(r.payload).toString('utf8')).params.message.messageId, state: r.state, error: r.error }))
  } finally {
    db.close()
  }
}

async function openTasks (d: TestDaemon): Promise<number> {
  const { outbox } = (await d.api('GET', '/v1/tasks')).body
  return outbox.pending
}

/** Fires TASKS SendMessage calls at A's endpoint for `agent` at once; resolves when every call has ended. */
function fireTasks (a: TestDaemon, target: string): Promise<unknown[]> {
  return Promise.all(Array.from({ length: TASKS }, async () =>
    apiCall(a.apiSocket, 'POST', `/a2a/${target}`, JSON.stringify(jsonRpcSendMessage('count me', { messageId: randomUUID() }))).catch(() => null)))
}

describe('exactly once across a daemon killed with SIGKILL', () => {
  let daemons: Array<TestDaemon | undefined> = []
  let agent: TestAgent | undefined
  afterEach(async () => {
    await cleanup(daemons)
    daemons = []
    await agent?.close()
  })

  /** `agentMs`: how long the agent takes per task (0: it answers at once). */
  async function mesh (agentMs = 0): Promise<{ a: TestDaemon, b: TestDaemon }> {
    agent = await startAgent({ kind: 'echo', name: 'counter', ...(agentMs > 0 ? { onMessage: async (text: string) => { await new Promise((resolve) => setTimeout(resolve, agentMs)); return `echo: ${text}` } } : {}) })
    const b = await startDaemon()
    const a = await startDaemon({ args: ['--bootstrap', b.addresses[0] as string] })
    daemons.push(a, b)
    expect((await b.api('POST', '/v1/agents', { name: 'counter', url: agent.url })).status).toBe(201)
    return { a, b }
  }

  it('sender killed mid-way: after restart every stored task reaches the agent exactly once', { timeout: 150_000 }, async () => {
    const { a, b } = await mesh()
    const calls = fireTasks(a, `counter@${b.peerId}`)
    await waitFor(() => (agent?.total() ?? 0) >= TASKS / 4, 'a quarter of the tasks to arrive', 60_000)
    await a.kill()
    await calls
    const before = agent!.total()

    const again = await startDaemon({ home: a.home, args: ['--bootstrap', b.addresses[0] as string] })
    daemons.push(again)
    await waitFor(async () => (await openTasks(again)) === 0, 'the restarted sender to drain its outbox', 90_000)

    const rows = readOutbox(a.home)
    expect(rows.length).toBeGreaterThan(before - 1)
    for (const r of rows) {
      expect(r.state, `task ${r.messageId}: ${r.error ?? ''}`).toBe('done')
      expect(agent!.received.get(r.messageId), `deliveries of ${r.messageId}`).toBe(1)
    }
    // Nothing reached the agent that the outbox does not account for, and nothing twice.
    expect(agent!.total()).toBe(rows.length)
    expect(Math.max(...agent!.received.values())).toBe(1)
  })

  it('receiver killed mid-way: every task is delivered once or reported failed, never delivered twice', { timeout: 150_000 }, async () => {
    const { a, b } = await mesh()
    const calls = fireTasks(a, `counter@${b.peerId}`)
    await waitFor(() => (agent?.total() ?? 0) >= TASKS / 4, 'a quarter of the tasks to arrive', 60_000)
    await b.kill()
    const b2 = await startDaemon({ home: b.home })
    daemons.push(b2)
    const answers = await calls
    await waitFor(async () => (await openTasks(a)) === 0, 'the sender to finish every task', 90_000)

    const rows = readOutbox(a.home)
    expect(rows.length).toBe(TASKS)
    const failed = rows.filter((r) => r.state === 'failed')
    for (const r of rows) {
      const count = agent!.received.get(r.messageId) ?? 0
      if (r.state === 'done') expect(count, `deliveries of ${r.messageId}`).toBe(1)
      else {
        // Only a delivery the crash interrupted may fail, and it says so.
        expect(r.error).toMatch(/^DELIVERY_INTERRUPTED/)
        expect(count).toBeLessThanOrEqual(1)
      }
    }
    expect(Math.max(...agent!.received.values())).toBe(1)
    // Only tasks whose HTTP call to the agent was in flight can be ambiguous:
    // the receiver hands at most 32 at a time to one agent (AGENT_CONCURRENCY).
    expect(failed.length).toBeLessThanOrEqual(32)
    process.stderr.write(`receiver crash: ${rows.length - failed.length} delivered once, ${failed.length} reported DELIVERY_INTERRUPTED\n`)
    // Callers got an answer for each task: the echo, or a JSON-RPC error naming the reason.
    const bodies = (answers as Array<{ body: any } | null>).filter((x) => x != null).map((x) => x.body)
    expect(bodies.length).toBe(TASKS)
    for (const body of bodies) {
      if (body.error != null) expect(body.error.data.reason).toBe('DELIVERY_INTERRUPTED')
      else expect(body.result.message.parts[0].text).toBe('echo: count me')
    }
  })

  it('receiver restarted cleanly (SIGTERM) mid-way: every task is delivered exactly once, none fails', { timeout: 150_000 }, async () => {
    // An agent that takes 200 ms a task keeps the receiver draining for that long after SIGTERM,
    // with hundreds of tasks queued behind its 32 slots: each is answered DAEMON_STOPPING, and the
    // sender's retries reach the draining receiver on the streams still open. Those retries were
    // once answered DELIVERY_INTERRUPTED (final), and the next run then delivered tasks the
    // sender had given up on.
    const { a, b } = await mesh(200)
    const calls = fireTasks(a, `counter@${b.peerId}`)
    await waitFor(() => (agent?.total() ?? 0) >= TASKS / 4, 'a quarter of the tasks to arrive', 60_000)
    expect(await b.stop()).toBe(0)
    const b2 = await startDaemon({ home: b.home })
    daemons.push(b2)
    await calls
    await waitFor(async () => (await openTasks(a)) === 0, 'the sender to finish every task', 90_000)
    const rows = readOutbox(a.home)
    expect(rows.length).toBe(TASKS)
    for (const r of rows) {
      expect(r.state, `task ${r.messageId}: ${r.error ?? ''}`).toBe('done')
      expect(agent!.received.get(r.messageId), `deliveries of ${r.messageId}`).toBe(1)
    }
    expect(agent!.total()).toBe(TASKS)
  })
})
