import type { InboundMessage } from '../normalize/inbound-message.js'
import { parseMessageIds } from '../normalize/message-ids.js'
import { findAddresses, singleAddress } from './addresses.js'
import { classifyRecipient } from './classify.js'
import { addressedTo, deliveredTo } from './delivered-to.js'
import { dsnRecipients } from './dsn-recipients.js'
import { quotedHeaders, quotedMessageId, splitAtCopy, summarize, type SplitText } from './explanation.js'
import { readFeedbackReport } from './feedback-report.js'
import { failedRecipients, isDelayWarning, looksLikePlainBounce, plainDetails } from './plain-bounce.js'
import type { Report, ReportRecipient } from './report.js'
import { decodedBody, headersOf, readReportStructure, type ReportStructure, type TextHeader } from './report-parts.js'

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status'])
const MDN_TYPES = new Set(['message/disposition-notification', 'message/global-disposition-notification'])
const RETURNED_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'])
const ARF_TYPES = new Set(['message/feedback-report'])
const REPORT_TYPES = new Set([...DSN_TYPES, ...MDN_TYPES, ...ARF_TYPES])

/**
 * Parses a delivery report or feedback report; null when the message is neither. Pure: bytes and the normalized
 * document (lib/normalize) in, a Report out; the raw bytes are read only for what the document lacks (the
 * feedback-report part, returned header blocks). Never throws for bad mail.
 *
 * Recognised, in this order (docs/bounces.md has the rules and the field sources):
 * - a message disposition notification (RFC 8098 multipart/report; report-type=disposition-notification): null,
 *   a read receipt is not a bounce;
 * - an RFC 5965 feedback report (a message/feedback-report part): `complaint`, format `arf`;
 * - an RFC 3464 DSN (a message/delivery-status part, whatever the outer type, or report-type=delivery-status):
 *   `bounce`, format `dsn`;
 * - a non-standard bounce from a mail system, in words (plain-bounce.ts): `bounce`, format `plain`.
 * Everything else, auto-replies included (RFC 3834 vacation and out-of-office replies), is null.
 */
export function parseReport(raw: Buffer, doc: InboundMessage): Report | null {
  const text = splitAtCopy(doc.text)
  const contentType = doc.headers.find((h) => h.name === 'content-type')?.value ?? ''
  const maybeReport = doc.dsn !== null || /multipart\/report/i.test(contentType) || doc.attachments.some((a) => REPORT_TYPES.has(a.contentType))
  if (maybeReport) {
    const structure = readReportStructure(raw)
    // A part type counts whether the document lists it (as an attachment) or the bytes show it.
    const has = (types: Set<string>) => doc.attachments.some((a) => types.has(a.contentType)) || structure.parts.some((p) => types.has(p.type))
    if (structure.reportType === 'disposition-notification' || has(MDN_TYPES)) return null
    if (structure.reportType === 'feedback-report' || has(ARF_TYPES)) return arfReport(doc, structure, text)
    if (doc.dsn || structure.reportType === 'delivery-status' || has(DSN_TYPES)) return dsnReport(doc, structure, text)
  }
  return looksLikePlainBounce(doc, text.explanation) ? plainReport(doc, text) : null
}

/** The header block of the returned message (or returned headers) a report carries, else of the copy quoted in its text. */
function returnedHeaders(structure: ReportStructure | null, text: SplitText): TextHeader[] {
  const part = structure?.parts.find((p) => RETURNED_TYPES.has(p.type))
  return part ? headersOf(decodedBody(part)) : quotedHeaders(text.copy)
}

const field = (headers: TextHeader[], name: string) => headers.find((h) => h.name === name)?.value ?? null

/** The fields every report has; `recipients`, `kind`, `format` and `feedbackType` are the caller's. */
function common(doc: InboundMessage, returned: TextHeader[], text: SplitText, bounce: boolean) {
  const dsnFields = doc.dsn?.fields ?? {}
  const fromDsnField = dsnFields['original-message-id'] ?? dsnFields['x-original-message-id']
  const originalMessageId =
    doc.dsn?.originalMessageId ??
    doc.attachments.find((a) => a.message?.messageId)?.message?.messageId ??
    parseMessageIds(field(returned, 'message-id') ?? '')[0] ??
    (fromDsnField ? parseMessageIds(fromDsnField)[0] : undefined) ??
    quotedMessageId(doc.text)
  return {
    originalMessageId: originalMessageId ?? null,
    originalMailFrom: singleAddress(field(returned, 'return-path')),
    originalEnvelopeId: doc.dsn?.originalEnvelopeId ?? null,
    deliveredTo: deliveredTo(doc, bounce),
    references: [...new Set([...(doc.inReplyTo ? [doc.inReplyTo] : []), ...doc.references])],
    summary: summarize(text.explanation),
  }
}

function arfReport(doc: InboundMessage, structure: ReportStructure, text: SplitText): Report {
  const part = structure.parts.find((p) => p.type === 'message/feedback-report')
  const feedback = part ? readFeedbackReport(part) : null
  const returned = returnedHeaders(structure, text)
  const feedbackType = feedback?.feedbackType ?? null
  // An auth-failure report (RFC 6591) is sent by the receiving system, not by a recipient: its To complained of nothing.
  const addresses = feedback?.originalRcptTo.length
    ? feedback.originalRcptTo
    : feedbackType === 'auth-failure'
      ? []
      : findAddresses(field(returned, 'to') ?? '')
  const base = common(doc, returned, text, false)
  return {
    kind: 'complaint',
    format: 'arf',
    ...base,
    originalMailFrom: feedback?.originalMailFrom ?? base.originalMailFrom,
    originalEnvelopeId: feedback?.originalEnvelopeId ?? base.originalEnvelopeId,
    recipients: addresses.map((recipient) => ({
      recipient,
      originalRecipient: null,
      action: null,
      status: null,
      diagnosticCode: null,
      remoteMta: null,
      classification: null,
    })),
    feedbackType,
  }
}

function dsnReport(doc: InboundMessage, structure: ReportStructure, text: SplitText): Report {
  const base = common(doc, returnedHeaders(structure, text), text, true)
  let recipients = dsnRecipients(doc.dsn?.recipients ?? [], text.explanation)
  // A report whose status part is missing or unreadable: what its words say, as for a plain bounce.
  if (!recipients.length) recipients = wordedRecipients(doc, text, base.originalMessageId)
  return { kind: 'bounce', format: 'dsn', ...base, recipients, feedbackType: null }
}

function plainReport(doc: InboundMessage, text: SplitText): Report | null {
  const base = common(doc, returnedHeaders(null, text), text, true)
  const recipients = wordedRecipients(doc, text, base.originalMessageId)
  return recipients.length ? { kind: 'bounce', format: 'plain', ...base, recipients, feedbackType: null } : null
}

/** Recipients of a bounce in words: failed addresses, each with the code, lines and host the text gives for it. */
function wordedRecipients(doc: InboundMessage, text: SplitText, originalMessageId: string | null): ReportRecipient[] {
  // The report's own sender and addressees are not failed recipients, nor is a Message-ID that looks like an address.
  const exclude = [...addressedTo(doc), ...doc.from.map((a) => a.address), ...(originalMessageId ? [originalMessageId.slice(1, -1)] : [])]
  const addresses = failedRecipients(doc, text.explanation, exclude)
  const action = isDelayWarning(doc, text.explanation) ? 'delayed' : 'failed'
  return addresses.map((recipient) => {
    const details = plainDetails(text.explanation, recipient, addresses.length === 1)
    const classification = classifyRecipient({ action, ...details, explanation: text.explanation })
    return { recipient, originalRecipient: null, action, ...details, classification }
  })
}
