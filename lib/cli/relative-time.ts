const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * A `--since`/`--until` value as ISO 8601 UTC: `30s`, `15m`, `1h`, `2d`, `1w` ago from `nowMs`, or a date or time
 * (`2026-12-02`, `2026-12-02T14:00:00Z`) as written.
 * @throws Error naming the accepted forms for anything else.
 */
export function parseTimeOption(value: string, nowMs: number): string {
  const rel = /^(\d+)([smhdw])$/.exec(value.trim())
  if (rel) return new Date(nowMs - Number(rel[1]) * UNIT_MS[rel[2]]).toISOString()
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(value)} is not a time: use 30s, 15m, 1h, 2d, 1w (ago) or an ISO 8601 date or time`)
  return new Date(ms).toISOString()
}
