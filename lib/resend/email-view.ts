import type { Mailbox } from '../send/address.js'
import type { MessageView } from '../send/message-view.js'
import type { AcceptedRequest, MessageStatus } from '../send/records.js'

/** Resend's email events that a Postern status maps onto (the `last_event` of `GET /emails/:id`). */
export type ResendLastEvent = 'scheduled' | 'queued' | 'sent' | 'delivery_delayed' | 'failed' | 'bounced' | 'canceled'

/**
 * Postern's status as Resend's last event. `sent` means the configured relay accepted the message (250 after DATA);
 * Postern cannot see the recipient's server, so it never claims `delivered`, `opened` or `clicked`. `scheduled`
 * (held until `sendAt`) is `scheduled`; `deferred` (the relay answered 4yz or could not be reached, a retry is due)
 * is `delivery_delayed`; `failed`, `bounced` (a bounce came back for every recipient) and `canceled` keep their names.
 */
export function lastEvent(status: MessageStatus, sendAt: string | null, nowMs: number): ResendLastEvent {
  if (status === 'queued' && sendAt && Date.parse(sendAt) > nowMs) return 'scheduled'
  return status === 'deferred' ? 'delivery_delayed' : status
}

/** The answer of Resend's `GET /emails/:id` (https://resend.com/docs/api-reference/emails/retrieve-email). */
export interface ResendEmailView {
  object: 'email'
  id: string
  /** RFC 5322 §3.6.4 Message-ID of the sent message, with angle brackets. */
  message_id: string
  to: string[]
  from: string
  /** ISO 8601, when Postern accepted the email. */
  created_at: string
  subject: string
  html: string | null
  text: string | null
  bcc: string[] | null
  cc: string[] | null
  reply_to: string[] | null
  last_event: ResendLastEvent
  /** ISO 8601, or null when it was sent at once. */
  scheduled_at: string | null
  /** Postern metadata as Resend tags. */
  tags: { name: string; value: string }[]
}

// RFC 5322 §3.2.3 specials: a display name holding one must be a quoted-string, or `Doe, John` reads as two names.
const SPECIALS = /[()<>[\]:;@\\,."]/
const displayName = (name: string) => (SPECIALS.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name)

/**
 * `Name <a@example.com>`, or the bare address when there is no display name, as Resend shows addresses; a name
 * with RFC 5322 specials is quoted (`"Doe, John" <a@example.com>`), so the string reads back as the same mailbox.
 */
const show = (m: Mailbox) => (m.name ? `${displayName(m.name)} <${m.address}>` : m.address)
const list = (ms: Mailbox[] | undefined) => (ms?.length ? ms.map(show) : null)

/** A stored message in the shape of Resend's `GET /emails/:id`. */
export function toResendEmailView(view: MessageView & { request: AcceptedRequest }, nowMs: number): ResendEmailView {
  const r = view.request.request
  return {
    object: 'email',
    id: view.id,
    message_id: view.messageId,
    to: r.to.map(show),
    from: show(r.from),
    created_at: view.createdAt,
    subject: r.subject,
    html: r.html ?? null,
    text: r.text ?? null,
    bcc: list(r.bcc),
    cc: list(r.cc),
    reply_to: list(r.replyTo),
    last_event: lastEvent(view.status, view.sendAt, nowMs),
    scheduled_at: view.sendAt,
    tags: Object.entries(view.metadata).map(([name, value]) => ({ name, value })),
  }
}
