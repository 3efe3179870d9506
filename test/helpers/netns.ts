import { execFileSync } from 'node:child_process'

/**
 * Why namespace tests cannot run here, or undefined when they can. They need
 * root (to create network namespaces) and iproute2's `ip`. CI runs as root.
 */
export function netnsUnavailable (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (CI runs as root)'
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'needs iproute2 (`ip`); .ci/run installs it'
  }
  return undefined
}

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Two hosts on one private link, each in its own network namespace. */
export interface NetnsPair {
  hosts: Array<{ ns: string, addr: string }>
  /** Command prefix that runs a program inside host i. */
  exec(i: number): string[]
  destroy(): void
}

/**
 * Builds two namespaces joined by a veth pair on 10.231.<n>.0/24, with a
 * multicast route so mDNS works between them. Nothing leaves the machine.
 */
export function createNetnsPair (tag: string, subnet = 231): NetnsPair {
  const names = [`am-${tag}-a`, `am-${tag}-b`]
  const hosts = names.map((ns, i) => ({ ns, addr: `10.${subnet}.0.${i + 1}` }))
  const destroy = (): void => {
    for (const ns of names) {
      try { ip('netns', 'del', ns) } catch {}
    }
  }
  destroy()
  try {
    for (const ns of names) ip('netns', 'add', ns)
    const [va, vb] = [`v${tag}a`.slice(0, 15), `v${tag}b`.slice(0, 15)]
    ip('link', 'add', va, 'netns', names[0] as string, 'type', 'veth', 'peer', 'name', vb, 'netns', names[1] as string)
    for (const [i, h] of hosts.entries()) {
      const dev = i === 0 ? va : vb
      ip('-n', h.ns, 'link', 'set', 'lo', 'up')
      ip('-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', dev)
      ip('-n', h.ns, 'link', 'set', dev, 'up', 'multicast', 'on')
      ip('-n', h.ns, 'route', 'add', '224.0.0.0/4', 'dev', dev)
    }
  } catch (err) {
    destroy()
    throw err
  }
  return { hosts, exec: (i) => ['ip', 'netns', 'exec', hosts[i]?.ns as string], destroy }
}
