import { z } from 'zod'
import { ResourceId } from '../config/mailbox.js'
import { EVENT_TYPES, EventType } from '../events/event-types.js'
import { DELIVERY_STATUSES } from '../webhooks/delivery-index.js'
import { Instant } from './query-params.js'

/**
 * The OpenAPI part of webhook deliveries, replay, endpoints and mailboxes (issue 11): response schemas (zod, so
 * tests check answers against them) and the paths, merged into lib/http/openapi.ts.
 */
const iso = (description: string) => z.string().meta({ description: `${description} (ISO 8601 UTC)`, example: '2026-12-02T10:00:00.000Z' })

const DeliveryAttempt = z.object({
  attempt: z.number().int().meta({ description: 'from 1' }),
  at: iso('when the attempt started'),
  statusCode: z.number().int().nullable().meta({ description: "the endpoint's HTTP status; null for a timeout, network error or refused target" }),
  durationMs: z.number().meta({ description: 'from the request to the end of the response headers, in ms' }),
  outcome: z.enum(['delivered', 'retry', 'gone']),
  reason: z.string().nullable().meta({ example: 'HTTP 500' }),
  responseExcerpt: z.string().meta({ description: 'the first 256 bytes of the response body, as UTF-8' }),
})

const deliveryFields = {
  id: z.string().meta({ description: '`<endpointId>:<eventId>`', example: 'app:msg_2f0c0e5b8c3d4a6e9f1a2b3c4d5e6f70' }),
  endpointId: z.string(),
  eventId: z.string().meta({ description: 'the `webhook-id` sent (Standard Webhooks); the same on every attempt, retry and replay' }),
  type: z.enum(EVENT_TYPES).nullable(),
  source: z.string().nullable().meta({ example: 'message:01JDX3K4Z5' }),
  sequence: z.number().int().nullable(),
  eventCreatedAt: iso('when the event was recorded').nullable(),
  status: z.enum(DELIVERY_STATUSES).meta({
    description: 'pending: not attempted yet; failed: the last attempt failed, retried at nextAttemptAt; succeeded: a 2xx came; dead: dead-lettered',
  }),
  nextAttemptAt: iso('when the next attempt is due (pending, failed)').nullable(),
  reason: z.string().nullable().meta({ description: 'why it was dead-lettered (or why nothing was sent)' }),
  attemptCount: z.number().int(),
  lastAttempt: DeliveryAttempt.nullable(),
}
export const DeliverySummary = z.strictObject(deliveryFields)
export const Delivery = z.strictObject({ ...deliveryFields, attempts: z.array(DeliveryAttempt) })

/** The body of POST /v1/webhooks/replay. */
export const ReplayRequest = z
  .strictObject({
    since: Instant,
    until: Instant,
    endpoint: ResourceId.optional(),
    types: z.array(EventType).min(1).optional(),
    limit: z.number().int().min(1).max(1000).default(1000),
    cursor: z.string().max(2000).optional(),
  })
  .refine((r) => r.since <= r.until, { path: ['until'], message: 'must not be before since' })

export const ReplayResult = z.strictObject({
  queued: z.number().int().meta({ description: 'deliveries put back in line with their original webhook-id' }),
  skipped: z
    .record(z.string(), z.number().int())
    .meta({ description: 'deliveries left alone, by reason: pending, in_flight, disabled, unknown_endpoint, no_event' }),
  nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` with the same body to replay the rest' }),
})

export const Endpoint = z.strictObject({
  id: z.string(),
  url: z.string().meta({ description: 'origin and path; the query string is not shown' }),
  format: z.enum(['standard', 'resend']),
  eventTypes: z.array(z.string()),
  mailboxes: z.array(z.string()).nullable(),
  state: z.enum(['healthy', 'failing', 'disabled']),
  failingSince: iso('first failure since the last success').nullable(),
  disabled: z.object({ at: z.string(), reason: z.string() }).nullable(),
})

const LastPoll = z.strictObject({
  at: iso('when the poll started'),
  durationMs: z.number(),
  outcome: z.enum(['ok', 'failed']),
  found: z.number().int(),
  stored: z.number().int(),
  duplicates: z.number().int(),
  failed: z.number().int(),
  resets: z.number().int().meta({ description: 'UIDVALIDITY changes seen' }),
  error: z.string().nullable(),
  lastSuccessAt: iso('start of the last poll that completed').nullable(),
})

export const MailboxSummary = z.strictObject({
  id: z.string(),
  protocol: z.enum(['imap', 'pop3']),
  host: z.string(),
  port: z.number().int().nullable(),
  user: z.string(),
  folders: z.array(z.string()).nullable(),
  lastPoll: LastPoll.nullable(),
  cursor: z
    .union([
      z.strictObject({ folders: z.record(z.string(), z.object({ uidValidity: z.string(), lastUid: z.number().int() })) }),
      z.strictObject({ seenUidls: z.number().int() }),
    ])
    .nullable()
    .meta({ description: 'IMAP: UIDVALIDITY and the highest UID passed, per folder (RFC 3501 §2.3.1.1); POP3: UIDLs in the seen record' }),
  sequence: z.number().int().meta({ description: "the mailbox's last event sequence number" }),
  lagMs: z.number().nullable().meta({ description: 'ms since the start of the last poll that completed' }),
})

const Gap = z.union([
  z.strictObject({
    kind: z.literal('not_stored'),
    folder: z.string().nullable(),
    uid: z.number().int().nullable(),
    uidl: z.string().nullable(),
    nextPoll: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('uidvalidity_changed'), folder: z.string(), cursorUidValidity: z.string(), serverUidValidity: z.string() }),
  z.strictObject({ kind: z.literal('not_committed'), messageId: z.string() }),
  z.strictObject({
    kind: z.literal('not_acknowledged'),
    messageId: z.string(),
    eventId: z.string(),
    endpointId: z.string(),
    status: z.enum(['pending', 'failed', 'dead', 'missing', 'queued']),
  }),
])
export const ReconcileReport = z.strictObject({
  mailbox: z.string(),
  checkedAt: iso('when the check ran'),
  server: z.union([
    z.strictObject({
      protocol: z.literal('imap'),
      folders: z.array(
        z.strictObject({
          folder: z.string(),
          uidValidity: z.string(),
          messages: z.number().int(),
          cursor: z.object({ uidValidity: z.string(), lastUid: z.number().int() }).nullable(),
          unverified: z
            .number()
            .int()
            .meta({ description: 'messages at or below the cursor that cannot be checked (no Message-ID, or neither Date nor From)' }),
        }),
      ),
    }),
    z.strictObject({ protocol: z.literal('pop3'), messages: z.number().int(), uidl: z.boolean(), seen: z.number().int() }),
  ]),
  stored: z.strictObject({ messages: z.number().int(), committed: z.number().int() }),
  gaps: z.array(Gap),
})

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' })

export const webhookSchemas = () => ({
  Delivery: json(Delivery),
  DeliverySummary: json(DeliverySummary),
  ReplayRequest: z.toJSONSchema(ReplayRequest, { io: 'input', unrepresentable: 'any' }),
  ReplayResult: json(ReplayResult),
  Endpoint: json(Endpoint),
  Mailbox: json(MailboxSummary),
  ReconcileReport: json(ReconcileReport),
})
