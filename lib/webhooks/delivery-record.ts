import type { EventType } from '../events/event-types.js'
import type { EventRecord } from '../events/outbox.js'
import type { AttemptOutcome } from './classify.js'

/** One logged delivery attempt. */
export interface AttemptLog {
  attempt: number
  /** ISO 8601 UTC start of the attempt. */
  at: string
  /** HTTP status, or null for a timeout, a network error or a refused target. */
  status: number | null
  latencyMs: number
  outcome: AttemptOutcome['kind']
  reason: string | null
  /** First bytes of the response body, decoded as UTF-8. */
  responseHead: string
}

/**
 * Delivery of one event to one endpoint (webhookKeys.delivery), updated by compare-and-swap. `lease` is the claim
 * of the worker making an attempt now: while it runs, every other worker (another process, an overlapping run)
 * leaves the delivery alone, so each (endpoint, event) is attempted by one claimant at a time.
 */
export interface DeliveryRecord {
  eventId: string
  endpointId: string
  /** The event's type, source, sequence and time, for listing deliveries without reading the events. */
  type?: EventType
  source?: string
  sequence?: number
  eventCreatedAt?: string
  status: 'pending' | 'delivered' | 'dead'
  /** ms since the epoch. */
  nextAttemptAt: number
  /** ms since the epoch of the first attempt (the retry window counts from it); null before any. */
  firstAttemptAt?: number | null
  lease?: { owner: string; until: number } | null
  /** Why it was dead-lettered. */
  deadReason?: string | null
  attempts: AttemptLog[]
}

/** A delivery record for an event not yet attempted on this endpoint. */
export const freshDelivery = (endpointId: string, record: EventRecord): DeliveryRecord => ({
  eventId: record.id,
  endpointId,
  type: record.type,
  source: record.source,
  sequence: record.sequence,
  eventCreatedAt: record.createdAt,
  status: 'pending',
  nextAttemptAt: 0,
  firstAttemptAt: null,
  lease: null,
  deadReason: null,
  attempts: [],
})
