import type { Deps } from '../deps.js'
import { subscribes, type EventRecord } from '../events/outbox.js'
import { getJson, putJson } from '../store/json.js'
import { requeueKeys, webhookKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { workerIsGone } from '../worker-id.js'
import { deliveryIndexWrites, deliveryStatus, type DeliveryStatus } from './delivery-index.js'
import { eventOf, type DeliveryRecord } from './delivery-record.js'
import type { EndpointHealth } from './endpoint-health.js'

/**
 * What a requeue did with one delivery: `queued` (reset to pending, due now, its event back in the outbox), or why
 * not: `not_found`, `unknown_endpoint` (no longer configured, or no longer subscribed to the event), `status`
 * (its status is not one the caller may requeue), `in_flight` (a worker holds its claim and is attempting it
 * now), `disabled` (its endpoint is disabled: enable it first), `no_event` (a record from before records kept
 * their event, and no dead letter holds it).
 */
export type RequeueOutcome = 'queued' | 'not_found' | 'unknown_endpoint' | 'status' | 'in_flight' | 'disabled' | 'no_event'

/** How long a requeue marker stays (ms): far longer than a dispatcher run, so every running one sees it. */
const MARKER_TTL_MS = 3_600_000

/** Deletes requeue markers older than MARKER_TTL_MS (oldest first, a bounded number per call). */
async function pruneMarkers(deps: Pick<Deps, 'store' | 'clock'>) {
  const cutoff = deps.clock.now() - MARKER_TTL_MS
  for (const key of await deps.store.list(requeueKeys.prefix, { limit: 100 })) {
    const m = requeueKeys.parse(key)
    if (m && m.atMs >= cutoff) break
    await deps.store.delete(key)
  }
}

/** How many times a requeue re-reads a record that changed under it before answering `in_flight`. */
const CAS_TRIES = 3

/**
 * Puts one delivery back in line, keeping its event's id (the `webhook-id` sent) and its attempt log: the record
 * becomes `pending`, due now, its limits (maxAttempts, maxWindowMs) counted afresh (`attemptsBefore`), and the event
 * is written back to its outbox key (on AWS that write notifies the webhook queue; the local dispatcher sees it
 * at its next run). The reset is a compare-and-swap of the record and is refused while a worker's claim is live,
 * so the delivery is never attempted by two workers at once; the delivery workers then deliver it under their
 * usual claims. `allowed`: the statuses the caller may requeue (retry: failed and dead; replay: any but pending).
 * @throws whatever the store throws.
 */
export async function requeueDelivery(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'newId'>,
  endpointId: string,
  eventId: string,
  allowed: readonly DeliveryStatus[],
) {
  const { store } = deps
  const ep = deps.config.webhooks.find((w) => w.id === endpointId)
  const key = webhookKeys.delivery(endpointId, eventId)
  for (let tries = 0; tries < CAS_TRIES; tries++) {
    const found = await getJson<DeliveryRecord>(store, key)
    if (!found) return 'not_found'
    const d = found.value
    if (!allowed.includes(deliveryStatus(d))) return 'status'
    const now = deps.clock.now()
    if (d.lease && d.lease.until > now && !workerIsGone(d.lease.owner)) return 'in_flight'
    const event = eventOf(d) ?? (await getJson<{ event: EventRecord }>(store, webhookKeys.deadLetter(endpointId, eventId)))?.value.event ?? null
    if (!event) return 'no_event'
    if (!ep || !subscribes(ep, event)) return 'unknown_endpoint'
    if ((await getJson<EndpointHealth>(store, webhookKeys.endpoint(endpointId)))?.value.disabled) return 'disabled'
    const reset: DeliveryRecord = {
      ...d,
      // The event, kept from now on (a record from before may have had it only in its dead letter).
      type: event.type,
      source: event.source,
      sequence: event.sequence,
      eventCreatedAt: event.createdAt,
      ...(event.mailbox ? { mailbox: event.mailbox } : {}),
      data: event.data,
      status: 'pending',
      nextAttemptAt: now,
      firstAttemptAt: null,
      lease: null,
      deadReason: null,
      attemptsBefore: d.attempts.length,
    }
    const index = deliveryIndexWrites(store, deliveryStatus(d), reset)
    await index.prepare()
    try {
      await putJson(store, key, reset, { ifMatch: found.etag })
    } catch (err) {
      if (isPreconditionFailed(err)) continue // claimed or changed meanwhile: look again
      throw err
    }
    await index.commit()
    // Rewritten even when present: on AWS the write is the S3 notification that queues the event again.
    await putJson(store, webhookKeys.outboxFor(event.source, event.sequence), event)
    // Local dispatchers remember finished and backed-off deliveries: the marker makes them look again.
    await store.put(requeueKeys.marker(now, eventId, deps.newId()), '')
    await store.delete(webhookKeys.deadLetter(endpointId, eventId))
    await pruneMarkers(deps)
    return 'queued'
  }
  return 'in_flight'
}
