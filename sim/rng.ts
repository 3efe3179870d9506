/**
 * A seeded pseudo-random generator (sfc32 seeded by splitmix32), so that one
 * seed gives one run: the same keys, topology, compromised set and workload.
 */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number) {
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next(); this.b = next(); this.c = next(); this.d = next()
    for (let i = 0; i < 12; i++) this.u32()
  }

  /** A uniform 32-bit unsigned integer. */
  u32 (): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) >>> 0
    return t
  }

  /** A uniform float in [0, 1). */
  float (): number {
    return this.u32() / 4294967296
  }

  /** A uniform integer in [0, n). */
  int (n: number): number {
    return Math.floor(this.float() * n)
  }

  /** One element of `xs`. */
  pick<T> (xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list')
    return xs[this.int(xs.length)] as T
  }

  /** `k` distinct elements of `xs` (all of them if k ≥ length), in random order. */
  sample<T> (xs: readonly T[], k: number): T[] {
    const copy = [...xs]
    const n = Math.min(k, copy.length)
    for (let i = 0; i < n; i++) {
      const j = i + this.int(copy.length - i)
      const t = copy[i] as T
      copy[i] = copy[j] as T
      copy[j] = t
    }
    return copy.slice(0, n)
  }

  /** `n` bytes (key seeds). */
  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.u32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff
    }
    return out
  }

  /** An independent generator derived from this one (a sub-stream per purpose). */
  fork (): Rng {
    return new Rng(this.u32())
  }
}

/** The p-quantile (0..1) of `values` (nearest rank); NaN when empty. */
export function quantile (values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((x, y) => x - y)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank] as number
}
