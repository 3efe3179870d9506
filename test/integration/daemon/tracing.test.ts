import { request } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../../helpers/otlp-collector.js'

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CLIENT_SPAN = '00f067aa0ba902b7'
const SEND_STAGES = ['api_receive', 'resolve', 'delegation', 'policy', 'outbox', 'stream', 'seal', 'send', 'remote', 'verify_answer', 'answer', 'finish']
const RECEIVE_STAGES = ['verify', 'admit', 'inspection', 'replay', 'deliver', 'reply', 'store']

describe('tracing across two daemons', () => {
  const daemons: Array<TestDaemon | undefined> = []
  let collector: OtlpCollector | undefined
  let echo: TestAgent | undefined
  afterAll(async () => { await cleanup(daemons); await echo?.close(); await collector?.close() })

  it('continues the caller\'s trace: one trace id, client → send task → receive task, every stage a child span in order', async () => {
    collector = await startOtlpCollector()
    echo = await startAgent({ kind: 'echo', name: 'echo' })
    const env = { OTEL_BSP_SCHEDULE_DELAY: '100' }
    // A exports in the default encoding (protobuf), B as JSON: one trace, both encodings.
    const b = await startDaemon({ args: ['--trace-endpoint', collector.url], env: { ...env, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, closed: false })
    daemons.push(b)
    const a = await startDaemon({ args: ['--bootstrap', b.addresses[0] as string, '--trace-endpoint', collector.url], env })
    daemons.push(a)
    expect((await b.cli(['agent', 'add', 'echo', '--url', echo.url])).code).toBe(0)

    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: a.apiSocket, method: 'POST', path: `/a2a/echo@${b.peerId}`, headers: { 'Content-Type': 'application/json', traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
      req.on('error', reject)
      req.end(JSON.stringify(jsonRpcSendMessage('traced')))
    })
    expect(status).toBe(200)

    const inTrace = (): CollectedSpan[] => collector!.spans.filter((s) => s.traceId === CLIENT_TRACE)
    const send = await waitFor(() => inTrace().find((s) => s.name === 'agentmesh.task.send'), 'the send task span', 10_000)
    const receive = await waitFor(() => inTrace().find((s) => s.name === 'agentmesh.task.receive'), 'the receive task span', 10_000)
    await waitFor(() => inTrace().filter((s) => s.parentSpanId === send.spanId).length > SEND_STAGES.length, 'the send stages', 10_000)

    // One trace: the client's span → A's task span → B's task span.
    expect(send.parentSpanId).toBe(CLIENT_SPAN)
    expect(send.peer).toBe(a.peerId)
    expect(receive.parentSpanId).toBe(send.spanId)
    expect(receive.peer).toBe(b.peerId)
    expect(receive.attributes['agentmesh.method']).toBe('SendMessage')
    // The agent was called under B's span, in the same trace.
    expect(echo.traceparents.at(-1)).toBe(`00-${CLIENT_TRACE}-${receive.spanId}-01`)

    const stagesOf = (parent: CollectedSpan): string[] => inTrace().filter((s) => s.parentSpanId === parent.spanId && !s.name.startsWith('agentmesh.task.'))
      .sort((x, y) => (x.startNs < y.startNs ? -1 : x.startNs > y.startNs ? 1 : 0)).map((s) => s.name.replace(/^agentmesh\./, ''))
    // Each frame B sends is read and verified: an ACK (sent when the agent takes over ACK_DELAY_MS) adds a remote/verify_answer pair.
    const sent = stagesOf(send)
    const frames = sent.filter((n) => n === 'remote').length
    expect(frames).toBeGreaterThanOrEqual(1)
    expect(sent.filter((n, i) => !((n === 'remote' || n === 'verify_answer') && sent[i - 2] === n))).toEqual(SEND_STAGES)
    expect(stagesOf(receive)).toEqual(RECEIVE_STAGES)
    // The receive task happened inside A's wait for the answer.
    expect(receive.startNs >= send.startNs && receive.endNs <= send.endNs).toBe(true)
    expect(collector.requests.protobuf).toBeGreaterThan(0)
    expect(collector.requests.json).toBeGreaterThan(0)
  })
})
