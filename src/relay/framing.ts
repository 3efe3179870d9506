import { InvalidDataLengthLengthError } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import type { Uint8ArrayList } from 'uint8arraylist'
import { CHUNK_BYTES } from './constants.js'

/** Bytes a length prefix of at most {@link CHUNK_BYTES} takes as a varint. */
const MAX_PREFIX_BYTES = varint.encodingLength(CHUNK_BYTES)

/**
 * Decodes a varint length prefix, but gives up once the prefix is longer than
 * any allowed message needs. lpStream's own limit only applies to a finished
 * varint, so without this a peer sending endless 0xff bytes is read forever.
 */
export function boundedLengthDecoder (data: Uint8ArrayList): number {
  try {
    return varint.decode(data)
  } catch (err) {
    if (err instanceof RangeError && data.byteLength >= MAX_PREFIX_BYTES) {
      throw new InvalidDataLengthLengthError(`length prefix longer than ${MAX_PREFIX_BYTES} bytes`)
    }
    throw err
  }
}

