import { parseStructuredHeader, type StructuredHeader } from './header-params.js'
import type { Warning } from './inbound-message.js'
import { readHeaderBlock, type RawHeader } from './raw-headers.js'

/** Parts read from one message at most; the rest is left unread and reported in `error` (hostile input). */
export const MAX_MIME_PARTS = 1000
/** Deepest multipart nesting read; a multipart deeper than this is kept whole as one opaque part. */
export const MAX_MIME_DEPTH = 64

/** One MIME part (RFC 2045, RFC 2046) as declared in its own header block, with its body as sent. */
export interface MimePart {
  /** IMAP-style part number (`1`, `2.1`); '' for a multipart message's root. Names the part in warnings. */
  partId: string
  headers: RawHeader[]
  /** Content-Type as declared (value lower-cased), or null when the part has none. */
  contentType: StructuredHeader | null
  /** Content-Disposition as declared, or null. */
  disposition: StructuredHeader | null
  /**
   * What the part is read as: the declared type; text/plain when none is declared (RFC 2045 §5.2) or it has no
   * subtype, message/rfc822 inside multipart/digest (RFC 2046 §5.1.5); text/plain for a multipart that cannot be
   * split (no boundary, or no delimiter line found in a non-empty body); application/octet-stream for a multipart
   * nested deeper than MAX_MIME_DEPTH.
   */
  type: string
  /** Declared type of the enclosing multipart, or null for the root. */
  parentType: string | null
  /** The body as sent (still transfer-encoded): a view of the message bytes, no copy. */
  body: Buffer
  /** The parts of a multipart, in order; empty for any other part. */
  children: MimePart[]
}

export interface MimeTree {
  root: MimePart
  /** Header-block, delimiter and nesting problems, in the document's warning shape. */
  warnings: Warning[]
  /** Set when the message has more than MAX_MIME_PARTS parts: what follows them is not read. */
  error: string | null
}

interface Delimiter {
  lineStart: number
  lineEnd: number
  close: boolean
}

/** The delimiter found at `i` as a delimiter line (RFC 2046 §5.1.1): where that line ends, or null when it is not one. */
function delimiterEnd(body: Buffer, i: number, delimiter: Buffer): { end: number; close: boolean } | null {
  if (i > 0 && body[i - 1] !== 0x0a) return null
  let j = i + delimiter.length
  const close = body[j] === 0x2d && body[j + 1] === 0x2d
  if (close) j += 2
  // Trailing whitespace is allowed (§5.1.1); a run of CRs before LF is a doubled CRLF conversion.
  while (body[j] === 0x20 || body[j] === 0x09) j++
  if (j >= body.length) return close ? { end: j, close } : null
  const crs = j
  while (body[j] === 0x0d) j++
  if (body[j] === 0x0a) j++
  else if (j === crs) return null
  return { end: j, close }
}

/** Delimiter lines of one multipart body, up to and including its close delimiter (one in the preamble is ignored). */
function findDelimiters(body: Buffer, delimiter: Buffer): Delimiter[] {
  const found: Delimiter[] = []
  let pos = 0
  for (;;) {
    const i = body.indexOf(delimiter, pos)
    if (i < 0) return found
    const d = delimiterEnd(body, i, delimiter)
    pos = d ? d.end : i + 1
    if (!d || (d.close && !found.length)) continue
    found.push({ lineStart: i, lineEnd: d.end, close: d.close })
    if (d.close) return found
  }
}

/** End of a part's body before the next delimiter: the line ending in front of a delimiter belongs to it. */
function bodyEnd(body: Buffer, start: number, lineStart: number): number {
  let end = lineStart
  if (end > start && body[end - 1] === 0x0a) end--
  if (end > start && body[end - 1] === 0x0d) end--
  return end
}

/** A line (without its line ending) that is a delimiter or close delimiter of `boundary`. */
const isDelimiterLine = (line: string, boundary: string) => line.startsWith(`--${boundary}`) && /^(?:--)?[ \t]*$/.test(line.slice(boundary.length + 2))

const multipartBoundary = (ct: StructuredHeader | null) => (ct?.value.startsWith('multipart/') ? (ct.params.boundary ?? '').trimEnd() : '')

class TreeReader {
  readonly warnings: Warning[] = []
  error: string | null = null
  private count = 0
  constructor(private readonly fallbackCharset: string | null) {}

  warn(code: string, detail: string) {
    if (!this.warnings.some((w) => w.code === code && w.detail === detail)) this.warnings.push({ code, detail })
  }

  read(bytes: Buffer, partId: string, parentType: string | null, depth: number): MimePart {
    this.count++
    const where = partId ? `part ${partId}` : 'message'
    const block = readHeaderBlock(bytes, {
      bodyIfNoFields: parentType !== null,
      isBodyLine: (line, ct) => {
        const boundary = ct ? multipartBoundary(parseStructuredHeader(ct)) : ''
        return boundary !== '' && isDelimiterLine(line.toString('latin1'), boundary)
      },
    })
    if (block.ranIntoBody) this.warn('header-no-blank-line', where)
    const first = (name: string) => block.fields.find((h) => h.name === name)
    const ct = first('content-type')
    const cd = first('content-disposition')
    const contentType = ct ? parseStructuredHeader(ct.value, this.fallbackCharset) : null
    let type = contentType?.value ?? (parentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain')
    if (!type.includes('/')) type = 'text/plain'
    const part: MimePart = {
      partId: partId || (type.startsWith('multipart/') ? '' : '1'),
      headers: block.fields,
      contentType,
      disposition: cd ? parseStructuredHeader(cd.value, this.fallbackCharset) : null,
      type,
      parentType,
      body: bytes.subarray(block.bodyOffset),
      children: [],
    }
    if (type.startsWith('multipart/')) this.split(part, where, depth)
    return part
  }

  private split(part: MimePart, where: string, depth: number) {
    const boundary = multipartBoundary(part.contentType)
    if (!boundary) {
      this.warn('multipart-without-boundary', `${where}: ${part.type} read as text/plain`)
      part.type = 'text/plain'
      return
    }
    if (depth >= MAX_MIME_DEPTH) {
      this.warn('mime-too-deep', `${where}: nested deeper than ${MAX_MIME_DEPTH} levels, kept whole as one file`)
      part.type = 'application/octet-stream'
      return
    }
    const body = part.body
    const delimiters = findDelimiters(body, Buffer.from(`--${boundary}`, 'latin1'))
    if (!delimiters.length) {
      if (/\S/.test(body.toString('latin1', 0, Math.min(body.length, 64 * 1024)))) {
        this.warn('multipart-boundary-missing', `${where}: no "--${boundary}" line, read as text/plain`)
        part.type = 'text/plain'
      }
      return
    }
    const last = delimiters[delimiters.length - 1]
    if (!last.close) this.warn('multipart-unterminated', `${where}: no closing "--${boundary}--" line`)
    const opens = last.close ? delimiters.slice(0, -1) : delimiters
    for (const [k, d] of opens.entries()) {
      if (this.count >= MAX_MIME_PARTS) {
        this.error = `more than ${MAX_MIME_PARTS} MIME parts: the rest of the message is not read`
        return
      }
      const next = delimiters[k + 1]
      const end = next ? bodyEnd(body, d.lineEnd, next.lineStart) : body.length
      part.children.push(this.read(body.subarray(d.lineEnd, end), part.partId ? `${part.partId}.${k + 1}` : `${k + 1}`, part.type, depth + 1))
    }
  }
}

/**
 * Reads the MIME tree of a message from its bytes, in memory and in one pass per level: each multipart body is
 * searched for its own delimiter lines only (RFC 2046 §5.1.1; trailing whitespace allowed, a close delimiter in
 * the preamble ignored, text after the close delimiter is epilogue). A message/rfc822 part is a leaf: its bytes are
 * the enclosed message. Recovered, each with a warning: a header block that runs into the body without a blank
 * line, a multipart without a boundary or whose boundary never occurs (read as text/plain: RFC 2046 has no other
 * way to split it), a missing close delimiter, nesting deeper than MAX_MIME_DEPTH. `fallbackCharset` reads raw
 * 8-bit bytes in Content-Type and Content-Disposition parameters. Never throws for bad mail.
 */
export function readMimeTree(raw: Buffer, fallbackCharset: string | null): MimeTree {
  const reader = new TreeReader(fallbackCharset)
  const root = reader.read(raw, '', null, 0)
  return { root, warnings: reader.warnings, error: reader.error }
}
