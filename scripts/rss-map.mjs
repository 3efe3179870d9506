#!/usr/bin/env node
// Which parts of the node executable a running process keeps in memory.
//
//   node scripts/rss-map.mjs PID [--top N] [--json]
//
// An idle daemon touches ≈ 19 MB more of the node binary than a bare `node`
// (README, "Footprint"); smaps only says how much of each mapping is
// resident, not of what. This reads the process's page table
// (/proc/PID/pagemap; needs root, else every page reads as absent) for every
// mapping of the executable, and names each resident 4 KiB page by the
// symbols it holds (`nm -S -C` of the executable, which Node's official
// builds ship unstripped): ICU data, V8's builtins and compilers, OpenSSL,
// SQLite, libuv, … Prints resident MiB per group and the largest symbols.
// Needs binutils' nm, and a non-PIE executable (Node's is: its addresses
// are the link addresses).
import { execFileSync } from 'node:child_process'
import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs'

const PAGE = 4096
const args = process.argv.slice(2)
const pid = Number(args[0])
if (!Number.isInteger(pid) || pid <= 0 || args.includes('--help')) {
  process.stderr.write('usage: node scripts/rss-map.mjs PID [--top N] [--json]\n')
  process.exit(args.includes('--help') ? 0 : 2)
}
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25
const exe = readlinkSync(`/proc/${pid}/exe`)

/** Groups, first match wins; by the demangled symbol name. */
const GROUPS = [
  ['ICU data', /^icudt\d+_dat$/],
  ['ICU code', /^(icu_\d+::|u[a-z]+_\d+|U[A-Z][a-zA-Z]+_\d+)|icu_\d+/],
  ['V8 embedded builtins', /^v8_Default_embedded_blob/],
  ['V8 TurboFan/Maglev (optimizing compilers)', /^v8::internal::(compiler|maglev)::/],
  ['V8 baseline/interpreter/parser', /^v8::internal::(baseline|interpreter|Parser|ParserBase|PreParser|Scanner|AstNode|Ast|Scope|BytecodeGenerator)/],
  ['V8 heap/GC', /^v8::internal::(Heap|heap::|MarkCompact|Scavenger|Sweeper|MemoryAllocator|ConcurrentMarking|MinorMarkSweep|GCTracer|IncrementalMarking|MarkingVisitor|PagedSpace|NewSpace|LargeObjectSpace|cppgc)|^cppgc::/],
  ['V8 regexp', /^v8::internal::(RegExp|Irregexp|regexp)/],
  ['V8 wasm', /^v8::internal::wasm::/],
  ['V8 other', /^(v8::|v8_inspector::|Builtins_)/],
  ['OpenSSL', /^(OPENSSL_|EVP_|SSL_|ssl|tls|CRYPTO_|BN_|EC_|ec_|RSA_|rsa_|X509|x509|ASN1|asn1|PEM_|ERR_|OBJ_|BIO_|bio_|ossl_|sha\d|SHA\d|aesni|AES_|ChaCha|Poly1305|curve25519|ED25519|X25519|OSSL_|PKCS|pkcs|HMAC|DH_|DSA_|MD5|md5|RAND_|rand_|KDF|EVP|CMS_|OCSP|CONF_|conf_|ENGINE|DES_|CRYPTO|gcm_|ecp_nistz|bn_|rsaz_)/],
  ['SQLite', /^sqlite3|^sqlite/],
  ['libuv', /^uv_|^uv__/],
  ['llhttp / ada / simdutf / zlib / brotli / nghttp / cares', /^(llhttp|ada::|simdutf|deflate|inflate|zlib|z_|Brotli|nghttp|ngtcp|ares_|cares)/],
  ['node core (C++)', /^(node::|napi_|node_)/],
  ['C++ runtime', /^(std::|__gnu_cxx::|__cxa|operator new|operator delete)/]
]
const groupOf = (name) => GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'other (unnamed)'

// Symbols with sizes, sorted by address.
const syms = execFileSync('nm', ['-S', '-C', '--defined-only', exe], { maxBuffer: 1 << 30, encoding: 'utf8' })
  .split('\n').map((line) => {
    const m = /^([0-9a-f]+) ([0-9a-f]+) \S (.+)$/.exec(line)
    return m == null ? null : { start: parseInt(m[1], 16), size: parseInt(m[2], 16), name: m[3] }
  }).filter((s) => s != null && s.size > 0).sort((a, b) => a.start - b.start)

// ELF sections, to name the bytes no symbol covers.
const sections = execFileSync('readelf', ['-S', '-W', exe], { encoding: 'utf8' }).split('\n')
  .map((l) => /\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(l))
  .filter((m) => m != null && parseInt(m[2], 16) > 0)
  .map((m) => ({ name: m[1], start: parseInt(m[2], 16), end: parseInt(m[2], 16) + parseInt(m[3], 16) }))
const sectionOf = (addr) => sections.find((x) => addr >= x.start && addr < x.end)?.name ?? 'no section'

// The executable's mappings, and which of their pages are present.
const maps = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
  .map((l) => /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ \d+\s+(.*)$/.exec(l))
  .filter((m) => m != null && m[5] === exe)
  .map((m) => ({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3] }))
const pagemap = openSync(`/proc/${pid}/pagemap`, 'r')
const resident = []
for (const m of maps) {
  const pages = (m.end - m.start) / PAGE
  const buf = Buffer.alloc(pages * 8)
  readSync(pagemap, buf, 0, buf.length, (m.start / PAGE) * 8)
  for (let i = 0; i < pages; i++) {
    if ((buf.readBigUInt64LE(i * 8) >> 63n) === 1n) resident.push(m.start + i * PAGE)
  }
}
closeSync(pagemap)
if (resident.length === 0) {
  process.stderr.write(`no resident pages read for ${exe} in process ${pid}: run as root (pagemap hides them otherwise)\n`)
  process.exit(1)
}

// Each resident page's bytes go to the symbols that overlap it; the rest of the page to "other".
const byGroup = new Map()
const bySymbol = new Map()
let j = 0
for (const page of resident) {
  while (j < syms.length && syms[j].start + syms[j].size <= page) j++
  let covered = 0
  for (let k = j; k < syms.length && syms[k].start < page + PAGE; k++) {
    const s = syms[k]
    const bytes = Math.min(s.start + s.size, page + PAGE) - Math.max(s.start, page)
    if (bytes <= 0) continue
    covered += bytes
    const g = groupOf(s.name)
    byGroup.set(g, (byGroup.get(g) ?? 0) + bytes)
    bySymbol.set(s.name, (bySymbol.get(s.name) ?? 0) + bytes)
  }
  if (covered < PAGE) {
    const g = `no symbol, in ${sectionOf(page)}`
    byGroup.set(g, (byGroup.get(g) ?? 0) + PAGE - covered)
  }
}

const mib = (b) => b / 1048576
const groups = [...byGroup].sort((a, b) => b[1] - a[1])
const symbols = [...bySymbol].sort((a, b) => b[1] - a[1]).slice(0, top)
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify({ pid, exe, residentMiB: mib(resident.length * PAGE), groups: Object.fromEntries(groups.map(([g, b]) => [g, mib(b)])), symbols: symbols.map(([name, b]) => ({ name, MiB: mib(b) })) }, null, 2) + '\n')
} else {
  process.stdout.write(`${exe}: ${mib(resident.length * PAGE).toFixed(1)} MiB resident in process ${pid}\n\n`)
  for (const [g, b] of groups) process.stdout.write(`${mib(b).toFixed(2).padStart(8)} MiB  ${g}\n`)
  process.stdout.write(`\nlargest symbols:\n`)
  for (const [name, b] of symbols) process.stdout.write(`${mib(b).toFixed(2).padStart(8)} MiB  ${name.length > 110 ? name.slice(0, 107) + '…' : name}\n`)
}
