import { Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@chainsafe/libp2p-yamux'
import { noise } from '@chainsafe/libp2p-noise'
import type { Stream } from '@libp2p/interface'
import { singleWriteNoise } from '../../../src/node/single-write-noise.js'
import { lazyWindowYamux } from '../../../src/node/lazy-window-yamux.js'

const PROTOCOL = '/test/sink/1.0.0'
const nodes: Libp2p[] = []
afterEach(async () => { await Promise.all(nodes.splice(0).map(async (n) => n.stop())) })

/** Two connected nodes with the given encrypter and muxer; `b` counts what it receives on PROTOCOL. */
async function pair (encrypter: () => any, muxer: () => any): Promise<{ stream: Stream, received: () => number, until: (bytes: number) => Promise<void> }> {
  const make = async (): Promise<Libp2p> => createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [encrypter()],
    streamMuxers: [muxer()],
    connectionMonitor: { enabled: false }
  })
  const a = await make()
  const b = await make()
  nodes.push(a, b)
  let received = 0
  const waiters: Array<{ bytes: number, resolve: () => void }> = []
  await b.handle(PROTOCOL, (stream) => {
    stream.addEventListener('message', (evt) => {
      received += evt.data.byteLength
      for (const w of waiters.filter((w) => received >= w.bytes)) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
    })
  })
  await a.dial(b.getMultiaddrs()[0]!)
  const stream = await a.dialProtocol(b.peerId, PROTOCOL)
  await new Promise((resolve) => setTimeout(resolve, 100))
  return {
    stream,
    received: () => received,
    until: async (bytes) => { if (received < bytes) await new Promise<void>((resolve) => { waiters.push({ bytes, resolve }) }) }
  }
}

/** Socket writes (both nodes) while `count` messages of 100 bytes go one way, one per event-loop turn. */
async function writesPerMessage (encrypter: () => any, muxer: () => any, count = 50): Promise<number> {
  const { stream, until, received } = await pair(encrypter, muxer)
  const spy = vi.spyOn(Socket.prototype, 'write')
  try {
    for (let i = 0; i < count; i++) {
      stream.send(new Uint8Array(100).fill(i))
      await new Promise((resolve) => setImmediate(resolve))
    }
    await until(count * 100)
    expect(received()).toBe(count * 100)
    return spy.mock.calls.length / count
  } finally {
    spy.mockRestore()
  }
}

describe('one socket write per relay message', () => {
  it('stock Noise + yamux: a write for the length, one for the ciphertext, and two more for the reader\'s window update', async () => {
    expect(await writesPerMessage(() => noise(), () => yamux())).toBeGreaterThanOrEqual(3.5)
  })

  it('singleWriteNoise joins length and ciphertext', async () => {
    // If this fails at ~2 per message, @chainsafe/libp2p-noise no longer has the `encrypt` method the wrapper replaces.
    expect(await writesPerMessage(() => singleWriteNoise(), () => yamux())).toBeCloseTo(2, 0)
  })

  it('lazyWindowYamux grants window only at half, so a small message costs one write in all', async () => {
    // If this fails at ~2 per message, @chainsafe/libp2p-yamux's stream internals (state, recvWindow, sendWindowUpdate) changed.
    expect(await writesPerMessage(() => singleWriteNoise(), () => lazyWindowYamux())).toBeLessThan(1.2)
  })

  it('bulk still flows: 8 MiB through one stream, many windows\' worth, arrives whole', async () => {
    const { stream, until, received } = await pair(() => singleWriteNoise(), () => lazyWindowYamux())
    const chunk = new Uint8Array(64 * 1024)
    for (let i = 0; i < 128; i++) {
      if (!stream.send(chunk)) await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
    await until(8 * 1024 * 1024)
    expect(received()).toBe(8 * 1024 * 1024)
  })
})
