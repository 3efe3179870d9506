/**
 * A map that keeps at most `max` entries, dropping the least recently used
 * (a `Map` keeps insertion order; a hit is re-inserted at the end). For caches
 * of values that are dear to compute and cheap to keep: parsed peer IDs,
 * certificates whose signature verified.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>()

  constructor (readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`)
  }

  /** The value kept for `key`, now the most recently used; undefined if none is. */
  get (key: K): V | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  /** Keeps `value` for `key`, dropping the least recently used entry when full. */
  set (key: K, value: V): void {
    if (!this.entries.delete(key) && this.entries.size >= this.max) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
    this.entries.set(key, value)
  }

  get size (): number {
    return this.entries.size
  }
}
