import { randomUUID } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey, Stream } from '@libp2p/interface'
import { lpStream, pbStream } from '@libp2p/utils'
import { Hello } from '../../src/pb/agentmesh.js'
import { HELLO_PROTOCOL } from '../../src/trust/index.js'
import { openChain } from '../../src/delegation/index.js'
import { multiaddr } from '@multiformats/multiaddr'
import { defaultConfig } from '../../src/config/index.js'
import {
  FrameKind, createSigner, createVerifier, newEnvelopeId, newNonce, openFrame, sealEnvelope
} from '../../src/envelope/index.js'
import type { EnvelopeFields, Signer } from '../../src/envelope/index.js'
import { createMeshNode } from '../../src/node/index.js'
import type { MeshNode } from '../../src/node/index.js'
import { jsonRpcSendMessage } from './a2a-client.js'

/** The relay protocol id (docs/relay-protocol.md). */
export const RELAY_PROTOCOL = '/agentmesh/a2a/1.0.0'

/** Largest reply frame the raw peer reads. */
const MAX_REPLY_BYTES = 8 * 1024 * 1024

/** Where a raw peer sends: a daemon (a {@link TestDaemon} fits). */
export interface PeerTarget {
  peerId: string
  addresses: string[]
}

/** One reply frame, opened (signature checked against the daemon's peer ID). */
export interface ReplyFrame {
  kind: FrameKind
  index: number
  /** Hex of `Frame.envelope_id`. */
  envelopeId: string
  timestampMs: number
  /** Parsed JSON for ERROR/RESULT/EVENT (the raw text if it does not parse); undefined when empty. */
  payload: any
}

/** How the reply stream ended. */
export type ExchangeEnd =
  /** The daemon closed its side cleanly. */
  | 'eof'
  /** The stream was reset or aborted (or a read failed otherwise). */
  | 'reset'
  /** Nothing more arrived within the time limit. */
  | 'timeout'
  /** Could not open the stream at all. */
  | 'dial-failed'

/** Everything the daemon answered to one message. */
export interface Exchange {
  frames: ReplyFrame[]
  end: ExchangeEnd
  /** The read or dial error behind `end`, if any (`name: message`). */
  error?: string
  /** Failure while writing our message (the daemon may reset before we are done). */
  writeError?: string
  /** Reply messages that did not open as frames signed by the daemon. */
  undecodable: Array<{ bytes: number, error: string }>
  /** `code` of the ERROR frame, if there is one. */
  errorCode?: string
  /** Payload of the RESULT frame, if there is one. */
  result?: any
}

/** Options of {@link RawPeer.send}. */
export interface SendOptions {
  /** Prefix the message with its unsigned-varint length (default true). False: the bytes go out exactly as given. */
  lengthPrefix?: boolean
  /** Close our writable end after writing (default true). */
  closeWrite?: boolean
  /** Give up waiting for more frames after this long (default 10 s). */
  timeoutMs?: number
}

/** A sealed envelope and what is in it. */
export interface SealedEnvelope {
  /** The encoded Signed envelope (no length prefix). */
  bytes: Uint8Array
  fields: EnvelopeFields
  /** Hex of `fields.id`. */
  idHex: string
  /** The messageId of the A2A message inside the payload. */
  messageId: string
  /** The text the message carries. */
  text: string
}

/** What {@link RawPeer.seal} takes besides envelope field overrides. */
export interface SealOptions extends Partial<EnvelopeFields> {
  /** The message text (default a fresh `attack-<uuid>`). */
  text?: string
  /** The A2A messageId (default a fresh UUID). */
  messageId?: string
  /** Sign with this signer instead of the peer's own (default: own). */
  signer?: Signer
}

/**
 * A bare mesh peer in the test process, for attack tests: it speaks
 * `/agentmesh/a2a/1.0.0` by hand, sends whatever bytes a test chooses and
 * opens the daemon's signed reply frames.
 */
export class RawPeer {
  readonly privateKey: PrivateKey
  readonly signer: Signer
  readonly peerId: string
  node: MeshNode
  private readonly seqs = new Map<string, number>()
  /** The agent its envelopes say they come from (`operator` unless a test sets another). */
  agent = 'operator'
  /**
   * With this peer's Signed certificate, every envelope it seals carries a
   * fresh root delegation chain for {@link agent}, as a daemon's would.
   */
  chainCertificate: Uint8Array | undefined
  private readonly verifier = createVerifier()

  private constructor (privateKey: PrivateKey, node: MeshNode) {
    this.privateKey = privateKey
    this.signer = createSigner(privateKey)
    this.peerId = this.signer.peerId
    this.node = node
  }

  /** What the peer says in hellos; undefined: it never says hello (an old or hostile peer). */
  hello: Partial<Hello> | undefined
  /** The refusals daemons sent in answer to this peer's hellos. */
  readonly refusals: string[] = []
  /** How long the peer waits before saying hello on a connection it dialled (a busy host). */
  helloDelayMs = 0
  /** The peer opens the hello stream on a connection it dialled and closes it with nothing said (a transport failure). */
  helloBreaks = false

  /**
   * Starts a peer on 127.0.0.1 (no mDNS, no bootstrap) with `privateKey` or a
   * fresh Ed25519 key. With `hello`, it speaks the hello protocol by hand:
   * says it first on every connection it dials and answers the daemon's.
   */
  static async start (privateKey?: PrivateKey, options: { hello?: Partial<Hello>, helloDelayMs?: number, helloBreaks?: boolean } = {}): Promise<RawPeer> {
    const key = privateKey ?? await generateKeyPair('Ed25519')
    const peer = new RawPeer(key, await startNode(key))
    peer.hello = options.hello
    peer.helloDelayMs = options.helloDelayMs ?? 0
    peer.helloBreaks = options.helloBreaks ?? false
    await peer.speakHello()
    return peer
  }

  private async speakHello (): Promise<void> {
    await this.node.handle(HELLO_PROTOCOL, async (stream) => {
      if (this.hello === undefined) { stream.abort(new Error('no hello')); return }
      const messages = pbStream(stream).pb(Hello)
      await messages.read()
      await messages.write(this.helloMessage())
      await stream.close()
    }, { runOnLimitedConnection: true })
    this.node.addEventListener('connection:open', (evt) => {
      const conn = evt.detail
      if (conn.direction !== 'outbound' || this.hello === undefined) return
      void (async () => {
        if (this.helloDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.helloDelayMs))
        const stream = await conn.newStream(HELLO_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
        if (this.helloBreaks) { stream.abort(new Error('hello broken on purpose')); return }
        const messages = pbStream(stream).pb(Hello)
        await messages.write(this.helloMessage())
        const reply = await messages.read()
        if (reply.refusal !== '') this.refusals.push(reply.refusal)
        await stream.close()
      })().catch(() => {})
    })
  }

  private helloMessage (): Hello {
    return { certificate: new Uint8Array(0), policies: [], revocations: [], mesh: 'agentmesh', refusal: '', ...this.hello } as Hello
  }

  /** Stops the libp2p node and starts a new one with the same key (a sender restart). */
  async restart (): Promise<void> {
    await this.node.stop()
    this.node = await startNode(this.privateKey)
    await this.speakHello()
  }

  async stop (): Promise<void> {
    await this.node.stop()
  }

  /** The next sequence number towards `peer` (1, 2, …; jumps past any seq a test chose). */
  nextSeq (peer: string): number {
    const next = (this.seqs.get(peer) ?? 0) + 1
    this.seqs.set(peer, next)
    return next
  }

  /**
   * Seals a valid SendMessage envelope from this peer to `agent` on `target`:
   * fresh id and nonce, timestamp now, the next seq, deadline in 30 s, and a
   * JSON-RPC SendMessage request as payload. Any field can be overridden.
   */
  seal (target: PeerTarget, agent: string, options: SealOptions = {}): SealedEnvelope {
    const { text: textOption, messageId: messageIdOption, signer: signerOption, ...overrides } = options
    const text = textOption ?? `attack-${randomUUID()}`
    const messageId = messageIdOption ?? randomUUID()
    const now = Date.now()
    const id = newEnvelopeId()
    const delegation = this.chainCertificate == null
      ? undefined
      : openChain(this.signer, this.chainCertificate, this.agent, `${agent}@${target.peerId}`, { expiresMs: now + 60_000, maxDepth: 5 }, id, now)
    const fields: EnvelopeFields = {
      id,
      ...(delegation != null ? { delegation } : {}),
      from: { peer: this.peerId, agent: this.agent },
      to: { peer: target.peerId, agent },
      timestampMs: now,
      nonce: newNonce(),
      seq: overrides.seq ?? this.nextSeq(target.peerId),
      deadlineMs: now + 30_000,
      method: 'SendMessage',
      payload: new TextEncoder().encode(JSON.stringify(jsonRpcSendMessage(text, { messageId }))),
      ...overrides
    }
    if (overrides.seq != null && overrides.seq > (this.seqs.get(target.peerId) ?? 0)) this.seqs.set(target.peerId, overrides.seq)
    const bytes = sealEnvelope(fields, signerOption ?? this.signer)
    return { bytes, fields, idHex: hex(fields.id), messageId, text }
  }

  /**
   * Opens one `/agentmesh/a2a/1.0.0` stream to `target`, writes `message`
   * (length-prefixed unless told otherwise), closes the writable end and
   * collects every reply frame until the daemon ends the stream.
   */
  async send (target: PeerTarget, message: Uint8Array, options: SendOptions = {}): Promise<Exchange> {
    const timeoutMs = options.timeoutMs ?? 10_000
    const signal = AbortSignal.timeout(timeoutMs)
    const exchange: Exchange = { frames: [], end: 'eof', undecodable: [] }
    let stream: Stream
    try {
      stream = await this.node.dialProtocol(multiaddr(loopbackAddress(target)), RELAY_PROTOCOL, { signal })
    } catch (err) {
      return { ...exchange, end: 'dial-failed', error: describe(err) }
    }
    const lp = lpStream(stream, { maxDataLength: MAX_REPLY_BYTES })
    const wire = options.lengthPrefix === false ? message : withLengthPrefix(message)
    const writing = (async () => {
      try {
        for (let offset = 0; offset < wire.byteLength; offset += 64 * 1024) {
          if (!stream.send(wire.subarray(offset, offset + 64 * 1024))) await stream.onDrain({ signal })
        }
        if (options.closeWrite !== false) await stream.close({ signal })
      } catch (err) {
        exchange.writeError = describe(err)
      }
    })()
    while (true) {
      let bytes: Uint8Array
      try {
        bytes = (await lp.read({ signal })).subarray()
      } catch (err) {
        if (signal.aborted) exchange.end = 'timeout'
        else if ((err as Error)?.name === 'UnexpectedEOFError') exchange.end = 'eof'
        else exchange.end = 'reset'
        if (exchange.end !== 'eof') exchange.error = describe(err)
        break
      }
      try {
        const frame = openFrame(bytes, { remotePeer: target.peerId, verifier: this.verifier, maxBytes: MAX_REPLY_BYTES })
        exchange.frames.push({
          kind: frame.kind,
          index: frame.index,
          envelopeId: hex(frame.envelopeId),
          timestampMs: frame.timestampMs,
          payload: parsePayload(frame.payload)
        })
      } catch (err) {
        exchange.undecodable.push({ bytes: bytes.byteLength, error: describe(err) })
      }
    }
    await writing
    if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error('exchange finished'))
    const error = exchange.frames.find((f) => f.kind === FrameKind.ERROR)
    if (error != null) exchange.errorCode = error.payload?.code
    const result = exchange.frames.find((f) => f.kind === FrameKind.RESULT)
    if (result != null) exchange.result = result.payload
    return exchange
  }

  /** Seals a fresh valid envelope for `agent` and sends it. */
  async sendFresh (target: PeerTarget, agent: string, options: SealOptions = {}): Promise<{ sealed: SealedEnvelope, exchange: Exchange }> {
    const sealed = this.seal(target, agent, options)
    return { sealed, exchange: await this.send(target, sealed.bytes) }
  }
}

async function startNode (privateKey: PrivateKey): Promise<MeshNode> {
  const config = defaultConfig()
  config.listen = ['/ip4/127.0.0.1/tcp/0']
  config.mdns = false
  config.bootstrap = []
  const node = await createMeshNode({ config, privateKey })
  await node.start()
  return node
}

/** The target's loopback multiaddr (with `/p2p/<peer>`). */
export function loopbackAddress (target: PeerTarget): string {
  const address = target.addresses.find((a) => a.includes('/ip4/127.0.0.1/')) ?? target.addresses[0]
  if (address == null) throw new Error(`peer ${target.peerId} has no address`)
  return address.includes('/p2p/') ? address : `${address}/p2p/${target.peerId}`
}

/** `bytes` with its unsigned-varint length in front (what lpStream writes). */
export function withLengthPrefix (bytes: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = bytes.byteLength
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  prefix.push(n)
  const out = new Uint8Array(prefix.length + bytes.byteLength)
  out.set(prefix, 0)
  out.set(bytes, prefix.length)
  return out
}

/** A copy of `bytes` with bit `bit` (0 = most significant bit of byte 0) inverted. */
export function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice()
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7))
  return copy
}

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function parsePayload (payload: Uint8Array): any {
  if (payload.byteLength === 0) return undefined
  const text = new TextDecoder().decode(payload)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function describe (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
