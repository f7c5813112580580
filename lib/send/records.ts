import type { SendRequest } from './send-request.js'

/** Delivery status as the API reports it. `queued` also covers a message scheduled with `sendAt`. */
export type MessageStatus = 'queued' | 'sent' | 'deferred' | 'failed'

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

/** A recipient the relay refused (RCPT TO), with its reply. */
export interface RejectedRecipient {
  recipient: string
  reply: number | null
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
  /** When the next attempt is due, while status is queued or deferred. */
  nextAttemptAt: string | null
  attempts: number
  accepted: string[]
  rejected: RejectedRecipient[]
  /** Recipients a relay deferred (4yz) while it accepted others: the next attempt goes to these only. */
  pendingRecipients?: string[] | null
  /** A worker's claim on the next attempt; another worker leaves the message alone until it expires. */
  lease: { owner: string; until: string } | null
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
}

/** The state of a message no attempt has touched yet: queued, due at `sendAt` or at acceptance. */
export function initialState(record: AcceptedRequest): MessageState {
  const sendAt = record.request.sendAt ? new Date(Date.parse(record.request.sendAt)).toISOString() : null
  const due = sendAt && sendAt > record.createdAt ? sendAt : record.createdAt
  return {
    id: record.id,
    messageId: record.messageId,
    status: 'queued',
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
