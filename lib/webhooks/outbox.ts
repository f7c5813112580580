import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { isPreconditionFailed, type ObjectStore } from '../store/object-store.js'
import type { WebhookEventType } from '../config/webhook-endpoint.js'
import type { MailboxState } from '../inbound/mailbox-state.js'

/** What a `message.received` event is about; the payload is built from the stored JSON at delivery time. */
export interface MessageReceivedRef {
  messageId: string
  /** IMAP folder it was read from; null for POP3. */
  folder: string | null
  docKey: string
  rawKey: string
  parseError: string | null
}

/** A folder's UIDVALIDITY changed (RFC 3501 §2.3.1.1): its UIDs were renumbered and it is being resynced. */
export interface MailboxResetData {
  folder: string
  previousUidValidity: string
  uidValidity: string
  reason: 'uidvalidity-changed'
}

/** One webhook event, durably recorded before the mailbox cursor moves past what caused it. */
export type OutboxRecord = {
  /** Standard Webhooks `webhook-id`; deterministic (lib/inbound/message-id.ts). */
  id: string
  mailbox: string
  /** Per-mailbox, from 1, in the order events were recorded; gaps are possible, never reuse. */
  sequence: number
  /** ISO 8601 UTC; the payload's `timestamp`. */
  createdAt: string
} & ({ type: 'message.received'; data: MessageReceivedRef } | { type: 'mailbox.reset'; data: MailboxResetData })

export type NewEvent = Omit<OutboxRecord, 'sequence'>

/**
 * Records `event` in the outbox under the mailbox's next sequence number, create-only. A record already at that
 * number with the same id is a repeat after a crash and is reused; one with another id (recorded by a poll that
 * crashed before its cursor moved) keeps its number and this event takes the next. Sets `state.sequence`; the
 * caller saves the state afterwards.
 */
export async function recordEvent(store: ObjectStore, state: MailboxState, event: NewEvent): Promise<OutboxRecord> {
  for (let sequence = state.sequence + 1; ; sequence++) {
    const record = { ...event, sequence } as OutboxRecord
    const key = webhookKeys.outbox(event.mailbox, sequence)
    try {
      await putJson(store, key, record, { ifNoneMatch: '*' })
      state.sequence = sequence
      return record
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      const existing = await getJson<OutboxRecord>(store, key)
      if (existing?.value.id === event.id) {
        state.sequence = sequence
        return existing.value
      }
    }
  }
}

export const isEventType = (t: string): t is WebhookEventType => t === 'message.received' || t === 'mailbox.reset'
