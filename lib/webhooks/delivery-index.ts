import { deliveryIndexKeys, type DeliveryIndexEntry } from '../store/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import type { DeliveryRecord } from './delivery-record.js'

/**
 * Where a delivery stands, as the API lists it: `pending` (not attempted yet, or its first attempt is under way),
 * `failed` (the last attempt failed; retried at `nextAttemptAt`), `succeeded` (delivered, or nothing to send in the
 * endpoint's format) or `dead` (dead-lettered).
 */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

export function deliveryStatus(d: Pick<DeliveryRecord, 'status' | 'attempts' | 'attemptsBefore'>): DeliveryStatus {
  if (d.status === 'delivered') return 'succeeded'
  if (d.status === 'dead') return 'dead'
  return d.attempts.length > (d.attemptsBefore ?? 0) ? 'failed' : 'pending'
}

/** The index entry of a delivery (its event's time, id and type); records without an event time sort as 0. */
export const indexEntryOf = (d: DeliveryRecord): DeliveryIndexEntry => ({
  createdAtMs: d.eventCreatedAt ? Date.parse(d.eventCreatedAt) || 0 : 0,
  eventId: d.eventId,
  endpointId: d.endpointId,
  type: d.type ?? 'unknown',
})

const statusKeys = (e: DeliveryIndexEntry, status: DeliveryStatus) => [
  deliveryIndexKeys.entry(status, null, e),
  deliveryIndexKeys.entry(status, e.endpointId, e),
]

/**
 * Index writes around a delivery record's writes, so that no written record is ever missing from a listing: entries
 * of a new status are written BEFORE the record (a crash in between leaves an entry the lister finds stale and
 * skips), entries of the old status deleted AFTER it. `from` is the status of the record as stored (null when
 * there is none); `after` what is about to be written. Entries are empty objects, written durably, as the record is.
 */
export function deliveryIndexWrites(store: ObjectStore, from: DeliveryStatus | null, after: DeliveryRecord) {
  const e = indexEntryOf(after)
  const to = deliveryStatus(after)
  return {
    /** Call before writing the record. */
    async prepare() {
      const keys = from === to ? [] : statusKeys(e, to)
      if (from === null) keys.push(deliveryIndexKeys.entry(null, null, e), deliveryIndexKeys.entry(null, e.endpointId, e))
      await Promise.all(keys.map((k) => store.put(k, '')))
    },
    /** Call once the record is written. */
    async commit() {
      if (from !== null && from !== to) await Promise.all(statusKeys(e, from).map((k) => store.delete(k)))
    },
  }
}
