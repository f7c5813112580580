const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** Obsolete zone names (RFC 5322 §4.3), in minutes east of UTC; military letters count as -0000 (unknown). */
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 }

const RFC5322 =
  /^(?:[a-z]+\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[+-]\d{2}:?\d{2}|[a-z]{1,5})?/i

/** Removes RFC 5322 comments (nested parentheses) and any bytes that are not printable ASCII. */
const stripComments = (s: string) => {
  let out = ''
  let depth = 0
  for (const c of s) {
    if (c === '(') depth++
    else if (c === ')' && depth) depth--
    else if (!depth) out += c
  }
  return out
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * Parses a Date header (RFC 5322 §3.3, with the obsolete forms of §4.3: two- and three-digit years, zone names,
 * comments, a missing or wrong weekday, a missing zone = UTC), then ISO 8601 and `asctime` forms. Returns the
 * instant as ISO 8601 UTC with milliseconds, or null when the value is not a date. Never throws.
 */
export function parseDate(value: string): string | null {
  const s = stripComments(value)
  const m = RFC5322.exec(s)
  if (m) {
    const month = MONTHS.indexOf(m[2].toLowerCase())
    let year = Number(m[3])
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900
    else if (m[3].length === 3) year += 1900
    const [day, hour, minute] = [Number(m[1]), Number(m[4]), Number(m[5])]
    const second = Math.min(Number(m[6] ?? 0), 59)
    if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59) return null
    let offset = 0
    const zone = m[7]
    if (zone && /^[+-]/.test(zone)) {
      const digits = zone.replace(':', '')
      const mins = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))
      offset = zone[0] === '-' ? -mins : mins
    } else if (zone) offset = ZONES[zone.toLowerCase()] ?? 0
    const ms = Date.UTC(year, month, day, hour, minute, second) - offset * 60_000
    return Number.isNaN(ms) ? null : new Date(ms).toISOString()
  }
  // ISO 8601 and asctime (`Tue Oct 21 09:38:13 2007`); require a four-digit year so junk is not read as a date.
  if (/\b\d{4}\b/.test(s)) {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}/.test(s) || /[+-]\d{4}|\bUTC?\b|\bGMT\b|Z$/i.test(s) ? s : `${s} UTC`)
    if (!Number.isNaN(ms)) return new Date(ms).toISOString()
  }
  return null
}
