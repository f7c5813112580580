import type { InboundSettings } from '../config/inbound-settings.js'
import type { Attachment, InboundMessage } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import type { ObjectStore } from '../store/object-store.js'
import type { OutboxRecord } from './outbox.js'

/** An attachment as a webhook carries it: always a presigned URL, plus base64 `content` when small enough. */
export type WebhookAttachment = Attachment & { url: string; content?: string }

/** Parts dropped to fit `maxPayloadBytes`, largest first, and where the whole document is. */
export interface Truncation {
  /** JSON paths under `data`, e.g. `message.html`, `message.attachments[2].content`. */
  fields: string[]
  /** Presigned URL of the stored JSON document. */
  messageUrl: string
}

/** Body of a Standard Webhooks request: `{ type, timestamp, data }`. */
export interface WebhookPayload {
  type: OutboxRecord['type']
  /** ISO 8601 UTC, when the event was recorded. */
  timestamp: string
  data: Record<string, unknown>
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '')

/**
 * Drops the largest droppable parts of a `message.received` payload until its JSON is at most `maxBytes`:
 * `html`, `text`, `textReply` (to null), `headers` (to []), inlined attachment `content`, and last the
 * attachment list itself. Returns the dropped paths in order (empty when it fit). Mutates `payload`.
 */
export function fitPayload(payload: WebhookPayload, maxBytes: number): string[] {
  const dropped: string[] = []
  const message = payload.data.message as Record<string, unknown> | undefined
  if (!message) return dropped
  const attachments = () => (Array.isArray(message.attachments) ? (message.attachments as WebhookAttachment[]) : [])
  while (bytes(payload) > maxBytes) {
    const candidates: { path: string; size: number; drop(): void }[] = []
    for (const f of ['html', 'text', 'textReply'] as const) {
      if (typeof message[f] === 'string') candidates.push({ path: `message.${f}`, size: bytes(message[f]), drop: () => (message[f] = null) })
    }
    if (Array.isArray(message.headers) && message.headers.length)
      candidates.push({ path: 'message.headers', size: bytes(message.headers), drop: () => (message.headers = []) })
    attachments().forEach((a, i) => {
      if (a.content !== undefined) candidates.push({ path: `message.attachments[${i}].content`, size: bytes(a.content), drop: () => delete a.content })
    })
    if (!candidates.length && attachments().length)
      candidates.push({ path: 'message.attachments', size: bytes(message.attachments), drop: () => (message.attachments = []) })
    if (!candidates.length) break
    const largest = candidates.reduce((a, b) => (b.size > a.size ? b : a))
    largest.drop()
    dropped.push(largest.path)
  }
  return dropped
}

/**
 * Builds the JSON body of one event. `message.received` carries the stored document with presigned URLs for it,
 * the raw `.eml` and each attachment (inlined as base64 up to `inlineAttachmentMaxBytes`), cut down to
 * `maxPayloadBytes` (see fitPayload) with `truncated` saying what went. Throws when the stored JSON is missing.
 */
export async function buildPayload(store: ObjectStore, settings: InboundSettings, record: OutboxRecord): Promise<string> {
  const base = { type: record.type, timestamp: record.createdAt }
  if (record.type === 'mailbox.reset') {
    return JSON.stringify({ ...base, data: { mailbox: record.mailbox, sequence: record.sequence, ...record.data } })
  }
  const ref = record.data
  const doc = await getJson<InboundMessage>(store, ref.docKey)
  if (!doc) throw new Error(`stored message JSON ${ref.docKey} is missing`)
  const ttl = settings.urlExpiresInS
  const attachments: WebhookAttachment[] = []
  for (const a of doc.value.attachments) {
    const out: WebhookAttachment = { ...a, url: await store.urlFor(a.key, ttl) }
    if (settings.inlineAttachmentMaxBytes > 0 && a.size <= settings.inlineAttachmentMaxBytes) {
      const obj = await store.get(a.key)
      if (obj) out.content = obj.body.toString('base64')
    }
    attachments.push(out)
  }
  const messageUrl = await store.urlFor(ref.docKey, ttl)
  const payload: WebhookPayload = {
    ...base,
    data: {
      mailbox: record.mailbox,
      sequence: record.sequence,
      folder: ref.folder,
      parseError: ref.parseError,
      messageUrl,
      rawUrl: await store.urlFor(ref.rawKey, ttl),
      truncated: null,
      message: { ...doc.value, attachments },
    },
  }
  const dropped = fitPayload(payload, settings.maxPayloadBytes - 512)
  if (dropped.length) payload.data.truncated = { fields: dropped, messageUrl } satisfies Truncation
  return JSON.stringify(payload)
}
