import type { BounceInfo, ComplaintInfo, RecipientSuppression } from '../events/outbound-events.js'
import type { SendRequest } from './send-request.js'

/**
 * Delivery status as the API reports it: `scheduled` (held until `sendAt`), `queued` (due, not yet attempted),
 * `deferred` (retried later), `sent` (the relay took it for at least one recipient), `failed` (no recipient will get
 * it), `bounced` (every recipient the relay took bounced afterwards), `canceled`.
 */
export type MessageStatus = 'scheduled' | 'queued' | 'sent' | 'deferred' | 'failed' | 'bounced' | 'canceled'

/** Statuses after which nothing more is attempted. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['sent', 'failed', 'bounced', 'canceled'])

/** A bounce or complaint as kept on the message: the event's data, and the id and sequence of its event. */
export type FeedbackEntry<T> = T & { eventId: string; sequence: number }

/** `messages/<id>/request.json`: what was accepted, written once before the client gets its 202. */
export interface AcceptedRequest {
  id: string
  /** RFC 5322 §3.6.4 msg-id, with angle brackets; the same on every attempt. */
  messageId: string
  apiKeyId: string
  /** ISO 8601. */
  createdAt: string
  request: SendRequest
}

/** A recipient the relay refused (RCPT TO), or that was refused before the wire, with the reply. */
export interface RejectedRecipient {
  recipient: string
  reply: number | null
  /** RFC 3463 enhanced status code of the reply, when it has one (`5.1.1`). */
  enhancedStatus?: string | null
  response: string
}

/** `messages/<id>/state.json`, updated by compare-and-swap. Times are ISO 8601. */
export interface MessageState {
  id: string
  messageId: string
  status: MessageStatus
  createdAt: string
  updatedAt: string
  sendAt: string | null
  /** When the next attempt is due, while status is scheduled, queued or deferred. */
  nextAttemptAt: string | null
  attempts: number
  accepted: string[]
  rejected: RejectedRecipient[]
  /** Recipients a relay deferred (4yz) while it accepted others: the next attempt goes to these only. */
  pendingRecipients?: string[] | null
  /** A worker's claim on the next attempt; another worker leaves the message alone until it expires. */
  lease: { owner: string; until: string } | null
  /** The message's `Date:` header (RFC 5322 §3.6.1), ISO 8601: fixed at the first attempt, the same on every retry. */
  date?: string | null
  /** Last event sequence number of this message's source (`message:<id>`, lib/events/outbox.ts). */
  sequence?: number
  /** Recipients not sent to because they are suppressed. */
  suppressed?: RecipientSuppression[]
  /** Asynchronous bounces by recipient (one each: the first hard one, else the latest). */
  bounces?: Record<string, FeedbackEntry<BounceInfo>>
  /** Feedback reports (complaints) by recipient. */
  complaints?: Record<string, FeedbackEntry<ComplaintInfo>>
  /** ISO 8601, when the message was canceled. */
  canceledAt?: string | null
  /** Why it failed, when it failed for a reason of its own (lib/events/outbound-events.ts `reason`). */
  reason?: string | null
}

/** `messages/<id>/attempt-<NNNN>.json`: one delivery attempt. */
export interface DeliveryEvent {
  id: string
  attempt: number
  /** ISO 8601, when the attempt started. */
  at: string
  durationMs: number
  outcome: 'sent' | 'deferred' | 'failed'
  /** SMTP reply code (RFC 5321 §4.2), or null when none came (connection refused, timeout, dropped). */
  reply: number | null
  /** RFC 3463 enhanced status code from the reply, if any (`5.1.1`). */
  enhancedStatus: string | null
  response: string
  /** The connection dropped after the end of DATA: the relay may have taken the message. */
  ambiguous: boolean
  accepted: string[]
  rejected: RejectedRecipient[]
  /** ISO 8601, when deferred. */
  nextAttemptAt: string | null
  /** Why it failed (outbound event `reason`), when it failed; absent in events written before it was kept. */
  reason?: string | null
  /** The recipients this attempt was for (suppressed ones left out). */
  recipients?: string[]
  /** Recipients left out of this attempt because they are suppressed. */
  suppressed?: RecipientSuppression[]
}

/** `bounced` for a `sent` message every accepted recipient of which bounced hard; else the status as it is. */
export function statusAfterBounces(st: MessageState): MessageStatus {
  if (st.status !== 'sent' || !st.accepted.length) return st.status
  const hard = new Set(Object.entries(st.bounces ?? {}).flatMap(([r, b]) => (b.type === 'hard' ? [r] : [])))
  return st.accepted.every((a) => hard.has(a)) ? 'bounced' : st.status
}

/** The addresses, subject and tags of a request as views and lists show them (addresses without display names). */
export const requestFacts = (r: SendRequest) => ({
  from: r.from.address,
  to: r.to.map((m) => m.address),
  cc: (r.cc ?? []).map((m) => m.address),
  bcc: (r.bcc ?? []).map((m) => m.address),
  subject: r.subject,
  tags: r.tags ?? [],
})

/** Every envelope recipient of a request: to, cc and bcc addresses. */
export const allRecipients = (record: AcceptedRequest) => {
  const r = record.request
  return [...r.to, ...(r.cc ?? []), ...(r.bcc ?? [])].map((m) => m.address)
}

/** The state of a message no attempt has touched yet: scheduled until `sendAt`, else queued, due at acceptance. */
export function initialState(record: AcceptedRequest): MessageState {
  const sendAt = record.request.sendAt ? new Date(Date.parse(record.request.sendAt)).toISOString() : null
  const scheduled = sendAt !== null && sendAt > record.createdAt
  const due = scheduled ? sendAt : record.createdAt
  return {
    id: record.id,
    messageId: record.messageId,
    status: scheduled ? 'scheduled' : 'queued',
    createdAt: record.createdAt,
    updatedAt: record.createdAt,
    sendAt,
    nextAttemptAt: due,
    attempts: 0,
    accepted: [],
    rejected: [],
    lease: null,
  }
}
