import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditDatabase, type VerifyReport } from '../../../src/audit/index.js'
import type { Signer } from '../../../src/envelope/index.js'
import { attackerHash, fill, newSigner, openTestLog, recomputeFrom, renumberFrom, swapSeq, tamper, tempDir } from './helpers.js'

// The daemon wrote 20 records with a checkpoint every 4 (signed at seq 1, 5,
// 9, 13, 17, and 20 when it stopped). Then, with the daemon stopped, someone
// with write access to the database file edits it with plain SQL.

let signer: Signer
let tmp: ReturnType<typeof tempDir>
let path: string

beforeEach(async () => {
  signer = await newSigner()
  tmp = tempDir()
  path = join(tmp.dir, 'agentmesh.db')
  const log = openTestLog(path, signer, { checkpointEvery: 4 })
  fill(log, 20)
  log.close()
})

afterEach(() => { tmp.remove() })

const verify = (): VerifyReport => verifyAuditDatabase(path, signer.peerId)

it('an untouched log verifies', () => {
  expect(verify()).toMatchObject({ ok: true, records: 20, checkpoints: 6, firstSeq: 1, lastSeq: 20, unsigned: 0, warnings: [] })
})

it('fails with another peer\'s ID', async () => {
  const other = await newSigner()
  expect(verifyAuditDatabase(path, other.peerId)).toMatchObject({ ok: false, firstBad: { seq: 1, problem: 'bad_checkpoint' } })
})

describe('a record edited', () => {
  it.each([
    ['its decision', "UPDATE audit_records SET decision = 'delivered' WHERE seq = 7"],
    ['its reason', "UPDATE audit_records SET reason = NULL WHERE seq = 7"],
    ['its time', 'UPDATE audit_records SET time_ms = time_ms - 1 WHERE seq = 7'],
    ['its agent', "UPDATE audit_records SET to_agent = 'someone-else' WHERE seq = 7"],
    ['a field it did not have', "UPDATE audit_records SET detail = 'all fine' WHERE seq = 7"],
    ['its delegation chain', "UPDATE audit_records SET chain = replace(chain, 'operator', 'intruder') WHERE seq = 6"],
    ['its stored hash', "UPDATE audit_records SET hash = randomblob(32) WHERE seq = 7"]
  ])('%s: named as edited, at its seq', (_what, sql) => {
    tamper(path, (db) => db.exec(sql))
    const seq = sql.includes('seq = 6') ? 6 : 7
    expect(verify()).toMatchObject({ ok: false, firstBad: { seq, problem: 'edited' } })
  })

  it('twice: the first one is named', () => {
    tamper(path, (db) => db.exec("UPDATE audit_records SET decision = 'sent' WHERE seq IN (12, 7)"))
    expect(verify().firstBad).toMatchObject({ seq: 7, problem: 'edited' })
  })

  it('with its own hash recomputed: still edited (the next record no longer chains onto it)', () => {
    tamper(path, (db) => {
      db.exec("UPDATE audit_records SET decision = 'delivered' WHERE seq = 19")
      const row = db.prepare('SELECT * FROM audit_records WHERE seq = 19').get() as Record<string, unknown>
      db.prepare('UPDATE audit_records SET hash = ? WHERE seq = 19').run(attackerHash(row))
    })
    expect(verify().firstBad).toMatchObject({ seq: 19, problem: 'edited' })
  })
})

describe('records deleted', () => {
  it('one: named at the seq after the gap', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_records WHERE seq = 7'))
    expect(verify().firstBad).toMatchObject({ seq: 8, problem: 'deleted', message: 'record 7 is missing' })
  })

  it('several', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_records WHERE seq BETWEEN 7 AND 11'))
    expect(verify().firstBad).toMatchObject({ seq: 12, problem: 'deleted' })
  })

  it('the first', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_records WHERE seq = 1'))
    expect(verify().firstBad).toMatchObject({ seq: 2, problem: 'deleted' })
  })

  it('the last ones: a checkpoint signs records that are gone', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_records WHERE seq >= 19'))
    expect(verify().firstBad).toMatchObject({ seq: 19, problem: 'deleted' })
  })

  it('and the later records renumbered to close the gap', () => {
    tamper(path, (db) => {
      db.exec('DELETE FROM audit_records WHERE seq BETWEEN 7 AND 8')
      renumberFrom(db, 9, -2)
    })
    expect(verify().firstBad).toMatchObject({ seq: 7, problem: 'deleted', message: expect.stringContaining('records 7..8 are missing and the later records were renumbered') })
  })

  it('and the next record re-chained onto the one before the gap', () => {
    tamper(path, (db) => {
      db.exec('DELETE FROM audit_records WHERE seq = 7')
      const before = db.prepare('SELECT hash FROM audit_records WHERE seq = 6').get()
      db.prepare('UPDATE audit_records SET prev_hash = ? WHERE seq = 8').run(before?.hash as Uint8Array)
      const row = db.prepare('SELECT * FROM audit_records WHERE seq = 8').get() as Record<string, unknown>
      db.prepare('UPDATE audit_records SET hash = ? WHERE seq = 8').run(attackerHash(row))
    })
    expect(verify().firstBad).toMatchObject({ seq: 8, problem: 'deleted' })
  })
})

describe('a record inserted', () => {
  /** A forged record at seq 7, the real 7… moved up by one to make room. */
  function forge (rightHash: boolean): void {
    tamper(path, (db) => {
      renumberFrom(db, 7, 1)
      const prev = db.prepare('SELECT hash FROM audit_records WHERE seq = 6').get()?.hash as Uint8Array
      const row = { seq: 7, time_ms: Date.now(), decision: 'delivered', from_agent: 'intruder', to_agent: 'search', prev_hash: prev }
      db.prepare('INSERT INTO audit_records (seq, time_ms, decision, from_agent, to_agent, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(row.seq, row.time_ms, row.decision, row.from_agent, row.to_agent, row.prev_hash, rightHash ? attackerHash(row) : Buffer.alloc(32, 7))
    })
  }

  it('with a correctly computed hash and the later records renumbered', () => {
    forge(true)
    expect(verify().firstBad).toMatchObject({ seq: 7, problem: 'inserted' })
  })

  it('with a made-up hash', () => {
    forge(false)
    expect(verify().firstBad).toMatchObject({ seq: 7, problem: 'inserted' })
  })
})

describe('records reordered', () => {
  it('two neighbours\' seq swapped', () => {
    tamper(path, (db) => swapSeq(db, 6, 7))
    expect(verify().firstBad).toMatchObject({ seq: 6, problem: 'reordered' })
  })

  it('two distant records\' seq swapped', () => {
    tamper(path, (db) => swapSeq(db, 3, 15))
    expect(verify().firstBad).toMatchObject({ seq: 3, problem: 'reordered' })
  })

  it('the content of two rows swapped, seq and hashes left in place', () => {
    const columns = ['time_ms', 'decision', 'reason', 'rule', 'from_agent', 'from_peer', 'to_agent', 'to_peer', 'envelope_hash', 'task_id', 'trace_id', 'detail', 'chain']
    tamper(path, (db) => {
      const a = db.prepare('SELECT * FROM audit_records WHERE seq = 10').get() as Record<string, any>
      const b = db.prepare('SELECT * FROM audit_records WHERE seq = 11').get() as Record<string, any>
      const update = db.prepare(`UPDATE audit_records SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`)
      update.run(...columns.map((c) => b[c]), 10)
      update.run(...columns.map((c) => a[c]), 11)
    })
    expect(verify().firstBad).toMatchObject({ seq: 10, problem: 'reordered' })
  })
})

describe('an attacker who fixes up the hashes', () => {
  it('is caught at the next checkpoint, naming the first record after the last good one', () => {
    tamper(path, (db) => {
      db.exec("UPDATE audit_records SET decision = 'delivered', reason = NULL WHERE seq = 7")
      recomputeFrom(db, 7)
    })
    const report = verify()
    expect(report.firstBad).toMatchObject({ seq: 6, problem: 'bad_checkpoint', message: expect.stringContaining('checkpoint signed at seq 9') })
    expect(report.lastCheckpoint?.seq).toBe(5)
  })

  it('after deleting a record and renumbering everything after it', () => {
    tamper(path, (db) => {
      db.exec('DELETE FROM audit_records WHERE seq = 14')
      renumberFrom(db, 15, -1)
      recomputeFrom(db, 14)
    })
    expect(verify().firstBad).toMatchObject({ seq: 14, problem: 'bad_checkpoint' })
  })

  it('cannot forge a checkpoint to match', () => {
    tamper(path, (db) => {
      db.exec("UPDATE audit_records SET decision = 'delivered' WHERE seq = 7")
      recomputeFrom(db, 7)
      db.exec('UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_records WHERE seq = 9) WHERE seq = 9')
    })
    expect(verify().firstBad).toMatchObject({ seq: 6, problem: 'bad_checkpoint', message: expect.stringContaining('not signed') })
  })

  it('and deletes the later checkpoints: more records are unsigned than the daemon ever leaves', () => {
    tamper(path, (db) => {
      db.exec("UPDATE audit_records SET decision = 'delivered' WHERE seq = 7")
      recomputeFrom(db, 7)
      db.exec('DELETE FROM audit_checkpoints WHERE seq > 5')
    })
    expect(verify().firstBad).toMatchObject({ seq: 6, problem: 'missing_checkpoint' })
  })

  it('or deletes every checkpoint', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_checkpoints'))
    expect(verify().firstBad).toMatchObject({ seq: 1, problem: 'missing_checkpoint' })
  })

  it('goes unnoticed only among the records after the last checkpoint, which the report says are unsigned', () => {
    // The documented limit: what no signature covers yet is only consistent.
    tamper(path, (db) => {
      db.exec('DELETE FROM audit_checkpoints WHERE seq = 20')
      db.exec("UPDATE audit_records SET decision = 'delivered' WHERE seq = 19")
      recomputeFrom(db, 19)
    })
    const report = verify()
    expect(report).toMatchObject({ ok: true, unsigned: 3, lastCheckpoint: { seq: 17 } })
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'unsigned_tail', seq: 18 })])
  })
})

describe('checkpoints', () => {
  it('an edited checkpoint fails its signature', () => {
    tamper(path, (db) => db.exec('UPDATE audit_checkpoints SET count = 3 WHERE seq = 9'))
    expect(verify().firstBad).toMatchObject({ seq: 6, problem: 'bad_checkpoint' })
  })

  it('a deleted checkpoint between good ones is a warning: its records are still covered', () => {
    tamper(path, (db) => db.exec('DELETE FROM audit_checkpoints WHERE seq = 9'))
    const report = verify()
    expect(report.ok).toBe(true)
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'missing_checkpoint', seq: 6 })])
  })

  it('records a crash left unsigned are a warning, not a failure', () => {
    const log = openTestLog(path, signer, { checkpointEvery: 4 })
    fill(log, 2)
    log.close(true)
    const report = verify()
    expect(report).toMatchObject({ ok: true, records: 22, unsigned: 2 })
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'unsigned_tail', seq: 21 })])
  })
})
