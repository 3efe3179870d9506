import { describe, expect, it } from 'vitest'
import { AbortGroup, linkedSignal } from '../../../src/signals/index.js'

describe('linkedSignal', () => {
  it('aborts with the parent, with its reason', () => {
    const parent = new AbortController()
    const linked = linkedSignal(parent.signal)
    parent.abort(new Error('stop'))
    expect(linked.signal.aborted).toBe(true)
    expect((linked.signal.reason as Error).message).toBe('stop')
  })

  it('times out with a TimeoutError', async () => {
    const linked = linkedSignal(undefined, 20)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(linked.signal.aborted).toBe(true)
    expect((linked.signal.reason as Error).name).toBe('TimeoutError')
  })

  it('after clear(), neither the parent nor the timer aborts it, and the parent keeps no listener', async () => {
    const parent = new AbortController()
    let listeners = 0
    const add = parent.signal.addEventListener.bind(parent.signal)
    const remove = parent.signal.removeEventListener.bind(parent.signal)
    parent.signal.addEventListener = ((...args: Parameters<typeof add>) => { listeners++; add(...args) }) as typeof add
    parent.signal.removeEventListener = ((...args: Parameters<typeof remove>) => { listeners--; remove(...args) }) as typeof remove
    const linked = linkedSignal(parent.signal, 20)
    expect(listeners).toBe(1)
    linked.clear()
    expect(listeners).toBe(0)
    parent.abort()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(linked.signal.aborted).toBe(false)
  })

  it('is aborted at once when the parent already is', () => {
    const parent = new AbortController()
    parent.abort(new Error('gone'))
    expect(linkedSignal(parent.signal, 1000).signal.aborted).toBe(true)
  })
})

describe('AbortGroup', () => {
  it('aborts every member still in flight, and none that was cleared', () => {
    const group = new AbortGroup()
    const a = group.join()
    const b = group.join()
    b.clear()
    expect(group.size).toBe(1)
    group.abort(new Error('stopping'))
    expect(a.signal.aborted).toBe(true)
    expect(b.signal.aborted).toBe(false)
    expect(group.size).toBe(0)
  })

  it('a member follows its own parent too, and leaves the group when it aborts', () => {
    const group = new AbortGroup()
    const parent = new AbortController()
    const m = group.join(parent.signal)
    parent.abort()
    expect(m.signal.aborted).toBe(true)
    expect(group.size).toBe(0)
  })

  it('a member that joins after the abort is aborted at once', () => {
    const group = new AbortGroup()
    group.abort()
    expect(group.join().signal.aborted).toBe(true)
    expect(group.isAborted).toBe(true)
  })
})
