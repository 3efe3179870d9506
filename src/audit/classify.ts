import { SEQ_SEARCH_RADIUS } from './constants.js'
import { chainHash, expectedHash, recordContent, type ChainedRecord } from './record.js'
import type { VerifyProblem } from './types.js'

/**
 * Naming what happened to the first record that breaks the chain.
 *
 * Each stored record carries its own hash and its predecessor's, and its hash
 * covers its seq. So at the first break the verifier can ask: does the record
 * still match its own hash (intact), or would it at another seq (moved)? Does
 * its prev_hash lead to the record before it, to one elsewhere in the log, or
 * to nothing? The answers tell the kinds apart:
 *
 * - **edited**: the record no longer matches its hash, at any seq, and its
 *   content does not belong to another row. Also: a record that is
 *   self-consistent and in sequence but whose predecessor has vanished with
 *   no gap in seq — the predecessor was changed and its own hash recomputed
 *   (named when it is not yet under a good checkpoint), or its prev_hash was.
 * - **deleted**: a gap in seq, or a predecessor found nowhere in the log
 *   while the seq shows one is missing (also when later records were
 *   renumbered to close the gap, which the verifier sees because a record
 *   matches its hash only at its old, higher seq). Named: the record after
 *   the gap. A checkpoint that signs records past the end of the log names a
 *   truncated tail.
 * - **inserted**: the record's real predecessor is earlier in the log than the
 *   row before it, so the rows in between are not part of the chain (named:
 *   the first of them), e.g. a forged row with a recomputed hash and the
 *   later rows renumbered to make room; or a row that matches nothing while
 *   the next row links straight past it; or a seq that appears twice.
 * - **reordered**: the record is intact but its predecessor comes later in the
 *   log (seq swapped, or whole rows swapped), or its content, time included,
 *   is exactly what another row's hash covers (content swapped between rows).
 *
 * What cannot be told apart, honestly:
 * - An attacker who recomputes every hash after a change leaves a chain that
 *   is consistent; only the next signed checkpoint shows it, and only as
 *   "something in this stretch" (`bad_checkpoint`, naming the first record
 *   after the previous good checkpoint). Records after the last checkpoint can
 *   be changed, added or removed that way without any trace (they are
 *   reported as unsigned); truncating the log back to a checkpoint and
 *   deleting the later checkpoints is caught only when more records remain
 *   unsigned than the daemon's signed checkpoint interval allows, or by
 *   comparing `lastCheckpoint` with a checkpoint kept elsewhere. Replacing the
 *   whole database by an older copy of itself is likewise only visible
 *   against an earlier export.
 * - A single bad row with nothing after it: an edit and a forged append look
 *   the same (`edited`).
 * - A row whose content was replaced by an exact copy of another row's
 *   content (time included) is reported as `reordered`; contents swapped
 *   between rows without their times read as two edits (`edited`).
 * - Deleting records and renumbering the rest further than
 *   {@link SEQ_SEARCH_RADIUS} (without a surviving predecessor to measure from)
 *   reads as `edited`.
 * None of this protects against whoever holds the daemon's key: they can sign
 * any log.
 */
export interface BreakContext {
  /** The first record that does not continue the chain, its position (0-based, stored order) and the one after it. */
  r: ChainedRecord
  pos: number
  next: ChainedRecord | undefined
  /** The row before it (good), the hash it should chain onto and the seq it should have. */
  prevRow: ChainedRecord | undefined
  prev: Buffer
  expectSeq: number
  /** Where the chain starts: seq 0 and zeros, or the pruning checkpoint. */
  anchor: { seq: number, hash: Buffer }
  /** The last seq under a good checkpoint so far. */
  coveredSeq: number
  /** The records again, in stored order (only read here, on failure). */
  records: () => Iterable<ChainedRecord>
}

/** What went wrong, at which seq. */
export interface Break { seq: number, problem: VerifyProblem, message: string }

/** Names the first break of the chain (see the module comment for what can and cannot be told apart). */
export function classifyBreak (c: BreakContext): Break {
  const { r, prev, expectSeq } = c
  const selfOk = expectedHash(r).equals(r.hash)
  const linkOk = r.prevHash.equals(prev)
  if (r.seq < expectSeq) return backwards(c, selfOk)
  if (selfOk) {
    if (linkOk) {
      return { seq: r.seq, problem: 'deleted', message: `${span(expectSeq, r.seq - 1)} missing (seq ${r.seq} was re-chained onto seq ${expectSeq - 1} with a recomputed hash)` }
    }
    return byPredecessor(c, r.seq)
  }
  const orig = originalSeq(c)
  if (orig !== undefined) {
    if (linkOk) return { seq: r.seq, problem: 'edited', message: `seq ${r.seq} was hashed as seq ${orig}: its seq was changed` }
    return byPredecessor(c, orig)
  }
  const home = contentHome(c)
  if (home !== undefined) {
    return { seq: r.seq, problem: 'reordered', message: `seq ${r.seq} holds the content that seq ${home}'s hash covers: the contents of records were swapped` }
  }
  if (c.next !== undefined && c.next.prevHash.equals(prev)) {
    return { seq: r.seq, problem: 'inserted', message: `seq ${r.seq} is not part of the chain: seq ${c.next.seq} chains directly onto ${describePrev(c)}` }
  }
  return { seq: r.seq, problem: 'edited', message: `seq ${r.seq} does not match its hash: its content was changed` }
}

/** A seq at or below one already passed: only possible in an export or an altered table. */
function backwards (c: BreakContext, selfOk: boolean): Break {
  const { r } = c
  let seen = false
  scan(c, (rec, pos) => {
    if (pos >= c.pos) return true
    if (rec.seq === r.seq) seen = true
    return seen
  })
  if (seen) {
    return { seq: r.seq, problem: 'inserted', message: `seq ${r.seq} appears a second time${selfOk ? ' (with a hash computed for it)' : ''}` }
  }
  return { seq: r.seq, problem: 'reordered', message: `seq ${r.seq} comes after seq ${c.expectSeq - 1}` }
}

/** Classifies an intact (or intact-but-renumbered, originally `orig`) record by where its predecessor is. */
function byPredecessor (c: BreakContext, orig: number): Break {
  const { r, pos, expectSeq } = c
  const was = orig !== r.seq ? ` (hashed as seq ${orig})` : ''
  let later: { rec: ChainedRecord, pos: number } | undefined
  let earlier: { rec: ChainedRecord | undefined, pos: number } | undefined
  if (r.prevHash.equals(c.anchor.hash)) earlier = { rec: undefined, pos: -1 }
  scan(c, (rec, p) => {
    if (p !== pos && rec.hash.equals(r.prevHash)) {
      if (p > pos) { later = { rec, pos: p }; return true }
      earlier = { rec, pos: p }
    }
    return false
  })
  if (later !== undefined) {
    return { seq: r.seq, problem: 'reordered', message: `seq ${r.seq}${was} chains onto seq ${later.rec.seq}, which comes after it: records were swapped` }
  }
  if (earlier !== undefined && earlier.pos < pos - 1) {
    const first = at(c, earlier.pos + 1)
    const from = first?.seq ?? r.seq
    const onto = earlier.rec === undefined ? 'the start of the log' : `seq ${earlier.rec.seq}`
    return { seq: from, problem: 'inserted', message: `${span(from, c.prevRow?.seq ?? from)} not part of the chain: seq ${r.seq}${was} chains onto ${onto}` }
  }
  if (r.seq > expectSeq || orig > expectSeq) {
    const message = orig === r.seq
      ? `${span(expectSeq, r.seq - 1)} missing`
      : `${span(expectSeq, orig - 1)} missing and the later records were renumbered to close the gap (seq ${r.seq} was seq ${orig})`
    return { seq: r.seq, problem: 'deleted', message }
  }
  if (c.prevRow !== undefined && c.prevRow.seq > c.coveredSeq) {
    return { seq: c.prevRow.seq, problem: 'edited', message: `seq ${r.seq} does not chain onto seq ${c.prevRow.seq}: seq ${c.prevRow.seq} was changed and its hash recomputed (or seq ${r.seq}'s prev_hash was changed)` }
  }
  return { seq: r.seq, problem: 'edited', message: `seq ${r.seq} does not chain onto ${describePrev(c)}: its prev_hash was changed` }
}

/** The seq this record's content and prev hash were hashed with, if not its current one. */
function originalSeq (c: BreakContext): number | undefined {
  const { r } = c
  const candidates = new Set<number>()
  if (r.prevHash.equals(c.anchor.hash)) candidates.add(c.anchor.seq + 1)
  scan(c, (rec) => {
    if (rec.hash.equals(r.prevHash)) { candidates.add(rec.seq + 1); return true }
    return false
  })
  for (let d = 1; d <= SEQ_SEARCH_RADIUS; d++) {
    candidates.add(r.seq + d)
    if (r.seq - d >= 1) candidates.add(r.seq - d)
  }
  candidates.delete(r.seq)
  for (const seq of candidates) {
    if (chainHash(r.prevHash, recordContent({ ...r, seq })).equals(r.hash)) return seq
  }
  return undefined
}

/**
 * The seq of another row whose hash this record's content (time included)
 * reproduces. Not without the time: records of one kind often differ in
 * nothing else, so any edit of a time would read as a swap.
 */
function contentHome (c: BreakContext): number | undefined {
  const { r } = c
  let home: number | undefined
  scan(c, (b, p) => {
    if (p === c.pos) return false
    if (chainHash(b.prevHash, recordContent({ ...r, seq: b.seq })).equals(b.hash)) {
      home = b.seq
      return true
    }
    return false
  })
  return home
}

/** `record 7 is` or `records 7..9 are`. */
function span (from: number, to: number): string {
  return from >= to ? `record ${from} is` : `records ${from}..${to} are`
}

function describePrev (c: BreakContext): string {
  return c.prevRow === undefined ? 'the start of the log' : `seq ${c.prevRow.seq}`
}

function at (c: BreakContext, pos: number): ChainedRecord | undefined {
  let found: ChainedRecord | undefined
  scan(c, (rec, p) => {
    if (p === pos) { found = rec; return true }
    return false
  })
  return found
}

/** Visits the records in stored order until `visit` returns true. */
function scan (c: BreakContext, visit: (rec: ChainedRecord, pos: number) => boolean): void {
  let pos = 0
  const it = c.records()[Symbol.iterator]()
  try {
    for (let n = it.next(); n.done !== true; n = it.next()) {
      if (visit(n.value, pos++)) return
    }
  } finally {
    it.return?.()
  }
}
