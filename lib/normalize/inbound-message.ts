import { z } from 'zod'

/**
 * The versioned inbound JSON document: one per received message, written next to the raw `.eml`.
 * Every field is described in docs/inbound-message.md; docs/inbound-message.schema.json is generated from this
 * schema (`npx tsx scripts/gen-inbound-schema.ts`) and a test keeps it equal to the committed file.
 *
 * Versioning: adding an optional or nullable field keeps `schemaVersion`; renaming, removing or changing the
 * meaning of a field raises it.
 */
export const INBOUND_SCHEMA_VERSION = 1 as const

/** One mailbox from an address header (RFC 5322 §3.4). */
export const Address = z
  .object({
    /** Display name, decoded (RFC 2047); '' when none. */
    name: z.string(),
    /** addr-spec as written ('' when the header held a name but no address). */
    address: z.string(),
    /** Display name of the RFC 5322 group this mailbox was listed in, or null. */
    group: z.string().nullable(),
  })
  .meta({ id: 'Address' })
export type Address = z.infer<typeof Address>

/** One header field, in message order; repeated fields are kept. */
export const HeaderField = z
  .object({
    /** Field name, lower-cased. */
    name: z.string(),
    /** Unfolded value with RFC 2047 encoded-words decoded and raw 8-bit text decoded (see charsets). */
    value: z.string(),
  })
  .meta({ id: 'HeaderField' })
export type HeaderField = z.infer<typeof HeaderField>

/** Summary of a message carried inside a `message/rfc822` attachment (for bounces, forwards). */
export const EmbeddedMessage = z
  .object({
    subject: z.string().nullable(),
    from: z.array(Address),
    messageId: z.string().nullable(),
    date: z.string().nullable(),
  })
  .meta({ id: 'EmbeddedMessage' })
export type EmbeddedMessage = z.infer<typeof EmbeddedMessage>

export const Attachment = z
  .object({
    /** Stable within the message: `att-<n>`, n from 1 in MIME tree order. */
    id: z.string(),
    /** File name as sent (RFC 2183 `filename`, RFC 2231, or Content-Type `name`), decoded; null when none. */
    filename: z.string().nullable(),
    /** File name safe for object keys and paths: no `/`, `\`, `..`, control characters; at most 100 UTF-8 bytes. */
    safeFilename: z.string(),
    /** MIME type, lower-cased, without parameters. */
    contentType: z.string(),
    /** Decoded size in bytes. */
    size: z.number().int().nonnegative(),
    /** SHA-256 of the decoded content, lower-case hex. */
    sha256: z.string(),
    /** Content-ID without angle brackets (RFC 2392), or null; never invented. */
    contentId: z.string().nullable(),
    /** Content-Disposition type (RFC 2183), lower-cased, or null when the part has none. */
    disposition: z.enum(['attachment', 'inline']).nullable(),
    /** Object key where the content is stored (from the caller's `attachmentKey`). */
    key: z.string(),
    /** For `message/rfc822` parts: a summary of the enclosed message; null otherwise. */
    message: EmbeddedMessage.nullable(),
  })
  .meta({ id: 'Attachment' })
export type Attachment = z.infer<typeof Attachment>

/** Why a message was judged automatic; one entry per header that says so. */
export const AutoReplyReason = z
  .object({
    /** Lower-cased header name: auto-submitted, x-autoreply, x-autorespond, precedence, x-auto-response-suppress. */
    header: z.string(),
    value: z.string(),
  })
  .meta({ id: 'AutoReplyReason' })
export type AutoReplyReason = z.infer<typeof AutoReplyReason>

/** One per-recipient block of a delivery status notification (RFC 3464 §2.3). */
export const DsnRecipient = z
  .object({
    /** failed | delayed | delivered | relayed | expanded (lower-cased), or null when absent. */
    action: z.string().nullable(),
    /** Status code `class.subject.detail` (RFC 3463), e.g. `5.1.1`; comments removed. */
    status: z.string().nullable(),
    /** Final-Recipient address, without its address type (`rfc822;`). */
    finalRecipient: z.string().nullable(),
    /** Original-Recipient address, without its address type. */
    originalRecipient: z.string().nullable(),
    /** Diagnostic-Code text, without its diagnostic type (`smtp;`), unfolded. */
    diagnosticCode: z.string().nullable(),
    /** Remote-MTA name, without its type (`dns;`). */
    remoteMta: z.string().nullable(),
    /** Reporting-MTA of the report (per-message field, repeated here), without its type. */
    reportingMta: z.string().nullable(),
    /** Every field of this recipient's block as written (name lower-cased, value unfolded), types included. */
    fields: z.record(z.string(), z.string()),
  })
  .meta({ id: 'DsnRecipient' })
export type DsnRecipient = z.infer<typeof DsnRecipient>

export const Dsn = z
  .object({
    /** Reporting-MTA name, without its type. */
    reportingMta: z.string().nullable(),
    /** Arrival-Date as ISO 8601 UTC, or null. */
    arrivalDate: z.string().nullable(),
    /** Original-Envelope-Id, or null. */
    originalEnvelopeId: z.string().nullable(),
    /** Message-ID of the returned message (from the message/rfc822 or text/rfc822-headers part), or null. */
    originalMessageId: z.string().nullable(),
    /** Every per-message field as written (name lower-cased, value unfolded). */
    fields: z.record(z.string(), z.string()),
    recipients: z.array(DsnRecipient),
  })
  .meta({ id: 'Dsn' })
export type Dsn = z.infer<typeof Dsn>

/** Something odd about the message that did not stop normalizing it. */
export const Warning = z
  .object({
    /**
     * One of: date-missing, date-unparseable (detail: the value), message-id-missing, header-duplicated (detail:
     * the field name), charset-unknown (detail: the label). New codes may be added without a version change.
     */
    code: z.string(),
    detail: z.string(),
  })
  .meta({ id: 'Warning' })
export type Warning = z.infer<typeof Warning>

/** An inline text part of the body other than text/plain and text/html (text/calendar, text/watch-html...). */
export const BodyPart = z
  .object({
    /** MIME type, lower-cased, without parameters. */
    contentType: z.string(),
    /** Content-Type parameters by lower-cased name, decoded (`method: "REQUEST"`, `charset`). */
    params: z.record(z.string(), z.string()),
    /** The part's text, decoded from its transfer encoding and charset. */
    text: z.string(),
  })
  .meta({ id: 'BodyPart' })
export type BodyPart = z.infer<typeof BodyPart>

export const InboundMessage = z
  .object({
    schemaVersion: z.literal(INBOUND_SCHEMA_VERSION),
    /** Postern id of this message (given by the poller). */
    id: z.string(),
    /** Id of the configured mailbox it was read from. */
    mailbox: z.string(),
    /** When Postern fetched it, ISO 8601 UTC. */
    receivedAt: z.string(),
    /** Size of the raw message in bytes. */
    size: z.number().int().nonnegative(),
    /** SHA-256 of the raw message bytes, lower-case hex. */
    sha256: z.string(),
    /** Date header as ISO 8601 UTC, or null when absent or unparseable. */
    date: z.string().nullable(),
    /** Date header as written (unfolded), or null when absent. */
    dateHeader: z.string().nullable(),
    /** Message-ID with angle brackets (RFC 5322 msg-id), or null. */
    messageId: z.string().nullable(),
    /** First msg-id of In-Reply-To, or null. */
    inReplyTo: z.string().nullable(),
    /** msg-ids of References in order. */
    references: z.array(z.string()),
    /** Conversation key: first of References, else In-Reply-To, else Message-ID, else `id`. */
    threadId: z.string(),
    from: z.array(Address),
    sender: Address.nullable(),
    replyTo: z.array(Address),
    to: z.array(Address),
    cc: z.array(Address),
    bcc: z.array(Address),
    subject: z.string().nullable(),
    /** The text/plain body (all inline text parts joined), or text made from the HTML when there is none. */
    text: z.string().nullable(),
    /** Whether `text` came from a text/plain part or was made from the HTML. */
    textSource: z.enum(['plain', 'html']).nullable(),
    /** New text of a reply: `text` without quoted history and signature. */
    textReply: z.string().nullable(),
    html: z.string().nullable(),
    /** Other inline text parts of the body, in MIME order. */
    bodyParts: z.array(BodyPart),
    headers: z.array(HeaderField),
    attachments: z.array(Attachment),
    /** True when a header marks the message as automatic (RFC 3834 and common practice). */
    autoReply: z.boolean(),
    autoReplyReasons: z.array(AutoReplyReason),
    /** Parsed RFC 3464 delivery status notification, or null. */
    dsn: Dsn.nullable(),
    warnings: z.array(Warning),
    /** Why the message could not be fully parsed, or null. */
    parseError: z.string().nullable(),
  })
  .meta({ id: 'InboundMessage' })
export type InboundMessage = z.infer<typeof InboundMessage>
