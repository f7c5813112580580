/**
 * Byte order of object keys, as S3 ListObjectsV2 sorts them (UTF-8 bytes, which is Unicode code point order).
 * JavaScript's `<` compares UTF-16 code units instead, which differs for characters above U+FFFF.
 */

/** A surrogate (D800–DFFF) sorts above E000–FFFF in code point order; shift both so code units compare that way. */
const codePointRank = (c: number) => (c >= 0xe000 ? c - 0x800 : c + 0x2000)

/** Compares two keys in UTF-8 byte order without encoding them: negative, zero or positive. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y
  }
  return a.length - b.length
}

/**
 * The least string above every key that starts with `prefix` (so `prefix <= key < bound` selects exactly them):
 * the prefix with its last code point raised by one. `null` when no bound exists (an empty prefix).
 */
export function prefixUpperBound(prefix: string): string | null {
  const chars = [...prefix]
  while (chars.length) {
    const last = chars.pop()!.codePointAt(0)!
    if (last < 0x10ffff) return chars.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1)
  }
  return null
}
