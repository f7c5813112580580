import { createHash } from 'node:crypto'
import { safeFilename } from './attachment-names.js'
import { createBreather, type Breather } from './breather.js'
import { detectAutoReply } from './auto-reply.js'
import { decodeBytes, decodeUtf8Lenient } from './charsets.js'
import { parseDate } from './dates.js'
import { parseDeliveryStatus } from './dsn.js'
import { HeaderFields, summarizeEmbedded } from './header-fields.js'
import { INBOUND_SCHEMA_VERSION, type Attachment, type BodyPart, type Dsn, type HeaderField, type InboundMessage, type Warning } from './inbound-message.js'
import { readMessageBody, type BodyFile } from './message-body.js'
import { readMimeTree } from './mime-tree.js'
import { readHeaderBlock } from './raw-headers.js'
import { extractTextReply } from './text-reply.js'

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

/** Fields RFC 5322 §3.6 and RFC 2045 allow once; a second one is reported (the first is used, as mail clients do). */
const SINGLE = [
  'date',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
  'content-type',
  'content-transfer-encoding',
]

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** SHA-256 (hex) of a large buffer 1 MiB at a time, breathing between slices (about 3 ms a MiB here). */
async function sha256Breathing(b: Buffer, breathe: Breather): Promise<string> {
  const hash = createHash('sha256')
  for (let i = 0; i < b.length; i += 1 << 20) {
    hash.update(b.subarray(i, i + (1 << 20)))
    await breathe()
  }
  return hash.digest('hex')
}
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)) || 'unknown error'
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global'])
const HEADERS_TYPES = new Set(['text/rfc822-headers', 'message/global-headers'])
const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status'])

/**
 * Turns the raw bytes of one message (RFC 5322 / MIME) into the inbound document (lib/normalize/inbound-message.ts,
 * described field by field in docs/inbound-message.md) and the decoded attachments.
 *
 * One pass over the bytes, in memory: the MIME tree is read by mime-tree.ts (each multipart body searched for its
 * own delimiters with Buffer.indexOf, bodies kept as views of `raw`), then each leaf is decoded once
 * (message-body.ts): transfer encoding, charset, format=flowed. Header fields (subject, addresses, ids, date) come
 * from the top-level header block, so they are there even when the body cannot be read.
 *
 * Never throws for bad mail: broken structure is recovered where it can be and reported in `warnings`; a message
 * over MAX_MIME_PARTS parts keeps its first parts and gets `parseError`; an unexpected failure yields a document
 * with what could be read (raw size and sha256, the header block) plus `parseError`. Yields to the event loop
 * between parts. Memory: the decoded attachments and texts are held at once, each once, plus at most one part's
 * encoded text as a string; one 25 MiB attachment (34 MiB raw) adds about 35 MiB (bench/normalize-memory.ts).
 */
export async function normalizeMessage(raw: Buffer, ctx: NormalizeContext): Promise<NormalizeResult> {
  try {
    return await normalizeParts(raw, ctx)
  } catch (err) {
    return { document: fallbackDocument(raw, ctx, `normalize failed: ${errorText(err)}`), attachments: [] }
  }
}

/** The fields every document has, parsed or not: version, ids, and the raw message's size (bytes) and SHA-256. */
const identity = (raw: Buffer, ctx: NormalizeContext, rawSha256 = sha256(raw)) => ({
  schemaVersion: INBOUND_SCHEMA_VERSION,
  id: ctx.id,
  mailbox: ctx.mailbox,
  receivedAt: ctx.receivedAt,
  size: raw.length,
  sha256: rawSha256,
})

/** The document for a message that could not be normalized at all: sizes, checksum, what headers can be read. */
function fallbackDocument(raw: Buffer, ctx: NormalizeContext, parseError: string): InboundMessage {
  let fields: HeaderField[] = []
  try {
    fields = readHeaderBlock(raw).fields.map((f) => ({ name: f.name, value: decodeUtf8Lenient(f.value) }))
  } catch {
    // Nothing readable: the document still carries the size, checksum and the error.
  }
  const first = (name: string) => fields.find((f) => f.name === name)?.value ?? null
  return {
    ...identity(raw, ctx),
    date: null,
    dateHeader: first('date'),
    messageId: null,
    inReplyTo: null,
    references: [],
    threadId: ctx.id,
    from: [],
    sender: null,
    replyTo: [],
    to: [],
    cc: [],
    bcc: [],
    subject: first('subject'),
    text: null,
    textSource: null,
    textReply: null,
    html: null,
    bodyParts: [],
    headers: fields,
    attachments: [],
    autoReply: false,
    autoReplyReasons: [],
    dsn: null,
    report: null,
    warnings: [],
    parseError,
  }
}

async function normalizeParts(raw: Buffer, ctx: NormalizeContext): Promise<NormalizeResult> {
  const warnings: Warning[] = []
  const warn = (code: string, detail: string) => {
    if (!warnings.some((w) => w.code === code && w.detail === detail)) warnings.push({ code, detail })
  }
  const breathe = createBreather()
  const tree = readMimeTree(raw, null)
  for (const w of tree.warnings) warn(w.code, w.detail)
  const body = await readMessageBody(tree.root, warn, breathe)

  // Unlabelled 8-bit header bytes are most often in the charset the sender's client used for the body.
  const textCharset = (p: typeof tree.root): string | undefined =>
    p.type.startsWith('text/') && p.contentType?.params.charset ? p.contentType.params.charset : p.children.map(textCharset).find(Boolean)
  const bodyCharset = tree.root.contentType?.params.charset ?? textCharset(tree.root) ?? null
  const headers = new HeaderFields(tree.root.headers, bodyCharset, warn)
  for (const name of SINGLE) if (headers.count(name) > 1) warn('header-duplicated', name)

  const { attachments, bodyParts } = await fileParts(body.files, ctx, breathe)
  let dsn: Dsn | null = null
  const status = attachments.find((a) => DSN_TYPES.has(a.contentType))
  if (status) {
    dsn = parseDeliveryStatus(decodeUtf8Lenient(status.content))
    const returned = attachments.find((a) => MESSAGE_TYPES.has(a.contentType) || HEADERS_TYPES.has(a.contentType))
    if (dsn && returned) dsn.originalMessageId = (returned.message ?? summarizeEmbedded(returned.content)).messageId
  }

  const dateHeader = headers.first('date')
  const date = dateHeader === null ? null : parseDate(dateHeader)
  if (dateHeader === null) warn('date-missing', '')
  else if (date === null) warn('date-unparseable', dateHeader)
  const messageId = headers.messageIds('message-id')[0] ?? null
  if (messageId === null) warn('message-id-missing', '')
  const inReplyTo = headers.messageIds('in-reply-to')[0] ?? null
  const references = headers.messageIds('references')
  const autoReplyReasons = detectAutoReply(headers.fields)

  const document: InboundMessage = {
    ...identity(raw, ctx, await sha256Breathing(raw, breathe)),
    date,
    dateHeader,
    messageId,
    inReplyTo,
    references,
    threadId: references[0] ?? inReplyTo ?? messageId ?? ctx.id,
    from: headers.addresses('from'),
    sender: headers.addresses('sender')[0] ?? null,
    replyTo: headers.addresses('reply-to'),
    to: headers.addresses('to'),
    cc: headers.addresses('cc'),
    bcc: headers.addresses('bcc'),
    subject: headers.first('subject'),
    text: body.text,
    textSource: body.textSource,
    textReply: extractTextReply(body.text),
    html: body.html,
    bodyParts,
    headers: headers.fields,
    attachments: attachments.map(({ content: _content, ...meta }) => meta),
    autoReply: autoReplyReasons.length > 0,
    autoReplyReasons,
    dsn,
    report: null,
    warnings,
    parseError: tree.error,
  }
  return { document, attachments }
}

/**
 * Files become attachments (ids `att-<n>` in MIME order, keys from `ctx`), except an inline text part that is
 * neither plain nor HTML and names no file (a calendar invitation, text/watch-html): that is a body part.
 */
async function fileParts(files: BodyFile[], ctx: NormalizeContext, breathe: Breather): Promise<{ attachments: NormalizedAttachment[]; bodyParts: BodyPart[] }> {
  const attachments: NormalizedAttachment[] = []
  const bodyParts: BodyPart[] = []
  for (const { part, content, filename, contentType, contentId } of files) {
    const disposition = part.disposition?.value ?? null
    if (contentType.startsWith('text/') && !HEADERS_TYPES.has(contentType) && disposition === null && !filename) {
      const params = { ...(part.contentType?.params ?? {}) }
      bodyParts.push({ contentType, params, text: decodeBytes(content, params.charset).text })
      continue
    }
    const n = attachments.length + 1
    const id = `att-${n}`
    const safe = safeFilename(filename, n, contentType)
    attachments.push({
      id,
      filename,
      safeFilename: safe,
      contentType,
      size: content.length,
      sha256: await sha256Breathing(content, breathe),
      contentId,
      disposition: disposition === null ? null : disposition === 'inline' ? 'inline' : 'attachment',
      key: ctx.attachmentKey(id, safe),
      message: MESSAGE_TYPES.has(contentType) ? summarizeEmbedded(content) : null,
      content,
    })
  }
  return { attachments, bodyParts }
}
