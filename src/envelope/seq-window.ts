/**
 * The sliding sequence window of one (sender, recipient) pair: the highest
 * sequence number accepted and a bitmap where bit i (bit i % 8 of byte
 * ⌊i / 8⌋) marks `highest - i` as accepted. Bit 0 is `highest` itself.
 */
export interface SeqWindowState {
  /** The highest sequence number accepted. */
  highest: number
  /** ⌈window / 8⌉ bytes of accepted-marks below and at `highest`. */
  bitmap: Uint8Array
}

/**
 * The window after accepting `seq`, or undefined if `seq` is refused: at or
 * below `highest - size`, or already marked. Pure; `state` is not modified.
 */
export function acceptSeq (state: SeqWindowState | undefined, seq: number, size: number): SeqWindowState | undefined {
  const bytes = Math.ceil(size / 8)
  if (state == null) return { highest: seq, bitmap: withBit(new Uint8Array(bytes), 0) }
  const bitmap = resized(state.bitmap, bytes)
  if (seq > state.highest) {
    return { highest: seq, bitmap: withBit(shifted(bitmap, seq - state.highest, size), 0) }
  }
  const offset = state.highest - seq
  if (offset >= size || hasBit(bitmap, offset)) return undefined
  return { highest: state.highest, bitmap: withBit(bitmap, offset) }
}

function hasBit (bitmap: Uint8Array, i: number): boolean {
  return ((bitmap[i >> 3] ?? 0) & (1 << (i & 7))) !== 0
}

function withBit (bitmap: Uint8Array, i: number): Uint8Array {
  const copy = bitmap.slice()
  copy[i >> 3] = (copy[i >> 3] ?? 0) | (1 << (i & 7))
  return copy
}

/** A copy of length `bytes`: truncated, or padded with zeros (the window size changed). */
function resized (bitmap: Uint8Array, bytes: number): Uint8Array {
  if (bitmap.byteLength === bytes) return bitmap
  const copy = new Uint8Array(bytes)
  copy.set(bitmap.subarray(0, bytes))
  return copy
}

/** Moves every bit from index i to i + k; bits at `size` or beyond are dropped. */
function shifted (bitmap: Uint8Array, k: number, size: number): Uint8Array {
  const out = new Uint8Array(bitmap.byteLength)
  if (k >= size) return out
  const byteShift = Math.floor(k / 8)
  const bitShift = k % 8
  for (let i = out.byteLength - 1; i >= byteShift; i--) {
    const src = i - byteShift
    const low = src > 0 && bitShift > 0 ? (bitmap[src - 1] ?? 0) >> (8 - bitShift) : 0
    out[i] = (((bitmap[src] ?? 0) << bitShift) | low) & 0xff
  }
  const spare = out.byteLength * 8 - size
  if (spare > 0) out[out.byteLength - 1] = (out[out.byteLength - 1] ?? 0) & (0xff >> spare)
  return out
}
