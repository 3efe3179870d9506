import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireHomeLock, HomeLockedError } from '../../../src/home/index.js'

describe('acquireHomeLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'am-lock-'))
  const path = join(dir, 'daemon.lock')
  afterEach(() => { rmSync(path, { force: true }) })

  it('writes our pid and removes the file on release', () => {
    const lock = acquireHomeLock(path, dir, 4242)
    expect(readFileSync(path, 'utf8').trim()).toBe('4242')
    lock.release()
    lock.release()
    expect(existsSync(path)).toBe(false)
  })

  it('refuses a lock held by a live process', () => {
    writeFileSync(path, `${process.pid}\n`)
    expect(() => acquireHomeLock(path, dir, process.pid + 1)).toThrow(HomeLockedError)
  })

  it('takes over a lock whose holder is gone', () => {
    writeFileSync(path, '2147483646\n')
    acquireHomeLock(path, dir, 77).release()
  })
})
