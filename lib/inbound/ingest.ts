import { Readable } from 'node:stream'
import type { Deps } from '../deps.js'
import { linkReport } from '../feedback/link-report.js'
import { indexInboundMessage } from '../logs/inbound-index.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { normalizeMessage } from '../normalize/normalize.js'
import { getJson, putJson } from '../store/json.js'
import { inboundMessageKeys } from '../store/keys.js'
import { mailboxSource } from '../events/event-types.js'
import { recordEvent } from '../events/outbox.js'
import { DocumentTooLargeError, documentLimitBytes, isLargeDocument, writeDocument } from './document-size.js'
import { HEAD_BYTES, headerOnlyDocument } from './header-only-document.js'
import { inboundMessageId, webhookEventId } from './message-id.js'
import type { MailboxStateHandle } from './mailbox-state.js'
import { findResyncDuplicate, writeFingerprint } from './resync-dedupe.js'

/** One fetched message. */
export interface FetchedMessage {
  /** Exact bytes from the wire (IMAP BODY[], POP3 RETR after dot-unstuffing). */
  raw: Buffer
  /** ISO 8601: IMAP INTERNALDATE, or when POP3 retrieved it. */
  receivedAt: string
  folder: string | null
  /** Read again after a UIDVALIDITY reset: also recognised by Message-ID, Date and From (resync-dedupe.ts). */
  resync?: boolean
}

/** Written last for each message; its presence is what "already stored" means. */
export interface StoredMarker {
  eventId: string
  sequence: number
  /** Set when this message was recognised after a UIDVALIDITY reset as a changed copy of the stored message `duplicateOf`: its objects are there, under that id. */
  duplicateOf?: string
}

export interface IngestOutcome {
  kind: 'stored' | 'duplicate'
  id: string
  eventId: string
  sequence: number
  parseError: string | null
  /** The stored message this one is a changed copy of (resync-dedupe.ts); null otherwise. */
  duplicateOf: string | null
}

/** A message whose objects are written (or found already stored), waiting for commitMessage. */
export interface PreparedMessage {
  id: string
  eventId: string
  folder: string | null
  /** The marker when the message was already stored; then nothing was written. */
  marker: StoredMarker | null
  parseError: string | null
  /** A stored message this one is a changed copy of, found after a UIDVALIDITY reset; then nothing was written. */
  duplicateOf?: { id: string; marker: StoredMarker }
}

/** Bodies larger than this (bytes) are written as a stream of 1 MiB slices. */
const STREAM_BYTES_ABOVE = 4 * 1024 * 1024
const SLICE_BYTES = 1024 * 1024

/**
 * Writes bytes to the store; a large body as a stream of slices (no copies), so neither the write nor its checksum
 * holds the event loop for the whole body at once.
 */
function putBytes(deps: Deps, key: string, bytes: Buffer, contentType: string) {
  if (bytes.length <= STREAM_BYTES_ABOVE) return deps.store.put(key, bytes, { contentType })
  const slices = Array.from({ length: Math.ceil(bytes.length / SLICE_BYTES) }, (_, i) => bytes.subarray(i * SLICE_BYTES, (i + 1) * SLICE_BYTES))
  return deps.store.putStream(key, Readable.from(slices), { contentType })
}

/**
 * The objects that find a message other than by id: its fingerprint (resync-dedupe.ts) and its list index entries.
 * Written before the stored marker (commitMessage): readers skip an index entry without one (lib/logs/inbound-index.ts).
 */
export const writeLookups = (deps: Deps, mailbox: string, id: string, document: InboundMessage) =>
  Promise.all([writeFingerprint(deps, mailbox, id, document), indexInboundMessage(deps.store, document)])

/** The stored marker of a message, or null when it is not fully stored. */
export const readMarker = async (deps: Deps, mailbox: string, id: string) =>
  (await getJson<StoredMarker>(deps.store, inboundMessageKeys(mailbox, id).stored))?.value ?? null

/**
 * First half of storing a message: its raw `.eml`, attachments, JSON and fingerprint, concurrently (each is keyed
 * by the message's bytes, so a repeat rewrites the same objects); a JSON over 1 MiB first, streamed. Writes nothing when the message is
 * already stored, or (after a UIDVALIDITY reset) is a changed copy of a stored one. A document whose JSON passes
 * documentLimitBytes is replaced by a header-only one (`parseError` `document_too_large: ...`), without attachments.
 * Safe to run ahead of earlier messages' commits: nothing here moves a cursor or records an event.
 * Throws on store errors; never for bad mail (see normalizeMessage).
 */
export async function prepareMessage(deps: Deps, mailbox: string, msg: FetchedMessage): Promise<PreparedMessage> {
  const id = inboundMessageId(msg.raw)
  const keys = inboundMessageKeys(mailbox, id)
  const base = { id, eventId: webhookEventId(mailbox, 'message.received', id), folder: msg.folder }
  const marker = await readMarker(deps, mailbox, id)
  if (marker) return { ...base, marker, parseError: null }
  const ctx = { id, mailbox, receivedAt: msg.receivedAt }
  let { document, attachments } = await normalizeMessage(msg.raw, { ...ctx, attachmentKey: keys.attachment })
  const duplicateOf = msg.resync ? await findResyncDuplicate(deps, mailbox, id, document) : null
  if (duplicateOf) return { ...base, marker: null, parseError: null, duplicateOf }
  // A bounce or complaint is linked to the message it answers before the document is written (idempotent: a repeat
  // after a crash records nothing new).
  document.report = await linkReport(deps, msg.raw, document, { mailbox, reportId: id, receivedAt: msg.receivedAt })
  // A large document is written first, as a stream with its length checked: one that passes the limit gets a
  // header-only document and no attachments. Any other is written with the rest, concurrently.
  const large = isLargeDocument(document)
  if (large) {
    try {
      await writeDocument(deps.store, keys.doc, document, documentLimitBytes(msg.raw.length))
    } catch (err) {
      if (!(err instanceof DocumentTooLargeError)) throw err
      document = await headerOnlyDocument(msg.raw.subarray(0, HEAD_BYTES), document, ctx, err.message)
      attachments = []
      await putJson(deps.store, keys.doc, document)
    }
  }
  await Promise.all([
    putBytes(deps, keys.raw, msg.raw, 'message/rfc822'),
    ...attachments.map((a) => putBytes(deps, a.key, a.content, a.contentType)),
    large ? null : putJson(deps.store, keys.doc, document),
    writeLookups(deps, mailbox, id, document),
  ])
  return { ...base, marker: null, parseError: document.parseError }
}

/**
 * Second half, in mailbox order under the lease: records the `message.received` event in the outbox (create-only,
 * the webhook job), then the stored marker. The caller then saves its cursor (MailboxStateHandle.save). A message
 * already stored (a resync, a re-upload under a new UID, a repeat after a crash) records nothing and only catches
 * the sequence up with its marker; a changed copy found after a reset gets a marker naming what it duplicates.
 */
export async function commitMessage(deps: Deps, mailbox: string, state: MailboxStateHandle, p: PreparedMessage): Promise<IngestOutcome> {
  const keys = inboundMessageKeys(mailbox, p.id)
  // Checked again: an identical copy earlier in the same batch may have been committed since prepareMessage.
  const marker = p.marker ?? (await readMarker(deps, mailbox, p.id))
  if (marker || p.duplicateOf) {
    const m = marker ?? { ...p.duplicateOf!.marker, duplicateOf: p.duplicateOf!.id }
    if (!marker) await putJson(deps.store, keys.stored, m satisfies StoredMarker)
    state.value.sequence = Math.max(state.value.sequence, m.sequence)
    return { kind: 'duplicate', id: p.id, eventId: m.eventId, sequence: m.sequence, parseError: null, duplicateOf: m.duplicateOf ?? null }
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
  return { kind: 'stored', id: p.id, eventId: p.eventId, sequence: event.sequence, parseError: p.parseError, duplicateOf: null }
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
