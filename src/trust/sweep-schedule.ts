import type { Certificate } from './certificate.js'

/**
 * When {@link PeerTrust}'s periodic sweep must look at the verified peers'
 * certificates again. A certificate that verified stays valid until the clock
 * leaves its validity window (past the earliest `notAfter`, or back before the
 * latest `notBefore`) or the store's authorities or revocation lists change
 * (its `generation`). Between those, a sweep would re-check every peer and
 * find nothing: with thousands of daemons in one simulator process, that was
 * a cost that grew with the mesh (every node, every 5 s, every peer).
 */
export class SweepSchedule {
  private generation = -1
  private earliestEndMs = Infinity
  private latestStartMs = -Infinity

  /** Whether a sweep at `now`, with the store at `generation`, could find anything. */
  due (now: number, generation: number): boolean {
    return generation !== this.generation || now > this.earliestEndMs || now < this.latestStartMs
  }

  /** A certificate joined the verified set (after the last sweep). */
  add (cert: Pick<Certificate, 'notBeforeMs' | 'notAfterMs'>): void {
    this.earliestEndMs = Math.min(this.earliestEndMs, cert.notAfterMs)
    this.latestStartMs = Math.max(this.latestStartMs, cert.notBeforeMs)
  }

  /** A sweep ran at store `generation`; `kept` are the certificates still verified after it. */
  swept (generation: number, kept: Iterable<Pick<Certificate, 'notBeforeMs' | 'notAfterMs'>>): void {
    this.generation = generation
    this.earliestEndMs = Infinity
    this.latestStartMs = -Infinity
    for (const c of kept) this.add(c)
  }
}
