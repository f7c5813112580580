/** Version of the outbound event data below; raised like the inbound document's (docs/events.md "Versioning"). */
export const OUTBOUND_EVENT_SCHEMA_VERSION = 1 as const

/** A recipient the relay refused at RCPT TO (or that was refused before the wire), with the reply. */
export interface RecipientRejection {
  recipient: string
  /** SMTP reply code (RFC 5321 §4.2), or null when none came. */
  reply: number | null
  /** RFC 3463 enhanced status code, or null. */
  enhancedStatus: string | null
  response: string
}

/** A recipient not sent to because it is on the suppression list. */
export interface RecipientSuppression {
  recipient: string
  /** Why it was suppressed: `hard_bounce`, `complaint` or `manual`. */
  reason: string
  /** ISO 8601, when it was added to the list. */
  since: string
}

/** An asynchronous bounce (RFC 3464 DSN, or a recognised plain-text bounce) for one recipient. */
export interface BounceInfo {
  /** `hard`: permanent (the address is suppressed); `soft`: transient. */
  type: 'hard' | 'soft'
  /** RFC 3464 §2.3.3 action: failed, delayed, ... */
  action: string | null
  /** RFC 3463 status: `5.1.1`. */
  status: string | null
  diagnosticCode: string | null
  remoteMta: string | null
  reportingMta: string | null
  /** How the report was recognised: `dsn` (RFC 3464) or `plain` (a non-standard bounce). */
  format: 'dsn' | 'plain'
  /** How the report was linked to this message: its embedded Message-ID, In-Reply-To/References, or VERP. */
  matchedBy: 'message-id' | 'references' | 'verp'
  /** Postern id of the received report (GET /v1/inbound/{id}), and the mailbox it arrived in (null: the sandbox). */
  reportId: string | null
  mailbox: string | null
  /** ISO 8601, when the report arrived. */
  receivedAt: string
}

/** An RFC 5965 feedback report (a spam complaint) about this message. */
export interface ComplaintInfo {
  /** ARF Feedback-Type: abuse, fraud, auth-failure, not-spam, virus, other. */
  feedbackType: string | null
  matchedBy: 'message-id' | 'references' | 'verp'
  reportId: string | null
  mailbox: string | null
  receivedAt: string
}

/**
 * The data of every outbound event (`message.sent`, `.deferred`, `.failed`, `.bounced`, `.complained`, `.canceled`):
 * what an app needs to route it without another call. docs/events.md documents each field and type.
 */
export interface OutboundEventData {
  schemaVersion: typeof OUTBOUND_EVENT_SCHEMA_VERSION
  /** Postern id of the message (GET /v1/messages/{id}). */
  id: string
  /** RFC 5322 Message-ID, with angle brackets; the same on every attempt. */
  messageId: string
  /** ISO 8601, when the message was accepted. */
  createdAt: string
  from: string
  to: string[]
  cc: string[]
  subject: string
  /** The recipients this event is about. */
  recipients: string[]
  /** Delivery attempt number (from 1) for sent/deferred/failed; null for the others. */
  attempt: number | null
  /** The SMTP reply of the attempt: code, RFC 3463 enhanced status and text; null when none came. */
  reply: number | null
  enhancedStatus: string | null
  response: string | null
  /** Recipients the relay accepted in this attempt, and those it refused. */
  accepted: string[]
  rejected: RecipientRejection[]
  suppressed: RecipientSuppression[]
  /** ISO 8601: when the next attempt is due (`message.deferred`). */
  nextAttemptAt: string | null
  /**
   * Why, in one machine-readable word: `rejected` (5xx), `retries_exhausted`, `all_recipients_suppressed`,
   * `smtputf8_unsupported`, `not_configured` (no relay) for `message.failed`; `canceled_by_api` for
   * `message.canceled`; null otherwise.
   */
  reason: string | null
  bounce: BounceInfo | null
  complaint: ComplaintInfo | null
  tags: string[]
  metadata: Record<string, string>
}
