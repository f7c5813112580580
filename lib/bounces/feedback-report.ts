import { findAddresses, singleAddress } from './addresses.js'
import { headersOf, decodedBody, type LeafPart } from './report-parts.js'

/** The fields of an RFC 5965 message/feedback-report part that link it to what was sent. */
export interface FeedbackReport {
  /** Feedback-Type (RFC 5965 §3.1), first token lower-cased, or null when absent. */
  feedbackType: string | null
  /** Original-Mail-From (§3.2) without brackets, or null. */
  originalMailFrom: string | null
  /** Every Original-Rcpt-To (§3.2, may repeat), as written without brackets. */
  originalRcptTo: string[]
  /** Original-Envelope-Id (§3.2), or null. */
  originalEnvelopeId: string | null
}

/** Reads a message/feedback-report part: one block of `Name: value` fields (RFC 5965 §3), folded lines joined. */
export function readFeedbackReport(part: LeafPart): FeedbackReport {
  const fields = headersOf(trimLeadingBlank(decodedBody(part)))
  const first = (name: string) => fields.find((f) => f.name === name)?.value.trim() || null
  return {
    feedbackType: first('feedback-type')?.split(/[\s;]/)[0].toLowerCase() || null,
    originalMailFrom: singleAddress(first('original-mail-from')),
    originalRcptTo: fields.filter((f) => f.name === 'original-rcpt-to').flatMap((f) => findAddresses(f.value)),
    originalEnvelopeId: first('original-envelope-id'),
  }
}

/** Some generators put a blank line before the fields; the field block starts at the first non-blank line. */
function trimLeadingBlank(body: Buffer): Buffer {
  let i = 0
  while (i < body.length && (body[i] === 0x0d || body[i] === 0x0a || body[i] === 0x20 || body[i] === 0x09)) i++
  return body.subarray(i)
}
