import type { Deps } from '../deps.js'
import { stampTime, timeOfInvertedId } from '../logs/index-order.js'
import { inboundIndexKeys, messageIndexKeys } from '../store/keys.js'
import type { HourCounts, SeriesName } from './chart.js'

const HOUR_MS = 3_600_000
/** Index entries counted per series at most: a busier day shows its counts as "at least". */
export const MAX_COUNTED = 50_000
/** Keys asked for per list call. */
const BATCH = 1000

/** Per-hour counts of the last `hours` hours (UTC, the current hour last), their totals, and series cut at MAX_COUNTED. */
export interface Overview {
  hours: HourCounts[]
  totals: Record<SeriesName, number>
  capped: SeriesName[]
}

/** Where each series is counted: the index prefix and how an entry's name (after the prefix) gives its time in ms. */
const SOURCES: [SeriesName, string, (tail: string) => number][] = [
  ...(['sent', 'deferred', 'failed', 'bounced'] as const).map((s): [SeriesName, string, (tail: string) => number] => [
    s,
    messageIndexKeys.status(s),
    timeOfInvertedId,
  ]),
  ['received', inboundIndexKeys.all, (tail) => stampTime(tail.slice(0, 13))],
]

/**
 * Counts for the overview chart from the list indexes' key names alone (lib/logs/, docs/storage.md "Indexes"), with
 * no object read: outbound messages by their current status (sent, deferred, failed, bounced) in the hour they were
 * accepted, and received messages in the hour they arrived. Each index is listed newest first and only back to the
 * window's start, so the cost is one list call per 1,000 entries in the window (at most MAX_COUNTED a series).
 * An entry a crash left behind (a status just left) may count once more until the message changes again.
 */
export async function overviewCounts(deps: Pick<Deps, 'store'>, nowMs: number, hours = 24): Promise<Overview> {
  const firstHour = Math.floor(nowMs / HOUR_MS) - hours + 1
  const buckets: HourCounts[] = Array.from({ length: hours }, (_, i) => ({
    hour: new Date((firstHour + i) * HOUR_MS).toISOString(),
    sent: 0,
    deferred: 0,
    failed: 0,
    bounced: 0,
    received: 0,
  }))
  const totals = { sent: 0, deferred: 0, failed: 0, bounced: 0, received: 0 }
  const capped: SeriesName[] = []
  await Promise.all(
    SOURCES.map(async ([series, prefix, timeOf]) => {
      let after: string | undefined
      for (let counted = 0; ; ) {
        const keys = await deps.store.list(prefix, { startAfter: after, limit: BATCH })
        for (const key of keys) {
          const ms = timeOf(key.slice(prefix.length))
          if (Number.isNaN(ms)) continue
          const i = Math.floor(ms / HOUR_MS) - firstHour
          if (i < 0) return // newest first: the rest is older than the window
          if (i < hours) {
            buckets[i][series]++
            totals[series]++
          }
          if (++counted >= MAX_COUNTED) return void capped.push(series)
        }
        if (keys.length < BATCH) return
        after = keys.at(-1)
      }
    }),
  )
  return { hours: buckets, totals, capped: capped.sort() }
}
