import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Characters scanned between two yields to the event loop: about 4 ms of work. */
const SLICE = 1 << 20
/** A string JSON writes as it is: printable ASCII other than `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/**
 * An upper bound, in bytes, of `JSON.stringify(value, null, 2)` encoded as UTF-8, computed without building it:
 * each string counts 6 bytes for a character JSON escapes as `\uXXXX` (controls, lone surrogates), 2 for `"` and
 * `\`, 3 for other non-ASCII UTF-16 units; every property or element adds its indentation and punctuation.
 * Linear in the size of `value` and allocates nothing per character. The walk is synchronous; strings longer than
 * SLICE are scanned after it in slices with yields to the event loop, so a 50 MB string does not stall other work.
 */
export async function jsonLengthBound(value: unknown): Promise<number> {
  const long: string[] = []
  let n = walk(value, 0, long)
  for (const s of long) n += await longStringBound(s)
  return n
}

function walk(value: unknown, depth: number, long: string[]): number {
  if (typeof value === 'string') return stringBound(value, long)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length
  if (value === null || value === undefined) return 4
  const indent = 2 * (depth + 1) + 3 // newline, indentation, comma
  let n = 2 + 2 * depth + 1
  if (Array.isArray(value)) {
    for (const v of value) n += indent + walk(v, depth + 1, long)
    return n
  }
  for (const k in value as Record<string, unknown>) n += indent + stringBound(k, long) + 2 + walk((value as Record<string, unknown>)[k], depth + 1, long)
  return n
}

/** The bound of a short string now; a long one is left for longStringBound (0 here). */
function stringBound(s: string, long: string[]): number {
  if (s.length > SLICE) {
    long.push(s)
    return 0
  }
  return PLAIN.test(s) ? s.length + 2 : scan(s, 0, s.length) + 2
}

async function longStringBound(s: string): Promise<number> {
  let n = 2
  for (let start = 0; start < s.length; start += SLICE) {
    await yieldToLoop()
    n += scan(s, start, Math.min(s.length, start + SLICE))
  }
  return n
}

function scan(s: string, start: number, end: number): number {
  let n = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    n += c < 0x20 || (c >= 0xd800 && c <= 0xdfff) ? 6 : c === 0x22 || c === 0x5c ? 2 : c < 0x80 ? 1 : 3
  }
  return n
}

/**
 * Largest document (bytes of JSON) kept for a message of `rawBytes`: twice the message plus 1 MiB. Real mail
 * stays well below it (bodies are at most the message once as text and once as HTML); a message made to blow up
 * in JSON (a body of control bytes becomes six times its size) gets a header-only document instead, which keeps
 * memory near the message's own size and the JSON under V8's longest string (2^29 - 24 characters).
 */
export const documentLimitBytes = (rawBytes: number) => 2 * rawBytes + 1024 * 1024
