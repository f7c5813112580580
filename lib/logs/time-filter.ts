/** Units of a relative time (`90s`, `15m`, `1h`, `7d`) in ms. */
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * A `since`/`until` filter value as ms since the epoch: ISO 8601 with a time zone or `Z` (`2026-12-02T09:00:00Z`), a
 * date (`2026-12-02`, midnight UTC), or a time ago (`90s`, `15m`, `1h`, `7d`: `nowMs` minus that). Null when it is
 * none of these, names a day or time that does not exist (`2026-02-30`), or is before 1970.
 */
export function parseTimeFilter(value: string, nowMs: number): number | null {
  const ago = /^(\d{1,6})([smhd])$/.exec(value)
  if (ago) return Math.max(0, nowMs - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS])
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/.exec(value)
  if (!m) return null
  const [y, mo, d, h = '0', mi = '0', sec = '0', oh = '0', om = '0'] = m.slice(1)
  // Date.parse rolls 2026-02-30 over to March 2: a day, hour or minute out of range is refused, not moved.
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate()
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth) return null
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59 || Number(oh) > 23 || Number(om) > 59) return null
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
  // Index keys hold times from 1970 on (ms since the epoch, inverted): an earlier time cannot be a filter.
  return Number.isNaN(ms) || ms < 0 ? null : ms
}
