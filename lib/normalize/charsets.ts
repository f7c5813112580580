import { isAscii as nativeIsAscii, isUtf8 as nativeIsUtf8 } from 'node:buffer'
import iconv from 'iconv-lite'
import { decode as libmimeDecode } from 'libmime/lib/charset.js'

/**
 * Charset decoding for mail as it is, not as the labels say (WHATWG Encoding and real-world practice):
 * - labels that lie are mapped to the superset actually used: gb2312/gbk -> GB18030, ks_c_5601-1987/euc-kr ->
 *   CP949, shift_jis -> CP932, iso-8859-1/latin1 -> windows-1252, iso-8859-8-i -> ISO-8859-8;
 * - ISO-2022-JP and EUC-JP go through libmime (encoding-japanese, which maps the NEC row 13 extensions);
 * - UTF-7 (a way to smuggle markup) and transfer encodings used as labels are refused like unknown labels;
 * - unknown labels, no label, and bytes that are invalid in the label's charset fall back to UTF-8 where the
 *   bytes are valid UTF-8 and to windows-1252 byte by byte where they are not, so the result never holds U+FFFD
 *   for a byte that had a meaning.
 */

const ALIASES: Record<string, string> = {
  'ks_c_5601-1987': 'cp949',
  'ks_c_5601-1989': 'cp949',
  ks_c_5601: 'cp949',
  ksc5601: 'cp949',
  ksc_5601: 'cp949',
  'euc-kr': 'cp949',
  euckr: 'cp949',
  'x-euc-kr': 'cp949',
  'x-windows-949': 'cp949',
  'windows-949': 'cp949',
  gb2312: 'gb18030',
  'gb_2312-80': 'gb18030',
  'x-gbk': 'gb18030',
  gbk: 'gb18030',
  cp936: 'gb18030',
  'euc-cn': 'gb18030',
  'x-euc-cn': 'gb18030',
  'iso-8859-8-i': 'iso-8859-8',
  'iso-8859-8-e': 'iso-8859-8',
  'iso-8859-6-i': 'iso-8859-6',
  'iso-8859-6-e': 'iso-8859-6',
  'x-mac-cyrillic': 'maccyrillic',
  'x-mac-ukrainian': 'maccyrillic',
  'x-mac-roman': 'macroman',
  macintosh: 'macroman',
  'x-mac-greek': 'macgreek',
  'x-mac-turkish': 'macturkish',
  'x-mac-ce': 'maccenteuro',
  'x-mac-centraleurroman': 'maccenteuro',
  'x-mac-icelandic': 'macicelandic',
  shift_jis: 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
  'x-sjis': 'cp932',
  ms_kanji: 'cp932',
  'windows-31j': 'cp932',
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  'x-user-defined': 'windows-1252',
  big5: 'cp950',
  'x-x-big5': 'cp950',
  'tis-620': 'cp874',
  'iso-8859-11': 'cp874',
  'windows-874': 'cp874',
}

/** Labels decoded as UTF-8 (with the byte-wise fallback): US-ASCII text with 8-bit bytes is raw UTF-8 or latin1. */
const UTF8_LABELS = new Set(['utf8', 'usascii', 'ascii', 'ansix341968', 'iso646us', 'us', '7bit', '8bit', 'unicode11utf8'])
/** A label as iconv-lite compares it: lower case, letters and digits only (`US-ASCII\xff` is `usascii`). */
const canonical = (name: string) => name.replace(/[^a-z0-9]/g, '')
/** Decoded by libmime (encoding-japanese): iconv-lite has no ISO-2022-JP. */
const JAPANESE = /^(?:iso-?2022-?jp(?:-\d|-ext)?|csiso2022jp|jis|x-jis7|euc-?jp|x-euc-jp|cseucpkdfmtjapanese)$/
/** 7-bit charsets: a byte above 0x7f cannot belong to them. */
const SEVEN_BIT = /^(?:iso-?2022-|jis|x-jis7|csiso2022)/
const REFUSED = /^(?:(?:cs)?unicode-?1-?1-?)?utf-?7(?:-?imap)?$|^base64$|^hex$|^binary$|^quoted-printable$/

let cp1252: string[] | null = null
/** windows-1252 per byte, the five bytes it leaves undefined read as latin1 (as WHATWG does). */
function cp1252Table(): string[] {
  if (cp1252) return cp1252
  const all = Buffer.alloc(256)
  for (let i = 0; i < 256; i++) all[i] = i
  const decoded = Array.from(iconv.decode(all, 'windows-1252'))
  cp1252 = decoded.map((c, i) => (c === '\ufffd' ? String.fromCharCode(i) : c))
  return cp1252
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 (overlongs, surrogates and > U+10FFFF are invalid). */
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b = buf[i]
  const cont = (k: number) => i + k < buf.length && (buf[i + k] & 0xc0) === 0x80
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0
  if (b >= 0xe0 && b <= 0xef) {
    if (!cont(1) || !cont(2)) return 0
    const b1 = buf[i + 1]
    if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 >= 0xa0)) return 0
    return 3
  }
  if (b >= 0xf0 && b <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0
    const b1 = buf[i + 1]
    if ((b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 >= 0x90)) return 0
    return 4
  }
  return 0
}

/** True when every byte is below 0x80 (Node's native check: about 1000x a JavaScript loop). */
export const isAscii = (buf: Buffer): boolean => nativeIsAscii(buf)

/** True when `buf` is well-formed UTF-8 (WHATWG: overlongs, surrogates and > U+10FFFF are invalid); native. */
export const isUtf8 = (buf: Buffer): boolean => nativeIsUtf8(buf)

/** UTF-8 where the bytes are valid UTF-8, windows-1252 for each byte that is not. */
export function decodeUtf8Lenient(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8')
  const table = cp1252Table()
  const out: string[] = []
  let runStart = 0
  let i = 0
  while (i < buf.length) {
    if (buf[i] < 0x80) {
      i++
      continue
    }
    const n = utf8SequenceLength(buf, i)
    if (n) {
      i += n
      continue
    }
    if (runStart < i) out.push(buf.toString('utf8', runStart, i))
    out.push(table[buf[i]])
    i++
    runStart = i
  }
  if (runStart < buf.length) out.push(buf.toString('utf8', runStart))
  return out.join('')
}

/** Lower-cased label without quotes, spaces or an RFC 2231 language suffix (`utf-8*en`). */
export function normalizeLabel(label: string | null | undefined): string {
  return (label ?? '')
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/\*.*$/, '')
    .trim()
    .toLowerCase()
}

/**
 * What `decodeBytes` will use for a label: `utf-8` (lenient), an iconv-lite codec name, `japanese`, or null when the
 * label is unknown or refused.
 */
export function resolveCharset(label: string | null | undefined): string | null {
  const name = normalizeLabel(label)
  if (!name || UTF8_LABELS.has(canonical(name))) return 'utf-8'
  if (REFUSED.test(name)) return null
  if (JAPANESE.test(name)) return 'japanese'
  const mapped = ALIASES[name] ?? name.replace(/^(?:x-)?(?:cp|windows|win)[-_]?(125\d|874|932|936|949|950)$/, 'windows-$1')
  if (iconv.encodingExists(mapped) && !REFUSED.test(mapped.replace(/[^a-z0-9]/g, ''))) return mapped
  return null
}

export interface DecodedText {
  text: string
  /** False when the label was unknown or refused and the lenient UTF-8 fallback was used. */
  known: boolean
  /** Sequences invalid in a multi-byte charset that were dropped (absent when none). */
  dropped?: number
}

/**
 * A decoder's U+FFFD for bytes invalid in the charset, removed: valid UTF-8 is read as UTF-8 (the label lied); a
 * single-byte charset (one character per byte) gets the windows-1252 reading of each such byte; in a multi-byte
 * charset the byte count is lost, so each invalid sequence is dropped and counted.
 */
function withoutReplacement(text: string, buf: Buffer): DecodedText {
  if (!text.includes('\ufffd')) return { text, known: true }
  if (isUtf8(buf)) return { text: buf.toString('utf8'), known: true }
  if (text.length === buf.length) {
    const table = cp1252Table()
    return { text: text.replace(/\ufffd/g, (_m, i: number) => table[buf[i]]), known: true }
  }
  let dropped = 0
  return {
    text: text.replace(/\ufffd/g, () => {
      dropped++
      return ''
    }),
    known: true,
    dropped,
  }
}

/** Decodes bytes in the charset a label names; never throws and never returns U+FFFD (see withoutReplacement). */
export function decodeBytes(buf: Buffer, label: string | null | undefined): DecodedText {
  const charset = resolveCharset(label)
  if (charset === null) return { text: decodeUtf8Lenient(buf), known: !normalizeLabel(label) }
  if (charset === 'utf-8') return { text: decodeUtf8Lenient(buf), known: true }
  // Bytes that a 7-bit charset cannot hold: the label lies, read them as UTF-8/windows-1252.
  if (SEVEN_BIT.test(normalizeLabel(label)) && !isAscii(buf)) return { text: decodeUtf8Lenient(buf), known: true }
  try {
    return withoutReplacement(charset === 'japanese' ? libmimeDecode(buf, normalizeLabel(label)) : iconv.decode(buf, charset), buf)
  } catch {
    return { text: decodeUtf8Lenient(buf), known: true }
  }
}

/**
 * Decodes raw header bytes (RFC 6532 allows UTF-8; older mail sends its body charset or windows-1252 unlabelled):
 * ASCII as is, valid UTF-8 as UTF-8, else `fallbackCharset` (the message's declared body charset) when it is a
 * known charset other than UTF-8, else windows-1252 for the bytes that are not UTF-8.
 */
export function decodeHeaderBytes(buf: Buffer, fallbackCharset?: string | null): string {
  if (isAscii(buf)) return buf.toString('latin1')
  if (isUtf8(buf)) return buf.toString('utf8')
  const charset = resolveCharset(fallbackCharset)
  if (charset && charset !== 'utf-8') return decodeBytes(buf, fallbackCharset).text
  return decodeUtf8Lenient(buf)
}
