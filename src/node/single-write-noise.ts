import { noise } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

type NoiseComponents = Parameters<ReturnType<typeof noise>>[0]

/** The part of @chainsafe/libp2p-noise's encrypted connection this module reaches into. */
interface Encrypting {
  encrypt?: (chunk: Uint8Array | Uint8ArrayList) => Uint8Array | Uint8ArrayList
}

/**
 * Noise, as `noise()` makes it, except that each outgoing message reaches the
 * TCP socket in one write.
 *
 * The stock encrypted connection hands the socket a list per message — a
 * 2-byte length, then the ciphertext — and libp2p's TCP connection writes each
 * buffer with its own `socket.write`. With TCP_NODELAY that is two syscalls
 * and two segments per message, and the receiving daemon is woken once for the
 * 2 bytes and again for the rest. Joining the list first (a copy of at most
 * one message, 64 KiB per Noise frame) halves the writes and wake-ups of every
 * relay message. Measured: see docs/relay-protocol.md, Performance.
 *
 * If a Noise release no longer has the `encrypt` method this relies on, the
 * connection is left as it is (correct, just slower); the unit test
 * test/unit/node/single-write-noise.test.ts then fails and says so.
 */
export function singleWriteNoise (): (components: NoiseComponents) => ConnectionEncrypter {
  const make = noise()
  return (components) => {
    const encrypter = make(components)
    const wrap = <T extends SecuredConnection>(secured: T): T => {
      joinWrites(secured.connection as Encrypting)
      return secured
    }
    const inbound = encrypter.secureInbound.bind(encrypter)
    const outbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => wrap(await inbound(connection, options))
    encrypter.secureOutbound = async (connection, options) => wrap(await outbound(connection, options))
    return encrypter
  }
}

/** Makes `conn.encrypt` return one buffer per call; true if it could. */
export function joinWrites (conn: Encrypting): boolean {
  const encrypt = conn.encrypt
  if (typeof encrypt !== 'function') return false
  conn.encrypt = (chunk) => {
    // subarray() of a list joins its buffers (and returns a lone one as it is).
    const out = encrypt.call(conn, chunk)
    return out instanceof Uint8Array ? out : out.subarray()
  }
  return true
}
