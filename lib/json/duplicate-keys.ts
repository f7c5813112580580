import { visit } from 'jsonc-parser'

/** Object keys in a parsed JSON value, nested ones included. Callers bound the depth first (jsonShapeProblem). */
function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  let n = 0
  if (Array.isArray(value)) for (const v of value) n += countKeys(v)
  else for (const k in value) n += 1 + countKeys((value as Record<string, unknown>)[k])
  return n
}

/** Object members written in JSON text: the colons outside strings, counted no further than `max + 1`. */
function countMembers(text: string, max: number): number {
  let n = 0
  let inString = false
  for (let i = 0; i < text.length && n <= max; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x3a) n++
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
