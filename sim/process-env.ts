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
 *
 * `Error.stackTraceLimit = 0` (unless `AM_SIM_STACK_TRACE_LIMIT` says otherwise, or
 * `AM_SIM_TRACE=1`, whose query tracing reads stacks): libp2p throws and catches errors as control
 * flow, and V8 captures a stack for each one. Noise's length decoder throws a `RangeError` at the
 * end of every received message's decode loop (`@chainsafe/libp2p-noise` `uint16BEDecode`, called
 * until the buffer is empty), and every aborted wait builds an `AbortError`. Profiled (200 nodes,
 * one process, 1 Dec 2026, 163 s of CPU): `uint16BEDecode` 3.0 % self, the two `AbortError`
 * constructors 2.7 %, `DOMException` 0.6 %. The price: errors the sim prints carry their message
 * only (set `AM_SIM_STACK_TRACE_LIMIT=10` to debug).
 */
process.env.DEBUG_COLORS ??= 'no'

const stackLimit = process.env.AM_SIM_STACK_TRACE_LIMIT
if (stackLimit !== undefined && stackLimit !== '') Error.stackTraceLimit = Number(stackLimit)
else if (process.env.AM_SIM_TRACE !== '1') Error.stackTraceLimit = 0

export {}
