import type { Deps } from '../deps.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import { inboundIndexKeys, inboundMessageKeys } from '../store/keys.js'

/** Where a received message is: its mailbox and id. */
export interface InboundRef {
  mailbox: string
  id: string
}

const INBOUND_ID = /^m[0-9a-f]{32}$/
/** lib/config/mailbox.ts ResourceId. */
const MAILBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

/**
 * Finds a message by id. With `mailbox`, that mailbox without a read: the object read next says whether it is
 * there (a webhook consumer may fetch before the stored marker lands, right after the event). Without, the first
 * mailbox (by name) holding it fully stored, its marker written (the same bytes in two mailboxes share an id): 1
 * list and 1 read per mailbox looked at. Null when no mailbox holds it.
 */
export async function findInbound(deps: Pick<Deps, 'store'>, id: string, mailbox?: string): Promise<InboundRef | null> {
  if (!INBOUND_ID.test(id)) return null
  if (mailbox !== undefined) return MAILBOX_ID.test(mailbox) ? { mailbox, id } : null
  const prefix = inboundIndexKeys.idPrefix(id)
  for (const key of await deps.store.list(prefix)) {
    const box = key.slice(prefix.length)
    if (MAILBOX_ID.test(box) && (await deps.store.get(inboundMessageKeys(box, id).stored))) return { mailbox: box, id }
  }
  return null
}

/** The stored JSON document's bytes (lib/normalize/inbound-message.ts), or null when missing. */
export async function readInboundDocument(deps: Pick<Deps, 'store'>, ref: InboundRef): Promise<Buffer | null> {
  return (await deps.store.get(inboundMessageKeys(ref.mailbox, ref.id).doc))?.body ?? null
}

/** The raw message, byte-exact as fetched, or null when missing. */
export async function readInboundRaw(deps: Pick<Deps, 'store'>, ref: InboundRef): Promise<Buffer | null> {
  return (await deps.store.get(inboundMessageKeys(ref.mailbox, ref.id).raw))?.body ?? null
}

/** An attachment's decoded bytes with what the document says of it. */
export interface InboundAttachment {
  body: Buffer
  /** As the part declares it, lower-cased, without parameters (not checked: the HTTP layer does). */
  contentType: string
  /** The name the sender gave, decoded, or null. */
  filename: string | null
  /** A name safe in paths (normalizer `safeFilename`). */
  safeFilename: string
}

/** An attachment of a stored message by its id (`att-<n>`); null when the message or the attachment is missing. */
export async function readInboundAttachment(deps: Pick<Deps, 'store'>, ref: InboundRef, attachmentId: string): Promise<InboundAttachment | null> {
  const doc = await getJson<InboundMessage>(deps.store, inboundMessageKeys(ref.mailbox, ref.id).doc)
  const att = doc?.value.attachments.find((a) => a.id === attachmentId)
  if (!att) return null
  const obj = await deps.store.get(att.key)
  return obj && { body: obj.body, contentType: att.contentType, filename: att.filename ?? null, safeFilename: att.safeFilename }
}
