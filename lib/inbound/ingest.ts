import type { Deps } from '../deps.js'
import { normalizeMessage } from '../normalize/normalize.js'
import { getJson, putJson } from '../store/json.js'
import { inboundMessageKeys } from '../store/keys.js'
import { recordEvent } from '../webhooks/outbox.js'
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

/**
 * Stores one message and records its `message.received` event, in this order: raw `.eml`, attachments, JSON,
 * outbox record, stored marker. The caller then moves its cursor (MailboxStateHandle.save). A crash between any
 * two effects is repaired by the next poll: keys and the event id derive from the bytes, so a repeat rewrites the
 * same objects and reuses the recorded event. A message whose marker exists is a duplicate (a resync, a re-upload
 * under a new UID, or a crash after the marker) and writes nothing.
 * Throws on store errors; never for bad mail (see normalizeMessage).
 */
export async function ingestMessage(deps: Deps, mailbox: string, state: MailboxStateHandle, msg: FetchedMessage): Promise<IngestOutcome> {
  const id = inboundMessageId(msg.raw)
  const keys = inboundMessageKeys(mailbox, id)
  const eventId = webhookEventId(mailbox, 'message.received', id)
  const marker = await getJson<StoredMarker>(deps.store, keys.stored)
  if (marker) {
    // A crash after the marker left the cursor behind; catch the sequence up with it.
    state.value.sequence = Math.max(state.value.sequence, marker.value.sequence)
    return { kind: 'duplicate', id, eventId, sequence: marker.value.sequence, parseError: null }
  }
  const { document, attachments } = await normalizeMessage(msg.raw, { id, mailbox, receivedAt: msg.receivedAt, attachmentKey: keys.attachment })
  await deps.store.put(keys.raw, msg.raw, { contentType: 'message/rfc822' })
  for (const a of attachments) await deps.store.put(a.key, a.content, { contentType: a.contentType })
  await putJson(deps.store, keys.doc, document)
  const event = await recordEvent(deps.store, state.value, {
    id: eventId,
    type: 'message.received',
    mailbox,
    createdAt: new Date(deps.clock.now()).toISOString(),
    data: { messageId: id, folder: msg.folder, docKey: keys.doc, rawKey: keys.raw, parseError: document.parseError },
  })
  await putJson(deps.store, keys.stored, { eventId, sequence: event.sequence } satisfies StoredMarker)
  return { kind: 'stored', id, eventId, sequence: event.sequence, parseError: document.parseError }
}
