import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { verifyAuditDatabase } from '../../../src/audit/index.js'
import { createSigner } from '../../../src/envelope/index.js'
import { createIdentityKey } from '../../../src/identity/index.js'
import { tempDir } from './helpers.js'

const FIXTURES = resolve(import.meta.dirname, 'fixtures')

let tmp: ReturnType<typeof tempDir>
beforeEach(() => { tmp = tempDir() })
afterEach(() => { tmp.remove() })

/** Starts the appending child and resolves once it has written a few hundred records. */
async function startAppending (dbPath: string, keyPath: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', '--import', join(FIXTURES, 'ts-hooks.mjs'), join(FIXTURES, 'append-loop.ts'), dbPath, keyPath], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve() })
    child.on('exit', (code) => { reject(new Error(`the appending child exited (${String(code)}) before it was ready: ${stderr}`)) })
  })
  return child
}

it('a log whose writer is killed with SIGKILL in the middle of appending still verifies, and grows on after each restart', async () => {
  const dbPath = join(tmp.dir, 'agentmesh.db')
  const keyPath = join(tmp.dir, 'identity.key')
  const peerId = createSigner(await createIdentityKey(keyPath)).peerId
  let records = 0
  for (let round = 0; round < 3; round++) {
    const child = await startAppending(dbPath, keyPath)
    await sleep(5 + round * 20) // kill it at a different point each time
    child.kill('SIGKILL')
    await once(child, 'exit')
    const report = verifyAuditDatabase(dbPath, peerId)
    expect(report.ok, JSON.stringify(report.firstBad)).toBe(true)
    expect(report.records).toBeGreaterThan(records + 300)
    // At most one checkpoint interval (7) is left unsigned, and said to be.
    expect(report.unsigned).toBeLessThanOrEqual(7)
    if (report.unsigned > 0) expect(report.warnings.map((w) => w.kind)).toEqual(['unsigned_tail'])
    records = report.records
  }
})
