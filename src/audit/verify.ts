import { createVerifier } from '../envelope/verifier.js'
import { GENESIS_HASH } from './constants.js'
import { classifyBreak, type Break } from './classify.js'
import { checkpointBytes, expectedHash, type ChainedRecord } from './record.js'
import type { AuditCheckpoint, VerifyProblem, VerifyReport } from './types.js'

/** A log to verify, wherever it is stored. */
export interface LogSource {
  /** The records in stored order; iterated once, and again only to name a break. */
  records: () => Iterable<ChainedRecord>
  checkpoints: readonly AuditCheckpoint[]
}

/**
 * Verifies a log against the daemon's peer ID: every record continues the
 * hash chain (seq consecutive, prev hash, own hash), every checkpoint is
 * signed by the peer's key and matches the record it names, and no more
 * records are unsigned than the daemon's signed checkpoint interval allows.
 * The chain starts at seq 1 from 32 zero bytes, or after the pruning (base)
 * checkpoint.
 *
 * @throws {PeerKeyError} when `peerId` is not an Ed25519 peer ID
 */
export function verifyLog (source: LogSource, peerId: string): VerifyReport {
  const verifier = createVerifier({ maxCachedKeys: 1 })
  // Throws for a peer ID that is not one: a caller's mistake, not a verdict on the log.
  verifier.verify(peerId, new Uint8Array(0), new Uint8Array(64))
  const signedBy = (cp: AuditCheckpoint): boolean =>
    /^[0-9a-f]{128}$/.test(cp.signature) && verifier.verify(peerId, checkpointBytes(cp), Buffer.from(cp.signature, 'hex'))

  const report: VerifyReport = { ok: true, peer: peerId, records: 0, checkpoints: 0, unsigned: 0, warnings: [] }
  const fail = (seq: number, problem: VerifyProblem, message: string): VerifyReport => {
    report.ok = false
    report.firstBad = { seq, problem, message }
    return report
  }
  const cps = [...source.checkpoints].sort((a, b) => a.seq - b.seq)
  let anchor = { seq: 0, hash: GENESIS_HASH }
  let lastGood: AuditCheckpoint | undefined
  let idx = 0

  // A pruned log starts after its newest base checkpoint; older checkpoints
  // are leftovers that must still be genuine.
  const baseIdx = cps.findLastIndex((cp) => cp.base)
  if (baseIdx >= 0) {
    for (; idx <= baseIdx; idx++) {
      const cp = cps[idx] as AuditCheckpoint
      if (!signedBy(cp)) return fail(cp.seq + 1, 'bad_checkpoint', `the ${cp.base ? 'pruning ' : ''}checkpoint at seq ${cp.seq} is not signed by ${peerId}`)
      report.checkpoints++
    }
    const base = cps[baseIdx] as AuditCheckpoint
    anchor = { seq: base.seq, hash: Buffer.from(base.hash, 'hex') }
    lastGood = base
    report.lastCheckpoint = { seq: base.seq, hash: base.hash, timeMs: base.timeMs }
  }

  let prev = anchor.hash
  let expectSeq = anchor.seq + 1
  let prevRow: ChainedRecord | undefined
  let pos = 0
  const it = source.records()[Symbol.iterator]()
  try {
    for (let n = it.next(); n.done !== true; n = it.next(), pos++) {
      const r = n.value
      if (r.seq !== expectSeq || !r.prevHash.equals(prev) || !expectedHash(r).equals(r.hash)) {
        const after = it.next()
        const found: Break = classifyBreak({
          r, pos, next: after.done === true ? undefined : after.value, prevRow, prev, expectSeq, anchor,
          coveredSeq: lastGood?.seq ?? anchor.seq, records: source.records
        })
        return fail(found.seq, found.problem, found.message)
      }
      report.records++
      report.firstSeq ??= r.seq
      report.lastSeq = r.seq
      for (; idx < cps.length && (cps[idx] as AuditCheckpoint).seq <= r.seq; idx++) {
        const cp = cps[idx] as AuditCheckpoint
        const from = (lastGood?.seq ?? anchor.seq) + 1
        if (!signedBy(cp)) return fail(from, 'bad_checkpoint', `the checkpoint at seq ${cp.seq} is not signed by ${peerId}`)
        if (cp.seq !== r.seq || cp.hash !== r.hash.toString('hex')) {
          return fail(from, 'bad_checkpoint', `records ${from}..${cp.seq} do not match the checkpoint signed at seq ${cp.seq}: one of them was changed and the hashes after it recomputed`)
        }
        const gap = cp.seq - (lastGood?.seq ?? anchor.seq)
        if (lastGood?.base === true ? cp.count < gap : cp.count !== gap) {
          report.warnings.push({ kind: 'missing_checkpoint', seq: from, message: `a checkpoint between seq ${from - 1} and seq ${cp.seq} was deleted (the records are still covered by the one at seq ${cp.seq})` })
        }
        lastGood = cp
        report.checkpoints++
        report.lastCheckpoint = { seq: cp.seq, hash: cp.hash, timeMs: cp.timeMs }
      }
      prev = r.hash
      expectSeq = r.seq + 1
      prevRow = r
    }
  } finally {
    it.return?.()
  }

  const end = prevRow?.seq ?? anchor.seq
  const covered = lastGood?.seq ?? anchor.seq
  const beyond = cps[idx]
  if (beyond !== undefined) {
    // A checkpoint past the last record: the end of the log was cut off.
    if (!signedBy(beyond)) return fail(covered + 1, 'bad_checkpoint', `the checkpoint at seq ${beyond.seq} is not signed by ${peerId}`)
    return fail(end + 1, 'deleted', `the checkpoint at seq ${beyond.seq} signs records up to seq ${beyond.seq}, but the log ends at seq ${end}: records ${end + 1}..${beyond.seq} were deleted`)
  }
  report.unsigned = end - covered
  if (report.unsigned > 0) {
    // The daemon signs a checkpoint right after the first record, then at least every `every` records.
    const limit = lastGood?.every ?? 1
    if (report.unsigned > limit) {
      const promise = lastGood === undefined ? 'its first one right after the first record' : `one at least every ${limit} records`
      return fail(covered + 1, 'missing_checkpoint', `records ${covered + 1}..${end} (${report.unsigned}) are not covered by a checkpoint, ` +
        `but the daemon signs ${promise}: checkpoints were deleted, and these records may have been changed`)
    }
    report.warnings.push({ kind: 'unsigned_tail', seq: covered + 1, message: `records ${covered + 1}..${end} are not yet covered by a signed checkpoint: they are consistent with each other, but no signature vouches for them yet` })
  }
  return report
}
