import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { HomeLockedError, HomeError } from './errors.js'

/** A held lock; `release()` removes it (idempotent). */
export interface HomeLock {
  release(): void
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the home's lock file (created exclusively, holding our pid). A lock
 * left by a process that no longer runs is stale and is taken over; one held
 * by a live process raises {@link HomeLockedError}.
 */
export function acquireHomeLock (lockPath: string, home: string, pid: number = process.pid): HomeLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600)
      writeSync(fd, `${pid}\n`)
      closeSync(fd)
      let released = false
      return {
        release () {
          if (released) return
          released = true
          try { unlinkSync(lockPath) } catch {}
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HomeError(`cannot create lock file ${lockPath}: ${(err as Error).message}`, { cause: err })
      }
    }
    let holder = Number.NaN
    try { holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10) } catch {}
    if (Number.isInteger(holder) && holder > 0 && holder !== pid && isAlive(holder)) {
      throw new HomeLockedError(home, holder)
    }
    // Stale (the holder died without cleaning up) or unreadable: take it over.
    try { unlinkSync(lockPath) } catch {}
  }
  throw new HomeError(`cannot take the lock ${lockPath}: it keeps reappearing`)
}
