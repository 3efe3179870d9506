import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

// `npm test` builds first (pretest), so dist/bundle is this tree's.
const bundleDir = join(import.meta.dirname, '..', '..', '..', 'dist', 'bundle')

/** kad-dht's own table (not among the package's exports: found beside its entry point). */
async function generatedPrefixes (): Promise<number[]> {
  const entry = createRequire(import.meta.url).resolve('@libp2p/kad-dht')
  return (await import(pathToFileURL(join(entry, '..', 'routing-table', 'generated-prefix-list.js')).href)).default
}

describe('the bundle (scripts/bundle.mjs)', () => {
  it('ships kad-dht\'s key prefix table as a file with the same 65,536 numbers', async () => {
    const bytes = readFileSync(join(bundleDir, 'kad-prefixes.bin'))
    const expected = await generatedPrefixes()
    expect(bytes.length).toBe(expected.length * 4)
    const mismatches = expected.filter((p, i) => bytes.readUInt32LE(i * 4) !== p).length
    expect(mismatches).toBe(0)
    // …and the bundle holds no copy of the array literal (it began 77591, 94053, 60620, …).
    expect(readFileSync(join(bundleDir, 'agentmesh.js'), 'latin1')).not.toMatch(/77591,\s*94053,\s*60620/)
  })

  it('loads node:http at start only as require would (an ES import of node:http loads undici and http2: src/builtin-http.ts)', () => {
    // What a daemon loads at start: the entry file and the chunks it imports statically (chunks
    // behind a dynamic import, such as OpenTelemetry's exporter or UPnP, load only when configured).
    const loaded = new Set<string>()
    const visit = (file: string): void => {
      if (loaded.has(file)) return
      loaded.add(file)
      const code = readFileSync(join(bundleDir, file), 'latin1')
      for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["'`]\.\/(chunk-[^"'`]+\.js)["'`]/g)) visit(m[1]!)
    }
    visit('agentmesh.js')
    expect(loaded.size).toBeGreaterThan(1)
    const importing = [...loaded].filter((f) => /from\s*["'`](node:)?https?["'`]|import\(\s*["'`](node:)?https?["'`]\s*\)/.test(readFileSync(join(bundleDir, f), 'latin1')))
    expect(importing).toEqual([])
  })

  it('makes no call that builds an ICU collator (localeCompare) in any chunk', () => {
    const files = readdirSync(bundleDir).filter((f) => f.endsWith('.js'))
    expect(files.length).toBeGreaterThan(1)
    const calling = files.filter((f) => readFileSync(join(bundleDir, f), 'latin1').includes('localeCompare'))
    expect(calling).toEqual([])
  })
})
