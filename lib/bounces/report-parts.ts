import { decode as decodeQuotedPrintable } from 'libqp'
import { decodeHeaderBytes, decodeUtf8Lenient } from '../normalize/charsets.js'
import { parseStructuredHeader } from '../normalize/header-params.js'
import { readHeaderBlock, type RawHeader } from '../normalize/raw-headers.js'

/** One leaf part of a report: a part that is not multipart (message/rfc822 parts are leaves: not descended into). */
export interface LeafPart {
  /** Declared MIME type, lower-cased, without parameters; `text/plain` when the part declares none. */
  type: string
  headers: RawHeader[]
  /** The body as sent, still transfer-encoded. */
  body: Buffer
}

export interface ReportStructure {
  /** The top-level MIME type (`multipart/report`), lower-cased. */
  rootType: string
  /** The `report-type` parameter of a top-level multipart/report (RFC 6522 §3), lower-cased, or null. */
  reportType: string | null
  parts: LeafPart[]
}

const MAX_DEPTH = 8
const MAX_PARTS = 200

/**
 * Reads the MIME tree of a report from its bytes (RFC 2046 §5.1), synchronously and without decoding bodies:
 * reports are small and only their status, feedback and returned-header parts are read. Lenient where reports
 * are broken: a missing closing boundary ends the part at the end of the message, a boundary never seen leaves
 * the multipart without parts. At most 8 levels and 200 parts. Never throws.
 */
export function readReportStructure(raw: Buffer): ReportStructure {
  const root = headerInfo(raw)
  const parts: LeafPart[] = []
  walk(raw, 0, parts)
  return { rootType: root.type, reportType: root.type === 'multipart/report' ? (root.params['report-type']?.toLowerCase() ?? null) : null, parts }
}

function headerInfo(bytes: Buffer) {
  const block = readHeaderBlock(bytes)
  const ct = block.fields.find((f) => f.name === 'content-type')
  const parsed = ct ? parseStructuredHeader(ct.value) : null
  return { block, type: parsed?.value || 'text/plain', params: parsed?.params ?? {} }
}

function walk(bytes: Buffer, depth: number, out: LeafPart[]): void {
  if (out.length >= MAX_PARTS) return
  const { block, type, params } = headerInfo(bytes)
  const body = bytes.subarray(block.bodyOffset)
  if (!type.startsWith('multipart/')) {
    out.push({ type, headers: block.fields, body })
    return
  }
  if (!params.boundary || depth >= MAX_DEPTH) return
  for (const part of splitMultipart(body, params.boundary)) walk(part, depth + 1, out)
}

/** The bodies between `--boundary` lines (RFC 2046 §5.1.1); the line break before a delimiter belongs to it. */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = `--${boundary}`
  const parts: Buffer[] = []
  let start = -1
  let pos = 0
  while (pos < body.length) {
    const lf = body.indexOf(0x0a, pos)
    const end = lf < 0 ? body.length : lf
    const line = body.toString('latin1', pos, end).trimEnd()
    if (line === delimiter || line === `${delimiter}--`) {
      if (start >= 0) parts.push(trimLineBreak(body.subarray(start, pos)))
      if (line !== delimiter) return parts
      start = lf < 0 ? body.length : lf + 1
    }
    pos = lf < 0 ? body.length : lf + 1
  }
  if (start >= 0) parts.push(body.subarray(start))
  return parts
}

const trimLineBreak = (b: Buffer) => b.subarray(0, b.length - (b[b.length - 1] === 0x0a ? (b[b.length - 2] === 0x0d ? 2 : 1) : 0))

const headerValue = (headers: RawHeader[], name: string) => headers.find((h) => h.name === name)?.value.toString('latin1') ?? ''

/** A part's body with its Content-Transfer-Encoding undone (RFC 2045 §6: base64, quoted-printable; others as sent). */
export function decodedBody(part: LeafPart): Buffer {
  const cte = headerValue(part.headers, 'content-transfer-encoding').trim().toLowerCase()
  if (cte === 'base64') return Buffer.from(part.body.toString('latin1'), 'base64')
  if (cte === 'quoted-printable') return decodeQuotedPrintable(part.body)
  return part.body
}

/** A part's decoded body as text: UTF-8, windows-1252 for bytes that are not (report fields are ASCII). */
export const partText = (part: LeafPart): string => decodeUtf8Lenient(decodedBody(part))

/** A header field as text: name lower-cased, value unfolded, raw bytes decoded (encoded-words left as they are). */
export interface TextHeader {
  name: string
  value: string
}

/** The header block at the start of some bytes (a returned message, a text/rfc822-headers body, a quoted copy). */
export const headersOf = (bytes: Buffer): TextHeader[] => readHeaderBlock(bytes).fields.map((f) => ({ name: f.name, value: decodeHeaderBytes(f.value) }))
