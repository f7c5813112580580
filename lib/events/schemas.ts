import { z } from 'zod'
import { Attachment, InboundMessage } from '../normalize/inbound-message.js'
import type { EventType } from './event-types.js'
import { OutboundEventData } from './outbound-events.js'

/**
 * Every event's webhook body (Standard Webhooks `{ type, timestamp, data }`) as a zod schema: the source of
 * docs/events.schema.json and the field tables of docs/events.md (scripts/gen-event-docs.ts), and what tests parse
 * real deliveries with, so the documentation cannot drift from what is sent.
 */
const envelope = <T extends EventType>(type: T, data: z.ZodType, description: string) =>
  z
    .strictObject({
      type: z.literal(type).describe('The event type.'),
      timestamp: z.string().describe('When the event was recorded (ISO 8601 UTC); the same on every retry.'),
      data,
    })
    .meta({ id: type.replace(/(^|\.)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()) + 'Event', description })

const sequence = z
  .number()
  .int()
  .positive()
  .describe("The event's number within its source (this mailbox, or this message), from 1: order events of one source by it.")

const OutboundData = z
  .strictObject({ sequence, ...OutboundEventData.shape })
  .meta({ id: 'OutboundEventPayloadData', description: 'The data of every outbound event.' })

const WebhookAttachment = z
  .strictObject({
    ...Attachment.shape,
    url: z.string().describe('A URL that reads the decoded content without credentials until it expires (`inbound.urlExpiresInS`).'),
    content: z.string().optional().describe('The content as base64, when at most `inbound.inlineAttachmentMaxBytes` and the payload fits.'),
  })
  .meta({ id: 'WebhookAttachment', description: 'An attachment as a webhook carries it.' })

const Received = z.strictObject({
  mailbox: z.string().describe('The mailbox id it was polled from.'),
  sequence,
  folder: z.string().nullable().describe('IMAP folder; null for POP3.'),
  parseError: z.string().nullable().describe('Why the message could not be fully parsed (`too_large` when over the inbound size limit), or null.'),
  messageUrl: z.string().describe('URL of the stored JSON document.'),
  rawUrl: z.string().describe('URL of the byte-exact `.eml`.'),
  truncated: z
    .strictObject({ fields: z.array(z.string()).describe('What was dropped, largest first.'), messageUrl: z.string().describe('Where the whole document is.') })
    .nullable()
    .describe('Set when the payload was cut down to `inbound.maxPayloadBytes`.'),
  message: z
    .strictObject({ ...InboundMessage.shape, attachments: z.array(WebhookAttachment) })
    .describe('The inbound document (docs/inbound-message.md), with attachment URLs.'),
})

const Reset = z.strictObject({
  mailbox: z.string().describe('The mailbox id.'),
  sequence,
  folder: z.string().describe('The folder whose UIDVALIDITY changed.'),
  previousUidValidity: z.string().describe('UIDVALIDITY before (RFC 3501 §2.3.1.1).'),
  uidValidity: z.string().describe('UIDVALIDITY now.'),
  reason: z.literal('uidvalidity-changed'),
})

export const EVENT_SCHEMAS = {
  'message.received': envelope('message.received', Received, 'A message was stored from a polled mailbox.'),
  'mailbox.reset': envelope('mailbox.reset', Reset, "A folder's UIDVALIDITY changed: it is resynced; stored messages are recognised, not sent again."),
  'message.sent': envelope('message.sent', OutboundData, 'The relay accepted the message for `recipients` (a 2xx reply at the end of DATA).'),
  'message.deferred': envelope(
    'message.deferred',
    OutboundData,
    'An attempt got a 4xx reply, timed out or lost its connection; it is retried at `nextAttemptAt`.',
  ),
  'message.failed': envelope(
    'message.failed',
    OutboundData,
    '`recipients` will not get the message: a 5xx reply, retries exhausted, suppressed, or SMTPUTF8 missing (`reason`).',
  ),
  'message.bounced': envelope(
    'message.bounced',
    OutboundData,
    'An asynchronous bounce (RFC 3464 DSN or a recognised bounce) came back for a recipient (`bounce`).',
  ),
  'message.complained': envelope('message.complained', OutboundData, 'A recipient reported the message as spam (RFC 5965 feedback report, `complaint`).'),
  'message.canceled': envelope('message.canceled', OutboundData, 'The message was canceled through the API before it was sent.'),
} satisfies Record<EventType, z.ZodType>
