import { createHash } from 'node:crypto'
import { join } from 'node:path'
import canonicalize from 'canonicalize'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AuditError, AuditLog, verifyAuditDatabase, type AuditRecord } from '../../../src/audit/index.js'
import { recordContent } from '../../../src/audit/record.js'
import type { Signer } from '../../../src/envelope/index.js'
import { fill, newSigner, openTestLog, sampleEntry, T0, tempDir, type TestLog } from './helpers.js'

let signer: Signer
let tmp: ReturnType<typeof tempDir>
let log: TestLog

beforeEach(async () => {
  signer = await newSigner()
  tmp = tempDir()
})

afterEach(() => {
  try { log?.db.close() } catch {}
  tmp.remove()
})

function checkpoints (l: TestLog): Array<{ seq: number, count: number, every: number, base: number }> {
  return l.db.prepare('SELECT seq, count, every, base FROM audit_checkpoints ORDER BY seq').all() as any
}

describe('AuditLog.append', () => {
  it('chains each record onto the one before, from 32 zero bytes', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    const records: AuditRecord[] = []
    for (let i = 0; i < 5; i++) records.push(log.audit.append(sampleEntry(i, signer.peerId)))
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
    expect(records[0]?.prevHash).toBe('0'.repeat(64))
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash)
    // The hash is SHA-256(prev hash bytes || RFC 8785 JSON of the content, seq and timeMs included).
    const r = records[2] as AuditRecord
    const { prevHash, hash, ...content } = r
    const expected = createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonicalize(content) as string).digest('hex')
    expect(hash).toBe(expected)
    expect(log.audit.query()).toEqual(records)
  })

  it('hashes the delegation chain as its canonical JSON text', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    const chain = [{ signer: 'x', agent: 'planner', audience: 'search', methods: ['SendMessage'], depth: 2 }]
    const r = log.audit.append({ decision: 'delivered', chain })
    const stored = log.db.prepare('SELECT chain FROM audit_records WHERE seq = 1').get()
    expect(stored?.chain).toBe(canonicalize(chain))
    const expected = createHash('sha256').update(Buffer.alloc(32))
      .update(canonicalize({ chain: canonicalize(chain), decision: 'delivered', seq: 1, timeMs: T0 }) as string).digest('hex')
    expect(r.hash).toBe(expected)
    expect(log.audit.query()[0]?.chain).toEqual(chain)
  })

  it('builds exactly the RFC 8785 bytes that canonicalize does', () => {
    const full = { seq: 12, timeMs: T0 + 5, decision: 'denied', reason: 'POLICY_DENIED', rule: 'r-1', fromAgent: 'a', fromPeer: 'p', toAgent: 'b', toPeer: 'q', envelopeHash: 'ee', taskId: 'tt', traceId: 'tr', detail: 'ünïcode "quoted" \u2028 \u0001 😀', chain: '[{"a":1}]' }
    expect(recordContent(full)).toBe(canonicalize(full))
    const sparse = { ...full, reason: null, rule: null, fromAgent: null, fromPeer: null, toAgent: null, toPeer: null, envelopeHash: null, taskId: null, traceId: null, detail: null, chain: null }
    expect(recordContent(sparse)).toBe(canonicalize({ seq: 12, timeMs: T0 + 5, decision: 'denied' }))
  })

  it('refuses a decision that is not lower-case words and a field that is not text', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    for (const decision of ['Denied', 'denied!', '', 'a b']) {
      expect(() => log.audit.append({ decision })).toThrow(AuditError)
    }
    expect(() => log.audit.append({ decision: 'denied', reason: 42 as unknown as string })).toThrow(/reason must be text/)
    expect(log.audit.query()).toEqual([])
  })

  it('commits and rolls back with the caller\'s transaction, and keeps the chain whole after a rollback', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 3 })
    log.audit.append({ decision: 'sent' })
    expect(() => log.db.transaction(() => {
      log.audit.append({ decision: 'delivered' })
      log.audit.append({ decision: 'delivered' })
      log.audit.append({ decision: 'delivered' }) // a checkpoint falls due in here, and rolls back too
      throw new Error('the decision failed')
    })).toThrow('the decision failed')
    log.db.transaction(() => {
      log.db.transaction(() => { log.audit.append({ decision: 'denied' }) })
      expect(() => log.db.transaction(() => { log.audit.append({ decision: 'replay' }); throw new Error('inner') })).toThrow('inner')
      log.audit.append({ decision: 'denied' })
    })
    const after = log.audit.append({ decision: 'sent' })
    expect(log.audit.query().map((r) => [r.seq, r.decision])).toEqual([[1, 'sent'], [2, 'denied'], [3, 'denied'], [4, 'sent']])
    expect(after.seq).toBe(4)
    log.close()
    expect(verifyAuditDatabase(log.path, signer.peerId)).toMatchObject({ ok: true, records: 4 })
  })

  it('continues the chain after a restart', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 4 })
    fill(log, 6)
    log.close()
    log = openTestLog(log.path, signer, { checkpointEvery: 4 }, log.clock)
    const r = log.audit.append({ decision: 'sent' })
    expect(r.seq).toBe(7)
    expect(r.prevHash).toBe(log.audit.query({ limit: 2 })[0]?.hash)
    log.close()
    expect(verifyAuditDatabase(log.path, signer.peerId)).toMatchObject({ ok: true, records: 7 })
  })
})

describe('checkpoints', () => {
  it('signs one after the first record, then every N records', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 4 })
    fill(log, 10)
    expect(checkpoints(log)).toEqual([
      { seq: 1, count: 1, every: 4, base: 0 },
      { seq: 5, count: 4, every: 4, base: 0 },
      { seq: 9, count: 4, every: 4, base: 0 }
    ])
    log.audit.checkpoint()
    log.audit.checkpoint() // nothing new: no second one
    expect(checkpoints(log).map((c) => c.seq)).toEqual([1, 5, 9, 10])
    const report = verifyAuditDatabase(log.db, signer.peerId)
    expect(report).toMatchObject({ ok: true, records: 10, checkpoints: 4, unsigned: 0, warnings: [] })
    expect(report.lastCheckpoint?.seq).toBe(10)
  })

  it('signs one every interval while records come in, and a last one at stop', () => {
    vi.useFakeTimers()
    try {
      log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 1000, checkpointIntervalMs: 10_000 })
      log.audit.start()
      fill(log, 3)
      expect(checkpoints(log).map((c) => c.seq)).toEqual([1])
      vi.advanceTimersByTime(10_000)
      expect(checkpoints(log).map((c) => c.seq)).toEqual([1, 3])
      vi.advanceTimersByTime(30_000) // nothing new, nothing signed
      expect(checkpoints(log).map((c) => c.seq)).toEqual([1, 3])
      fill(log, 2)
      log.audit.stop()
      expect(checkpoints(log).map((c) => c.seq)).toEqual([1, 3, 5])
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the interval its last checkpoint promised when restarted with a larger one', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 3 })
    fill(log, 2)
    log.close(true)
    log = openTestLog(log.path, signer, { checkpointEvery: 100 }, log.clock)
    fill(log, 5)
    // 1 (first), 4 (3 after), then the new interval's promise starts at 4.
    expect(checkpoints(log).map((c) => [c.seq, c.every])).toEqual([[1, 3], [4, 100]])
    log.close(true)
    expect(verifyAuditDatabase(log.path, signer.peerId)).toMatchObject({ ok: true, unsigned: 3 })
  })

  it('refuses options out of range', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    expect(() => new AuditLog({ db: log.db, signer, now: Date.now, checkpointEvery: 0 })).toThrow(/checkpointEvery/)
    expect(() => new AuditLog({ db: log.db, signer, now: Date.now, checkpointIntervalMs: 1.5 })).toThrow(/checkpointIntervalMs/)
  })
})

describe('AuditLog.query', () => {
  beforeEach(() => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    fill(log, 12) // sent, delivered, denied, replay, three times; one second apart from T0 + 1 s
    log.audit.append({ decision: 'delivered', fromAgent: 'planner', fromPeer: 'other-peer', toAgent: 'search', toPeer: 'other-peer' })
  })

  it('filters by agent (either side), by agent on one peer, by time and by decision', () => {
    expect(log.audit.query({ agent: 'writer' }).map((r) => r.seq)).toEqual([3, 7, 11])
    expect(log.audit.query({ agent: 'search' }).map((r) => r.decision)).toEqual(['sent', 'delivered', 'denied', 'sent', 'delivered', 'denied', 'sent', 'delivered', 'denied', 'delivered'])
    expect(log.audit.query({ agent: 'planner@other-peer' }).map((r) => r.seq)).toEqual([13])
    expect(log.audit.query({ since: T0 + 10_000 }).map((r) => r.seq)).toEqual([10, 11, 12, 13])
    expect(log.audit.query({ decision: 'denied' }).map((r) => r.seq)).toEqual([3, 7, 11])
    expect(log.audit.query({ decision: 'delivered', agent: 'planner', since: T0 + 3000 }).map((r) => r.seq)).toEqual([6, 10, 13])
    expect(log.audit.query({ decision: 'nothing_like_it' })).toEqual([])
  })

  it('with a limit, returns the newest records, oldest first', () => {
    expect(log.audit.query({ limit: 3 }).map((r) => r.seq)).toEqual([11, 12, 13])
    expect(log.audit.query({ decision: 'denied', limit: 2 }).map((r) => r.seq)).toEqual([7, 11])
    expect(log.audit.query({ limit: 0 })).toEqual([])
  })

  it('returns records as they were appended', () => {
    const [r] = log.audit.query({ decision: 'denied', limit: 1 })
    expect(r).toMatchObject({ seq: 11, timeMs: T0 + 11_000, decision: 'denied', reason: 'POLICY_DENIED', rule: 'no-siblings', fromAgent: 'search', toAgent: 'writer', detail: 'siblings may not call each other' })
    expect(r).not.toHaveProperty('chain')
    expect(log.audit.query()[1]?.chain).toEqual([{ signer: signer.peerId, agent: 'operator', audience: 'planner' }, { signer: signer.peerId, agent: 'planner', audience: 'search' }])
  })
})

describe('AuditLog.prune', () => {
  it('removes the old prefix, leaves a signed base checkpoint, and the log still verifies', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 4 })
    fill(log, 10) // times T0 + 1 s … T0 + 10 s
    expect(log.audit.prune(T0 + 6500)).toBe(6)
    expect(log.audit.query().map((r) => r.seq)).toEqual([7, 8, 9, 10])
    expect(checkpoints(log)).toEqual([{ seq: 6, count: 6, every: 4, base: 1 }, { seq: 9, count: 4, every: 4, base: 0 }])
    expect(verifyAuditDatabase(log.db, signer.peerId)).toMatchObject({ ok: true, firstSeq: 7, lastSeq: 10, records: 4, checkpoints: 2, unsigned: 1 })
    expect(log.audit.prune(T0 + 6500)).toBe(0) // nothing older left
    fill(log, 5)
    log.close()
    expect(verifyAuditDatabase(log.path, signer.peerId)).toMatchObject({ ok: true, firstSeq: 7, lastSeq: 15, unsigned: 0 })
  })

  it('can remove every record; the chain goes on from the base checkpoint, also after a restart', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 4 })
    fill(log, 5)
    expect(log.audit.prune(T0 + 60_000)).toBe(5)
    expect(log.audit.query()).toEqual([])
    expect(verifyAuditDatabase(log.db, signer.peerId)).toMatchObject({ ok: true, records: 0, checkpoints: 1 })
    log.close()
    log = openTestLog(log.path, signer, { checkpointEvery: 4 }, log.clock)
    const r = log.audit.append({ decision: 'sent' })
    expect(r.seq).toBe(6)
    log.close()
    expect(verifyAuditDatabase(log.path, signer.peerId)).toMatchObject({ ok: true, firstSeq: 6, records: 1 })
  })

  it('keeps the chain whole when the caller\'s transaction rolls a pruning back', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer, { checkpointEvery: 4 })
    fill(log, 6)
    expect(() => log.db.transaction(() => { log.audit.prune(T0 + 60_000); throw new Error('changed my mind') })).toThrow('changed my mind')
    expect(log.audit.append({ decision: 'sent' }).seq).toBe(7)
    fill(log, 4)
    log.close(true)
    const report = verifyAuditDatabase(log.path, signer.peerId)
    expect(report).toMatchObject({ ok: true, firstSeq: 1, records: 11 })
    expect(report.warnings.map((w) => w.kind)).toEqual(['unsigned_tail'])
  })

  it('removes only a prefix when the clock went backwards', () => {
    log = openTestLog(join(tmp.dir, 'a.db'), signer)
    fill(log, 3)
    log.clock.now = T0 // the clock stepped back
    fill(log, 2)
    expect(log.audit.prune(T0 + 2500)).toBe(2)
    expect(log.audit.query().map((r) => r.seq)).toEqual([3, 4, 5])
    expect(verifyAuditDatabase(log.db, signer.peerId).ok).toBe(true)
  })
})
