/** Units of a relative time (`90s`, `15m`, `1h`, `7d`) in ms. */
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * A `since`/`until` filter value as ms since the epoch: ISO 8601 with a time zone or `Z` (`2026-12-02T09:00:00Z`), a
 * date (`2026-12-02`, midnight UTC), or a time ago (`90s`, `15m`, `1h`, `7d`: `nowMs` minus that). Null when it is
 * none of these.
 */
export function parseTimeFilter(value: string, nowMs: number): number | null {
  const ago = /^(\d{1,6})([smhd])$/.exec(value)
  if (ago) return nowMs - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) return null
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
  return Number.isNaN(ms) ? null : ms
}
