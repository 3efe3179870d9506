import { totalmem } from 'node:os'
import { getHeapStatistics } from 'node:v8'

/**
 * The start-up memory guard of the scale scenario (`--max-rss-mb`): before each batch of nodes
 * starts, the run's RSS (one process, or the coordinator's and every worker's summed) is compared
 * with the limit, and each process's V8 heap with its own limit (`--max-old-space-size`). Once
 * either is crossed, no more nodes start; the run goes on with the nodes already up (converge,
 * settle, lookups and tasks among them) and its result says where it stopped and why, instead of
 * the kernel's OOM killer (or V8's "heap out of memory") ending it with nothing written.
 */

const MB = 2 ** 20

/** The share of the machine's memory a run may take by default. */
export const DEFAULT_RSS_SHARE = 0.85

/** The default `--max-rss-mb`: {@link DEFAULT_RSS_SHARE} of this machine's memory (MB). */
export function defaultMaxRssMb (): number {
  return Math.floor(totalmem() / MB * DEFAULT_RSS_SHARE)
}

/** A process's V8 heap can grow to this (MB): `--max-old-space-size` plus the young generation. */
export function heapLimitMb (): number {
  return Math.floor(getHeapStatistics().heap_size_limit / MB)
}

/** The heap share past which a process counts as full: V8 spends its time collecting well before its limit. */
export const HEAP_SHARE = 0.9

/** Nodes always started before the guard may stop a run (node 0 and the first batch), so that a stopped run still has a mesh to measure. */
export const GUARD_MIN_NODES = 9

/** One process's memory now (MB). */
export interface MemoryReading { rssMb: number, heapUsedMb: number, heapLimitMb: number }

/** This process's memory now. */
export function readMemory (): MemoryReading {
  const m = process.memoryUsage()
  return { rssMb: Math.round(m.rss / MB), heapUsedMb: Math.round(m.heapUsed / MB), heapLimitMb: heapLimitMb() }
}

/** Where and why a run stopped starting nodes. */
export interface GuardStop {
  /** Nodes running when it stopped (nodes 0 … atNodes − 1). */
  atNodes: number
  /** Nodes asked for (`--nodes`). */
  of: number
  /**
   * `rss` (the run's RSS crossed `--max-rss-mb`), `heap` (a process's V8 heap passed 90 % of its
   * limit) or `time` (the start took `--max-start-s`).
   */
  kind: 'rss' | 'heap' | 'time'
  reason: string
  rssMb: number
  limitMb: number
}

/** What a scale result records of the guard. */
export interface GuardReport {
  maxRssMb: number
  /** The heap limit of this process and (over workers) of each worker (MB). */
  heapLimitMb: number[]
  /** The largest RSS the guard read during the start (MB; over workers, the sum of the processes). */
  peakRssMb: number
}

/**
 * Whether `readings` (one per process of the run) cross the limits: `undefined` while under, else
 * what was crossed (a sentence for the summary table).
 */
export function overLimit (readings: readonly MemoryReading[], maxRssMb: number, time?: { startedS: number, maxStartS: number }): Omit<GuardStop, 'atNodes' | 'of'> | undefined {
  const rssMb = readings.reduce((s, r) => s + r.rssMb, 0)
  if (time !== undefined && time.maxStartS > 0 && time.startedS >= time.maxStartS) {
    return { kind: 'time', reason: `the start took ${Math.round(time.startedS)} s of limit ${time.maxStartS} s (--max-start-s), RSS ${rssMb} MB`, rssMb, limitMb: maxRssMb }
  }
  const what = readings.length > 1 ? `RSS of the ${readings.length} processes` : 'RSS'
  if (rssMb >= maxRssMb) return { kind: 'rss', reason: `${what} ${rssMb} MB of limit ${maxRssMb} MB (--max-rss-mb)`, rssMb, limitMb: maxRssMb }
  for (const [p, r] of readings.entries()) {
    if (r.heapUsedMb >= HEAP_SHARE * r.heapLimitMb) {
      const who = readings.length > 1 ? (p === 0 ? 'the coordinator' : `worker ${p - 1}`) : 'the process'
      return { kind: 'heap', reason: `V8 heap of ${who} ${r.heapUsedMb} MB of its limit ${r.heapLimitMb} MB (${HEAP_SHARE * 100} %; --max-old-space-size), RSS ${rssMb} MB`, rssMb, limitMb: maxRssMb }
    }
  }
  return undefined
}
