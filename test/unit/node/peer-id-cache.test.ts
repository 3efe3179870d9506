import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerIdCache } from '../../../src/node/peer-id-cache.js'

async function newPeer (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

describe('PeerIdCache', () => {
  it('parses a peer ID once and hands back the same object', async () => {
    const cache = new PeerIdCache()
    const text = await newPeer()
    const first = cache.parse(text)
    expect(first.toString()).toBe(text)
    expect(cache.parse(text)).toBe(first)
    expect(cache.size).toBe(1)
  })

  it('throws for text that is not a peer ID, and keeps nothing for it', () => {
    const cache = new PeerIdCache()
    expect(() => cache.parse('not-a-peer')).toThrow()
    expect(cache.size).toBe(0)
  })

  it('keeps at most max entries, dropping the least recently used', async () => {
    const cache = new PeerIdCache(2)
    const [a, b, c] = [await newPeer(), await newPeer(), await newPeer()]
    const parsedA = cache.parse(a)
    cache.parse(b)
    cache.parse(a) // a is now the most recent
    cache.parse(c) // evicts b
    expect(cache.size).toBe(2)
    expect(cache.parse(a)).toBe(parsedA)
    const parsedB = cache.parse(b) // parsed anew, evicts c
    expect(parsedB.toString()).toBe(b)
    expect(cache.size).toBe(2)
  })

  it('refuses a size that is not a positive integer', () => {
    expect(() => new PeerIdCache(0)).toThrow(RangeError)
  })
})
