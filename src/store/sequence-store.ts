import type { SequenceStore } from '../envelope/index.js'
import type { Database } from './database.js'

/** The sending side's reserved sequence numbers in the daemon's database (table `send_sequences`). */
export function createSqliteSequenceStore (database: Database): SequenceStore {
  // One statement, hence atomic: bump the reservation and read it back.
  // A floor (from the clock) keeps numbers rising even if the database was
  // restored from an older backup.
  const reserve = database.prepare(`INSERT INTO send_sequences (recipient, reserved) VALUES (?1, ?3 + ?2)
    ON CONFLICT (recipient) DO UPDATE SET reserved = MAX(reserved, ?3) + ?2
    RETURNING reserved`)

  return {
    reserve (recipient: string, count: number, floor = 0): number {
      const row = reserve.get(recipient, count, floor)
      return Number(row?.reserved) - count + 1
    }
  }
}
