// The relay's message framing: messages of any size up to the cap, carried in
// 1 MiB chunks; a message under one chunk is one length-prefixed frame, as before.
import { randomBytes } from 'node:crypto'
import { lpStream, streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { CHUNK_BYTES } from '../../../src/relay/constants.js'
import { messageStream, OversizedMessageError } from '../../../src/relay/message-stream.js'

const MiB = 1024 * 1024

async function pair (maxMessageBytes?: number): Promise<{ a: Stream, b: Stream, opts: { maxMessageBytes?: number } }> {
  const [a, b] = await streamPair()
  return { a, b, opts: maxMessageBytes === undefined ? {} : { maxMessageBytes } }
}

/** Every byte `stream` receives until the other side closes its end. */
async function rawBytes (stream: Stream): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of stream) parts.push(chunk.subarray())
  return Buffer.concat(parts)
}

describe('messageStream', () => {
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['one chunk less one byte', CHUNK_BYTES - 1],
    ['exactly one chunk', CHUNK_BYTES],
    ['one chunk and one byte', CHUNK_BYTES + 1],
    ['two whole chunks', 2 * CHUNK_BYTES],
    ['5 MiB and a bit', 5 * MiB + 12_345]
  ])('carries a message of %s (%i bytes) whole, then the next one', async (_label, size) => {
    const { a, b, opts } = await pair()
    const writer = messageStream(a, opts)
    const reader = messageStream(b, opts)
    const message = randomBytes(size)
    const after = randomBytes(100)
    const sent = (async () => { await writer.write(message); await writer.write(after) })()
    const got = await reader.read({ signal: AbortSignal.timeout(10_000) })
    const next = await reader.read({ signal: AbortSignal.timeout(10_000) })
    await sent
    expect(got.byteLength).toBe(size)
    expect(Buffer.from(got).equals(message)).toBe(true)
    expect(Buffer.from(next).equals(after)).toBe(true)
  })

  it('writes a message under one chunk as one length-prefixed frame, byte for byte', async () => {
    const { a, b } = await pair()
    const message = randomBytes(CHUNK_BYTES - 1)
    const reading = rawBytes(b)
    await messageStream(a).write(message)
    await a.close()
    const wire = await reading
    expect(Buffer.from(wire).equals(Buffer.concat([varint.encode(message.byteLength), message]))).toBe(true)
  })

  it('writes a message of exactly one chunk as that chunk and an empty one', async () => {
    const { a, b } = await pair()
    const message = randomBytes(CHUNK_BYTES)
    const reading = rawBytes(b)
    await messageStream(a).write(message)
    await a.close()
    const wire = await reading
    expect(wire.byteLength).toBe(varint.encodingLength(CHUNK_BYTES) + CHUNK_BYTES + 1)
    expect(wire.at(-1)).toBe(0)
  })

  it('reads frames written by plain lpStream (the old framing) as messages', async () => {
    const { a, b } = await pair()
    const old = lpStream(a)
    const message = randomBytes(1000)
    await old.write(message)
    expect(Buffer.from(await messageStream(b).read()).equals(message)).toBe(true)
  })

  it('carries a message of exactly the cap, and refuses to write one byte more', async () => {
    const cap = 3 * MiB
    const { a, b, opts } = await pair(cap)
    const writer = messageStream(a, opts)
    const reader = messageStream(b, opts)
    const message = randomBytes(cap)
    const sent = writer.write(message)
    expect((await reader.read()).byteLength).toBe(cap)
    await sent
    await expect(writer.write(randomBytes(cap + 1))).rejects.toBeInstanceOf(OversizedMessageError)
  })

  it('refuses a message over the cap as soon as the chunk that passes it is announced', async () => {
    const cap = 2 * MiB + 10
    const { a, b } = await pair()
    // A writer with a higher cap sends 3 MiB: chunk 3's prefix takes it past the reader's.
    const writer = messageStream(a, { maxMessageBytes: 16 * MiB })
    const reader = messageStream(b, { maxMessageBytes: cap })
    void writer.write(randomBytes(3 * MiB)).catch(() => {})
    const err = await reader.read({ signal: AbortSignal.timeout(10_000) }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(OversizedMessageError)
    expect((err as OversizedMessageError).code).toBe('OVERSIZED')
  })

  it('refuses a cap smaller than one chunk from the first prefix', async () => {
    const { a, b } = await pair()
    const raw = lpStream(a)
    const reader = messageStream(b, { maxMessageBytes: 64 * 1024 })
    // Only the prefix is sent: the reader must decide from it alone.
    await raw.write(new Uint8Array(0)).catch(() => {})
    await reader.read() // the empty message
    a.send(varint.encode(100_000))
    const err = await reader.read({ signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(OversizedMessageError)
  })

  it('refuses a chunk announced longer than the chunk size', async () => {
    const { a, b } = await pair()
    a.send(varint.encode(CHUNK_BYTES + 1))
    const err = await messageStream(b).read({ signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(OversizedMessageError)
  })

  it('refuses a length prefix that never ends', async () => {
    const { a, b } = await pair()
    a.send(new Uint8Array(64).fill(0xff))
    const err = await messageStream(b).read({ signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(OversizedMessageError)
  })

  it('fails a message truncated after a whole chunk with UnexpectedEOFError', async () => {
    const { a, b } = await pair()
    // One whole chunk announces more, then the stream ends.
    await lpStream(a).write(randomBytes(CHUNK_BYTES))
    await a.close()
    const err = await messageStream(b).read({ signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
    expect((err as Error).name).toBe('UnexpectedEOFError')
  })

  it('fails a message truncated inside a chunk with UnexpectedEOFError', async () => {
    const { a, b } = await pair()
    a.send(Buffer.concat([varint.encode(500), randomBytes(100)]))
    await a.close()
    const err = await messageStream(b).read({ signal: AbortSignal.timeout(5_000) }).catch((e: Error) => e)
    expect((err as Error).name).toBe('UnexpectedEOFError')
  })

  it('times out per chunk: a slow message arrives, a stalled one fails', async () => {
    const { a, b } = await pair()
    const raw = lpStream(a)
    const reader = messageStream(b)
    const slow = (async () => {
      for (let i = 0; i < 3; i++) {
        await raw.write(randomBytes(CHUNK_BYTES))
        await new Promise((resolve) => setTimeout(resolve, 150))
      }
      await raw.write(randomBytes(10))
    })()
    // 3 × 150 ms in all, never more than 300 ms between chunks.
    expect((await reader.read({ chunkTimeoutMs: 300 })).byteLength).toBe(3 * CHUNK_BYTES + 10)
    await slow
    await raw.write(randomBytes(CHUNK_BYTES))
    const err = await reader.read({ chunkTimeoutMs: 200 }).catch((e: Error) => e)
    expect((err as Error).name).toBe('TimeoutError')
  })
})
