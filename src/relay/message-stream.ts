import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { CHUNK_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './constants.js'
import { boundedLengthDecoder } from './framing.js'
import { linkedSignal } from '../signals/index.js'

/** What {@link messageStream} takes. */
export interface MessageStreamInit {
  /** Largest message read or written, in bytes (default {@link DEFAULT_MAX_MESSAGE_BYTES}). */
  maxMessageBytes?: number
}

/** How long one read may wait. */
export interface ReadOptions {
  signal?: AbortSignal
  /**
   * Each chunk must arrive within this time (ms); the wait restarts with every
   * chunk, so a big message on a slow path is not cut off as a whole.
   */
  chunkTimeoutMs?: number
}

/** Whole relay messages over a libp2p stream, of any size up to the cap. */
export interface MessageStream {
  /** The next whole message. Throws {@link OversizedMessageError} past the cap, `UnexpectedEOFError` on a truncated stream. */
  read(options?: ReadOptions): Promise<Uint8Array>
  /** Writes one message, in as many chunks as it needs. Throws {@link OversizedMessageError} past the cap. */
  write(message: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
}

/** A message, or one chunk's length prefix, is larger than allowed (wire reason OVERSIZED). */
export class OversizedMessageError extends Error {
  override readonly name = 'OversizedMessageError'
  readonly code = 'OVERSIZED'
}

/**
 * The relay protocol's message framing (docs/relay-protocol.md, Framing).
 * A message travels as unsigned-varint length-prefixed chunks of at most
 * {@link CHUNK_BYTES}: a chunk of exactly that size means more follows, a
 * shorter one (possibly empty) ends the message. A message shorter than one
 * chunk is therefore a single length-prefixed frame, byte for byte what the
 * protocol carried before messages could span chunks. The reader refuses a
 * message as soon as a chunk's length prefix would take it past the cap,
 * before reading that chunk.
 */
export function messageStream (stream: Stream, init: MessageStreamInit = {}): MessageStream {
  const max = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  /** Bytes of the message being read, before the chunk whose prefix is being decoded. */
  let received = 0
  const lp = lpStream(stream, {
    maxDataLength: CHUNK_BYTES,
    // The reader keeps up chunk by chunk; the buffer cap only stops a peer that
    // writes far ahead of it (libp2p's default, 4 MiB, is below one big message).
    maxBufferSize: Math.max(4 * 1024 * 1024, max + 2 * CHUNK_BYTES),
    lengthDecoder: (data) => {
      const length = boundedLengthDecoder(data)
      if (length > CHUNK_BYTES) throw new OversizedMessageError(`a chunk of ${length} bytes is longer than ${CHUNK_BYTES}`)
      if (received + length > max) throw new OversizedMessageError(`message exceeds ${max} bytes`)
      return length
    }
  })

  const readChunk = async (options: ReadOptions): Promise<Uint8ArrayList> => {
    // Linked by hand, not AbortSignal.any: the parent is usually a daemon-long signal (see linkedSignal).
    const linked = options.chunkTimeoutMs === undefined ? undefined : linkedSignal(options.signal, options.chunkTimeoutMs)
    const signal = linked?.signal ?? options.signal
    try {
      return await lp.read(signal === undefined ? {} : { signal })
    } catch (err) {
      const name = (err as Error).name
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
        throw new OversizedMessageError(`message exceeds ${max} bytes: ${(err as Error).message}`, { cause: err })
      }
      throw err
    } finally {
      linked?.clear()
    }
  }

  return {
    async read (options = {}) {
      received = 0
      const first = await readChunk(options)
      // The common case: one chunk, no copy beyond lpStream's own.
      if (first.byteLength < CHUNK_BYTES) return first.subarray()
      const message = new Uint8ArrayList(first)
      received = first.byteLength
      while (true) {
        const chunk = await readChunk(options)
        message.append(chunk)
        received += chunk.byteLength
        if (chunk.byteLength < CHUNK_BYTES) return message.subarray()
      }
    },

    async write (message, options = {}) {
      if (message.byteLength > max) throw new OversizedMessageError(`a message of ${message.byteLength} bytes exceeds the cap of ${max}`)
      if (message.byteLength < CHUNK_BYTES) {
        await lp.write(message, options)
        return
      }
      for (let offset = 0; offset < message.byteLength; offset += CHUNK_BYTES) {
        await lp.write(message.subarray(offset, offset + CHUNK_BYTES), options)
      }
      // A last chunk of exactly the chunk size would announce more: end with an empty one.
      if (message.byteLength % CHUNK_BYTES === 0) await lp.write(new Uint8Array(0), options)
    }
  }
}
