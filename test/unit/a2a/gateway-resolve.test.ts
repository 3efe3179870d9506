import { describe, expect, it } from 'vitest'
import { A2aGateway } from '../../../src/a2a/gateway.js'
import type { Directory } from '../../../src/directory/index.js'
import type { AgentRegistry } from '../../../src/registry/index.js'
import type { TaskService } from '../../../src/relay/index.js'

const CERTIFIED = '12D3KooWCertifiedHostAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const IMPOSTOR = '12D3KooWImpostorHostAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const FULL = '12D3KooWHostAtItsConnectionLimitAAAAAAAAAAAAAAAAAAAA'

/**
 * Resolving an agent by name in a closed mesh: the directory's answer is checked against each
 * advertiser's certificate. An advertiser that cannot be reached for that check is not one whose
 * certificate was found wanting, and the caller is told which it was.
 */
function gateway (advertisers: string[], checks: Record<string, () => Promise<boolean>>): A2aGateway {
  return new A2aGateway({
    localPeer: '12D3KooWLocalHostAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    registry: { get: () => undefined } as unknown as AgentRegistry,
    directory: { find: async () => advertisers } as unknown as Directory,
    tasks: {} as unknown as TaskService,
    now: () => 0,
    certifiedFor: async (peer) => { const check = checks[peer]; if (check == null) throw new Error(`unexpected check of ${peer}`); return await check() }
  })
}

const resolveError = async (g: A2aGateway): Promise<{ code?: string, message: string }> => {
  try { await g.resolve('writer', AbortSignal.timeout(5_000)) } catch (err) { return err as { code?: string, message: string } }
  throw new Error('resolve succeeded')
}

describe('A2aGateway.resolve by name in a closed mesh', () => {
  it('takes the first advertiser whose certificate covers the name, past one that cannot be reached', async () => {
    const g = gateway([FULL, CERTIFIED], { [FULL]: async () => { throw new Error('connection refused: at its connection limit') }, [CERTIFIED]: async () => true })
    expect(await g.resolve('writer', AbortSignal.timeout(5_000))).toEqual({ kind: 'remote', peer: CERTIFIED, name: 'writer' })
  })

  it('says AGENT_NOT_FOUND when every advertiser answered and none is certified for the name', async () => {
    const err = await resolveError(gateway([IMPOSTOR], { [IMPOSTOR]: async () => false }))
    expect(err.code).toBe('AGENT_NOT_FOUND')
    expect(err.message).toBe('1 peer(s) advertise an agent named "writer", but none is certified for it')
  })

  it('says PEER_UNREACHABLE, with why, when an advertiser could not be reached to check', async () => {
    const err = await resolveError(gateway([FULL], { [FULL]: async () => { throw new Error('connection refused: at its connection limit') } }))
    expect(err.code).toBe('PEER_UNREACHABLE')
    expect(err.message).toBe(`1 peer(s) advertise an agent named "writer"; 1 could not be reached to check its certificate (${FULL}: connection refused: at its connection limit)`)
    const both = await resolveError(gateway([IMPOSTOR, FULL], { [IMPOSTOR]: async () => false, [FULL]: async () => { throw new Error('timed out') } }))
    expect(both.code).toBe('PEER_UNREACHABLE')
    expect(both.message).toContain(', and 1 is not certified for it')
  })
})
