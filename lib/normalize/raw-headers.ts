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

/**
 * Reads the header block of a message or MIME part from its bytes. Lines end in LF or CRLF; a line of only
 * whitespace continues the field before it (seen in the wild), only an empty line ends the block. A line that is
 * not a field (an mbox `From ` separator, junk) is skipped and counted. Never throws.
 */
export function readHeaderBlock(raw: Buffer): HeaderBlock {
  const fields: Array<{ name: string; parts: Buffer[] }> = []
  let skippedLines = 0
  let pos = 0
  while (pos < raw.length) {
    const lf = raw.indexOf(0x0a, pos)
    const end = lf < 0 ? raw.length : lf
    const next = lf < 0 ? raw.length : lf + 1
    const line = raw.subarray(pos, end > pos && raw[end - 1] === 0x0d ? end - 1 : end)
    if (line.length === 0) return { fields: finish(fields), bodyOffset: next, skippedLines }
    if (isWsp(line[0]) && fields.length) fields[fields.length - 1].parts.push(line)
    else {
      const colon = line.indexOf(0x3a)
      const name = colon > 0 ? line.toString('latin1', 0, colon).trimEnd() : ''
      if (name && FIELD_NAME.test(name)) fields.push({ name: name.toLowerCase(), parts: [line.subarray(colon + 1)] })
      else skippedLines++
    }
    pos = next
  }
  return { fields: finish(fields), bodyOffset: raw.length, skippedLines }
}

function finish(fields: Array<{ name: string; parts: Buffer[] }>): RawHeader[] {
  return fields.map((f) => ({ name: f.name, value: trimWsp(f.parts.length === 1 ? f.parts[0] : Buffer.concat(f.parts)) }))
}
