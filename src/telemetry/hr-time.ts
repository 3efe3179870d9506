import type { HrTime } from '@opentelemetry/api'

/**
 * `origin` plus `ms` milliseconds (negative too), as an HrTime. Adding the
 * offset to the seconds and nanoseconds apart keeps the nanoseconds that a
 * sum in milliseconds since 1970 would round off.
 */
export function atOffset (origin: HrTime, ms: number): HrTime {
  let seconds = origin[0] + Math.trunc(ms / 1000)
  let nanos = origin[1] + Math.round((ms % 1000) * 1e6)
  if (nanos >= 1e9) {
    seconds += 1
    nanos -= 1e9
  } else if (nanos < 0) {
    seconds -= 1
    nanos += 1e9
  }
  return [seconds, nanos]
}
