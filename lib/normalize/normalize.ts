import { createHash } from 'node:crypto'
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'
import {
  INBOUND_SCHEMA_VERSION,
  type Address,
  type Attachment,
  type HeaderField,
  type InboundMessage,
} from './inbound-message.js'

/**
 * What the poller knows about a message that is not in its bytes.
 * - `id`: Postern id of the message (also the last-resort `threadId`).
 * - `mailbox`: configured mailbox id.
 * - `receivedAt`: when it was fetched, ISO 8601.
 * - `attachmentKey(attachmentId, safeFilename)`: the object key the caller will store that attachment under;
 *   it is written into the document as `attachments[].key`. `safeFilename` is already safe for keys.
 */
export interface NormalizeContext {
  id: string
  mailbox: string
  receivedAt: string
  attachmentKey: (attachmentId: string, safeFilename: string) => string
}

/** One attachment's decoded bytes plus the metadata that is in the document (same `id`, `key`, `sha256`...). */
export interface NormalizedAttachment extends Attachment {
  content: Buffer
}

export interface NormalizeResult {
  document: InboundMessage
  /** Same order as `document.attachments`; the caller stores each `content` at its `key`. */
  attachments: NormalizedAttachment[]
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/**
 * Turns the raw bytes of one message (RFC 5322 / MIME) into the inbound document (lib/normalize/inbound-message.ts)
 * and the decoded attachments.
 *
 * Never throws for bad mail: a message mailparser cannot fully parse yields a document with what could be read
 * (raw size and sha256, the header block) plus `parseError`. Buffers the whole message and every attachment
 * in memory (mailparser's simpleParser).
 */
export async function normalizeMessage(raw: Buffer, ctx: NormalizeContext): Promise<NormalizeResult> {
  let parsed: ParsedMail | null = null
  let parseError: string | null = null
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, keepCidLinks: true })
  } catch (err) {
    parseError = err instanceof Error ? err.message : String(err)
  }
  const headers: HeaderField[] = parsed
    ? parsed.headerLines.map((h) => ({ name: h.key, value: h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim() }))
    : []
  const attachments: NormalizedAttachment[] = (parsed?.attachments ?? []).map((a, i) => {
    const id = `att-${i + 1}`
    const safeFilename = (a.filename ?? `attachment-${i + 1}`).replace(/[\x00-\x1f\x7f/\\]/g, '_').replace(/\.\.+/g, '_').slice(0, 100)
    return {
      id,
      filename: a.filename ?? null,
      safeFilename,
      contentType: a.contentType,
      size: a.content.length,
      sha256: sha256(a.content),
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      disposition: a.contentDisposition === 'attachment' || a.contentDisposition === 'inline' ? a.contentDisposition : null,
      key: ctx.attachmentKey(id, safeFilename),
      message: null,
      content: a.content,
    }
  })
  const list = (v: AddressObject | AddressObject[] | undefined): Address[] =>
    (Array.isArray(v) ? v : v ? [v] : []).flatMap((o) => o.value.map((a) => ({ name: a.name ?? '', address: a.address ?? '', group: null })))
  const messageId = parsed?.messageId ?? null
  const references = parsed?.references ? ([] as string[]).concat(parsed.references) : []
  const inReplyTo = parsed?.inReplyTo ?? null
  const document: InboundMessage = {
    schemaVersion: INBOUND_SCHEMA_VERSION,
    id: ctx.id,
    mailbox: ctx.mailbox,
    receivedAt: ctx.receivedAt,
    size: raw.length,
    sha256: sha256(raw),
    date: parsed?.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
    dateHeader: headers.find((h) => h.name === 'date')?.value ?? null,
    messageId,
    inReplyTo,
    references,
    threadId: references[0] ?? inReplyTo ?? messageId ?? ctx.id,
    from: list(parsed?.from),
    sender: null,
    replyTo: list(parsed?.replyTo),
    to: list(parsed?.to),
    cc: list(parsed?.cc),
    bcc: list(parsed?.bcc),
    subject: parsed?.subject ?? null,
    text: parsed?.text ?? null,
    textSource: parsed?.text ? 'plain' : null,
    textReply: parsed?.text ?? null,
    html: parsed?.html || null,
    headers,
    attachments: attachments.map(({ content: _content, ...meta }) => meta),
    autoReply: false,
    autoReplyReasons: [],
    dsn: null,
    warnings: [],
    parseError,
  }
  return { document, attachments }
}
