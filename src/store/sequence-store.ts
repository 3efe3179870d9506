import type { SequenceStore } from '../envelope/index.js'
import type { Database } from './database.js'

/** The sending side's reserved sequence numbers in the daemon's database (table `send_sequences`). */
export function createSqliteSequenceStore (database: Database): SequenceStore {
  // One statement, hence atomic: bump the reservation and read it back.
  const reserve = database.prepare(`INSERT INTO send_sequences (recipient, reserved) VALUES (?, ?)
    ON CONFLICT (recipient) DO UPDATE SET reserved = reserved + excluded.reserved
    RETURNING reserved`)

  return {
    reserve (recipient: string, count: number): number {
      const row = reserve.get(recipient, count)
      return Number(row?.reserved) - count + 1
    }
  }
}
