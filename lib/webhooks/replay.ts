import type { Deps } from '../deps.js'
import { deliveryIndexKeys } from '../store/keys.js'
import { requeueDelivery, type RequeueOutcome } from './requeue.js'

/** A replay's range and filters: events recorded from `sinceMs` to `untilMs` (ms since the epoch, inclusive). */
export interface ReplayRequest {
  sinceMs: number
  untilMs: number
  endpoint?: string
  types?: string[]
  /** At most this many deliveries per call (1 to 1000); the answer's `nextCursor` goes on from there. */
  limit: number
  cursor?: string
}

export interface ReplayResult {
  /** Deliveries put back in line, each with its original `webhook-id`. */
  queued: number
  /** Deliveries left as they are, by reason (RequeueOutcome): `pending` ones are already in line. */
  skipped: Partial<Record<Exclude<RequeueOutcome, 'queued'> | 'pending', number>>
  /** Pass as `cursor` with the same range to replay the rest; null when the range is done. */
  nextCursor: string | null
}

/** Thrown for a cursor not handed out by a replay of the same endpoint filter. */
export class BadReplayCursorError extends Error {}

/**
 * Re-sends the events of a time range: every delivery recorded for them (to one endpoint, or to every endpoint)
 * whose status is succeeded, failed or dead is requeued (requeue.ts: claims respected, original `webhook-id`).
 * Reads the delivery index newest first from `untilMs`, so the cost is O(deliveries in the range), at most `limit`
 * per call.
 * @throws BadReplayCursorError; whatever the store throws.
 */
export async function replayDeliveries(deps: Pick<Deps, 'store' | 'clock' | 'config' | 'newId'>, req: ReplayRequest): Promise<ReplayResult> {
  const prefix = deliveryIndexKeys.partition(null, req.endpoint ?? null)
  let after = deliveryIndexKeys.olderThan(null, req.endpoint ?? null, req.untilMs)
  if (req.cursor) {
    const key = Buffer.from(req.cursor, 'base64url').toString('utf8')
    if (!key.startsWith(prefix) || !deliveryIndexKeys.parse(key)) throw new BadReplayCursorError('not a cursor of this replay')
    after = key
  }
  const result: ReplayResult = { queued: 0, skipped: {}, nextCursor: null }
  let seen = 0
  for (;;) {
    const keys = await deps.store.list(prefix, { startAfter: after, limit: 1000 })
    for (const key of keys) {
      const e = deliveryIndexKeys.parse(key)
      if (!e) continue
      if (e.createdAtMs < req.sinceMs) return result
      if (req.types && !req.types.includes(e.type)) continue
      if (seen === req.limit) {
        result.nextCursor = Buffer.from(after, 'utf8').toString('base64url')
        return result
      }
      seen++
      after = key
      const outcome = await requeueDelivery(deps, e.endpointId, e.eventId, ['succeeded', 'failed', 'dead'])
      if (outcome === 'queued') result.queued++
      else {
        const why = outcome === 'status' ? 'pending' : outcome
        result.skipped[why] = (result.skipped[why] ?? 0) + 1
      }
    }
    if (keys.length < 1000) return result
    after = keys.at(-1)!
  }
}
