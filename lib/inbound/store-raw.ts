import { pipeline, type Readable } from 'node:stream'
import type { Deps } from '../deps.js'
import { putJson } from '../store/json.js'
import { inboundMessageKeys } from '../store/keys.js'
import { HEAD_BYTES, headerOnlyDocument } from './header-only-document.js'
import { readMarker, writeLookups, type FetchedMessage, type PreparedMessage } from './ingest.js'
import { inboundMessageIdOfDigest, webhookEventId } from './message-id.js'
import { digestStream, expectDigest } from './raw-digest.js'
import { findResyncDuplicate } from './resync-dedupe.js'

/** A message on the server that can be read again, as often as needed (IMAP download(), POP3 RETR). */
export interface RawSource {
  /** A new stream of the message's exact bytes; null when the message is gone from the server. */
  open(): Promise<Readable | null>
}

/**
 * Stores a message without parsing its body and without holding it in memory (too large, or poison): a first
 * read hashes it (its id derives from the bytes, message-id.ts) and keeps its first HEAD_BYTES; a second read
 * streams it into `message.eml` (ObjectStore.putStream) and must give the same bytes, or nothing is placed and
 * RawChangedError is thrown; then its header-only document with `parseError`, and its fingerprint.
 * Memory: HEAD_BYTES plus the streams' buffers. Returns null when the message is gone from the server; a
 * prepared duplicate (nothing written) when it is already stored. Throws on store or read errors.
 */
export async function storeRawOnly(
  deps: Deps,
  mailbox: string,
  source: RawSource,
  msg: Omit<FetchedMessage, 'raw'>,
  parseError: string,
): Promise<PreparedMessage | null> {
  const first = await source.open()
  if (!first) return null
  const digest = await digestStream(first, HEAD_BYTES)
  const id = inboundMessageIdOfDigest(digest.sha256)
  const keys = inboundMessageKeys(mailbox, id)
  const base = { id, eventId: webhookEventId(mailbox, 'message.received', id), folder: msg.folder }
  const marker = await readMarker(deps, mailbox, id)
  if (marker) return { ...base, marker, parseError: null }
  const document = await headerOnlyDocument(digest.head, digest, { id, mailbox, receivedAt: msg.receivedAt }, parseError)
  const duplicateOf = msg.resync ? await findResyncDuplicate(deps, mailbox, id, document) : null
  if (duplicateOf) return { ...base, marker: null, parseError: null, duplicateOf }

  const second = await source.open()
  if (!second) return null
  const checked = expectDigest(digest)
  pipeline(second, checked, () => {}) // an error of either reaches the store through `checked`
  await deps.store.putStream(keys.raw, checked, { contentType: 'message/rfc822' })
  await Promise.all([putJson(deps.store, keys.doc, document), writeLookups(deps, mailbox, id, document)])
  return { ...base, marker: null, parseError }
}
