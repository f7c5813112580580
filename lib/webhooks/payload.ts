import type { InboundSettings } from '../config/inbound-settings.js'
import type { EventType } from '../events/event-types.js'
import type { MessageReceivedRef } from '../events/inbound-events.js'
import { mailboxOf, type EventRecord } from '../events/outbox.js'
import type { Attachment, InboundMessage } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import type { ObjectStore } from '../store/object-store.js'

/** An attachment as a webhook carries it: always a URL, plus base64 `content` when small enough. */
export type WebhookAttachment = Attachment & { url: string; content?: string }

/** Parts dropped to fit `maxPayloadBytes`, largest first, and where the whole document is. */
export interface Truncation {
  /** JSON paths under `data`, e.g. `message.html`, `message.attachments[2].content`. */
  fields: string[]
  /** URL of the stored JSON document. */
  messageUrl: string
}

/** Body of a Standard Webhooks request: `{ type, timestamp, data }`. */
export interface WebhookPayload {
  type: EventType
  /** ISO 8601 UTC, when the event was recorded. */
  timestamp: string
  data: Record<string, unknown>
}

/** The stored objects a payload may point at, and how to read them. */
export interface PayloadSources {
  store: ObjectStore
  /** A URL that reads the object at `key` for `expiresInS` seconds without credentials (ObjectStore.urlFor). */
  urlFor(key: string, expiresInS: number): Promise<string>
}

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '')

/** Bytes `,"content":"<base64>"` adds to an attachment for `size` decoded bytes (base64: 4 characters per 3 bytes). */
const inlinedBytes = (size: number) => 13 + 4 * Math.ceil(size / 3)

/**
 * Drops the largest droppable parts of a `message.received` payload until its JSON is at most `maxBytes`:
 * `html`, `text`, `textReply` (to null), `headers` (to []), inlined attachment `content`, and last the attachment
 * list itself. `pending` are attachments (by index) whose content is not there yet but will be inlined unless
 * dropped, with their decoded size: they count as if present, and cost nothing to drop. Returns the dropped paths in
 * order (empty when it fit). Mutates `payload`.
 *
 * Linear in the payload's size: each part is measured once and the total is kept by subtraction (a part's saving
 * is exact: JSON escapes are ASCII), so thousands of attachments cost one pass, not one serialisation each.
 */
export function fitPayload(payload: WebhookPayload, maxBytes: number, pending: Map<number, number> = new Map()): string[] {
  const message = payload.data.message as Record<string, unknown> | undefined
  let total = jsonBytes(payload)
  for (const size of pending.values()) total += inlinedBytes(size)
  if (!message || total <= maxBytes) return []
  const attachments = Array.isArray(message.attachments) ? (message.attachments as WebhookAttachment[]) : []
  const candidates: { path: string; saving: number; drop(): void }[] = []
  for (const f of ['html', 'text', 'textReply'] as const) {
    const v = message[f]
    if (typeof v === 'string') candidates.push({ path: `message.${f}`, saving: jsonBytes(v) - 4, drop: () => (message[f] = null) })
  }
  if (Array.isArray(message.headers) && message.headers.length) {
    candidates.push({ path: 'message.headers', saving: jsonBytes(message.headers) - 2, drop: () => (message.headers = []) })
  }
  attachments.forEach((a, i) => {
    const path = `message.attachments[${i}].content`
    // `content` is the last key of each attachment (buildPayload), so dropping it removes `,"content":"..."`.
    if (a.content !== undefined) candidates.push({ path, saving: jsonBytes(a.content) + 11, drop: () => delete a.content })
    else if (pending.has(i)) candidates.push({ path, saving: inlinedBytes(pending.get(i)!), drop: () => pending.delete(i) })
  })
  // Largest first; a stable sort keeps document order among equals.
  candidates.sort((a, b) => b.saving - a.saving)
  const dropped: string[] = []
  for (const c of candidates) {
    if (total <= maxBytes) break
    c.drop()
    total -= c.saving
    dropped.push(c.path)
  }
  if (total > maxBytes && attachments.length) {
    for (const a of attachments) delete a.content
    pending.clear()
    message.attachments = []
    dropped.push('message.attachments')
  }
  return dropped
}

/**
 * The Standard Webhooks body of one event: `{ type, timestamp, data }`. `message.received` carries the stored
 * document with URLs for it, the raw `.eml` and each attachment (inlined as base64 up to
 * `inlineAttachmentMaxBytes`), cut down to `maxPayloadBytes` (fitPayload) with `truncated` saying what went;
 * other events carry their recorded data and `sequence`.
 * @throws Error when a `message.received` event's stored JSON is missing.
 */
export async function buildPayload(src: PayloadSources, settings: InboundSettings, record: EventRecord): Promise<WebhookPayload> {
  const base = { type: record.type, timestamp: record.createdAt }
  if (record.type !== 'message.received') {
    const mailbox = mailboxOf(record)
    return { ...base, data: { ...(mailbox ? { mailbox } : {}), sequence: record.sequence, ...(record.data as object) } }
  }
  const ref = record.data as MessageReceivedRef
  const doc = await getJson<InboundMessage>(src.store, ref.docKey)
  if (!doc) throw new Error(`stored message JSON ${ref.docKey} is missing`)
  const ttl = settings.urlExpiresInS
  const attachments: WebhookAttachment[] = []
  // Contents are read only for the attachments that stay inlined once the payload fits (fitPayload's `pending`).
  const pending = new Map<number, number>()
  for (const [i, a] of doc.value.attachments.entries()) {
    attachments.push({ ...a, url: await src.urlFor(a.key, ttl) })
    if (settings.inlineAttachmentMaxBytes > 0 && a.size <= settings.inlineAttachmentMaxBytes) pending.set(i, a.size)
  }
  const messageUrl = await src.urlFor(ref.docKey, ttl)
  const payload: WebhookPayload = {
    ...base,
    data: {
      mailbox: mailboxOf(record),
      sequence: record.sequence,
      folder: ref.folder,
      parseError: ref.parseError,
      messageUrl,
      rawUrl: await src.urlFor(ref.rawKey, ttl),
      truncated: null,
      message: { ...doc.value, attachments },
    },
  }
  const dropped = fitPayload(payload, settings.maxPayloadBytes - 512, pending)
  const kept = (payload.data.message as { attachments: WebhookAttachment[] }).attachments
  for (const i of pending.keys()) {
    const obj = await src.store.get(kept[i].key)
    if (obj) kept[i].content = obj.body.toString('base64')
  }
  if (dropped.length) payload.data.truncated = { fields: dropped, messageUrl } satisfies Truncation
  return payload
}
