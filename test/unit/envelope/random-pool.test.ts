import { describe, expect, it } from 'vitest'
import { RandomPool } from '../../../src/envelope/index.js'

describe('RandomPool', () => {
  it('hands out ids and nonces of 16 bytes, each a copy', () => {
    const pool = new RandomPool()
    const id = pool.envelopeId()
    const nonce = pool.nonce()
    expect(id.byteLength).toBe(16)
    expect(nonce.byteLength).toBe(16)
    expect(id.buffer).not.toBe(nonce.buffer)
    expect(id.byteOffset).toBe(0)
  })

  it('never hands out the same bytes twice across refills', () => {
    const pool = new RandomPool()
    const seen = new Set<string>()
    // 10,000 draws of 16 bytes: about 40 refills of the 4 KiB pool.
    for (let i = 0; i < 10_000; i++) {
      const hex = Buffer.from(pool.nonce()).toString('hex')
      expect(seen.has(hex)).toBe(false)
      seen.add(hex)
    }
  })

  it('gives two pools different bytes', () => {
    expect(Buffer.from(new RandomPool().nonce()).equals(Buffer.from(new RandomPool().nonce()))).toBe(false)
  })

  it('hands out hex draws that are fresh, flat, lowercase and never overlap the byte draws', () => {
    const pool = new RandomPool()
    const seen = new Set<string>()
    for (let i = 0; i < 3_000; i++) {
      const id = pool.hex(8)
      expect(id).toMatch(/^[0-9a-f]{16}$/)
      const bytes = Buffer.from(pool.bytes(8)).toString('hex')
      expect(seen.has(id) || seen.has(bytes)).toBe(false)
      seen.add(id)
      seen.add(bytes)
    }
    expect(() => pool.hex(4097)).toThrow(RangeError)
  })

  it('refuses a draw larger than the pool', () => {
    expect(() => new RandomPool().bytes(4097)).toThrow(RangeError)
  })
})
