/** Content-Transfer-Encoding values old mailers (Eudora, Exchange 5) used for uuencoded bodies. */
export const UUENCODE_CTES = new Set(['x-uuencode', 'uuencode', 'x-uue', 'uue'])

/**
 * Decodes a uuencoded body (POSIX uuencode: `begin <mode> <name>`, lines whose first character gives the byte
 * count, four characters per three bytes, `end`). Returns the bytes and the name from the `begin` line, or null
 * when there is no `begin` line. A truncated body gives the bytes read so far. Never throws.
 */
export function uudecode(body: Buffer): { content: Buffer; name: string | null } | null {
  const lines = body.toString('latin1').split(/\r?\n/)
  const begin = lines.findIndex((l) => /^begin(?:-base64)? [0-7]{3,4} /.test(l))
  if (begin < 0 || lines[begin].startsWith('begin-base64')) return null
  const name = lines[begin].replace(/^begin [0-7]{3,4} /, '').trim() || null
  const out: number[] = []
  const v = (c: number) => (c - 0x20) & 0x3f
  for (const line of lines.slice(begin + 1)) {
    if (line === 'end' || line === '`' || !line) {
      if (line === 'end') break
      continue
    }
    const n = v(line.charCodeAt(0))
    const bytes: number[] = []
    for (let i = 1; bytes.length < n && i < line.length; i += 4) {
      const [a, b, c, d] = [0, 1, 2, 3].map((k) => v(line.charCodeAt(i + k) || 0x20))
      bytes.push(((a << 2) | (b >> 4)) & 0xff, ((b << 4) | (c >> 2)) & 0xff, ((c << 6) | d) & 0xff)
    }
    out.push(...bytes.slice(0, n))
  }
  return { content: Buffer.from(out), name }
}
