/** A body decoded from its Content-Transfer-Encoding, and what was wrong with it (null when nothing). */
export interface TransferDecoded {
  bytes: Buffer
  problem: string | null
}

/** 0-63 for the base64 alphabet (RFC 4648 §4), 64 for `=`, 65 for whitespace, 66 for anything else. */
const B64 = new Uint8Array(256).fill(66)
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i))
B64[0x3d] = 64
for (const c of [0x20, 0x09, 0x0d, 0x0a]) B64[c] = 65

const HEX = new Int8Array(256).fill(-1)
'0123456789abcdef'.split('').forEach((c, i) => {
  HEX[c.charCodeAt(0)] = i
  HEX[c.toUpperCase().charCodeAt(0)] = i
})

/**
 * Decodes base64 (RFC 2045 §6.8) leniently and says what was wrong: bytes outside the alphabet are skipped, data
 * after padding is decoded as a further piece (senders that concatenate encoded blocks), and a last group of one
 * character, which holds no whole byte, is dropped.
 */
export function decodeBase64(body: Buffer): TransferDecoded {
  let alphabet = 0
  let invalid = 0
  let midPadding = false
  let padded = false
  for (let i = 0; i < body.length; i++) {
    const v = B64[body[i]]
    if (v < 64) {
      if (padded) midPadding = true
      alphabet++
    } else if (v === 64) padded = true
    else if (v === 66) invalid++
  }
  const problems: string[] = []
  if (invalid) problems.push(`${invalid} bytes outside the base64 alphabet skipped`)
  if (midPadding) problems.push('padding inside the data')
  let bytes: Buffer
  if (!invalid && !midPadding) bytes = Buffer.from(body.toString('latin1'), 'base64')
  else {
    // Alphabet characters only, each run between padding decoded on its own.
    const pieces = body
      .toString('latin1')
      .replace(/[^A-Za-z0-9+/=]+/g, '')
      .split(/=+/)
      .filter((p) => p.length)
    bytes = Buffer.concat(pieces.map((p) => Buffer.from(p, 'base64')))
  }
  if (alphabet % 4 === 1) problems.push('ends inside a 4-character group (truncated)')
  return { bytes, problem: problems.length ? problems.join('; ') : null }
}

/**
 * Decodes quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line end (after optional transport padding)
 * is a soft line break, spaces and tabs at a line end are transport padding and removed (rule 3). An `=` that
 * starts neither is kept as it is and reported.
 */
export function decodeQuotedPrintable(body: Buffer): TransferDecoded {
  const out = Buffer.allocUnsafe(body.length)
  let o = 0
  let ws = -1 // start in `out` of the current run of unencoded spaces and tabs
  let stray = 0
  for (let i = 0; i < body.length; i++) {
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
  // The decoded bytes are shorter: keep a copy of their size rather than the whole allocation.
  const bytes = o < body.length * 0.75 ? Buffer.from(out.subarray(0, o)) : out.subarray(0, o)
  return { bytes, problem: stray ? `${stray} "=" not followed by two hex digits or a line end, kept as is` : null }
}

/** Decodes a body's Content-Transfer-Encoding (RFC 2045 §6): base64, quoted-printable, else the bytes as they are. */
export function decodeTransfer(body: Buffer, encoding: string | null): TransferDecoded {
  const cte = (encoding ?? '')
    .replace(/\(.*\)/, '')
    .trim()
    .toLowerCase()
  if (cte === 'base64') return decodeBase64(body)
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body)
  return { bytes: body, problem: null }
}
