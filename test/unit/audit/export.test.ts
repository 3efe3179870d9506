import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXPORT_FORMAT, exportAudit, exportAuditLines, verifyAuditDatabase, verifyAuditExport } from '../../../src/audit/index.js'
import type { Signer } from '../../../src/envelope/index.js'
import { fill, newSigner, openTestLog, tamper, tempDir, type TestLog } from './helpers.js'

let signer: Signer
let tmp: ReturnType<typeof tempDir>
let log: TestLog
let text: string

beforeEach(async () => {
  signer = await newSigner()
  tmp = tempDir()
  log = openTestLog(join(tmp.dir, 'agentmesh.db'), signer, { checkpointEvery: 4 })
  fill(log, 10)
  log.close() // checkpoints at 1, 5, 9 and 10
  text = exportAudit(log.path, signer.peerId)
})

afterEach(() => { tmp.remove() })

/** The export's lines, parsed. */
const lines = (t: string): any[] => t.trim().split('\n').map((l) => JSON.parse(l))
/** The export with its lines rearranged by `fn`. */
const edit = (fn: (ls: string[]) => string[]): string => fn(text.trim().split('\n')).join('\n') + '\n'
/** Index of the line of record `seq`. */
const lineOf = (seq: number): number => lines(text).findIndex((l) => l.type === 'record' && l.seq === seq)

describe('exportAudit', () => {
  it('writes a header, then the records in order, each checkpoint after the record it signs', () => {
    const ls = lines(text)
    expect(ls[0]).toEqual({ format: EXPORT_FORMAT, peer: signer.peerId })
    expect(ls.slice(1).map((l) => `${l.type as string}:${l.seq as number}`)).toEqual([
      'record:1', 'checkpoint:1', 'record:2', 'record:3', 'record:4', 'record:5', 'checkpoint:5',
      'record:6', 'record:7', 'record:8', 'record:9', 'checkpoint:9', 'record:10', 'checkpoint:10'
    ])
    expect(ls[3]).toMatchObject({ type: 'record', seq: 2, decision: 'delivered', chain: [{ agent: 'operator' }, { agent: 'planner' }] })
    expect(Object.keys(ls[2])).toEqual(['type', 'seq', 'hash', 'timeMs', 'count', 'every', 'base', 'signature'])
  })

  it('is the same from the file and from the open database, line by line', () => {
    const reopened = openTestLog(log.path, signer)
    expect([...exportAuditLines(reopened.db, signer.peerId)].join('\n') + '\n').toBe(text)
    reopened.db.close()
  })

  it('starts with the pruning checkpoint of a pruned log', () => {
    const again = openTestLog(log.path, signer, { checkpointEvery: 4 }, log.clock)
    again.audit.prune(log.clock.now - 3500) // keeps 7..10
    again.close()
    const pruned = exportAudit(log.path, signer.peerId)
    expect(lines(pruned)[1]).toMatchObject({ type: 'checkpoint', seq: 6, base: true })
    expect(verifyAuditExport(pruned, signer.peerId)).toMatchObject({ ok: true, firstSeq: 7, records: 4 })
  })
})

describe('verifyAuditExport', () => {
  it('verifies with nothing but the export and the peer ID', () => {
    expect(verifyAuditExport(text, signer.peerId)).toMatchObject({ ok: true, peer: signer.peerId, records: 10, checkpoints: 4, unsigned: 0 })
  })

  it('fails with another peer\'s ID, also when the header is changed to claim it', async () => {
    const other = await newSigner()
    expect(verifyAuditExport(text, other.peerId)).toMatchObject({ ok: false, firstBad: { problem: 'wrong_peer' } })
    const claimed = text.replace(signer.peerId, other.peerId)
    expect(verifyAuditExport(claimed, other.peerId)).toMatchObject({ ok: false, firstBad: { seq: 1, problem: 'bad_checkpoint' } })
  })

  it('without a peer ID, checks against the header\'s', () => {
    expect(verifyAuditExport(text)).toMatchObject({ ok: true, peer: signer.peerId })
  })

  it('names an edited record', () => {
    const t = edit((ls) => { ls[lineOf(7)] = (ls[lineOf(7)] as string).replace('"decision":"denied"', '"decision":"delivered"'); return ls })
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 7, problem: 'edited' })
  })

  it('names an edited delegation chain', () => {
    const t = edit((ls) => { ls[lineOf(6)] = (ls[lineOf(6)] as string).replace('"agent":"operator"', '"agent":"intruder"'); return ls })
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 6, problem: 'edited' })
  })

  it('names a deleted record', () => {
    const t = edit((ls) => ls.filter((_, i) => i !== lineOf(7)))
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 8, problem: 'deleted' })
  })

  it('names records cut off the end while their checkpoint stays', () => {
    const t = edit((ls) => ls.filter((l) => !/"type":"record","seq":(9|10),/.test(l)))
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 9, problem: 'deleted' })
  })

  it('cannot see the end cut off back into the unsigned stretch, but reports the last checkpoint to compare', () => {
    // The documented limit: compare lastCheckpoint with one kept from an earlier export.
    const earlier = verifyAuditExport(text, signer.peerId)
    const cut = verifyAuditExport(edit((ls) => ls.slice(0, lineOf(9))), signer.peerId)
    expect(cut).toMatchObject({ ok: true, lastSeq: 8, unsigned: 3, lastCheckpoint: { seq: 5 } })
    expect(earlier.lastCheckpoint?.seq).toBe(10)
  })

  it('names swapped lines', () => {
    const t = edit((ls) => { const a = lineOf(6); const b = lineOf(7); [ls[a], ls[b]] = [ls[b] as string, ls[a] as string]; return ls })
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 7, problem: 'reordered' })
  })

  it('names a duplicated record', () => {
    const t = edit((ls) => { ls.splice(lineOf(7) + 1, 0, ls[lineOf(7)] as string); return ls })
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 7, problem: 'inserted' })
  })

  it('names a malformed line and a missing header', () => {
    expect(verifyAuditExport(edit((ls) => { ls[lineOf(4)] = '{"type":"record",'; return ls }), signer.peerId).firstBad)
      .toMatchObject({ seq: 4, problem: 'malformed', message: `line ${lineOf(4) + 1} is not JSON` })
    expect(verifyAuditExport(edit((ls) => ls.slice(1)), signer.peerId).firstBad).toMatchObject({ seq: 0, problem: 'malformed' })
    expect(verifyAuditExport('', signer.peerId).firstBad).toMatchObject({ problem: 'malformed' })
  })

  it('agrees with the database when a stored chain is not canonical JSON', () => {
    tamper(log.path, (db) => db.exec("UPDATE audit_records SET chain = replace(chain, ',', ', ') WHERE seq = 6"))
    const t = exportAudit(log.path, signer.peerId)
    expect(lines(t)[lineOf(6)]).toHaveProperty('chainText')
    expect(verifyAuditExport(t, signer.peerId).firstBad).toMatchObject({ seq: 6, problem: 'edited' })
    expect(verifyAuditDatabase(log.path, signer.peerId).firstBad).toMatchObject({ seq: 6, problem: 'edited' })
  })
})
