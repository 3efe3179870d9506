/** How long a statement waits for a lock held by another connection before failing (ms). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000

/** The path that opens a private, in-memory database (the simulator's choice). */
export const MEMORY_PATH = ':memory:'
