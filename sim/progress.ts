/**
 * Progress on a terminal: one bar, redrawn in place, only when stderr is a
 * TTY; elsewhere a line per phase change, so that logs of CI runs and
 * workers stay readable; nothing with --quiet.
 */
export class Progress {
  private readonly tty: boolean
  private readonly quiet: boolean
  private phase = ''
  private lastDraw = 0
  private tenth = 0

  constructor (quiet: boolean) {
    this.quiet = quiet
    this.tty = !quiet && process.stderr.isTTY === true
  }

  /** Reports `done` of `total` in `phase`. */
  update (phase: string, done: number, total: number): void {
    if (this.quiet) return
    if (!this.tty) {
      // A line per phase, and one per tenth of it (a log shows how far a long start-up got).
      const tenth = total > 0 ? Math.floor(Math.min(1, done / total) * 10) : 0
      if (phase !== this.phase) process.stderr.write(`sim: ${phase}…\n`)
      else if (tenth > this.tenth && total >= 100) process.stderr.write(`sim: ${phase} ${done}/${total} (${new Date().toISOString().slice(11, 19)})\n`)
      if (phase !== this.phase || tenth > this.tenth) this.tenth = tenth
      this.phase = phase
      return
    }
    const now = Date.now()
    if (phase === this.phase && now - this.lastDraw < 100 && done < total) return
    this.phase = phase
    this.lastDraw = now
    const width = 30
    const share = total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(share * width)
    process.stderr.write(`\r\x1b[K${phase.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
  }

  /** Prints one line of information (not with --quiet), above the bar. */
  note (text: string): void {
    if (this.quiet) return
    process.stderr.write(`${this.tty ? '\r\x1b[K' : ''}sim: ${text}\n`)
    this.lastDraw = 0
  }

  /** Ends the bar's line. */
  done (): void {
    if (this.tty) process.stderr.write('\r\x1b[K')
  }
}
