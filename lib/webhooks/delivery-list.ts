import type { Deps } from '../deps.js'
import { getJson } from '../store/json.js'
import { deliveryIndexKeys, webhookKeys } from '../store/keys.js'
import { deliveryStatus, type DeliveryStatus } from './delivery-index.js'
import type { AttemptLog, DeliveryRecord } from './delivery-record.js'

/** Filters of a delivery listing; every one optional. `sinceMs`: events recorded at or after it (ms since the epoch). */
export interface DeliveryFilter {
  status?: DeliveryStatus
  endpoint?: string
  type?: string
  sinceMs?: number
}

/** One attempt as the API shows it. */
export interface DeliveryAttemptView {
  attempt: number
  /** ISO 8601 UTC start of the attempt. */
  at: string
  /** The endpoint's HTTP status; null for a timeout, a network error or a refused target. */
  statusCode: number | null
  durationMs: number
  outcome: AttemptLog['outcome']
  reason: string | null
  /** The first bytes of the response body (up to 256), decoded as UTF-8. */
  responseExcerpt: string
}

/** A delivery as the API shows it. `id` is `<endpointId>:<eventId>`; `eventId` is the `webhook-id` sent. */
export interface DeliveryView {
  id: string
  endpointId: string
  eventId: string
  type: string | null
  source: string | null
  sequence: number | null
  eventCreatedAt: string | null
  status: DeliveryStatus
  /** ISO 8601; when the next attempt is due (pending and failed only). */
  nextAttemptAt: string | null
  /** Why it was dead-lettered, or why nothing was sent (no such event in the endpoint's format). */
  reason: string | null
  attemptCount: number
  lastAttempt: DeliveryAttemptView | null
}

export const deliveryId = (endpointId: string, eventId: string) => `${endpointId}:${eventId}`

/** The endpoint and event a delivery id names; null for a string that is not one. */
export function parseDeliveryId(id: string): { endpointId: string; eventId: string } | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63}):(msg_[A-Za-z0-9_-]{1,100})$/.exec(id)
  return m ? { endpointId: m[1], eventId: m[2] } : null
}

const attemptView = (a: AttemptLog): DeliveryAttemptView => ({
  attempt: a.attempt,
  at: a.at,
  statusCode: a.status,
  durationMs: a.latencyMs,
  outcome: a.outcome,
  reason: a.reason,
  responseExcerpt: a.responseHead,
})

export function deliveryView(d: DeliveryRecord): DeliveryView & { attempts: DeliveryAttemptView[] } {
  const status = deliveryStatus(d)
  const last = d.attempts.at(-1)
  return {
    id: deliveryId(d.endpointId, d.eventId),
    endpointId: d.endpointId,
    eventId: d.eventId,
    type: d.type ?? null,
    source: d.source ?? null,
    sequence: d.sequence ?? null,
    eventCreatedAt: d.eventCreatedAt ?? null,
    status,
    nextAttemptAt: status === 'pending' || status === 'failed' ? new Date(d.nextAttemptAt).toISOString() : null,
    reason: d.deadReason ?? null,
    attemptCount: d.attempts.length,
    lastAttempt: last ? attemptView(last) : null,
    attempts: d.attempts.map(attemptView),
  }
}

/** One delivery with every attempt; null when there is none. */
export async function readDelivery(deps: Pick<Deps, 'store'>, endpointId: string, eventId: string) {
  const found = await getJson<DeliveryRecord>(deps.store, webhookKeys.delivery(endpointId, eventId))
  return found ? deliveryView(found.value) : null
}

/** Thrown for a cursor that this listing did not hand out (or that belongs to other filters). */
export class BadCursorError extends Error {}

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url')
function decodeCursor(cursor: string, prefix: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!key.startsWith(prefix) || !deliveryIndexKeys.parse(key)) throw new BadCursorError('not a cursor of this listing')
  return key
}

/**
 * The newest deliveries (by the time their event was recorded) matching `filter`, `limit` at most, after `cursor`
 * (from an earlier page with the same filters). Reads the index partition of the status and endpoint filters
 * (lib/webhooks/delivery-index.ts), skips other types by the entry's name, and reads only the records it returns
 * (plus any stale entry left by a crash or a race), so a page costs O(limit) object reads whatever the number of
 * deliveries. Returns the views without their attempts and the next cursor (null on the last page).
 * @throws BadCursorError for a cursor not from this listing; whatever the store throws.
 */
export async function listDeliveries(
  deps: Pick<Deps, 'store'>,
  filter: DeliveryFilter,
  page: { limit: number; cursor?: string },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const prefix = deliveryIndexKeys.partition(filter.status ?? null, filter.endpoint ?? null)
  let after = page.cursor ? decodeCursor(page.cursor, prefix) : undefined
  const items: DeliveryView[] = []
  // List a little more than a page per request: the type filter and stale entries may skip some.
  const batch = Math.min(1000, page.limit * 2 + 10)
  for (;;) {
    const keys = await deps.store.list(prefix, { startAfter: after, limit: batch })
    const wanted: { key: string; endpointId: string; eventId: string }[] = []
    let ended = keys.length < batch
    for (const key of keys) {
      const e = deliveryIndexKeys.parse(key)
      if (!e) continue
      if (filter.sinceMs !== undefined && e.createdAtMs < filter.sinceMs) {
        ended = true // newest first: everything after this is older
        break
      }
      if (filter.type === undefined || e.type === filter.type) wanted.push({ key, ...e })
    }
    // Read only as many records as the page still needs (more only where an entry proves stale).
    for (let i = 0; i < wanted.length; ) {
      const chunk = wanted.slice(i, i + page.limit - items.length)
      const records = await Promise.all(chunk.map((w) => getJson<DeliveryRecord>(deps.store, webhookKeys.delivery(w.endpointId, w.eventId))))
      for (let j = 0; j < chunk.length; j++, i++) {
        const r = records[j]?.value
        if (!r || (filter.status && deliveryStatus(r) !== filter.status)) continue // stale entry
        const { attempts: _attempts, ...view } = deliveryView(r)
        items.push(view)
        if (items.length === page.limit) {
          const more = i < wanted.length - 1 || !ended
          return { items, nextCursor: more ? encodeCursor(wanted[i].key) : null }
        }
      }
    }
    if (ended || keys.length === 0) return { items, nextCursor: null }
    after = keys.at(-1)
  }
}
