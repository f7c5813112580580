import { decodeBytes } from './charsets.js'

/**
 * An encoded-word (RFC 2047 §2). The encoded text may hold raw spaces and tabs: illegal (§5), but some senders
 * put them there, and headers arrive unfolded, so a word folded in its middle holds a space too.
 */
const WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*?)\?=/g
/** Characters that end an atom in an address header (RFC 5322 §3.2.3 specials, and whitespace). */
const NOT_ATOM = /[\s,;<>@"()[\]:\\]/g

/** The bytes an encoded-word's text stands for (RFC 2047 §4: B is base64, Q is QP with `_` for space). */
function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text.replace(/\s+/g, ''), 'base64')
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5f) out.push(0x20)
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else out.push(c & 0xff)
  }
  return Buffer.from(out)
}

/**
 * Decodes RFC 2047 encoded-words in a header text. Whitespace between two adjacent encoded-words is dropped
 * (§6.2). Each word is decoded to bytes on its own; the bytes of adjacent words in the same charset are joined
 * before the charset is applied, so a multi-byte character split across two words survives. Unknown charsets use
 * the lenient fallback of `decodeBytes`. `onUnknownCharset` is told each label that was not known.
 */
export function decodeEncodedWords(value: string, onUnknownCharset?: (label: string) => void): string {
  if (!value.includes('=?')) return value
  const out: string[] = []
  let pending: { charset: string; bytes: Buffer[] } | null = null
  let last = 0
  const flush = () => {
    if (!pending) return
    const { text, known } = decodeBytes(Buffer.concat(pending.bytes), pending.charset)
    if (!known) onUnknownCharset?.(pending.charset)
    out.push(text)
    pending = null
  }
  for (const m of value.matchAll(WORD)) {
    const gap = value.slice(last, m.index)
    const charset = m[1].replace(/\*.*$/, '').toLowerCase()
    if (pending && /^\s*$/.test(gap) && pending.charset === charset) {
      pending.bytes.push(wordBytes(m[2], m[3]))
    } else {
      flush()
      // A gap of only whitespace between two encoded-words is not shown.
      if (!(last > 0 && /^\s*$/.test(gap))) out.push(gap)
      pending = { charset, bytes: [wordBytes(m[2], m[3])] }
    }
    last = m.index + m[0].length
  }
  flush()
  out.push(value.slice(last))
  return out.join('')
}

/**
 * Rewrites each encoded-word whose text holds raw whitespace or address specials (`,` `<` `"` ...) into the
 * well-formed word that decodes to the same text (Q: space as `_`, the rest as `=XX`; B: whitespace removed), so
 * that an address-list parser sees one atom and does not split a display name inside it. Other text is unchanged.
 */
export function tightenEncodedWords(value: string): string {
  if (!value.includes('=?')) return value
  return value.replace(WORD, (word, charset: string, encoding: string, text: string) => {
    NOT_ATOM.lastIndex = 0
    if (!NOT_ATOM.test(text)) return word
    const tight =
      encoding === 'B' || encoding === 'b'
        ? text.replace(/\s+/g, '')
        : text.replace(NOT_ATOM, (c) => (c === ' ' ? '_' : `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))
    return `=?${charset}?${encoding}?${tight}?=`
  })
}
