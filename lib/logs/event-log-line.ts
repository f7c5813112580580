import { z } from 'zod'
import { EVENT_TYPES } from '../events/event-types.js'
import type { EventRecord } from '../events/outbox.js'
import type { MailboxResetData, MessageReceivedRef } from '../events/inbound-events.js'
import type { OutboundEventData } from '../events/outbound-events.js'

/**
 * The line types of the event log: every webhook event type (lib/events/event-types.ts), plus `webhook.attempt`
 * (one HTTP delivery attempt of an event to one endpoint), which is logged but never delivered as a webhook.
 */
export const LOG_LINE_TYPES = [...EVENT_TYPES, 'webhook.attempt'] as const
export type LogLineType = (typeof LOG_LINE_TYPES)[number]

const str = (description: string, example: string | null) => z.string().nullable().meta({ description, example })
const int = (description: string, example: number | null) => z.number().int().nullable().meta({ description, example })

/**
 * One line of the event log (docs/logs.md "Columns"): flat and typed, the same keys on every line (null when they do
 * not apply), so DuckDB's and Athena's JSON readers see one stable schema. Also the items of `GET /v1/events`.
 */
export const EventLogLine = z
  .object({
    time: z.string().meta({ description: 'When it happened, ISO 8601 UTC with milliseconds.', example: '2026-12-02T14:03:11.208Z' }),
    type: z.enum(LOG_LINE_TYPES).meta({ description: 'The event type (docs/events.md), or `webhook.attempt`.', example: 'message.failed' }),
    source: z.string().meta({ description: '`message:<Postern id>`, `mailbox:<id>` or `system`.', example: 'message:01KBFQ5Z3W8V0J7C9N4YXG2H6M' }),
    eventId: z.string().meta({
      description: "The event's Standard Webhooks `webhook-id` (for `webhook.attempt`: of the event attempted).",
      example: 'msg_3f1c0d9e8b7a65432f1e0d9c8b7a6543',
    }),
    status: z.string().meta({
      description:
        'Outbound: the status the event leads to (`sent`, `deferred`, `failed`, `bounced`, `complained`, `canceled`); `received`; `reset`; `webhook.attempt`: `succeeded`, `failed` (retried later) or `dead` (dead-lettered).',
      example: 'failed',
    }),
    sequence: int("The event's number within its source, from 1.", 2),
    id: str('Postern id of the outbound message (`GET /v1/messages/{id}`) or of the received one.', '01KBFQ5Z3W8V0J7C9N4YXG2H6M'),
    messageId: str('RFC 5322 Message-ID of an outbound message, with angle brackets.', '<01kbfq5z3w8v0j7c9n4yxg2h6m@mail.example.com>'),
    mailbox: str('The mailbox of received mail and mailbox events.', null),
    folder: str('IMAP folder of received mail (null for POP3) and of `mailbox.reset`.', null),
    from: str('The From address.', 'shop@example.com'),
    subject: str('The subject.', 'Your order'),
    recipients: z
      .array(z.string())
      .meta({ description: 'Outbound: the recipients the event is about; received: the To and Cc addresses.', example: ['bob@example.org'] }),
    attempt: int('Attempt number from 1: the SMTP attempt of a message, the HTTP attempt of a webhook.', 1),
    smtpCode: int('SMTP reply code of the attempt (RFC 5321 §4.2); null when none came.', 550),
    enhancedStatus: str('RFC 3463 enhanced status code, of the reply or of the bounce.', '5.1.1'),
    response: str("The relay's reply text, the bounce's diagnostic code, or the first 256 bytes of a webhook response.", '550 5.1.1 unknown user'),
    reason: str(
      'One word: `rejected`, `retries_exhausted`... (`message.failed`), `hard`/`soft` (bounces), the feedback type (complaints), `HTTP 503`, `timeout`... (webhook retries), the parse error of received mail.',
      'rejected',
    ),
    endpoint: str('Webhook endpoint id (`webhook.attempt`).', null),
    eventType: str('The type of the event a webhook attempt delivered.', null),
    httpStatus: int("The endpoint's HTTP status; null for a timeout or a network error.", null),
    durationMs: int('How long the webhook attempt took, in ms.', null),
    tags: z.array(z.string()).meta({ description: "The outbound message's tags.", example: ['orders'] }),
  })
  .meta({ id: 'EventLogLine', description: 'One event of the event log (docs/logs.md).' })
export type EventLogLine = z.infer<typeof EventLogLine>

const EMPTY: Omit<EventLogLine, 'time' | 'type' | 'source' | 'eventId' | 'status'> = {
  sequence: null,
  id: null,
  messageId: null,
  mailbox: null,
  folder: null,
  from: null,
  subject: null,
  recipients: [],
  attempt: null,
  smtpCode: null,
  enhancedStatus: null,
  response: null,
  reason: null,
  endpoint: null,
  eventType: null,
  httpStatus: null,
  durationMs: null,
  tags: [],
}

/** The column names in line order: the DuckDB and Athena schemas of docs/logs.md list these. */
export const LOG_COLUMNS = Object.keys(EventLogLine.shape) as (keyof EventLogLine)[]

/** What a received message's log line says about it, read from its stored document. */
export interface ReceivedSummary {
  from: string | null
  subject: string | null
  recipients: string[]
}

const OUTBOUND_STATUS: Record<string, string> = {
  'message.sent': 'sent',
  'message.deferred': 'deferred',
  'message.failed': 'failed',
  'message.bounced': 'bounced',
  'message.complained': 'complained',
  'message.canceled': 'canceled',
}

/** The log line of a recorded event (pure). `received` summarises a `message.received` document, when it was read. */
export function lineFromEvent(record: EventRecord, received?: ReceivedSummary | null): EventLogLine {
  // Keys in column order (LOG_COLUMNS): status before the rest.
  const base = (status: string) => ({
    time: record.createdAt,
    type: record.type,
    source: record.source,
    eventId: record.id,
    status,
    ...EMPTY,
    sequence: record.sequence,
  })
  if (record.type === 'message.received') {
    const d = record.data as MessageReceivedRef
    return { ...base('received'), id: d.messageId, mailbox: record.mailbox ?? null, folder: d.folder, reason: d.parseError, ...received }
  }
  if (record.type === 'mailbox.reset') {
    const d = record.data as MailboxResetData
    return { ...base('reset'), mailbox: record.mailbox ?? null, folder: d.folder, reason: d.reason }
  }
  const d = record.data as OutboundEventData
  return {
    ...base(OUTBOUND_STATUS[record.type]),
    id: d.id,
    messageId: d.messageId,
    from: d.from,
    subject: d.subject,
    recipients: d.recipients,
    attempt: d.attempt,
    smtpCode: d.reply,
    enhancedStatus: d.enhancedStatus ?? d.bounce?.status ?? null,
    response: d.response ?? d.bounce?.diagnosticCode ?? null,
    reason: d.reason ?? d.bounce?.type ?? d.complaint?.feedbackType ?? null,
    tags: d.tags,
  }
}

/** One webhook delivery attempt as the delivery record logs it (lib/webhooks/delivery-record.ts AttemptLog). */
export interface WebhookAttemptFacts {
  endpoint: string
  event: Pick<EventRecord, 'id' | 'type' | 'source' | 'sequence'>
  attempt: number
  /** ISO 8601 start of the attempt. */
  at: string
  httpStatus: number | null
  durationMs: number
  reason: string | null
  responseHead: string
  /** What the delivery came to after this attempt. */
  status: 'succeeded' | 'failed' | 'dead'
}

/** The log line of a webhook delivery attempt (pure). */
export function lineFromWebhookAttempt(a: WebhookAttemptFacts): EventLogLine {
  return {
    time: a.at,
    type: 'webhook.attempt',
    source: a.event.source,
    eventId: a.event.id,
    status: a.status,
    ...EMPTY,
    sequence: a.event.sequence,
    attempt: a.attempt,
    response: a.responseHead,
    reason: a.reason,
    endpoint: a.endpoint,
    eventType: a.event.type,
    httpStatus: a.httpStatus,
    durationMs: a.durationMs,
  }
}
