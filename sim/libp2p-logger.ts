import type { ComponentLogger, Logger } from '@libp2p/interface'

/** One logger that does nothing: its `error`, `trace` and every scope below it are itself. */
const silent = Object.assign((() => {}) as (formatter: any, ...args: any[]) => void, { enabled: false }) as Logger
silent.error = silent
silent.trace = silent
silent.newScope = () => silent

/**
 * A libp2p component logger that does nothing, shared by every sim node
 * (`createMeshNode`'s `logger`). libp2p's default (`@libp2p/logger`) builds a
 * logger per connection, stream and protocol negotiation — three `weald` debug
 * instances each, a namespace check against `DEBUG` — that never print in the
 * sim (335 `weald` closures per node in a 100-node heap snapshot). With it,
 * `DEBUG=libp2p:*` prints nothing: use `--libp2p-log on` to debug libp2p.
 */
export const SILENT_LIBP2P_LOGGER: ComponentLogger = { forComponent: () => silent }
