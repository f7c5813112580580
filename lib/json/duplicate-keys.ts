import { visit } from 'jsonc-parser'
import { closingQuote } from './shape.js'

/** Object keys in a parsed JSON value, nested ones included. Callers bound the depth first (jsonShapeProblem). */
function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  let n = 0
  if (Array.isArray(value)) for (const v of value) n += countKeys(v)
  else for (const k in value) n += 1 + countKeys((value as Record<string, unknown>)[k])
  return n
}

/**
 * Object members written in JSON text: the colons outside strings, counted no further than `max + 1`. Strings are
 * skipped with indexOf (native): a 27 MB body with a 20 MB attachment takes about 15 ms, a loop over every
 * character 400 ms.
 */
function countMembers(text: string, max: number): number {
  let n = 0
  for (let i = 0; i < text.length && n <= max; ) {
    const open = text.indexOf('"', i)
    const end = open === -1 ? text.length : open
    for (let c = text.indexOf(':', i); c !== -1 && c < end && n <= max; c = text.indexOf(':', c + 1)) n++
    if (open === -1) break
    const close = closingQuote(text, open)
    if (close === -1) break
    i = close + 1
  }
  return n
}

/**
 * The first key that appears twice in one object of valid JSON `text` (whose parse is `value`), with the path of that
 * object, or null. RFC 8259 §4 leaves such objects' meaning open (JSON.parse keeps the last, other parsers the first);
 * I-JSON (RFC 7493 §2.3) forbids them. Cost: one walk of `value` and one scan of `text`; the path is found
 * (jsonc-parser's visitor) only when some key is written twice.
 */
export function duplicateKey(text: string, value: unknown): { path: (string | number)[]; key: string } | null {
  const keys = countKeys(value)
  if (countMembers(text, keys) <= keys) return null
  const open: Set<string>[] = []
  let found: { path: (string | number)[]; key: string } | null = null
  visit(
    text,
    {
      onObjectBegin: () => void open.push(new Set()),
      onObjectEnd: () => void open.pop(),
      onObjectProperty(key, _offset, _length, _line, _column, pathOf) {
        const seen = open[open.length - 1]
        if (!found && seen.has(key)) found = { path: [...pathOf()], key }
        seen.add(key)
      },
    },
    { disallowComments: true },
  )
  return found
}
