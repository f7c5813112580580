import type { Deps } from '../deps.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { getJson, putJson } from '../store/json.js'
import { inboundFingerprintKey } from '../store/keys.js'
import { messageFingerprint } from './fingerprint.js'
import { readMarker, type StoredMarker } from './ingest.js'

/**
 * Records that the message `id` carries the document's fingerprint (Message-ID + Date + From), for
 * findResyncDuplicate after a later UIDVALIDITY reset. No write when the message has no fingerprint. Not fsync'd:
 * losing it to a power failure costs at most one duplicate event after a reset.
 */
export async function writeFingerprint(deps: Deps, mailbox: string, id: string, document: InboundMessage): Promise<void> {
  const fingerprint = messageFingerprint(document)
  if (fingerprint) await putJson(deps.store, inboundFingerprintKey(mailbox, fingerprint), { id }, { durable: false })
}

/**
 * After a UIDVALIDITY reset a server may hand back stored mail with changed bytes (a header added), so a new id.
 * Returns the stored message with the same fingerprint (and its marker) when there is one with another id;
 * null otherwise. PITFALLS "IMAP": dedupe by Message-ID as well as by content hash.
 */
export async function findResyncDuplicate(
  deps: Deps,
  mailbox: string,
  id: string,
  document: InboundMessage,
): Promise<{ id: string; marker: StoredMarker } | null> {
  const fingerprint = messageFingerprint(document)
  if (!fingerprint) return null
  const entry = (await getJson<{ id: string }>(deps.store, inboundFingerprintKey(mailbox, fingerprint)))?.value
  if (!entry || entry.id === id) return null
  const marker = await readMarker(deps, mailbox, entry.id)
  return marker ? { id: entry.id, marker } : null
}
