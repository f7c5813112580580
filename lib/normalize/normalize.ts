import { createHash } from 'node:crypto'
import { htmlToText } from 'html-to-text'
import type { MailParserOptions } from 'mailparser'
import { parseAddressList } from './addresses.js'
import { safeFilename } from './attachment-names.js'
import { detectAutoReply } from './auto-reply.js'
import { decodeBytes, decodeHeaderBytes, decodeUtf8Lenient, isUtf8, resolveCharset } from './charsets.js'
import { parseDate } from './dates.js'
import { parseDeliveryStatus } from './dsn.js'
import { decodeEncodedWords } from './encoded-words.js'
import { parseStructuredHeader, type StructuredHeader } from './header-params.js'
import {
  INBOUND_SCHEMA_VERSION,
  type Address,
  type Attachment,
  type BodyPart,
  type Dsn,
  type EmbeddedMessage,
  type HeaderField,
  type InboundMessage,
  type Warning,
} from './inbound-message.js'
import { charsetDecoderClass } from './mailparser-iconv.js'
import { parseMessageIds } from './message-ids.js'
import { readMimeStructure, type MimePart } from './mime-structure.js'
import { parseMail, type ParsedBodies } from './parse-mail.js'
import { readHeaderBlock, type RawHeader } from './raw-headers.js'
import { extractTextReply } from './text-reply.js'
import { UUENCODE_CTES, uudecode } from './uuencode.js'

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

/** mailparser/mailsplit options: a message/rfc822 part stays one attachment, never merged into the body. */
const SPLIT = { ignoreEmbedded: true }

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
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)) || 'unknown error'
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global'])
const HEADERS_TYPES = new Set(['text/rfc822-headers', 'message/global-headers'])
const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status'])

/** Decodes a body's Content-Transfer-Encoding (RFC 2045 §6): base64, quoted-printable, else the bytes as they are. */
function decodeTransfer(body: Buffer, encoding: string): Buffer {
  const cte = encoding.trim().toLowerCase()
  if (cte === 'base64') return Buffer.from(body.toString('latin1'), 'base64')
  if (cte !== 'quoted-printable') return body
  // Trailing whitespace on an encoded line is transport padding (RFC 2045 §6.7 rule 3); `=` at a line end is a soft break.
  const s = body
    .toString('latin1')
    .replace(/[ \t]+(?=\r?\n)/g, '')
    .replace(/=\r?\n/g, '')
  return Buffer.from(
    s.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  )
}

const firstHeader = (part: MimePart, name: string) => part.headers.find((h) => h.name === name)?.value.toString('latin1') ?? ''

/** At least the decoded size of a part's body: base64 gives 3 bytes for 4, quoted-printable at most 1 for 1. */
function decodedSizeBound(part: MimePart): number {
  const cte = firstHeader(part, 'content-transfer-encoding').trim().toLowerCase()
  return cte === 'base64' ? Math.ceil(part.bodySize / 4) * 3 : part.bodySize
}

/** A text/plain or text/html part, not marked attachment, that names a file: body text, and listed as a file too. */
const isNamedInlineText = (p: MimePart) =>
  (p.contentType?.value === 'text/plain' || p.contentType?.value === 'text/html') &&
  p.disposition?.value !== 'attachment' &&
  Boolean(p.disposition?.params.filename || p.contentType?.params.name)

/** An inline text/plain or text/html part that mailparser reads as UTF-8 itself (label utf-8, us-ascii or none). */
const isUtf8Text = (p: MimePart) =>
  (p.contentType === null || p.contentType.value === 'text/plain' || p.contentType.value === 'text/html') &&
  p.disposition?.value !== 'attachment' &&
  resolveCharset(p.contentType?.params.charset) === 'utf-8'

/**
 * mailparser decodes parts labelled UTF-8 (or US-ASCII) itself, turning invalid bytes into U+FFFD (Windows Live
 * Mail sends latin1 under a UTF-8 label). For each such part whose bytes are not UTF-8, its text is swapped for
 * the lenient reading (UTF-8, windows-1252 for the stray bytes). Parts with format=flowed are left as they are.
 */
function repairUtf8Parts(parts: MimePart[], body: string | null): string | null {
  if (body === null || !body.includes('\ufffd')) return body
  for (const p of parts) {
    if (p.body === null || !isUtf8Text(p) || p.contentType?.params.format?.toLowerCase() === 'flowed') continue
    const bytes = decodeTransfer(p.body, firstHeader(p, 'content-transfer-encoding'))
    if (isUtf8(bytes)) continue
    const strict = bytes.toString('utf8').replace(/\r?\n/g, '\n')
    if (body.includes(strict)) body = body.replace(strict, () => decodeUtf8Lenient(bytes).replace(/\r?\n/g, '\n'))
  }
  return body
}

const textFromHtml = (html: string) => {
  try {
    return htmlToText(html, { wordwrap: false, limits: { maxDepth: 1000 } }).trim()
  } catch {
    return ''
  }
}

/** The header fields of a message, decoded for reading, plus the lookups the document needs. */
class Headers {
  readonly fields: HeaderField[]
  private readonly raw: RawHeader[]
  private readonly texts: string[]
  constructor(raw: RawHeader[], fallbackCharset: string | null, onUnknownCharset: (label: string) => void) {
    this.raw = raw
    // Bytes first (UTF-8, else the body charset, else windows-1252); encoded-words are decoded after.
    this.texts = raw.map((f) => decodeHeaderBytes(f.value, fallbackCharset))
    this.fields = raw.map((f, i) => ({ name: f.name, value: decodeEncodedWords(this.texts[i], onUnknownCharset) }))
  }
  /** Decoded value of the first field with this name, or null. */
  first(name: string): string | null {
    return this.fields.find((f) => f.name === name)?.value ?? null
  }
  /** Raw-decoded text (encoded-words not decoded) of the first field with this name, or null. */
  firstText(name: string): string | null {
    const i = this.raw.findIndex((f) => f.name === name)
    return i < 0 ? null : this.texts[i]
  }
  count(name: string): number {
    return this.raw.filter((f) => f.name === name).length
  }
  addresses(name: string): Address[] {
    const text = this.firstText(name)
    return text === null ? [] : parseAddressList(text)
  }
  messageIds(name: string): string[] {
    const text = this.firstText(name)
    return text === null ? [] : parseMessageIds(text)
  }
}

/** Subject, From, Message-ID and Date of an enclosed message, from its header block alone. */
function summarizeEmbedded(content: Buffer): EmbeddedMessage {
  const h = new Headers(readHeaderBlock(content).fields, null, () => {})
  const date = h.first('date')
  return { subject: h.first('subject'), from: h.addresses('from'), messageId: h.messageIds('message-id')[0] ?? null, date: date ? parseDate(date) : null }
}

/**
 * Turns the raw bytes of one message (RFC 5322 / MIME) into the inbound document (lib/normalize/inbound-message.ts,
 * described field by field in docs/inbound-message.md) and the decoded attachments.
 *
 * Header fields (subject, addresses, ids, date) come from Postern's own reading of the header block, so they are
 * there even when the MIME body cannot be parsed; bodies and attachments come from mailparser, with the MIME
 * tree read by mailsplit for what mailparser does not report (declared types, dispositions, RFC 2231 names).
 *
 * Never throws for bad mail: a message mailparser cannot fully parse yields a document with what could be read
 * (raw size and sha256, the header block) plus `parseError`. Memory: see parse-mail.ts; every decoded attachment
 * and the text parts are held at once, each attachment once. One 25 MiB attachment (34 MiB raw) takes 0.6 s and
 * stays within bench/normalize-memory.ts's own peak; 50 MiB (68 MiB raw) adds 11-13 MiB to it; the whole ingest
 * of the 34 MB message adds about 60 MB over idle. Budget 3x the raw size (docs/inbound-message.md).
 */
export async function normalizeMessage(raw: Buffer, ctx: NormalizeContext): Promise<NormalizeResult> {
  try {
    return await normalizeParts(raw, ctx)
  } catch (err) {
    return { document: fallbackDocument(raw, ctx, `normalize failed: ${errorText(err)}`), attachments: [] }
  }
}

/** The fields every document has, parsed or not: version, ids, and the raw message's size (bytes) and SHA-256. */
const identity = (raw: Buffer, ctx: NormalizeContext) => ({
  schemaVersion: INBOUND_SCHEMA_VERSION,
  id: ctx.id,
  mailbox: ctx.mailbox,
  receivedAt: ctx.receivedAt,
  size: raw.length,
  sha256: sha256(raw),
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
    warnings: [],
    parseError,
  }
}

async function normalizeParts(raw: Buffer, ctx: NormalizeContext): Promise<NormalizeResult> {
  const warnings: Warning[] = []
  const warn = (code: string, detail: string) => {
    if (!warnings.some((w) => w.code === code && w.detail === detail)) warnings.push({ code, detail })
  }
  const unknownCharset = (label: string) => warn('charset-unknown', label)
  const errors: string[] = []

  const block = readHeaderBlock(raw)
  const rootCtRaw = block.fields.find((f) => f.name === 'content-type')?.value ?? null
  const rootCt: StructuredHeader | null = rootCtRaw ? parseStructuredHeader(rootCtRaw) : null

  let parts: MimePart[] = []
  try {
    parts = await readMimeStructure(raw, SPLIT, rootCt?.params.charset ?? null, (p) => isNamedInlineText(p) || isUtf8Text(p))
  } catch (err) {
    errors.push(errorText(err))
  }
  // Unlabelled 8-bit header bytes are most often in the charset the sender's client used for the body.
  const bodyCharset =
    rootCt?.params.charset ?? parts.find((p) => p.contentType?.value.startsWith('text/') && p.contentType.params.charset)?.contentType?.params.charset ?? null
  const headers = new Headers(block.fields, bodyCharset, unknownCharset)

  for (const name of SINGLE) if (headers.count(name) > 1) warn('header-duplicated', name)

  // mailparser's attachment buffers are sized from the mailsplit pass (parts), so none is collected twice.
  const sizeBounds = new Map(parts.map((p) => [p.partId, decodedSizeBound(p)]))
  let parsed: ParsedBodies | null = null
  try {
    const options: MailParserOptions = {
      ...SPLIT,
      keepDeliveryStatus: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      keepCidLinks: true,
      checksumAlgo: false, // attachments get their sha256 here; mailparser's MD5 would be a second pass
      Iconv: charsetDecoderClass(unknownCharset),
    } as MailParserOptions
    parsed = await parseMail(raw, options, (partId) => sizeBounds.get(partId))
  } catch (err) {
    errors.push(errorText(err))
  }

  let html: string | null = repairUtf8Parts(parts, parsed?.html || null)
  let text: string | null = repairUtf8Parts(parts, parsed?.text ?? null)
  let mpAttachments = parsed?.attachments ?? []
  const attachmentPartIds = new Set(mpAttachments.map((a) => a.partId ?? null))
  let hasPlain = parts.some(
    (p) =>
      (p.contentType?.value ?? (p.parentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain')) === 'text/plain' && !attachmentPartIds.has(p.partId),
  )

  // A single-part root that mailsplit misreads: a boundary parameter on a non-multipart type (it splits the body
  // anyway), or a type with no subtype (RFC 2045 §5.2: read as text/plain). Decode it here.
  let rootSelfDecoded = false
  const rootType = rootCt?.value ?? 'text/plain'
  if (rootCt && !rootType.startsWith('multipart/') && !rootType.startsWith('message/') && (rootCt.params.boundary !== undefined || !rootType.includes('/'))) {
    const type = rootType.includes('/') ? rootType : 'text/plain'
    if (type === 'text/plain' || type === 'text/html') {
      const bytes = decodeTransfer(raw.subarray(block.bodyOffset), headers.first('content-transfer-encoding') ?? '')
      const decoded = decodeBytes(bytes, rootCt.params.charset).text.replace(/\r\n/g, '\n')
      if (type === 'text/html') [html, text, hasPlain] = [decoded, null, false]
      else [html, text, hasPlain] = [null, decoded, true]
      mpAttachments = []
      rootSelfDecoded = true
    }
  }

  // Every part that leaves a file: mailparser's attachments, plus inline text parts that carry a file name (shown
  // as text and listed as a file, as mail clients do: mailparser #125), in MIME order.
  const order = new Map(parts.map((p, i) => [p.partId, i]))
  const partsById = new Map(parts.map((p) => [p.partId, p]))
  const files: Array<{ partId: string | null; content: Buffer; contentType?: string; filename?: string; disposition?: string; cid?: string }> = [
    ...mpAttachments.map((a) => ({
      partId: a.partId ?? null,
      content: a.content,
      contentType: a.contentType,
      filename: a.filename,
      disposition: a.contentDisposition,
      cid: a.cid,
    })),
    ...(rootSelfDecoded ? [] : parts)
      .filter((p) => p.body !== null && isNamedInlineText(p) && !attachmentPartIds.has(p.partId))
      .map((p) => ({ partId: p.partId, content: decodeTransfer(p.body!, firstHeader(p, 'content-transfer-encoding')) })),
  ].sort((a, b) => (order.get(a.partId) ?? 0) - (order.get(b.partId) ?? 0))

  const attachments: NormalizedAttachment[] = []
  const bodyParts: BodyPart[] = []
  for (const a of files) {
    const part = partsById.get(a.partId)
    const declared = part?.contentType?.value
    const contentType = (declared || a.contentType || 'application/octet-stream').toLowerCase()
    let filename = (part ? part.disposition?.params.filename || part.contentType?.params.name : a.filename) || null
    let content = a.content
    // mailparser passes x-uuencode bodies through undecoded (Eudora, Exchange 5.5).
    const uu = part && UUENCODE_CTES.has(firstHeader(part, 'content-transfer-encoding').trim().toLowerCase()) ? uudecode(content) : null
    if (uu) [content, filename] = [uu.content, filename ?? uu.name]
    const hasDisposition = part ? part.disposition !== null : Boolean(a.disposition)
    // An inline text part that is neither plain nor HTML (a calendar invitation, text/watch-html) is body.
    if (contentType.startsWith('text/') && !HEADERS_TYPES.has(contentType) && !hasDisposition && !filename) {
      const params = { ...(part?.contentType?.params ?? {}) }
      bodyParts.push({ contentType, params, text: decodeBytes(content, params.charset).text })
      continue
    }
    const n = attachments.length + 1
    const id = `att-${n}`
    const safe = safeFilename(filename, n, contentType)
    const dispositionValue = part ? part.disposition?.value : a.disposition
    attachments.push({
      id,
      filename,
      safeFilename: safe,
      contentType,
      size: content.length,
      sha256: sha256(content),
      contentId: a.cid?.trim() || null,
      disposition: hasDisposition ? (dispositionValue === 'inline' ? 'inline' : 'attachment') : null,
      key: ctx.attachmentKey(id, safe),
      message: MESSAGE_TYPES.has(contentType) ? summarizeEmbedded(content) : null,
      content,
    })
  }

  let dsn: Dsn | null = null
  const status = attachments.find((a) => DSN_TYPES.has(a.contentType))
  if (status) {
    dsn = parseDeliveryStatus(decodeUtf8Lenient(status.content))
    const returned = attachments.find((a) => MESSAGE_TYPES.has(a.contentType) || HEADERS_TYPES.has(a.contentType))
    if (dsn && returned) dsn.originalMessageId = (returned.message ?? summarizeEmbedded(returned.content)).messageId
  }

  if (!hasPlain && html) text = textFromHtml(html)
  const textSource = text === null ? null : !hasPlain && html ? 'html' : 'plain'

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
    ...identity(raw, ctx),
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
    text,
    textSource,
    textReply: extractTextReply(text),
    html,
    bodyParts,
    headers: headers.fields,
    attachments: attachments.map(({ content: _content, ...meta }) => meta),
    autoReply: autoReplyReasons.length > 0,
    autoReplyReasons,
    dsn,
    warnings,
    parseError: errors.length ? [...new Set(errors)].join('; ') : null,
  }
  return { document, attachments }
}
