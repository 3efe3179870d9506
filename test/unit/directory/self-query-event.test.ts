import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import { defaultConfig } from '../../../src/config/index.js'
import { SELF_QUERY_EVENT } from '../../../src/directory/directory.js'
import { createMeshNode, type MeshNode } from '../../../src/node/index.js'

/**
 * The directory's first round waits for {@link SELF_QUERY_EVENT}, an event
 * libp2p's typed event map does not list: this checks that a real mesh node
 * (kad-dht as createMeshNode configures it) dispatches it to the node's own
 * listeners once its first self-query has found a peer.
 */
describe('kad-dht self-query event', () => {
  const nodes: MeshNode[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async (n) => n.stop())) })

  async function start (name: string): Promise<MeshNode> {
    const config = defaultConfig()
    config.listen = [`/memory/self-query-${name}-${process.pid}`]
    config.mdns = false
    config.bootstrap = []
    config.nat = { ...config.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    const node = await createMeshNode({ config, privateKey: await generateKeyPair('Ed25519'), transports: [memory()] })
    nodes.push(node)
    await node.start()
    return node
  }

  it('reaches the node\'s listeners when the first self-query completes', async () => {
    const a = await start('a')
    const b = await start('b')
    const seen = new Promise<unknown>((resolve) => {
      (b as unknown as EventTarget).addEventListener(SELF_QUERY_EVENT, (evt) => { resolve((evt as CustomEvent).detail) }, { once: true })
    })
    await b.dial(a.getMultiaddrs()[0]!)
    const detail = await Promise.race([seen, new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('no self-query event in 8 s')) }, 8_000))])
    expect(detail).toMatchObject({ peers: expect.any(Number) })
  }, 15_000)
})
