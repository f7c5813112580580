import type { Transform } from 'node:stream'
import { Splitter } from '@zone-eu/mailsplit'
import { parseStructuredHeader, type StructuredHeader } from './header-params.js'
import { readHeaderBlock, type RawHeader } from './raw-headers.js'

/** One MIME part as declared in its own header block (RFC 2045, RFC 2046, RFC 2183). */
export interface MimePart {
  /** IMAP-style part number (`1.2`) as mailparser numbers its attachments; null for the root part. */
  partId: string | null
  headers: RawHeader[]
  /** Content-Type as declared (value lower-cased), or null when the part has none. */
  contentType: StructuredHeader | null
  /** Content-Disposition as declared, or null. */
  disposition: StructuredHeader | null
  /** Declared content type of the enclosing multipart (`multipart/alternative`), or null for the root. */
  parentType: string | null
  /** The body as sent (still transfer-encoded), only for parts `keepBody` chose; else null. */
  body: Buffer | null
  /** Length in bytes of the body as sent (still transfer-encoded), whether kept or not. */
  bodySize: number
}

/**
 * Walks the MIME tree with the splitter mailparser itself uses (same options, so part numbers match mailparser's
 * `partId`) and returns every part's own header block, in MIME order. Bodies are streamed past and dropped, except
 * for the parts `keepBody` chooses. Rejects when the splitter fails (its limits on header size and part count).
 */
export function readMimeStructure(
  raw: Buffer,
  options: { ignoreEmbedded: boolean },
  fallbackCharset: string | null,
  keepBody: (part: MimePart) => boolean = () => false,
): Promise<MimePart[]> {
  return new Promise((resolve, reject) => {
    const parts: MimePart[] = []
    const bodies = new Map<object, { part: MimePart; chunks: Buffer[] }>()
    const byNode = new Map<object, MimePart>()
    const splitter = new Splitter(options)
    splitter.on('data', (data) => {
      if (data.type === 'body') {
        const part = byNode.get(data.node)
        if (part) part.bodySize += data.value.length
        bodies.get(data.node)?.chunks.push(data.value)
        return
      }
      if (data.type !== 'node') return
      const headers = readHeaderBlock(data.getHeaders()).fields
      const first = (name: string) => headers.find((h) => h.name === name)
      const ct = first('content-type')
      const cd = first('content-disposition')
      const parent = data.parentNode
      const part: MimePart = {
        partId: data._parentBoundary ? (data.partNr || []).filter((n) => typeof n === 'number').join('.') || null : null,
        headers,
        contentType: ct ? parseStructuredHeader(ct.value, fallbackCharset) : null,
        disposition: cd ? parseStructuredHeader(cd.value, fallbackCharset) : null,
        parentType: parent ? parent.contentType || null : null,
        body: null,
        bodySize: 0,
      }
      parts.push(part)
      byNode.set(data, part)
      if (keepBody(part)) bodies.set(data, { part, chunks: [] })
    })
    // mailsplit's typings declare only the 'data' event; it is a Transform stream.
    const stream = splitter as unknown as Transform
    stream.once('error', reject)
    stream.once('end', () => {
      for (const { part, chunks } of bodies.values()) part.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      resolve(parts)
    })
    stream.end(raw)
  })
}
