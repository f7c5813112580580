import type { RejectedRecipient } from './records.js'

/** What one SMTP transaction came to. */
export interface DeliveryOutcome {
  kind: 'sent' | 'deferred' | 'failed'
  reply: number | null
  enhancedStatus: string | null
  response: string
  /** The connection dropped after the end of DATA: the relay may have queued the message. */
  ambiguous: boolean
  /** A wait the server asked for ("try again in 30 seconds"), in ms. */
  retryAfterMs: number | null
  accepted: string[]
  rejected: RejectedRecipient[]
  /** Recipients refused with a 4yz reply, to try again when others were accepted. */
  deferredRecipients: string[]
  /**
   * A failure of the relay itself, not of this message: nodemailer's error code (`EAUTH`, `ETLS`, `ECONNECTION`,
   * `ETIMEDOUT`...) or `421` for a relay that refuses service at the greeting; null otherwise.
   */
  relayProblem: string | null
}

/** The shape of a nodemailer SMTP error (smtp-connection `_formatError`). */
export interface SmtpError {
  code?: string
  command?: string
  responseCode?: number
  response?: string
  message: string
  rejected?: string[]
  rejectedErrors?: SmtpError[]
  recipient?: string
}

/** The shape of nodemailer's SMTP `sendMail` result. */
export interface SmtpInfo {
  accepted: (string | { address: string })[]
  rejected: (string | { address: string })[]
  rejectedErrors?: SmtpError[]
  response: string
}

const addr = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address)

/** RFC 3463 enhanced status code at the start of a reply text (`5.1.1`). */
export function enhancedStatusOf(response: string | undefined): string | null {
  const m = /(?:^|\s)([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(response ?? '')
  return m ? m[1] : null
}

/** A server's hint such as "try again in 30 seconds" or "retry after 5 minutes", in ms. */
export function retryHintMs(response: string | undefined): number | null {
  const m = /(?:try again|retry)\s+(?:in|after)\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b/i.exec(response ?? '')
  if (!m) return null
  return Number(m[1]) * (m[2].toLowerCase().startsWith('m') ? 60_000 : 1000)
}

const replyCodeOf = (response: string | undefined) => {
  const m = /^([2-5]\d\d)\b/.exec(response ?? '')
  return m ? Number(m[1]) : null
}

function rejection(e: SmtpError): RejectedRecipient {
  return {
    recipient: e.recipient ?? '',
    reply: e.responseCode ?? null,
    enhancedStatus: enhancedStatusOf((e.response ?? '').replace(/^\d{3}[ -]/, '')),
    response: e.response ?? e.message,
  }
}

// Failures that are ours or the relay's configuration, not the message's: retrying after a fix delivers it.
const RELAY_PROBLEMS = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROXY', 'EPROTOCOL', 'EOAUTH2'])

/**
 * Classifies a completed `sendMail` (RFC 5321 §4.2.1): the message is sent when any recipient was accepted;
 * recipients refused with 4yz are kept for another attempt, 5yz ones are final.
 */
export function classifySmtpSuccess(info: SmtpInfo): DeliveryOutcome {
  const rejected = (info.rejectedErrors ?? []).map(rejection)
  const deferredRecipients = rejected.filter((r) => r.reply !== null && r.reply < 500).map((r) => r.recipient)
  return {
    kind: deferredRecipients.length ? 'deferred' : 'sent',
    reply: replyCodeOf(info.response) ?? 250,
    enhancedStatus: enhancedStatusOf(info.response.replace(/^\d{3}[ -]/, '')),
    response: info.response,
    ambiguous: false,
    retryAfterMs: null,
    accepted: info.accepted.map(addr),
    rejected,
    deferredRecipients,
    relayProblem: null,
  }
}

/**
 * Classifies a failed SMTP transaction (RFC 5321 §4.2.1: 4yz transient, 5yz permanent). Timeouts, dropped
 * connections, TLS and AUTH failures defer: they say nothing about the message. A drop after the end of DATA is
 * marked ambiguous (`messageWritten`: the whole message had gone to the socket), since the relay may have taken
 * the message; the retry keeps the same Message-ID.
 */
export function classifySmtpFailure(err: SmtpError, ctx: { messageWritten?: boolean } = {}): DeliveryOutcome {
  const rejected = (err.rejectedErrors ?? []).map(rejection)
  const reply = err.responseCode ?? null
  const response = err.response ?? err.message
  const base = {
    reply,
    enhancedStatus: enhancedStatusOf((err.response ?? '').replace(/^\d{3}[ -]/, '')),
    response,
    retryAfterMs: retryHintMs(response),
    accepted: [],
    rejected,
    ambiguous: false,
    relayProblem: null,
  }
  if (err.code && RELAY_PROBLEMS.has(err.code)) {
    return { ...base, kind: 'deferred', ambiguous: reply === null && Boolean(ctx.messageWritten), deferredRecipients: [], relayProblem: err.code }
  }
  if (reply === 421 && (err.command === 'CONN' || err.command === 'EHLO' || err.command === 'HELO')) {
    return { ...base, kind: 'deferred', deferredRecipients: [], relayProblem: '421' }
  }
  if (reply !== null) {
    // All recipients refused: defer only if some were refused for now.
    const temporary = rejected.length ? rejected.some((r) => r.reply !== null && r.reply < 500) : reply < 500
    return {
      ...base,
      kind: temporary ? 'deferred' : 'failed',
      deferredRecipients: rejected.filter((r) => r.reply !== null && r.reply < 500).map((r) => r.recipient),
    }
  }
  // No reply and no network cause: nodemailer refused the message itself (EENVELOPE/EMESSAGE from the API).
  return { ...base, kind: 'failed', deferredRecipients: [] }
}
