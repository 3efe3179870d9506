/**
 * Where JSON text first goes wrong, as an offset, or undefined if it is valid.
 * `JSON.parse` does not always say (V8's "Unexpected token" messages carry no
 * position); this small scanner only serves to point a reader at a line.
 */
export function jsonErrorOffset (text: string): number | undefined {
  let i = 0
  const fail = (): never => { throw new JsonStop(i) }
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++ }
  const literal = (word: string): void => {
    for (const ch of word) { if (text[i] !== ch) fail(); i++ }
  }
  const string = (): void => {
    i++
    for (;;) {
      const ch = text[i]
      if (ch === undefined || ch < ' ') fail()
      if (ch === '"') { i++; return }
      if (ch === '\\') {
        i++
        if (text[i] === 'u') {
          i++
          for (let k = 0; k < 4; k++) { if (!/[0-9a-fA-F]/.test(text.charAt(i))) fail(); i++ }
        } else {
          if (!'"\\/bfnrt'.includes(text.charAt(i)) || i >= text.length) fail()
          i++
        }
      } else {
        i++
      }
    }
  }
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (match === null) fail()
    i += (match as RegExpExecArray)[0].length
  }
  const list = (close: string, item: () => void): void => {
    i++
    ws()
    if (text[i] === close) { i++; return }
    for (;;) {
      item()
      ws()
      if (text[i] === close) { i++; return }
      if (text[i] !== ',') fail()
      i++
      ws()
    }
  }
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      list('}', () => {
        if (text[i] !== '"') fail()
        string()
        ws()
        if (text[i] !== ':') fail()
        i++
        value()
      })
    } else if (ch === '[') {
      list(']', value)
    } else if (ch === '"') {
      string()
    } else if (ch === 't') {
      literal('true')
    } else if (ch === 'f') {
      literal('false')
    } else if (ch === 'n') {
      literal('null')
    } else {
      number()
    }
    ws()
  }
  try {
    value()
    return i < text.length ? i : undefined
  } catch (err) {
    if (err instanceof JsonStop) return Math.min(err.offset, text.length)
    throw err
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

class JsonStop {
  constructor (readonly offset: number) {}
}
