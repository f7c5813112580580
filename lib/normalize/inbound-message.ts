import { z } from 'zod'

/**
 * The versioned inbound JSON document: one per received message, stored next to the raw `.eml`. The field
 * descriptions below are the reference: `npx tsx scripts/gen-inbound-schema.ts` writes them into
 * docs/inbound-message.schema.json (JSON Schema 2020-12) and the field tables of docs/inbound-message.md, and a
 * test fails when either file is stale.
 *
 * Versioning: adding a field, or a new value where a field is documented as open (warning codes), keeps
 * `schemaVersion`; removing or renaming a field or changing its meaning or type raises it.
 */
export const INBOUND_SCHEMA_VERSION = 1 as const

const nullableString = (description: string) => z.string().nullable().describe(description)

export const Address = z
  .object({
    name: z.string().describe('Display name, RFC 2047 encoded-words decoded; "" when there is none.'),
    address: z
      .string()
      .describe(
        'The addr-spec as written (RFC 5322 §3.4.1; RFC 6532 allows UTF-8), not lower-cased. A lone word such as MAILER-DAEMON is taken as the address.',
      ),
    group: nullableString(
      'Display name of the RFC 5322 §3.4 group this mailbox was listed in, or null. An empty group (`undisclosed-recipients:;`) adds no entry.',
    ),
  })
  .meta({ id: 'Address', description: 'One mailbox of an address header (RFC 5322 §3.4).' })
export type Address = z.infer<typeof Address>

export const HeaderField = z
  .object({
    name: z.string().describe('Field name, lower-cased.'),
    value: z
      .string()
      .describe(
        'Unfolded value (RFC 5322 §2.2.3), outer whitespace trimmed. Raw 8-bit bytes are decoded as UTF-8 (RFC 6532), else in the charset the message declares for its body, else windows-1252; then RFC 2047 encoded-words are decoded.',
      ),
  })
  .meta({ id: 'HeaderField', description: 'One header field of the top-level header block, in message order; repeated fields are all kept.' })
export type HeaderField = z.infer<typeof HeaderField>

export const EmbeddedMessage = z
  .object({
    subject: nullableString('Subject of the enclosed message, decoded, or null.'),
    from: z.array(Address).describe('From of the enclosed message.'),
    messageId: nullableString('Message-ID of the enclosed message, with angle brackets, or null.'),
    date: nullableString('Date of the enclosed message as ISO 8601 UTC, or null.'),
  })
  .meta({ id: 'EmbeddedMessage', description: "Summary of a message carried in a message/rfc822 part, read from that message's own header block." })
export type EmbeddedMessage = z.infer<typeof EmbeddedMessage>

export const Attachment = z
  .object({
    id: z.string().describe('`att-<n>`, n from 1 in MIME order; stable for the same bytes.'),
    filename: nullableString(
      'File name as sent, decoded: Content-Disposition `filename` (RFC 2183) else Content-Type `name`, RFC 2231 continuations and charsets applied, encoded-words inside quotes decoded. May contain `/`, `\\`, `..` or control characters: never use it as a path or key. Null when the part names no file.',
    ),
    safeFilename: z
      .string()
      .describe(
        'A name safe in object keys and paths, made from `filename`: no `/`, `\\`, control or bidi characters, no `..`, no leading dot, at most 100 UTF-8 bytes (extension kept). `attachment-<n>.<ext>` when there is no usable name.',
      ),
    contentType: z
      .string()
      .describe(
        'MIME type as the part declares it (RFC 2045 §5), lower-cased, without parameters; not guessed from the file name. `application/octet-stream` when the part declares none.',
      ),
    size: z.number().int().nonnegative().describe('Size of the decoded content in bytes.'),
    sha256: z.string().describe('SHA-256 of the decoded content, lower-case hex.'),
    contentId: nullableString('Content-ID (RFC 2392) without angle brackets, as written; null when the part has none (never invented).'),
    disposition: z
      .enum(['attachment', 'inline'])
      .nullable()
      .describe(
        'Content-Disposition type (RFC 2183), lower-cased; an unknown type counts as `attachment` (RFC 2183 §2.8). Null when the part has no Content-Disposition.',
      ),
    key: z.string().describe('Object key where the decoded content is stored (chosen by the poller from `id` and `safeFilename`).'),
    message: EmbeddedMessage.nullable().describe('For a message/rfc822 or message/global part: a summary of the enclosed message; null otherwise.'),
  })
  .meta({
    id: 'Attachment',
    description:
      'One part that carries a file: every non-body part, every message/rfc822 part (inline or not, kept whole, with its own checksum), and inline text parts that name a file (they are also in `text`/`html`).',
  })
export type Attachment = z.infer<typeof Attachment>

export const BodyPart = z
  .object({
    contentType: z.string().describe('MIME type, lower-cased, without parameters (text/calendar, text/watch-html, text/enriched...).'),
    params: z
      .record(z.string(), z.string())
      .describe('Content-Type parameters by lower-cased name, decoded (a calendar invitation has `method`, e.g. REQUEST).'),
    text: z.string().describe('The part decoded from its transfer encoding and charset.'),
  })
  .meta({ id: 'BodyPart', description: 'An inline text part of the body other than text/plain and text/html, without a file name.' })
export type BodyPart = z.infer<typeof BodyPart>

export const AutoReplyReason = z
  .object({
    header: z
      .string()
      .describe('Lower-cased name of the header that says so: auto-submitted, x-autoreply, x-autorespond, precedence or x-auto-response-suppress.'),
    value: z.string().describe('Its value, decoded.'),
  })
  .meta({ id: 'AutoReplyReason', description: 'One header marking the message as sent automatically.' })
export type AutoReplyReason = z.infer<typeof AutoReplyReason>

export const DsnRecipient = z
  .object({
    action: nullableString('Action (RFC 3464 §2.3.3), lower-cased: failed, delayed, delivered, relayed or expanded; null when absent.'),
    status: nullableString('Status code class.subject.detail (RFC 3464 §2.3.4, RFC 3463), e.g. `5.1.1`; comments removed.'),
    finalRecipient: nullableString('Final-Recipient (RFC 3464 §2.3.2) without its address type (`rfc822;`) and brackets.'),
    originalRecipient: nullableString('Original-Recipient (RFC 3464 §2.3.1) without its address type.'),
    diagnosticCode: nullableString('Diagnostic-Code (RFC 3464 §2.3.6) without its type (`smtp;`), unfolded.'),
    remoteMta: nullableString('Remote-MTA (RFC 3464 §2.3.5) without its type (`dns;`).'),
    reportingMta: nullableString('Reporting-MTA of the report (a per-message field, RFC 3464 §2.2.2), repeated here, without its type.'),
    fields: z.record(z.string(), z.string()).describe("Every field of this recipient's block as written: names lower-cased, values unfolded, types kept."),
  })
  .meta({ id: 'DsnRecipient', description: 'One per-recipient block of a delivery status notification (RFC 3464 §2.3).' })
export type DsnRecipient = z.infer<typeof DsnRecipient>

export const Dsn = z
  .object({
    reportingMta: nullableString('Reporting-MTA (RFC 3464 §2.2.2) without its type.'),
    arrivalDate: nullableString('Arrival-Date (RFC 3464 §2.2.5) as ISO 8601 UTC, or null.'),
    originalEnvelopeId: nullableString('Original-Envelope-Id (RFC 3464 §2.2.1), or null.'),
    originalMessageId: nullableString(
      'Message-ID of the returned message (its message/rfc822 or text/rfc822-headers part), or null: the key to match a bounce to what was sent.',
    ),
    fields: z.record(z.string(), z.string()).describe('Every per-message field as written: names lower-cased, values unfolded.'),
    recipients: z.array(DsnRecipient).describe('One entry per recipient block, in order.'),
  })
  .meta({
    id: 'Dsn',
    description: 'A delivery status notification (RFC 3464), parsed from the message/delivery-status (or RFC 6533 message/global-delivery-status) part.',
  })
export type Dsn = z.infer<typeof Dsn>

export const Warning = z
  .object({
    code: z
      .string()
      .describe(
        'date-missing, date-unparseable (detail: the value), message-id-missing, header-duplicated (detail: the field name; the first one is used), charset-unknown (detail: the label; text was decoded as UTF-8, else windows-1252), charset-invalid (sequences invalid in a multi-byte charset were dropped, never shown as U+FFFD), header-no-blank-line (a header block ran into its body), multipart-without-boundary and multipart-boundary-missing (the part was read as text/plain), multipart-unterminated (no close delimiter), mime-too-deep (kept whole as one file), transfer-encoding-invalid (broken base64 or quoted-printable, decoded as far as it goes), html-to-text-truncated (text made from the start of a long HTML body), addresses-truncated (an address header over 2 MiB: the addresses in its first 2 MiB). Details name the part (`part 1.2`, or `message`). More codes may be added in the same version.',
      ),
    detail: z.string().describe('What was odd; "" when the code says it all.'),
  })
  .meta({ id: 'Warning', description: 'Something odd about the message that did not stop normalizing it.' })
export type Warning = z.infer<typeof Warning>

export const ReportSummary = z
  .object({
    kind: z
      .enum(['bounce', 'complaint'])
      .describe('`bounce`: a delivery report (RFC 3464 DSN or a recognised plain-text bounce); `complaint`: an RFC 5965 feedback report.'),
    format: z.enum(['dsn', 'plain', 'arf']).describe('How it was recognised (docs/bounces.md).'),
    feedbackType: nullableString('ARF Feedback-Type (abuse, fraud, auth-failure...), lower-case; null for bounces.'),
    originalMessageId: nullableString('Message-ID of the message the report is about, or null.'),
    recipients: z
      .array(
        z.object({
          recipient: z.string().describe('The address the report is about.'),
          action: nullableString('RFC 3464 action: failed, delayed, delivered, relayed, expanded; null for complaints.'),
          status: nullableString('RFC 3463 status (`5.1.1`), or null.'),
          classification: z.enum(['hard', 'soft']).nullable().describe('hard (permanent), soft (transient), or null when it did not fail.'),
        }),
      )
      .describe('One entry per recipient the report names.'),
    linked: z
      .object({
        id: z.string().describe('Postern id of the outbound message (`GET /v1/messages/{id}`).'),
        messageId: z.string().describe('Its Message-ID.'),
        matchedBy: z
          .enum(['message-id', 'references', 'verp'])
          .describe("How it was found: the original's Message-ID, In-Reply-To/References, or the VERP return path."),
      })
      .nullable()
      .describe('The message sent through Postern that the report answers; null when it matches none (counted as unmatched).'),
  })
  .meta({ id: 'ReportSummary', description: 'A bounce or complaint found in this message, and the outbound message it was linked to.' })
export type ReportSummary = z.infer<typeof ReportSummary>

export const InboundMessage = z
  .object({
    schemaVersion: z.literal(INBOUND_SCHEMA_VERSION).describe('Version of this document shape; 1.'),
    id: z.string().describe('Postern id of the message, given by the poller.'),
    mailbox: z.string().describe('Id of the configured mailbox it was read from.'),
    receivedAt: z.string().describe('When Postern fetched it (IMAP INTERNALDATE or POP3 retrieval time), ISO 8601.'),
    size: z.number().int().nonnegative().describe('Size of the raw message in bytes, as fetched.'),
    sha256: z.string().describe('SHA-256 of the raw message bytes, lower-case hex.'),
    date: nullableString(
      'Date header (RFC 5322 §3.3, obsolete forms of §4.3 accepted: 2-digit years, zone names, comments) as ISO 8601 UTC with milliseconds; null when absent or unparseable, never the time of receipt.',
    ),
    dateHeader: nullableString('The Date header as written (unfolded), or null when absent; kept so an unparseable date is not lost.'),
    messageId: nullableString('Message-ID (RFC 5322 §3.6.4) with angle brackets, e.g. `<a@b>`; a bare id is bracketed; null when absent.'),
    inReplyTo: nullableString('First msg-id of In-Reply-To (RFC 5322 §3.6.4), bracketed, or null.'),
    references: z.array(z.string()).describe('msg-ids of References (RFC 5322 §3.6.4) in order, bracketed.'),
    threadId: z.string().describe('Conversation key: the first of `references`, else `inReplyTo`, else `messageId`, else `id`. Replies to one root share it.'),
    from: z.array(Address).describe('From (RFC 5322 §3.6.2): usually one mailbox, possibly several (then `sender` says who sent it).'),
    sender: Address.nullable().describe('Sender (RFC 5322 §3.6.2), or null.'),
    replyTo: z.array(Address).describe('Reply-To (RFC 5322 §3.6.2).'),
    to: z.array(Address).describe('To (RFC 5322 §3.6.3), group members flattened.'),
    cc: z.array(Address).describe('Cc (RFC 5322 §3.6.3).'),
    bcc: z.array(Address).describe('Bcc (RFC 5322 §3.6.3); rarely present in received mail.'),
    subject: nullableString('Subject (RFC 5322 §3.6.5), RFC 2047 decoded; null when absent, "" when empty. The first one when repeated.'),
    text: nullableString(
      'The text/plain body: every inline text/plain part in MIME order, joined with a newline, transfer encoding and charset decoded, format=flowed (RFC 3676) unwrapped, line ends `\\n`; an HTML part outside multipart/alternative next to them adds text made from it. When the message has no text/plain part, text made from the HTML (inline images as `[image: name]`). Null when there is neither.',
    ),
    textSource: z
      .enum(['plain', 'html'])
      .nullable()
      .describe('`plain` when `text` comes from text/plain parts, `html` when it was made from `html`, null when `text` is null.'),
    textReply: nullableString(
      'The new text of a reply (like Postmark StrippedTextReply, Mailgun stripped-text): `text` without quoted history and signature, by email-reply-parser; "" when nothing new is left; null when `text` is null.',
    ),
    html: nullableString('The text/html body (several inline HTML parts are joined), charset decoded; `cid:` links left as they are. Null when there is none.'),
    bodyParts: z.array(BodyPart).describe('Other inline text parts of the body (text/calendar invitations, text/watch-html...), in MIME order.'),
    headers: z.array(HeaderField).describe('Every top-level header field in order (trace fields included), repeated ones kept.'),
    attachments: z.array(Attachment).describe('Parts that carry a file, in MIME order; their bytes are stored at `key`.'),
    autoReply: z
      .boolean()
      .describe(
        'True when a header marks the message as automatic: Auto-Submitted other than `no` (RFC 3834 §5), X-Autoreply or X-Autorespond, Precedence auto_reply/bulk/junk (RFC 3834 §3.1.8), X-Auto-Response-Suppress naming All, OOF or AutoReply. List-* headers and Precedence: list do not count.',
      ),
    autoReplyReasons: z.array(AutoReplyReason).describe('One entry per header that made `autoReply` true, in header order.'),
    dsn: Dsn.nullable().describe(
      'The parsed delivery status notification when the message carries a message/delivery-status part (a bounce or delay report), else null.',
    ),
    report: ReportSummary.nullable().describe(
      'When the message is a bounce or a complaint (docs/bounces.md): what it reports and the outbound message it was linked to; null otherwise. Filled in when the message is stored.',
    ),
    warnings: z.array(Warning).describe('What was odd but did not stop normalizing.'),
    parseError: nullableString(
      'Why the message could not be fully parsed, or null (more than 1,000 MIME parts: the first 1,000 are read). When set, the document still holds `size`, `sha256` and whatever the header block gave; bodies and attachments may be missing.',
    ),
  })
  .meta({ id: 'InboundMessage', title: 'Postern inbound message', description: 'One received email, normalized (Postern inbound document, schemaVersion 1).' })
export type InboundMessage = z.infer<typeof InboundMessage>
