/** How many times `ch` occurs in `text`, counting no further than `max + 1` (indexOf is native, so this is fast). */
function countUpTo(text: string, ch: string, max: number): number {
  let n = 0
  for (let i = text.indexOf(ch); i !== -1 && n <= max; i = text.indexOf(ch, i + 1)) n++
  return n
}

/**
 * What is wrong with the shape of JSON text, before it is parsed: nesting deeper than `maxDepth`, or more than
 * `maxItems` arrays, objects and commas (brackets and commas inside strings do not count). One linear scan, no
 * recursion, so a hostile body costs a scan, not a parse into millions of values. Text whose brackets and commas,
 * strings included, are too few to break either rule skips the scan: nearly every request.
 */
export function jsonShapeProblem(text: string, maxDepth: number, maxItems: number): 'too_deep' | 'too_many' | null {
  const opening = countUpTo(text, '[', maxDepth) + countUpTo(text, '{', maxDepth)
  if (opening <= maxDepth && opening + countUpTo(text, ',', maxItems) <= maxItems) return null
  let depth = 0
  let items = 0
  // Strings are skipped with indexOf (native): a 9 MB HTML body full of commas took 120-230 ms walked per character.
  for (let i = 0; i < text.length; ) {
    const open = text.indexOf('"', i)
    const end = open === -1 ? text.length : open
    for (; i < end; i++) {
      const ch = text.charCodeAt(i)
      if (ch === 0x5b || ch === 0x7b) {
        if (++depth > maxDepth) return 'too_deep'
        if (++items > maxItems) return 'too_many'
      } else if (ch === 0x2c) {
        if (++items > maxItems) return 'too_many'
      } else if (ch === 0x5d || ch === 0x7d) depth--
    }
    if (open === -1) break
    const close = closingQuote(text, open)
    if (close === -1) break
    i = close + 1
  }
  return null
}

/** Index of the quote that closes the string whose opening quote is at `open`, or -1 when it is not closed. */
export function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return at
  }
  return -1
}
