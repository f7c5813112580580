import type { InboundMessage } from '../normalize/inbound-message.js'
import { canonicalAddress, findAddresses, isSystemMailbox } from './addresses.js'
import { findReplyCode, findStatusCode } from './status-codes.js'

/** Display names of the same (`Mail Delivery System <noreply@...>`). */
const SYSTEM_NAME = /^(?:mail delivery (?:system|subsystem|service)|mailer[- ]daemon|postmaster|(?:mail|system) administrator)$/i

/** What bounces and delay warnings say in their subject or first lines (Exim, qmail, Postfix, sendmail, Exchange, Domino, Gmail, GMX, Mimecast...). */
const BOUNCE_WORDING =
  /undeliver|delivery (?:status notification|failure|has failed|failed|to the following recipients? (?:failed|has been delayed)|has been delayed|delayed)|delayed mail|mail delivery failed|failure notice|returned (?:mail|to sender)|returning message to sender|(?:could ?n[o']t|was not|were not|wasn't able to|not able to|unable to|cannot|can't) (?:be )?deliver|could ?n[o']t send message|warning message only|did not reach the following|has not (?:yet )?been delivered|non-?delivery|permanent error|failed permanently/i

/** A warning that delivery is still being retried (sendmail, Exim, Postfix delay notices). */
const DELAY_WORDING =
  /\b(?:delayed|has not (?:yet )?been delivered|not been delivered yet|will (?:keep|continue to) try|still (?:being retried|trying|undelivered)|warning message only|will be retried)\b/i
const GAVE_UP = /permanent|given up|gave up|failed permanently|will not (?:be retried|try)/i

/** Subjects of vacation and out-of-office replies, which may quote bounce-like words. */
const AUTO_REPLY_SUBJECT = /^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|out of (?:the )?office|abwesenheit|r[ée]ponse automatique|vacation)/i

/** Lines of a summary of the original (`  To: someone`), whose addresses are not the failed ones. */
const QUOTED_FIELD =
  /^[\s>]*(?:to|cc|bcc|from|sender|reply-to|return-path|subject|sent|date|message-id|in-reply-to|references|delivered-to|x-original-to|envelope-to|received)\s*:/i

const lower = (a: string) => canonicalAddress(a).toLowerCase()

/**
 * Whether a message without a delivery-status part is a bounce: a mail system sent it (an X-Failed-Recipients
 * field, or a From whose local part or display name is a mailer daemon or postmaster), it is not an auto-reply by
 * its subject, and its subject or explanation uses bounce wording. Whoever else writes "could not be delivered"
 * (an out-of-office reply, a person) is not taken.
 */
export function looksLikePlainBounce(doc: InboundMessage, explanation: string): boolean {
  if (AUTO_REPLY_SUBJECT.test(doc.subject ?? '')) return false
  const failedHeader = doc.headers.some((h) => h.name === 'x-failed-recipients')
  const system = doc.from.some((a) => isSystemMailbox(a.address) || SYSTEM_NAME.test(a.name.trim()))
  if (!failedHeader && !system) return false
  return BOUNCE_WORDING.test(doc.subject ?? '') || BOUNCE_WORDING.test(explanation.slice(0, 2000))
}

/** Whether a plain bounce is only a delay warning (the MTA keeps trying) rather than a failure. */
export const isDelayWarning = (doc: InboundMessage, explanation: string): boolean => {
  const text = `${doc.subject ?? ''}\n${explanation}`
  return DELAY_WORDING.test(text) && !GAVE_UP.test(text)
}

/**
 * The failed recipients of a plain bounce: the X-Failed-Recipients fields (Exim, old Gmail) when present, else
 * every address of the explanation except those on summary lines of the original (`To:`, `From:`...), the
 * report's own addresses (`exclude`, compared with the domain lower-cased) and postmaster/mailer-daemon. Each
 * once, in order, as written.
 */
export function failedRecipients(doc: InboundMessage, explanation: string, exclude: string[]): string[] {
  const fromHeader = doc.headers.filter((h) => h.name === 'x-failed-recipients').flatMap((h) => findAddresses(h.value))
  const skip = new Set(exclude.map(lower))
  const found = fromHeader.length
    ? fromHeader
    : explanation
        .split('\n')
        .filter((line) => !QUOTED_FIELD.test(line))
        .flatMap(findAddresses)
        .filter((a) => !skip.has(lower(a)) && !isSystemMailbox(a))
  const seen = new Set<string>()
  return found.filter((a) => !seen.has(lower(a)) && Boolean(seen.add(lower(a))))
}

export interface PlainDetails {
  status: string | null
  diagnosticCode: string | null
  remoteMta: string | null
}

const isCode = (line: string) => findStatusCode(line) !== null || findReplyCode(line) !== null

/** The lines of paragraphs that say something: no summary fields, no line that is only the address, no bare lead-in ending in `:`. */
function telling(paragraphs: string[]): string[] {
  return paragraphs
    .flatMap((p) => p.split('\n'))
    .filter((line) => !QUOTED_FIELD.test(line))
    .filter((line) => /[\p{L}\p{N}]/u.test(findAddresses(line).reduce((rest, a) => rest.replace(a, ''), line)))
    .filter((line) => !line.trimEnd().endsWith(':') || isCode(line))
    .map((line) => line.trim())
}

/**
 * What a plain bounce says about one recipient, from the paragraphs of the explanation that name it: the first
 * RFC 3463 code, the lines about it, the `host` it names. When the bounce has one recipient and those paragraphs
 * hold no code, the first paragraph of the explanation that holds one is used too (Mimecast, Gmail put the reply
 * apart from the address).
 */
export function plainDetails(explanation: string, recipient: string, single: boolean): PlainDetails {
  const paragraphs = explanation.split(/\n[ \t]*\n/)
  const needle = recipient.toLowerCase()
  let own = paragraphs.filter((p) => p.toLowerCase().includes(needle))
  if (single && !own.some((p) => p.split('\n').some(isCode))) own = [...own, ...paragraphs.filter((p) => p.split('\n').some(isCode)).slice(0, 1)]
  const lines = [...new Set(telling(own))]
  const text = lines.join('\n')
  const host = /\bhost:?\s+\[?((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})/i.exec(text)
  return {
    status: findStatusCode(text),
    diagnosticCode: lines.length ? lines.join(' ').replace(/\s+/g, ' ').slice(0, 1000) : null,
    remoteMta: host?.[1] ?? null,
  }
}
