import { connect } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { MultiaddrConnection } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { TunnelHub, type TunnelHubInit } from '../../sim/tunnel.js'

const hubs: TunnelHub[] = []
afterEach(() => { for (const h of hubs.splice(0)) h.close() })

function hub (worker: number, over: Partial<TunnelHubInit> = {}): TunnelHub {
  const h = new TunnelHub({ worker, workers: 2, prefix: 'test-run', secret: 's3cret', latencyMs: 1, ownerOf: (i) => i % 2, ...over })
  hubs.push(h)
  return h
}

/** Two hubs (workers 0 and 1) linked over loopback TCP. */
async function linkedPair (): Promise<[TunnelHub, TunnelHub]> {
  const [a, b] = [hub(0), hub(1)]
  const peers = [await a.listen('127.0.0.1'), await b.listen('127.0.0.1')]
  await Promise.all([a.link(peers, AbortSignal.timeout(5_000)), b.link(peers, AbortSignal.timeout(5_000))])
  return [a, b]
}

/** Everything `conn` receives, as text, until it closes. */
function received (conn: MultiaddrConnection): { text: () => string, closed: Promise<Error | undefined> } {
  let text = ''
  conn.addEventListener('message', (evt) => { text += Buffer.from(evt.data.subarray()).toString('utf8') })
  const closed = new Promise<Error | undefined>((resolve) => { conn.addEventListener('close', (evt) => { resolve(evt.error) }) })
  return { text: () => text, closed }
}

describe('sim tunnel between workers (sim/tunnel.ts)', () => {
  it('carries a connection to a node of the other worker over the link: bytes both ways, in order, and the close', async () => {
    const [a, b] = await linkedPair()
    expect(a.linkCount).toBe(1)
    expect(b.linkCount).toBe(1)
    let inbound: MultiaddrConnection | undefined
    b.register(b.address(1), (c) => { inbound = c })
    const out = await a.dial(b.address(1), 'peer-of-node-0')
    expect(inbound?.direction).toBe('inbound')
    const atB = received(inbound as MultiaddrConnection)
    const atA = received(out)
    for (let k = 0; k < 50; k++) out.send(new TextEncoder().encode(`${k},`))
    inbound?.send(new TextEncoder().encode('pong'))
    await expect.poll(() => atB.text()).toBe(Array.from({ length: 50 }, (_, k) => `${k},`).join(''))
    await expect.poll(() => atA.text()).toBe('pong')
    expect(a.connectionEnds()).toEqual({ local: 0, remote: 1 })
    await out.close()
    expect(await atB.closed).toBeUndefined()
    await expect.poll(() => b.connectionEnds()).toEqual({ local: 0, remote: 0 })
  })

  it('refuses a dial to an address nothing listens on, between workers and within one, naming it', async () => {
    const [a] = await linkedPair()
    await expect(a.dial(a.address(1), 'p')).rejects.toThrow(/nothing listens at \/memory\/test-run-1/)
    await expect(a.dial(a.address(2), 'p')).rejects.toThrow(/nothing listens at \/memory\/test-run-2/)
    await expect(a.dial('/memory/other-run-1', 'p')).rejects.toThrow(/not an address of this run/)
  })

  it('connects two nodes of one worker in-process, with no link at all', async () => {
    const solo = hub(0, { workers: 1, ownerOf: () => 0 })
    let inbound: MultiaddrConnection | undefined
    solo.register(solo.address(4), (c) => { inbound = c })
    const out = await solo.dial(solo.address(4), 'p')
    const atIn = received(inbound as MultiaddrConnection)
    out.send(new TextEncoder().encode('local'))
    await expect.poll(() => atIn.text()).toBe('local')
    expect(solo.connectionEnds()).toEqual({ local: 2, remote: 0 })
    out.abort(new Error('gone'))
    expect(await atIn.closed).toBeInstanceOf(Error)
  })

  it('closes a link that does not carry the run\'s secret: it counts for nothing', async () => {
    const b = hub(1)
    const at = await b.listen('127.0.0.1')
    const socket = connect({ host: at.host, port: at.port })
    await new Promise((resolve) => socket.once('connect', resolve))
    const hello = Buffer.from(JSON.stringify({ worker: 0, secret: 'guess' }))
    const len = Buffer.alloc(4)
    len.writeUInt32BE(hello.length)
    socket.write(Buffer.concat([len, hello]))
    await new Promise((resolve) => socket.once('close', resolve))
    expect(b.linkCount).toBe(0)
    await expect(b.link([at], AbortSignal.timeout(300))).rejects.toThrow(/0 of 1 tunnel links/)
  })

  it('fails every connection on a link when the link goes', async () => {
    const [a, b] = await linkedPair()
    b.register(b.address(3), () => {})
    const out = await a.dial(b.address(3), 'p')
    const atA = received(out)
    b.close()
    expect(await atA.closed).toBeInstanceOf(Error)
    await expect.poll(() => a.linkCount).toBe(0)
    await expect(a.dial(b.address(3), 'p')).rejects.toThrow(/no tunnel link to worker 1/)
  })

  it('runs libp2p over it: Noise, Yamux and ping between nodes of two workers', async () => {
    const [a, b] = await linkedPair()
    const make = async (h: TunnelHub, i: number): Promise<Awaited<ReturnType<typeof createLibp2p>>> => await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: [h.address(i)] },
      transports: [h.transport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { ping: ping() }
    })
    const [n0, n1] = await Promise.all([make(a, 0), make(b, 1)])
    try {
      expect(n1.getMultiaddrs().map(String)).toEqual([`${b.address(1)}/p2p/${n1.peerId.toString()}`])
      const rtt = await (n0.services.ping as { ping: (ma: ReturnType<typeof multiaddr>) => Promise<number> }).ping(multiaddr(`${b.address(1)}/p2p/${n1.peerId.toString()}`))
      expect(rtt).toBeGreaterThanOrEqual(0)
      expect(n1.getConnections(n0.peerId)).toHaveLength(1)
      expect(a.connectionEnds().remote).toBe(1)
    } finally {
      await Promise.all([n0.stop(), n1.stop()])
    }
  })
})
