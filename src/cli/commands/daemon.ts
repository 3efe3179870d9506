import { Daemon } from '../../daemon/index.js'
import { readConfigFile, resolveConfig, type ConfigLayer } from '../../config/index.js'
import { initHome } from '../../home/index.js'
import { createLogger } from '../../telemetry/index.js'
import type { Command } from '../command.js'
import { trustLine } from './status.js'

/** `agentmesh daemon`: run the daemon in the foreground until SIGINT or SIGTERM. */
export const daemonCommand: Command = {
  name: 'daemon',
  summary: 'Run the daemon in the foreground. Creates the home on first run. Logs JSON lines to stderr (the ready line too); with --json also prints it to stdout.',
  options: {
    listen: { type: 'string', multiple: true, valueName: 'MA', description: 'listen multiaddr (repeatable; default /ip4/0.0.0.0/tcp/4401)' },
    announce: { type: 'string', multiple: true, valueName: 'MA', description: 'announce this multiaddr instead of the listen addresses (repeatable)' },
    bootstrap: { type: 'string', multiple: true, valueName: 'MA', description: 'bootstrap peer multiaddr ending in /p2p/<peer-id> (repeatable)' },
    'no-mdns': { type: 'boolean', description: 'do not discover peers by multicast DNS' },
    mesh: { type: 'string', valueName: 'NAME', description: 'mesh name; daemons only meet others of the same mesh (default agentmesh)' },
    relay: { type: 'boolean', description: 'serve circuit relay v2 for daemons behind NAT (a well-connected host)' },
    upnp: { type: 'boolean', description: 'map a port on the LAN\'s UPnP gateway' },
    open: { type: 'boolean', description: 'lab mode: admit any peer, check no certificate or policy (the mesh is closed by default)' },
    'api-tcp': { type: 'string', valueName: 'HOST:PORT', description: 'also serve the API on loopback TCP (bearer token in <home>/api.token)' },
    'log-level': { type: 'string', valueName: 'LEVEL', description: 'fatal, error, warn, info (default), debug, trace or silent' },
    metrics: { type: 'string', valueName: 'HOST:PORT', description: 'also serve GET /metrics over plain HTTP (no token), for Prometheus' },
    'trace-endpoint': { type: 'string', valueName: 'URL', description: 'export OpenTelemetry spans of every task to this OTLP/HTTP traces endpoint (e.g. http://127.0.0.1:4318/v1/traces)' }
  },
  json: true,
  details: 'Configuration: <home>/config.json, then AGENTMESH_* (and OTEL_EXPORTER_OTLP_*) environment variables, then flags (later wins).\nSee the README for every key.',
  async run ({ home, json, io, values }) {
    const init = await initHome(home)
    const flags: ConfigLayer = {}
    if (values.listen !== undefined) flags.listen = values.listen as string[]
    if (values.announce !== undefined) flags.announce = values.announce as string[]
    if (values.bootstrap !== undefined) flags.bootstrap = values.bootstrap as string[]
    if (values['no-mdns'] === true) flags.mdns = false
    if (values.mesh !== undefined) flags.mesh = values.mesh as string
    if (values.open === true) flags.trust = { open: true }
    if (values.relay === true || values.upnp === true) flags.nat = { ...(values.relay === true ? { relay: true } : {}), ...(values.upnp === true ? { upnp: true } : {}) }
    const api: Record<string, unknown> = {}
    if (values['api-tcp'] !== undefined) api.tcp = values['api-tcp']
    if (Object.keys(api).length > 0) flags.api = api
    if (values['log-level'] !== undefined) flags.log = { level: values['log-level'] as never }
    const telemetry: Record<string, unknown> = {}
    if (values.metrics !== undefined) telemetry.metricsListen = values.metrics
    if (values['trace-endpoint'] !== undefined) telemetry.tracing = { endpoint: values['trace-endpoint'] }
    if (Object.keys(telemetry).length > 0) flags.telemetry = telemetry
    const file = readConfigFile(init.paths.config)
    const config = resolveConfig({ ...(file != null ? { file } : {}), env: io.env, flags })

    const logger = createLogger({ level: config.log.level })
    // Handlers go in before start-up, so a signal that arrives while the node
    // is starting still ends in a clean shutdown.
    let stopRequested!: () => void
    const stopSignal = new Promise<void>((resolve) => { stopRequested = resolve })
    let signals = 0
    const onSignal = (sig: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.warn({ signal: sig }, 'second signal: exiting without a clean shutdown')
        process.exit(1)
      }
      logger.info({ signal: sig }, 'shutting down')
      stopRequested()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      const started = performance.now()
      const daemon = await Daemon.start({ home, config, privateKey: init.privateKey, logger })
      const ready = daemon.ready()
      const startupMs = Math.round(performance.now() - started)
      const t = daemon.trust()
      const readyEvent = { event: 'ready', ...ready, startupMs, trust: { mode: t.mode, certificate: t.certificate?.serial ?? null, problem: t.problem?.code ?? null } }
      // Machine-readable in every case (journald, containers): one JSON log line.
      logger.info(readyEvent, 'daemon ready')
      if (json) io.stdout(JSON.stringify(readyEvent) + '\n')
      // The human-readable lines only for a person at a terminal; in a log stream they would be noise.
      if (!json && io.stderrIsTTY === true) {
        io.stderr(`agentmesh daemon ready: peer ${ready.peerId}\n`)
        for (const a of ready.addresses) io.stderr(`  listening ${a}\n`)
        io.stderr(`  api ${ready.apiSocket}${ready.apiTcp != null ? ` and http://${ready.apiTcp} (token in ${init.paths.apiToken})` : ''}\n`)
        if (ready.metrics != null) io.stderr(`  metrics http://${ready.metrics}/metrics\n`)
        io.stderr(`  trust ${trustLine(t)}\n`)
        if (t.problem != null && t.mode === 'closed') {
          io.stderr('  to join a mesh: get a join bundle for this peer ID from the mesh\'s authority (agentmesh cert issue …),\n' +
            `  then run: agentmesh join FILE --home ${home}   (or restart with --open for a lab mesh)\n`)
        }
      }
      await stopSignal
      await daemon.stop()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    return 0
  }
}
