import { z } from 'zod'

/**
 * The data of outbound events, as zod schemas: the one source of the types, the JSON Schema in
 * docs/events.schema.json and the field tables of docs/events.md (scripts/gen-event-docs.ts; a test checks both are
 * fresh). Versioning: adding a field keeps `schemaVersion`; removing, renaming or changing one raises it.
 */
export const OUTBOUND_EVENT_SCHEMA_VERSION = 1 as const

const iso = (description: string) => z.string().describe(`${description} (ISO 8601 UTC).`)

export const RecipientRejection = z
  .object({
    recipient: z.string().describe('The address refused.'),
    reply: z.number().int().nullable().describe('SMTP reply code (RFC 5321 §4.2), or null when refused before the wire.'),
    enhancedStatus: z.string().nullable().describe('RFC 3463 enhanced status code (`5.1.1`), or null.'),
    response: z.string().describe("The relay's reply text, or why Postern refused it."),
  })
  .meta({ id: 'RecipientRejection', description: 'A recipient refused at RCPT TO, or before the wire.' })
export type RecipientRejection = z.infer<typeof RecipientRejection>

export const RecipientSuppression = z
  .object({
    recipient: z.string().describe('The address not sent to.'),
    reason: z.enum(['hard_bounce', 'complaint', 'manual']).describe('Why the address is on the suppression list.'),
    since: iso('When it was added to the list'),
  })
  .meta({ id: 'RecipientSuppression', description: 'A recipient left out because it is on the suppression list.' })
export type RecipientSuppression = z.infer<typeof RecipientSuppression>

const MatchedBy = z
  .enum(['message-id', 'references', 'verp'])
  .describe(
    "How the report was linked to the message: the original's Message-ID inside it, its In-Reply-To/References, or the VERP return path it was sent to.",
  )

export const BounceInfo = z
  .object({
    type: z.enum(['hard', 'soft']).describe('`hard`: permanent (the address is suppressed); `soft`: transient (the status does not change).'),
    action: z.string().nullable().describe('RFC 3464 §2.3.3 Action: `failed`, `delayed`, ...'),
    status: z.string().nullable().describe('RFC 3463 status code (`5.1.1`), or null when the report has none.'),
    diagnosticCode: z.string().nullable().describe("The remote server's reply as the report quotes it (RFC 3464 §2.3.6)."),
    remoteMta: z.string().nullable().describe('The server that refused it (RFC 3464 §2.3.5).'),
    reportingMta: z.string().nullable().describe('The server that wrote the report (RFC 3464 §2.2.2).'),
    format: z.enum(['dsn', 'plain']).describe('`dsn`: an RFC 3464 delivery status notification; `plain`: a recognised non-standard bounce.'),
    matchedBy: MatchedBy,
    reportId: z.string().nullable().describe('Postern id of the received report (its inbound document), or null.'),
    mailbox: z.string().nullable().describe('The mailbox the report arrived in; null for the local sandbox.'),
    receivedAt: iso('When the report arrived'),
  })
  .meta({ id: 'BounceInfo', description: 'An asynchronous bounce of one recipient, linked to the message it answers.' })
export type BounceInfo = z.infer<typeof BounceInfo>

export const ComplaintInfo = z
  .object({
    feedbackType: z.string().nullable().describe('RFC 5965 Feedback-Type: `abuse`, `fraud`, `auth-failure`, `not-spam`, `virus`, `other`.'),
    matchedBy: MatchedBy,
    reportId: z.string().nullable().describe('Postern id of the received report, or null.'),
    mailbox: z.string().nullable().describe('The mailbox the report arrived in; null for the local sandbox.'),
    receivedAt: iso('When the report arrived'),
  })
  .meta({ id: 'ComplaintInfo', description: 'An RFC 5965 feedback report (a spam complaint) about the message.' })
export type ComplaintInfo = z.infer<typeof ComplaintInfo>

export const OutboundEventData = z
  .object({
    schemaVersion: z.literal(OUTBOUND_EVENT_SCHEMA_VERSION).describe('Version of this shape.'),
    id: z.string().describe('Postern id of the message (`GET /v1/messages/{id}`).'),
    messageId: z.string().describe('RFC 5322 Message-ID, with angle brackets; the same on every attempt.'),
    createdAt: iso('When the message was accepted'),
    from: z.string().describe('The From address.'),
    to: z.array(z.string()).describe('To addresses.'),
    cc: z.array(z.string()).describe('Cc addresses.'),
    subject: z.string().describe('The subject.'),
    recipients: z.array(z.string()).describe('The recipients this event is about.'),
    attempt: z.number().int().nullable().describe('Delivery attempt number (from 1) for sent, deferred and failed; null otherwise.'),
    reply: z.number().int().nullable().describe("The attempt's SMTP reply code, or null when none came."),
    enhancedStatus: z.string().nullable().describe("The attempt's RFC 3463 enhanced status code, or null."),
    response: z.string().nullable().describe("The attempt's reply text (or the error when none came); null for events without an attempt."),
    accepted: z.array(z.string()).describe('Recipients the relay accepted in this attempt.'),
    rejected: z.array(RecipientRejection).describe('Recipients refused in this attempt.'),
    suppressed: z.array(RecipientSuppression).describe('Recipients left out of this attempt because they are suppressed.'),
    nextAttemptAt: z.string().nullable().describe('When the next attempt is due (`message.deferred`), ISO 8601; null otherwise.'),
    reason: z
      .string()
      .nullable()
      .describe(
        'Why, in one word: for `message.failed` `rejected` (5xx), `retries_exhausted`, `all_recipients_suppressed` or `smtputf8_unsupported`; for `message.canceled` `canceled_by_api`; null otherwise.',
      ),
    bounce: BounceInfo.nullable().describe('For `message.bounced`: the bounce; null otherwise.'),
    complaint: ComplaintInfo.nullable().describe('For `message.complained`: the report; null otherwise.'),
    tags: z.array(z.string()).describe("The message's tags."),
    metadata: z.record(z.string(), z.string()).describe("The message's metadata."),
  })
  .meta({ id: 'OutboundEventData', description: 'The `data` of every outbound event.' })
export type OutboundEventData = z.infer<typeof OutboundEventData>
