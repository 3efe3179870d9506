import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { classifyReachability } from '../../../src/node/index.js'

describe('classifyReachability', () => {
  const ma = (s: string) => multiaddr(s)
  it('is private with only loopback and LAN addresses', () => {
    expect(classifyReachability([ma('/ip4/127.0.0.1/tcp/1'), ma('/ip4/10.0.0.2/tcp/1'), ma('/ip4/192.168.1.5/tcp/1')])).toBe('private')
  })
  it('is public with any public address', () => {
    expect(classifyReachability([ma('/ip4/10.0.0.2/tcp/1'), ma('/ip4/8.8.8.8/tcp/1')])).toBe('public')
  })
  it('is relayed with only circuit addresses beside private ones', () => {
    expect(classifyReachability([ma('/ip4/10.0.0.2/tcp/1'), ma('/ip4/10.0.0.9/tcp/1/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK/p2p-circuit')])).toBe('relayed')
  })
})
