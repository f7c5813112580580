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
  /** The event's mailbox and data, so a retry or replay can put the event back once its outbox record is gone. */
  mailbox?: string
  data?: unknown
  status: 'pending' | 'delivered' | 'dead'
  /** ms since the epoch. */
  nextAttemptAt: number
  /** ms since the epoch of the first attempt (the retry window counts from it); null before any. */
  firstAttemptAt?: number | null
  /** Attempts made before the last retry or replay through the API: limits count the attempts after them. */
  attemptsBefore?: number
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
  ...(record.mailbox ? { mailbox: record.mailbox } : {}),
  data: record.data,
  status: 'pending',
  nextAttemptAt: 0,
  firstAttemptAt: null,
  lease: null,
  deadReason: null,
  attempts: [],
})

/** The event a delivery record was made for; null for a record written before it kept the event's data. */
export function eventOf(d: DeliveryRecord): EventRecord | null {
  if (d.type === undefined || d.source === undefined || d.sequence === undefined || d.eventCreatedAt === undefined || !('data' in d)) return null
  return {
    id: d.eventId,
    type: d.type,
    source: d.source as EventRecord['source'],
    sequence: d.sequence,
    createdAt: d.eventCreatedAt,
    ...(d.mailbox ? { mailbox: d.mailbox } : {}),
    data: d.data,
  }
}

/** Attempts counted against the endpoint's limits: those since the last retry or replay. */
export const attemptsCounted = (d: DeliveryRecord) => d.attempts.length - (d.attemptsBefore ?? 0)
