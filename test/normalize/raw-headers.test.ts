import { expect, test } from 'vitest'
import { readHeaderBlock } from '../../lib/normalize/raw-headers.js'

const read = (s: string, options = {}) => {
  const raw = Buffer.from(s)
  const b = readHeaderBlock(raw, options)
  return {
    fields: b.fields.map((f) => [f.name, f.value.toString()]),
    body: raw.subarray(b.bodyOffset).toString(),
    skipped: b.skippedLines,
    ranIntoBody: b.ranIntoBody,
  }
}

test('an mbox From line and junk between fields are skipped; the empty line ends the block', () => {
  expect(read('From someone Mon Nov 30\r\nSubject: a\r\nnot a field\r\nTo: b\r\n\r\nbody')).toEqual({
    fields: [
      ['subject', 'a'],
      ['to', 'b'],
    ],
    body: 'body',
    skipped: 2,
    ranIntoBody: false,
  })
})

test('lines that are not fields and that no field follows are the body: the block ran into it', () => {
  expect(read('Content-Type: text/plain\r\nHello Anna,\r\nsee you\r\n\r\nmore')).toEqual({
    fields: [['content-type', 'text/plain']],
    body: 'Hello Anna,\r\nsee you\r\n\r\nmore',
    skipped: 0,
    ranIntoBody: true,
  })
})

test('a delimiter line the caller recognises ends the block, even with fields after it', () => {
  const isBodyLine = (line: Buffer, ct: Buffer | null) => line.toString() === '--b' && ct?.toString() === 'multipart/mixed; boundary=b'
  expect(read('Content-Type: multipart/mixed;\r\n boundary=b\r\n--b\r\nContent-Type: text/plain\r\n\r\nx', { isBodyLine })).toEqual({
    fields: [['content-type', 'multipart/mixed; boundary=b']],
    body: '--b\r\nContent-Type: text/plain\r\n\r\nx',
    skipped: 0,
    ranIntoBody: true,
  })
})

test('a MIME part that starts with text and no blank line has no headers', () => {
  expect(read('Just text\r\nmore', { bodyIfNoFields: true })).toEqual({ fields: [], body: 'Just text\r\nmore', skipped: 0, ranIntoBody: true })
})
