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

/**
 * One line of the event log (docs/logs.md "Columns"): flat and typed, the same keys on every line (null when they do
 * not apply), so DuckDB's and Athena's JSON readers see one stable schema.
 */
export interface EventLogLine {
  /** When it happened, ISO 8601 UTC with milliseconds. */
  time: string
  type: LogLineType
  /** lib/events/event-types.ts EventSource: `message:<id>`, `mailbox:<id>` or `system`. */
  source: string
  /** The Standard Webhooks `webhook-id` of the event (for `webhook.attempt`: of the event attempted). */
  eventId: string
  /** The event's number within its source, from 1. */
  sequence: number | null
  /** Postern id: of the outbound message (`GET /v1/messages/{id}`) or of the received one. */
  id: string | null
  /** RFC 5322 Message-ID, with angle brackets; null when unknown here (received mail, webhook attempts). */
  messageId: string | null
  /** The mailbox of received mail and mailbox events. */
  mailbox: string | null
  /** IMAP folder of received mail (null for POP3) and of `mailbox.reset`. */
  folder: string | null
  from: string | null
  subject: string | null
  /** The recipients the event is about (outbound), or the To and Cc addresses (received). */
  recipients: string[]
  /**
   * Outbound: the message status the event leads to (`sent`, `deferred`, `failed`, `bounced`, `complained`,
   * `canceled`); received: `received`; `mailbox.reset`: `reset`; `webhook.attempt`: `succeeded`, `failed` (it will
   * be retried) or `dead` (dead-lettered).
   */
  status: string
  /** Delivery attempt number from 1 (SMTP attempts of a message; HTTP attempts of a webhook). */
  attempt: number | null
  /** SMTP reply code of the attempt (RFC 5321 §4.2), or of the bounce's status class; null when none came. */
  smtpCode: number | null
  /** RFC 3463 enhanced status code (`5.1.1`). */
  enhancedStatus: string | null
  /** The relay's reply text, the bounce's diagnostic, or the webhook response's first bytes. */
  response: string | null
  /** One-word why (outbound `reason`, bounce `hard`/`soft`, complaint feedback type, webhook retry reason). */
  reason: string | null
  /** Webhook endpoint id (`webhook.attempt`). */
  endpoint: string | null
  /** The event type a webhook attempt delivered. */
  eventType: string | null
  /** HTTP status the endpoint answered; null for a timeout or a network error. */
  httpStatus: number | null
  /** Duration of the attempt in ms (`webhook.attempt`). */
  durationMs: number | null
  tags: string[]
}

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
export const LOG_COLUMNS = ['time', 'type', 'source', 'eventId', 'status', ...Object.keys(EMPTY)] as (keyof EventLogLine)[]

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
  const base = { time: record.createdAt, type: record.type, source: record.source, eventId: record.id, ...EMPTY, sequence: record.sequence }
  if (record.type === 'message.received') {
    const d = record.data as MessageReceivedRef
    return { ...base, status: 'received', id: d.messageId, mailbox: record.mailbox ?? null, folder: d.folder, reason: d.parseError, ...received }
  }
  if (record.type === 'mailbox.reset') {
    const d = record.data as MailboxResetData
    return { ...base, status: 'reset', mailbox: record.mailbox ?? null, folder: d.folder, reason: d.reason }
  }
  const d = record.data as OutboundEventData
  return {
    ...base,
    status: OUTBOUND_STATUS[record.type],
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
