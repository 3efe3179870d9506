import type { Server } from 'node:http'

/** `echo` replies with a Message `echo: <text>`; `task` runs a task with streamed artifacts (see agent-core.mjs for its `slow`, `boom`, `ticks:N:MS` and `artifact:BYTES` skills). */
export type AgentKind = 'echo' | 'task'

export interface AgentServerOptions {
  kind: AgentKind
  /** Served under `/<name>`. */
  name: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (any free port). */
  port?: number
  /** Delay between the task agent's artifact chunks (ms). Default 10. */
  chunkDelayMs?: number
  /** An echo agent answers with this instead: an agent that calls others. */
  onMessage?: (text: string, metadata: Record<string, unknown> | undefined) => Promise<string>
}

export interface AgentServer {
  /** The agent's base URL, `http://127.0.0.1:PORT/<name>` (what `POST /v1/agents` takes). */
  url: string
  port: number
  name: string
  kind: AgentKind
  /** Deliveries (calls of the executor) per user messageId. */
  received: Map<string, number>
  /** The traceparent header of every JSON-RPC call received, in order. */
  traceparents: string[]
  /** The metadata of every message an echo agent received, in order. */
  metadatas: Array<Record<string, unknown> | null>
  server: Server
  close(): Promise<void>
}

/** `size` bytes in the fixed pattern the task agent's `artifact:BYTES` answers with. */
export function patternBytes (size: number): Buffer

export function startAgentServer (options: AgentServerOptions): Promise<AgentServer>
