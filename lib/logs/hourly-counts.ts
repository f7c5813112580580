import type { Deps } from '../deps.js'
import type { ObjectStore } from '../store/object-store.js'
import { inboundIndexKeys, messageIndexKeys } from '../store/keys.js'
import { invertStamp, invertedIdTime, startAtUntil, stampTime, timeOfInvertedId } from './index-order.js'

/** Messages and received mail of one hour (the dashboard's overview chart). */
export interface HourlyCount {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string
  /** Messages accepted in this hour that are now sent, deferred, failed or bounced. */
  sent: number
  deferred: number
  failed: number
  bounced: number
  /** Messages received (`receivedAt`) in this hour. */
  received: number
}

const HOUR_MS = 3_600_000
/** Keys per list request. */
const PAGE = 1000

/** Counts an index's entries per hour between `sinceMs` and `untilMs` (inclusive), reading keys only. */
async function countIndex(
  store: ObjectStore,
  prefix: string,
  sinceMs: number,
  untilMs: number,
  invert: (ms: number) => string,
  timeOf: (tail: string) => number,
  into: Map<number, number>,
) {
  let startAfter = startAtUntil(prefix, untilMs, invert)
  for (;;) {
    const keys = await store.list(prefix, { startAfter, limit: PAGE })
    for (const key of keys) {
      const ms = timeOf(key.slice(prefix.length))
      if (ms < sinceMs) return
      const hour = ms - (ms % HOUR_MS)
      into.set(hour, (into.get(hour) ?? 0) + 1)
    }
    if (keys.length < PAGE) return
    startAfter = keys[keys.length - 1]
  }
}

/**
 * Per hour from `sinceMs` to `untilMs` (ms since the epoch; whole hours, oldest first, empty hours included): how
 * many messages accepted in that hour are now sent, deferred, failed or bounced, and how many were received. Reads
 * index keys only, never records: one list request per 1,000 entries in the range (status and inbound indexes,
 * docs/storage.md "Indexes"). An entry a crash left stale (until a reader skips it) may count once too often.
 * @throws whatever the store throws.
 */
export async function hourlyCounts(deps: Pick<Deps, 'store'>, sinceMs: number, untilMs: number): Promise<HourlyCount[]> {
  const statuses = ['sent', 'deferred', 'failed', 'bounced'] as const
  const counts = Object.fromEntries([...statuses, 'received'].map((s) => [s, new Map<number, number>()])) as Record<
    (typeof statuses)[number] | 'received',
    Map<number, number>
  >
  await Promise.all([
    ...statuses.map((s) => countIndex(deps.store, messageIndexKeys.status(s), sinceMs, untilMs, invertedIdTime, timeOfInvertedId, counts[s])),
    countIndex(deps.store, inboundIndexKeys.all, sinceMs, untilMs, invertStamp, (t) => stampTime(t.slice(0, 13)), counts.received),
  ])
  const out: HourlyCount[] = []
  for (let h = sinceMs - (sinceMs % HOUR_MS); h <= untilMs; h += HOUR_MS) {
    const at = (m: Map<number, number>) => m.get(h) ?? 0
    out.push({
      hour: new Date(h).toISOString(),
      sent: at(counts.sent),
      deferred: at(counts.deferred),
      failed: at(counts.failed),
      bounced: at(counts.bounced),
      received: at(counts.received),
    })
  }
  return out
}
