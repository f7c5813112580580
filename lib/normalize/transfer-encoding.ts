import type { Breather } from './breather.js'

/** A body decoded from its Content-Transfer-Encoding, and what was wrong with it (null when nothing). */
export interface TransferDecoded {
  bytes: Buffer
  problem: string | null
}

const HEX = new Int8Array(256).fill(-1)
'0123456789abcdef'.split('').forEach((c, i) => {
  HEX[c.charCodeAt(0)] = i
  HEX[c.toUpperCase().charCodeAt(0)] = i
})

/** Bytes of encoded input handled at a time (small strings die young) and between two chances to yield. */
const CHUNK = 64 * 1024
const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/g

/** Keeps at most 1/8 of `buf` unused: a larger slack is copied out so the allocation can be freed. */
const fit = (buf: Buffer, used: number) => (used < buf.length - buf.length / 8 ? Buffer.from(buf.subarray(0, used)) : buf.subarray(0, used))

/**
 * Decodes base64 (RFC 2045 §6.8) leniently, 64 KiB of input at a time into one buffer, and says what was wrong:
 * bytes outside the alphabet are skipped, data after padding is decoded as a further piece (senders that
 * concatenate encoded blocks), and a last group of one character, which holds no whole byte, is dropped.
 */
export async function decodeBase64(body: Buffer, breathe?: Breather): Promise<TransferDecoded> {
  const out = Buffer.allocUnsafe(Math.ceil(body.length / 4) * 3)
  let o = 0
  let carry = ''
  let invalid = 0
  let truncated = false
  let padded = false
  let midPadding = false
  // Decodes whole 4-character groups of `text` (alphabet only), or all of it when the group ends there.
  const decode = (text: string, ends: boolean): string => {
    const usable = ends ? text.length : text.length - (text.length % 4)
    if (ends && usable % 4 === 1) truncated = true
    if (usable) o += out.write(text.slice(0, usable), o, 'base64')
    return text.slice(usable)
  }
  for (let pos = 0; pos < body.length; pos += CHUNK) {
    const s = body.toString('latin1', pos, Math.min(body.length, pos + CHUNK))
    if (NOT_BASE64.test(s)) invalid += s.match(NOT_BASE64)?.length ?? 0
    NOT_BASE64.lastIndex = 0
    const pieces = s.replace(/[^A-Za-z0-9+/=]+/g, '').split('=')
    pieces[0] = carry + pieces[0]
    for (const [k, piece] of pieces.entries()) {
      if (piece && padded) midPadding = true
      const last = k === pieces.length - 1
      carry = decode(piece, !last)
      if (!last) padded = true
    }
    await breathe?.()
  }
  decode(carry, true)
  const problems = [
    invalid ? `${invalid} bytes outside the base64 alphabet skipped` : '',
    midPadding ? 'padding inside the data' : '',
    truncated ? 'ends inside a 4-character group (truncated)' : '',
  ].filter(Boolean)
  return { bytes: fit(out, o), problem: problems.length ? problems.join('; ') : null }
}

/**
 * Decodes quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line end (after optional transport padding)
 * is a soft line break, spaces and tabs at a line end are transport padding and removed (rule 3). An `=` that
 * starts neither is kept as it is and reported.
 */
export async function decodeQuotedPrintable(body: Buffer, breathe?: Breather): Promise<TransferDecoded> {
  const out = Buffer.allocUnsafe(body.length)
  let o = 0
  let ws = -1 // start in `out` of the current run of unencoded spaces and tabs
  let stray = 0
  for (let i = 0; i < body.length; i++) {
    if (i % CHUNK === 0) await breathe?.()
    const b = body[i]
    if (b === 0x3d) {
      const h1 = HEX[body[i + 1] ?? 0]
      const h2 = HEX[body[i + 2] ?? 0]
      if (h1 >= 0 && h2 >= 0 && i + 2 < body.length) {
        out[o++] = (h1 << 4) | h2
        i += 2
        ws = -1
        continue
      }
      let j = i + 1
      while (body[j] === 0x20 || body[j] === 0x09) j++
      if (j >= body.length || body[j] === 0x0a || (body[j] === 0x0d && body[j + 1] === 0x0a)) {
        i = j >= body.length ? j : body[j] === 0x0d ? j + 1 : j
        ws = -1
        continue
      }
      stray++
      out[o++] = b
      ws = -1
    } else if (b === 0x20 || b === 0x09) {
      if (ws < 0) ws = o
      out[o++] = b
    } else if (b === 0x0d || b === 0x0a) {
      if (ws >= 0) o = ws
      ws = -1
      out[o++] = b
    } else {
      ws = -1
      out[o++] = b
    }
  }
  return { bytes: fit(out, o), problem: stray ? `${stray} "=" not followed by two hex digits or a line end, kept as is` : null }
}

/**
 * Decodes a body's Content-Transfer-Encoding (RFC 2045 §6): base64, quoted-printable, else the bytes as they are.
 * `breathe` is called every 64 KiB of input.
 */
export async function decodeTransfer(body: Buffer, encoding: string | null, breathe?: Breather): Promise<TransferDecoded> {
  const cte = (encoding ?? '')
    .replace(/\(.*\)/, '')
    .trim()
    .toLowerCase()
  if (cte === 'base64') return decodeBase64(body, breathe)
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body, breathe)
  return { bytes: body, problem: null }
}
