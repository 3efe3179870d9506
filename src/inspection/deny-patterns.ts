import { InspectionConfigError } from './errors.js'
import { patternProblem } from './config.js'

const NON_ASCII = /[^\x00-\x7f]/
/** Invisible format characters (zero-width space, joiners, soft hyphen, BOM, bidi controls). */
const FORMAT_CHARS = /\p{Cf}/gu

/**
 * The deny patterns, compiled once. A text is tested as sent and, when it
 * holds non-ASCII characters, once more NFKC-normalised without invisible
 * format characters, so that "ｉｇｎｏｒｅ" or "ig\u200Bnore" do not slip by.
 */
export class DenyPatterns {
  private readonly compiled: ReadonlyArray<{ source: string, re: RegExp }>

  /** Throws an {@link InspectionConfigError} for a pattern that does not compile. */
  constructor (sources: readonly string[]) {
    this.compiled = sources.map((source, i) => {
      const problem = patternProblem(source)
      if (problem !== undefined) throw new InspectionConfigError(`denyPatterns[${i}]`, `not a JavaScript regular expression (${problem})`)
      return { source, re: new RegExp(source, 'i') }
    })
  }

  /** How many patterns there are. */
  get size (): number {
    return this.compiled.length
  }

  /** The source of the first pattern `text` matches, or undefined. */
  match (text: string): string | undefined {
    const found = this.first(text)
    if (found !== undefined || !NON_ASCII.test(text)) return found
    const folded = text.normalize('NFKC').replace(FORMAT_CHARS, '')
    return folded === text ? undefined : this.first(folded)
  }

  /** The first pattern matched by any string (keys included) inside a JSON value, with where it is. */
  matchDeep (value: unknown, path: string): { pattern: string, path: string } | undefined {
    // An explicit stack: a deeply nested value must not overflow the call stack.
    const stack: Array<{ value: unknown, path: string }> = [{ value, path }]
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const v = item.value
      if (typeof v === 'string') {
        const pattern = this.match(v)
        if (pattern !== undefined) return { pattern, path: item.path }
      } else if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${item.path}[${i}]` })
      } else if (typeof v === 'object' && v !== null) {
        for (const [k, child] of Object.entries(v)) {
          const pattern = this.match(k)
          if (pattern !== undefined) return { pattern, path: item.path }
          stack.push({ value: child, path: `${item.path}.${k}` })
        }
      }
    }
    return undefined
  }

  private first (text: string): string | undefined {
    for (const { source, re } of this.compiled) if (re.test(text)) return source
    return undefined
  }
}
