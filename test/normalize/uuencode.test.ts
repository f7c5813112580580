import { expect, test } from 'vitest'
import { uudecode } from '../../lib/normalize/uuencode.js'

/** POSIX uuencode, written out here to produce test input. */
function uuencode(data: Buffer, name: string): string {
  const enc = (n: number) => String.fromCharCode(n ? n + 0x20 : 0x60)
  const lines = [`begin 644 ${name}`]
  for (let i = 0; i < data.length; i += 45) {
    const chunk = data.subarray(i, i + 45)
    let line = enc(chunk.length)
    for (let j = 0; j < chunk.length; j += 3) {
      const [a, b, c] = [chunk[j], chunk[j + 1] ?? 0, chunk[j + 2] ?? 0]
      line += enc(a >> 2) + enc(((a << 4) | (b >> 4)) & 0x3f) + enc(((b << 2) | (c >> 6)) & 0x3f) + enc(c & 0x3f)
    }
    lines.push(line)
  }
  return [...lines, '`', 'end', ''].join('\r\n')
}

test('uuencoded bytes and the name on the begin line are decoded back exactly', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256))
  expect(uudecode(Buffer.from(uuencode(data, 'PGP_Cmts.doc')))).toEqual({ content: data, name: 'PGP_Cmts.doc' })
})

test('the classic example decodes', () => {
  expect(uudecode(Buffer.from('begin 644 cat.txt\n#0V%T\n`\nend\n'))?.content.toString()).toBe('Cat')
})

test('no begin line is no uuencoded body; an empty or truncated body does not throw', () => {
  expect(uudecode(Buffer.from('just text'))).toBeNull()
  expect(uudecode(Buffer.alloc(0))).toBeNull()
  expect(uudecode(Buffer.from('begin 644 x\nM0V%T'))?.content.toString()).toBe('Cat')
})
