import { SQS_MAX_DELAY_S } from '../aws/sqs-limits.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { queueKeys, sweepKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { DELIVERY_HORIZON_MS } from './sqs-delivery.js'
import { sweepMessage } from './sqs-messages.js'

/** An entry whose S3 notification was lost is enqueued once it is this overdue (ms). */
export const STALE_AFTER_MS = 15 * 60_000
/** Each run starts this far before the last one's end (ms), for clock skew between functions. */
const OVERLAP_MS = 60_000

/** How far the sweep has looked: entries due up to `ahead` were enqueued, and overdue ones up to `stale`. ISO 8601. */
interface SweepCursor {
  ahead: string
  stale: string
}

/** What one sweep did. */
export interface SweepResult {
  /** Entries due within the horizon that were enqueued (scheduled sends and anything beyond it when accepted). */
  enqueued: number
  /** Overdue entries enqueued again (their notification was lost, or their message dead-lettered). */
  stale: number
  /** LIST requests made. */
  lists: number
}

/** Every queue entry due in [fromMs, toMs], in due order, page after page (no cap per run). */
async function entriesDue(deps: Deps, fromMs: number, toMs: number, counter: { lists: number }) {
  const out: { key: string; dueAtMs: number }[] = []
  let after = fromMs > 0 ? `${queueKeys.prefix}${new Date(fromMs).toISOString()}` : undefined
  for (;;) {
    const page = await deps.store.list(queueKeys.prefix, { startAfter: after, limit: 1000 })
    counter.lists++
    for (const key of page) {
      const entry = queueKeys.parse(key)
      if (!entry) continue
      if (entry.dueAtMs > toMs) return out
      out.push({ key, dueAtMs: entry.dueAtMs })
    }
    if (page.length < 1000) return out
    after = page[page.length - 1]
  }
}

/**
 * The scheduled sweep on AWS (every minute): sends to the delivery queue every `queue/` entry that came within
 * DELIVERY_HORIZON_MS of its due time since the last run (a `sendAt` further ahead than SQS can hide a message),
 * with DelaySeconds up to 15 minutes, and once more every entry that is STALE_AFTER_MS overdue and still there (its
 * S3 notification was lost). A cursor object keeps each window to what is new since the last run, so a run costs
 * O(entries it enqueues) requests, whatever the backlog; an overlapping run only sends duplicates, which the
 * delivery claim absorbs. The first run enqueues every entry due within the horizon.
 * @throws what the store or SQS throws; the cursor then stays, and the next run covers the same windows.
 */
export async function sweepDelivery(deps: Deps): Promise<SweepResult> {
  const now = deps.clock.now()
  const found = await getJson<SweepCursor>(deps.store, sweepKeys.delivery)
  const counter = { lists: 0 }
  const aheadTo = now + DELIVERY_HORIZON_MS
  const staleTo = now - STALE_AFTER_MS
  const ahead = await entriesDue(deps, found ? Date.parse(found.value.ahead) - OVERLAP_MS : 0, aheadTo, counter)
  const stale = found ? await entriesDue(deps, Date.parse(found.value.stale) - OVERLAP_MS, staleTo, counter) : []
  const messages = [...ahead, ...stale].map((e) => ({
    body: sweepMessage(e.key),
    delaySeconds: Math.min(SQS_MAX_DELAY_S, Math.max(0, Math.ceil((e.dueAtMs - now) / 1000))),
  }))
  await deps.queue('delivery').send(messages)
  const next: SweepCursor = { ahead: new Date(aheadTo).toISOString(), stale: new Date(staleTo).toISOString() }
  try {
    await putJson(deps.store, sweepKeys.delivery, next, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' })
  } catch (err) {
    // A run that overlapped this one moved the cursor; its windows cover ours.
    if (!isPreconditionFailed(err)) throw err
  }
  return { enqueued: ahead.length, stale: stale.length, lists: counter.lists }
}
