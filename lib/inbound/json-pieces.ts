/** Characters of one long string escaped at a time (at most six times as many once escaped). */
const SLICE = 64 * 1024
/** Pieces are gathered up to about this many characters before they are handed out. */
const PIECE = 64 * 1024

/**
 * `JSON.stringify(value, null, 2)` in pieces of 64 Ki to 448 Ki characters, never as one string: a long string value is
 * escaped a slice at a time (never splitting a surrogate pair), so neither memory nor V8's longest string (2^29 - 24
 * characters) bounds the document. The concatenation of the pieces equals JSON.stringify's output for JSON data
 * (objects, arrays, strings, finite numbers, booleans, null; undefined properties left out, as JSON.stringify does).
 */
export function* jsonPieces(value: unknown): Generator<string> {
  let pending = ''
  for (const piece of pieces(value, '')) {
    pending += piece
    if (pending.length >= PIECE) {
      yield pending
      pending = ''
    }
  }
  if (pending) yield pending
}

function* pieces(value: unknown, indent: string): Generator<string> {
  if (typeof value === 'string' && value.length > SLICE) {
    yield '"'
    for (let start = 0; start < value.length; ) {
      let end = Math.min(value.length, start + SLICE)
      const last = value.charCodeAt(end - 1)
      if (end < value.length && last >= 0xd800 && last <= 0xdbff) end-- // keep a surrogate pair together
      yield JSON.stringify(value.slice(start, end)).slice(1, -1)
      start = end
    }
    yield '"'
    return
  }
  if (value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null'
    return
  }
  const inner = `${indent}  `
  const entries = Array.isArray(value)
    ? value.map((v) => [null, v] as const)
    : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  if (!entries.length) {
    yield open + close
    return
  }
  yield open
  for (const [i, [key, v]] of entries.entries()) {
    yield `${i ? ',' : ''}\n${inner}${key === null ? '' : `${JSON.stringify(key)}: `}`
    yield* pieces(v, inner)
  }
  yield `\n${indent}${close}`
}
