/**
 * Process settings a simulated mesh needs before any libp2p module loads. Imported first by
 * `sim/cli.ts` and `sim/worker.ts` (an ES module's imports run in order, so this runs before
 * `weald`, libp2p's logger, reads its environment).
 *
 * `DEBUG_COLORS=no`: libp2p makes a logger for every connection, stream and protocol negotiation
 * (`newScope`), and `weald` asks `tty.isatty(2)` for each one unless `DEBUG_COLORS` says whether
 * to colour. Measured (200 nodes, one process, 1 Dec 2026): 6.0 s of 170 s of CPU (3.6 %) was that
 * system call, for loggers that never print (the sim's log level is silent). A run that sets
 * `DEBUG_COLORS` itself keeps its own choice.
 */
process.env.DEBUG_COLORS ??= 'no'

export {}
