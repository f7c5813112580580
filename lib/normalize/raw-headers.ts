/** One header field as bytes: RFC 5322 §2.2, unfolded (§2.2.3: CRLF before WSP removed), outer whitespace trimmed. */
export interface RawHeader {
  /** Field name, lower-cased. */
  name: string
  value: Buffer
}

export interface HeaderBlock {
  fields: RawHeader[]
  /** Byte offset of the body: just after the empty line that ends the header block (raw.length when none). */
  bodyOffset: number
  /** Lines in the header block that are neither a field nor a continuation (an mbox `From ` line is one). */
  skippedLines: number
  /** True when no empty line ended the block: it ran into the body, which starts at `bodyOffset`. */
  ranIntoBody: boolean
}

export interface HeaderBlockOptions {
  /**
   * Called for each line starting with `--` that is neither a field nor a continuation, with the value of the first
   * Content-Type field read so far (unfolded, or null): true when the line already belongs to the body (a MIME
   * delimiter line right after a part's header block, with no blank line between).
   */
  isBodyLine?: (line: Buffer, contentType: Buffer | null) => boolean
  /** When true, a first line that is not a field starts the body (a MIME part sent without headers or blank line). */
  bodyIfNoFields?: boolean
}

const isWsp = (b: number | undefined) => b === 0x20 || b === 0x09
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/

function trimWsp(buf: Buffer): Buffer {
  let s = 0
  let e = buf.length
  while (s < e && (isWsp(buf[s]) || buf[s] === 0x0d || buf[s] === 0x0a)) s++
  while (e > s && (isWsp(buf[e - 1]) || buf[e - 1] === 0x0d || buf[e - 1] === 0x0a)) e--
  return buf.subarray(s, e)
}

/** The lower-cased field name of a header line, or null when the line is not `name: value`. */
function fieldName(line: Buffer): string | null {
  const colon = line.indexOf(0x3a)
  if (colon <= 0) return null
  const name = line.toString('latin1', 0, colon).trimEnd()
  return name && FIELD_NAME.test(name) ? name.toLowerCase() : null
}

/**
 * Reads the header block of a message or MIME part from its bytes. Lines end in LF or CRLF; a line of only
 * whitespace continues the field before it (seen in the wild); an empty line ends the block. A line that is not a
 * field (an mbox `From ` separator, junk) is skipped and counted, unless no field follows it before the end of the
 * block: then the header block ran into the body (no blank line, RFC 5322 §2.1 broken), which starts at the first
 * such line, and `ranIntoBody` says so. `options.isBodyLine` can end the block at a line (a MIME delimiter).
 * Never throws.
 */
export function readHeaderBlock(raw: Buffer, options: HeaderBlockOptions = {}): HeaderBlock {
  const fields: Array<{ name: string; parts: Buffer[] }> = []
  let skippedLines = 0
  // Non-field lines since the last field: where the body starts if no field follows.
  let junkSince = -1
  let junkCount = 0
  let pos = 0
  let contentType: { field: { parts: Buffer[] }; n: number; value: Buffer } | null = null
  const contentTypeValue = () => {
    const field = contentType?.field ?? fields.find((f) => f.name === 'content-type')
    if (!field) return null
    if (contentType?.n !== field.parts.length) contentType = { field, n: field.parts.length, value: trimWsp(Buffer.concat(field.parts)) }
    return contentType.value
  }
  const done = (bodyOffset: number, ranIntoBody: boolean, skipped: number): HeaderBlock => ({
    fields: finish(fields),
    bodyOffset,
    skippedLines: skipped,
    ranIntoBody,
  })
  while (pos < raw.length) {
    const lf = raw.indexOf(0x0a, pos)
    const end = lf < 0 ? raw.length : lf
    const next = lf < 0 ? raw.length : lf + 1
    const line = raw.subarray(pos, end > pos && raw[end - 1] === 0x0d ? end - 1 : end)
    if (line.length === 0) {
      if (junkSince >= 0 && fields.length) return done(junkSince, true, skippedLines - junkCount)
      return done(next, false, skippedLines)
    }
    if (isWsp(line[0]) && fields.length) {
      if (junkSince < 0) fields[fields.length - 1].parts.push(line)
    } else {
      const name = fieldName(line)
      if (name) {
        fields.push({ name, parts: [line.subarray(line.indexOf(0x3a) + 1)] })
        junkSince = -1
        junkCount = 0
      } else {
        if (options.bodyIfNoFields && !fields.length && !skippedLines) return done(pos, true, 0)
        const delimiterLike = line[0] === 0x2d && line[1] === 0x2d
        if (delimiterLike && fields.length && options.isBodyLine?.(line, contentTypeValue())) return done(pos, true, skippedLines)
        if (junkSince < 0 && fields.length) junkSince = pos
        if (fields.length) junkCount++
        skippedLines++
      }
    }
    pos = next
  }
  if (junkSince >= 0) return done(junkSince, true, skippedLines - junkCount)
  return done(raw.length, false, skippedLines)
}

function finish(fields: Array<{ name: string; parts: Buffer[] }>): RawHeader[] {
  return fields.map((f) => ({ name: f.name, value: trimWsp(f.parts.length === 1 ? f.parts[0] : Buffer.concat(f.parts)) }))
}
