import { randomBytes, randomFillSync } from 'node:crypto'
import { ID_BYTES, NONCE_BYTES } from './constants.js'

/** A fresh 16-byte envelope id, for a new task (reuse it on retries). */
export function newEnvelopeId (): Uint8Array {
  return new Uint8Array(randomBytes(ID_BYTES))
}

/** A fresh 16-byte nonce, for every transmission. */
export function newNonce (): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES))
}

/** Bytes a {@link RandomPool} draws from the system's generator at a time. */
const POOL_BYTES = 4096

/**
 * Envelope ids and nonces for a hot path: one call into the system's
 * cryptographic generator fills 4 KiB, handed out 16 bytes at a time and
 * never twice (each draw is a copy, and the pool is refilled before any
 * byte is reused). `randomBytes(16)` costs about 4 µs a call here, a draw
 * from the pool a quarter of a microsecond. One pool per owner: nothing is
 * shared between daemons in one process.
 */
export class RandomPool {
  private readonly pool = new Uint8Array(POOL_BYTES)
  /** The same memory as a Buffer, for {@link hex}. */
  private readonly view = Buffer.from(this.pool.buffer, this.pool.byteOffset, POOL_BYTES)
  private offset = POOL_BYTES

  /** `n` fresh random bytes (`n` ≤ 4096). */
  bytes (n: number): Uint8Array {
    const at = this.draw(n)
    return this.pool.slice(at, at + n)
  }

  /**
   * `n` fresh random bytes as `2n` lowercase hex digits: one flat string made
   * by one native call, with no intermediate byte array (a trace's span ids).
   */
  hex (n: number): string {
    const at = this.draw(n)
    return this.view.toString('hex', at, at + n)
  }

  /**
   * Writes `n` fresh random bytes into `target` at `offset`: a copy within
   * memory, with no array made for them (the span ids of encoded stage spans).
   */
  copyInto (target: Uint8Array, offset: number, n: number): void {
    const at = this.draw(n)
    target.set(this.pool.subarray(at, at + n), offset)
  }

  /** Reserves the next `n` bytes of the pool (refilling it first if fewer are left) and returns where they start. */
  private draw (n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > POOL_BYTES) throw new RangeError(`cannot draw ${n} bytes from a ${POOL_BYTES}-byte pool`)
    if (this.offset + n > POOL_BYTES) {
      randomFillSync(this.pool)
      this.offset = 0
    }
    const at = this.offset
    this.offset += n
    return at
  }

  /** A fresh envelope id (16 bytes). */
  envelopeId (): Uint8Array {
    return this.bytes(ID_BYTES)
  }

  /** A fresh nonce (16 bytes). */
  nonce (): Uint8Array {
    return this.bytes(NONCE_BYTES)
  }
}
