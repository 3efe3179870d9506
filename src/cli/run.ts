import { main } from './main.js'

// node:sqlite is stable enough for us but still flagged experimental on Node 22:
// silence exactly that warning, here at start-up and nowhere else.
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (w.name === 'ExperimentalWarning' && /SQLite/i.test(w.message)) return
  process.stderr.write(`${w.name}: ${w.message}\n`)
})

const code = await main(process.argv.slice(2), {
  stdout: (s) => { process.stdout.write(s) },
  stderr: (s) => { process.stderr.write(s) },
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true
})
process.exitCode = code
// Libraries may leave timers behind; the command is done.
setImmediate(() => process.exit(code))
