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
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > maxDepth) return 'too_deep'
      if (++items > maxItems) return 'too_many'
    } else if (ch === 0x2c) {
      if (++items > maxItems) return 'too_many'
    } else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return null
}
