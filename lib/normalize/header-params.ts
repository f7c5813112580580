import { decodeBytes, decodeHeaderBytes } from './charsets.js'
import { decodeEncodedWords } from './encoded-words.js'

/** A parameterised header (Content-Type, Content-Disposition): RFC 2045 §5.1, RFC 2183, RFC 2231. */
export interface StructuredHeader {
  /** The value before the first `;`, lower-cased, comments removed (`text/plain`, `attachment`). */
  value: string
  /** Parameters by lower-cased name, decoded: RFC 2231 continuations and charsets, quoted strings, 8-bit bytes. */
  params: Record<string, string>
}

/** A value that starts with encoded-words (RFC 2047), with only whitespace between them. */
const LEADING_WORDS = /^\s*=\?[^?\s]+\?[BbQq]\?[^?]*?\?=(?:\s*=\?[^?\s]+\?[BbQq]\?[^?]*?\?=)*/

/** Parameters whose plain form is commonly sent as RFC 2047 encoded-words (Outlook, Netscape, Thunderbird). */
const WORD_PARAMS = new Set(['name', 'filename'])

/** Removes RFC 5322 comments outside quoted strings; keeps the rest byte for byte. */
function stripComments(s: string): string {
  let out = ''
  let depth = 0
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\' && (quoted || depth)) {
      if (!depth) out += c + (s[i + 1] ?? '')
      i++
    } else if (quoted) {
      out += c
      if (c === '"') quoted = false
    } else if (c === '(') depth++
    else if (c === ')' && depth) depth--
    else if (!depth) {
      out += c
      if (c === '"') quoted = true
    }
  }
  return out
}

function percentDecode(s: string): Buffer {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
    } else out.push(s.charCodeAt(i) & 0xff)
  }
  return Buffer.from(out)
}

/** Reads `;name=value` pairs; values are tokens or quoted strings (with `\` escapes). Strings are latin1 bytes. */
function readParams(s: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  let i = 0
  while (i < s.length) {
    while (i < s.length && /[\s;]/.test(s[i])) i++
    const eq = s.indexOf('=', i)
    const semi = s.indexOf(';', i)
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      i = semi < 0 ? s.length : semi + 1
      continue
    }
    const name = s.slice(i, eq).trim().toLowerCase()
    i = eq + 1
    while (i < s.length && /[ \t]/.test(s[i])) i++
    let value = ''
    if (s[i] === '"') {
      i++
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++
        value += s[i++]
      }
      i++
      // Anything after the closing quote up to `;` is junk; skip it.
      while (i < s.length && s[i] !== ';') i++
    } else {
      const end = s.indexOf(';', i)
      value = s.slice(i, end < 0 ? s.length : end).trim()
      i = end < 0 ? s.length : end
    }
    if (name) out.push([name, value])
  }
  return out
}

/**
 * Parses a Content-Type or Content-Disposition value given as its raw bytes (unfolded). RFC 2231 parameters
 * (`filename*=utf-8''%E2%9C%94`, `filename*0*=...; filename*1*=...`) are joined as bytes before the charset is
 * applied and win over a plain parameter of the same name. Plain `name`/`filename` values may hold encoded-words
 * (RFC 2047 forbids it, mail clients do it) and raw 8-bit bytes (decoded as UTF-8, else `fallbackCharset`, else
 * windows-1252). A value whose type and parameters are all inside encoded-words (`=?UTF-8?B?...?=`) is
 * decoded first, then read. Plain RFC 2231 continuations of `name`/`filename` that cut an encoded-word in two are
 * joined, then decoded. Never throws.
 */
export function parseStructuredHeader(raw: Buffer, fallbackCharset?: string | null): StructuredHeader {
  const s = stripComments(raw.toString('latin1'))
  // The whole value, parameters included, sent as encoded-words: decode them, then read the result (as UTF-8).
  const words = LEADING_WORDS.exec(s)
  if (words) {
    const decoded = decodeEncodedWords(words[0].trim())
    if (/[;=]/.test(decoded)) return parseParameters(Buffer.from(decoded + s.slice(words[0].length), 'utf8'), fallbackCharset, false)
  }
  return parseParameters(raw, fallbackCharset, true)
}

/** `parseStructuredHeader` once any whole-value encoded-words are decoded; `decodeWords` for plain name/filename. */
function parseParameters(raw: Buffer, fallbackCharset: string | null | undefined, decodeWords: boolean): StructuredHeader {
  const s = stripComments(raw.toString('latin1'))
  const semi = s.indexOf(';')
  // An encoded-word as the whole value (`Content-Disposition: =?utf-8?Q?inline?=`, mailparser #244) is decoded.
  const value = decodeEncodedWords((semi < 0 ? s : s.slice(0, semi)).trim().replace(/^"|"$/g, ''))
    .trim()
    .toLowerCase()
  // No prototype: a parameter named __proto__ or constructor is data like any other.
  const plain: Record<string, string> = Object.create(null)
  const extended = new Map<string, Array<{ index: number; ext: boolean; text: string }>>()
  for (const [name, text] of semi < 0 ? [] : readParams(s.slice(semi + 1))) {
    const m = /^([^*]+)\*(\d+)?(\*)?$/.exec(name)
    if (m) {
      const list = extended.get(m[1]) ?? []
      list.push({ index: m[2] === undefined ? 0 : Number(m[2]), ext: m[3] !== undefined || m[2] === undefined, text })
      extended.set(m[1], list)
    } else if (!Object.hasOwn(plain, name)) plain[name] = text
  }
  const params: Record<string, string> = Object.create(null)
  for (const [name, text] of Object.entries(plain)) {
    const decoded = decodeHeaderBytes(Buffer.from(text, 'latin1'), fallbackCharset)
    params[name] = decodeWords && WORD_PARAMS.has(name) ? decodeEncodedWords(decoded) : decoded
  }
  for (const [name, segments] of extended) {
    segments.sort((a, b) => a.index - b.index)
    let charset: string | null = null
    const bytes: Buffer[] = []
    segments.forEach((seg, n) => {
      let text = seg.text
      if (n === 0 && seg.ext) {
        const q1 = text.indexOf("'")
        const q2 = q1 < 0 ? -1 : text.indexOf("'", q1 + 1)
        if (q2 >= 0) {
          charset = text.slice(0, q1) || null
          text = text.slice(q2 + 1)
        }
      }
      bytes.push(seg.ext ? percentDecode(text) : Buffer.from(text, 'latin1'))
    })
    const joined = Buffer.concat(bytes)
    const text = charset ? decodeBytes(joined, charset).text : decodeHeaderBytes(joined, fallbackCharset)
    // Plain continuations (`filename*0="=?UTF-8?B?...";filename*1="...?="`) may cut an encoded-word in two:
    // decoded once joined. Percent-encoded ones (`*0*`) are never decoded again.
    const plainSegments = segments.every((seg) => !seg.ext)
    params[name] = decodeWords && plainSegments && WORD_PARAMS.has(name) ? decodeEncodedWords(text) : text
  }
  return { value, params }
}
