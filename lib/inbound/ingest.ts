import type { Deps } from '../deps.js'
import { linkReport } from '../feedback/link-report.js'
import { normalizeMessage } from '../normalize/normalize.js'
import { getJson, putJson } from '../store/json.js'
import { inboundMessageKeys } from '../store/keys.js'
import { mailboxSource } from '../events/event-types.js'
import { recordEvent } from '../events/outbox.js'
import { inboundMessageId, webhookEventId } from './message-id.js'
import type { MailboxStateHandle } from './mailbox-state.js'

/** One fetched message. */
export interface FetchedMessage {
  /** Exact bytes from the wire (IMAP BODY[], POP3 RETR after dot-unstuffing). */
  raw: Buffer
  /** ISO 8601: IMAP INTERNALDATE, or when POP3 retrieved it. */
  receivedAt: string
  folder: string | null
}

/** Written last for each message; its presence is what "already stored" means. */
export interface StoredMarker {
  eventId: string
  sequence: number
}

export interface IngestOutcome {
  kind: 'stored' | 'duplicate'
  id: string
  eventId: string
  sequence: number
  parseError: string | null
}

/** A message whose objects are written (or found already stored), waiting for commitMessage. */
export interface PreparedMessage {
  id: string
  eventId: string
  folder: string | null
  /** The marker when the message was already stored; then nothing was written. */
  marker: StoredMarker | null
  parseError: string | null
}

/**
 * First half of storing a message: its raw `.eml`, attachments and JSON, written concurrently (each is keyed by
 * the message's bytes, so a repeat rewrites the same objects). Writes nothing when the message is already stored.
 * Safe to run ahead of earlier messages' commits: nothing here moves a cursor or records an event.
 * Throws on store errors; never for bad mail (see normalizeMessage).
 */
export async function prepareMessage(deps: Deps, mailbox: string, msg: FetchedMessage): Promise<PreparedMessage> {
  const id = inboundMessageId(msg.raw)
  const keys = inboundMessageKeys(mailbox, id)
  const eventId = webhookEventId(mailbox, 'message.received', id)
  const marker = (await getJson<StoredMarker>(deps.store, keys.stored))?.value ?? null
  if (marker) return { id, eventId, folder: msg.folder, marker, parseError: null }
  const { document, attachments } = await normalizeMessage(msg.raw, { id, mailbox, receivedAt: msg.receivedAt, attachmentKey: keys.attachment })
  // A bounce or complaint is linked to the message it answers before the document is written (idempotent: a repeat
  // after a crash records nothing new).
  document.report = await linkReport(deps, msg.raw, document, { mailbox, reportId: id, receivedAt: msg.receivedAt })
  await Promise.all([
    deps.store.put(keys.raw, msg.raw, { contentType: 'message/rfc822' }),
    ...attachments.map((a) => deps.store.put(a.key, a.content, { contentType: a.contentType })),
    putJson(deps.store, keys.doc, document),
  ])
  return { id, eventId, folder: msg.folder, marker: null, parseError: document.parseError }
}

/**
 * Second half, in mailbox order under the lease: records the `message.received` event in the outbox (create-only,
 * the webhook job), then the stored marker. The caller then saves its cursor (MailboxStateHandle.save). A message
 * already stored (a resync, a re-upload under a new UID, a repeat after a crash) records nothing and only catches
 * the sequence up with its marker.
 */
export async function commitMessage(deps: Deps, mailbox: string, state: MailboxStateHandle, p: PreparedMessage): Promise<IngestOutcome> {
  const keys = inboundMessageKeys(mailbox, p.id)
  // Checked again: an identical copy earlier in the same batch may have been committed since prepareMessage.
  const marker = p.marker ?? (await getJson<StoredMarker>(deps.store, keys.stored))?.value ?? null
  if (marker) {
    state.value.sequence = Math.max(state.value.sequence, marker.sequence)
    return { kind: 'duplicate', id: p.id, eventId: p.eventId, sequence: marker.sequence, parseError: null }
  }
  const event = await recordEvent(deps, state.value, {
    id: p.eventId,
    type: 'message.received',
    source: mailboxSource(mailbox),
    mailbox,
    createdAt: new Date(deps.clock.now()).toISOString(),
    data: { messageId: p.id, folder: p.folder, docKey: keys.doc, rawKey: keys.raw, parseError: p.parseError },
  })
  await putJson(deps.store, keys.stored, { eventId: p.eventId, sequence: event.sequence } satisfies StoredMarker)
  return { kind: 'stored', id: p.id, eventId: p.eventId, sequence: event.sequence, parseError: p.parseError }
}

/**
 * Stores one message and records its event, in this order: raw `.eml`, attachments and JSON (concurrently), the
 * outbox record, the stored marker. The caller then moves its cursor. A crash between any two effects is repaired
 * by the next poll: keys and the event id derive from the bytes, so a repeat rewrites the same objects and reuses
 * the recorded event (docs/inbound.md "Order of effects").
 */
export async function ingestMessage(deps: Deps, mailbox: string, state: MailboxStateHandle, msg: FetchedMessage): Promise<IngestOutcome> {
  return commitMessage(deps, mailbox, state, await prepareMessage(deps, mailbox, msg))
}
