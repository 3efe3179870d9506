import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

/** The CLI entry point the tests run, exactly as users do. */
export const BIN = resolve(import.meta.dirname, '../../bin/agentmesh.js')

/** A fresh, short home folder (Unix socket paths are limited to 107 bytes). */
export function tempHome (): string {
  return mkdtempSync(join(tmpdir(), 'am-'))
}

/** The outcome of one CLI run. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `agentmesh ARGS…` as a child process and collects its output. */
export async function runCli (args: string[], options: { env?: Record<string, string>, timeoutMs?: number, prefix?: string[] } = {}): Promise<CliResult> {
  const [cmd, ...pre] = options.prefix ?? [process.execPath]
  const child = spawn(cmd as string, [...pre, ...(options.prefix != null ? [process.execPath] : []), BIN, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** What {@link startDaemon} takes. */
export interface StartOptions {
  home?: string
  /** Extra `agentmesh daemon` flags. Defaults add `--no-mdns` and a loopback listener. */
  args?: string[]
  /** Replace the default flags entirely. */
  bareArgs?: boolean
  env?: Record<string, string>
  /** A command prefix, e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  prefix?: string[]
  readyTimeoutMs?: number
  /**
   * Run as a closed mesh (certificates and policy checked). Default false: the
   * tests written before the closed mesh existed test the relay itself and run
   * in lab mode (`--open`); the trust tests pass true.
   */
  closed?: boolean
}

/** A daemon running as a child process. */
export interface TestDaemon {
  home: string
  peerId: string
  addresses: string[]
  apiSocket: string
  startupMs: number
  child: ChildProcess
  stderr(): string
  /** Calls the local API; resolves with status and parsed body. */
  api(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number, body: any }>
  /** Runs another CLI command against this daemon's home. */
  cli(args: string[]): Promise<CliResult>
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL and wait. */
  kill(): Promise<void>
}

/** Starts `agentmesh daemon --json` and waits for its ready line. */
export async function startDaemon (options: StartOptions = {}): Promise<TestDaemon> {
  const home = options.home ?? tempHome()
  const defaults = options.bareArgs === true ? [] : ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'info', ...(options.closed === true ? [] : ['--open'])]
  const [cmd, ...pre] = options.prefix ?? [process.execPath]
  const argv = [...pre, ...(options.prefix != null ? [process.execPath] : []), BIN, 'daemon', '--json', '--home', home, ...defaults, ...(options.args ?? [])]
  const child = spawn(cmd as string, argv, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  // If the test process ends without cleaning up (a crash, a timeout), take the daemon with it.
  const reap = (): void => { if (child.exitCode == null) child.kill('SIGKILL') }
  process.once('exit', reap)
  child.once('exit', () => { process.off('exit', reap) })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const lines = createInterface({ input: child.stdout! })
  const ready = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`daemon not ready in time; stderr:\n${stderr}`)) }, options.readyTimeoutMs ?? 30_000)
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line)
        if (msg.event === 'ready') { clearTimeout(timer); resolve(msg) }
      } catch {}
    })
    exited.then((code) => { clearTimeout(timer); reject(new Error(`daemon exited with ${code} before ready; stderr:\n${stderr}`)) })
  })
  const apiSocket = join(home, 'api.sock')
  return {
    home,
    peerId: ready.peerId,
    addresses: ready.addresses,
    apiSocket,
    startupMs: ready.startupMs,
    child,
    stderr: () => stderr,
    api: async (method, path, body, raw) => apiCall(apiSocket, method, path, raw ?? (body === undefined ? undefined : JSON.stringify(body))),
    cli: async (args) => runCli([...args, '--home', home]),
    stop: async () => { if (child.exitCode == null) child.kill('SIGTERM'); return exited },
    kill: async () => { if (child.exitCode == null) child.kill('SIGKILL'); await exited }
  }
}

/** One HTTP request over a Unix socket. */
export async function apiCall (socketPath: string, method: string, path: string, payload?: string | Buffer): Promise<{ status: number, body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: payload === undefined ? {} : { 'Content-Type': 'application/json' } }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => {
        let body: any = text
        try { body = JSON.parse(text) } catch {}
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T> (check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined && v !== false) return v
    } catch (err) { last = err }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}${last != null ? `: ${String(last)}` : ''}`)
}

/** Stops daemons (ignoring failures) and removes their homes. */
export async function cleanup (daemons: Array<TestDaemon | undefined>): Promise<void> {
  await Promise.all(daemons.map(async (d) => { if (d != null) await d.stop().catch(() => {}) }))
  for (const d of daemons) if (d != null) rmSync(d.home, { recursive: true, force: true })
}
