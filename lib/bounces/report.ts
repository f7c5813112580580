/**
 * What a delivery report or feedback report says, as `parseReport` (parse-report.ts) reads it. How each field is
 * found, the classification table and what is not recognised: docs/bounces.md.
 */
export interface Report {
  /**
   * `bounce`: a delivery status notification (RFC 3464) or a non-standard bounce; each recipient's `action` says
   * what happened to it (only `failed` recipients bounced; `delayed` ones are still being retried; a DSN asked for
   * with NOTIFY=SUCCESS reports `delivered`/`relayed`/`expanded`). `complaint`: an RFC 5965 feedback report.
   */
  kind: 'bounce' | 'complaint'
  /** How it was recognised: RFC 3464 DSN, a non-standard plain-text bounce, or an RFC 5965 ARF report. */
  format: 'dsn' | 'plain' | 'arf'
  /**
   * Message-ID (with angle brackets) of the message the report is about, from the first of: the returned
   * message/rfc822 or text/rfc822-headers part, an `Original-Message-ID` or `X-Original-Message-ID` field of the
   * delivery-status part, a `Message-ID:` line of a copy quoted in the text. Null when none.
   */
  originalMessageId: string | null
  /**
   * The envelope MAIL FROM of that message (RFC 5321 §4.1.1.2), without brackets: ARF `Original-Mail-From`
   * (RFC 5965 §3.2), else the `Return-Path` of the returned or quoted copy. Carries the VERP address when the
   * report went elsewhere (feedback loops report to an abuse address). Null when none or empty.
   */
  originalMailFrom: string | null
  /** RFC 3461 ENVID echoed as `Original-Envelope-Id` (RFC 3464 §2.2.1, RFC 5965 §3.2), or null. */
  originalEnvelopeId: string | null
  /**
   * Every address the report itself was delivered to, from its own header fields To, Cc, Delivered-To,
   * X-Original-To, Original-Recipient, Envelope-To, X-Envelope-To, X-Apparently-To, X-Rcpt-To, the `for <...>`
   * clause of Received, and a non-empty Return-Path (an MTA that wrongly bounces to the original MAIL FROM echoes
   * ours there). Domain lower-cased, local part as written, each once, in that order. A VERP return path
   * (`bounces+{id}@mail.example.com`) shows up here.
   */
  deliveredTo: string[]
  /** msg-ids of the report's own In-Reply-To then References (some MTAs set them to the original's Message-ID). */
  references: string[]
  /** One per recipient the report names, in report order; may be empty when a DSN's status part is missing. */
  recipients: ReportRecipient[]
  /** ARF Feedback-Type, lower-case: abuse, fraud, virus, other (RFC 5965), auth-failure (RFC 6591), not-spam (RFC 6430)...; null for bounces. */
  feedbackType: string | null
  /** The first lines of the human-readable explanation (before any copy of the original), at most 1,000 characters; null when empty. */
  summary: string | null
}

export interface ReportRecipient {
  /**
   * The failed (or complaining) address, as the report gives it: DSN Final-Recipient, else Original-Recipient;
   * plain bounces X-Failed-Recipients, else an address of the explanation; ARF Original-Rcpt-To, else the To of
   * the reported message (not for auth-failure reports, which no recipient sent).
   */
  recipient: string
  /** DSN Original-Recipient (RFC 3464 §2.3.1: the RCPT TO as the sender gave it, RFC 3461 ORCPT), or null. */
  originalRecipient: string | null
  /**
   * RFC 3464 §2.3.3 action, lower-case: failed | delayed | delivered | relayed | expanded; non-standard values are
   * mapped (`expired` -> failed). Plain bounces: failed, or delayed for a warning. ARF: null.
   */
  action: string | null
  /** RFC 3463 enhanced status code `5.1.1` (DSN Status, else the first one in the diagnostic or text), or null. */
  status: string | null
  /** DSN Diagnostic-Code without its type; for plain bounces the lines the text gives about this recipient. Null when none. */
  diagnosticCode: string | null
  /** DSN Remote-MTA without its type; for plain bounces the host the text names. Null when none. */
  remoteMta: string | null
  /**
   * `hard`: permanent failure (suppress the address); `soft`: transient (a delay, a 4.x.x status, a time-out),
   * even when delivery was finally given up. Null when the recipient did not fail (delivered, relayed, expanded)
   * and for complaints. Rules: `classifyRecipient` (classify.ts) and docs/bounces.md.
   */
  classification: 'hard' | 'soft' | null
}
