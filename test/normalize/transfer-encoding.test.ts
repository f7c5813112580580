import { describe, expect, test } from 'vitest'
import { decodeBase64, decodeQuotedPrintable, decodeTransfer } from '../../lib/normalize/transfer-encoding.js'

const b = (s: string) => Buffer.from(s, 'latin1')
const decoded = async (p: Promise<{ bytes: Buffer; problem: string | null }>) => {
  const r = await p
  return [r.bytes.toString('latin1'), r.problem]
}

describe('base64 (RFC 2045 §6.8), decoded as far as it goes and reported', () => {
  test('well-formed, folded at 76 characters: no problem', async () => {
    const text = 'x'.repeat(200)
    const folded = Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\r\n')
    expect(await decoded(decodeBase64(b(folded)))).toEqual([text, null])
  })
  test('bytes outside the alphabet are skipped and counted', async () => {
    expect(await decoded(decodeBase64(b('SGVs*bG8g!d29ybGQ=')))).toEqual(['Hello world', '2 bytes outside the base64 alphabet skipped'])
  })
  test('a last group of one character holds no byte: dropped and reported as truncated', async () => {
    expect(await decoded(decodeBase64(b('SGVsbG8gd29ybGRpw')))).toEqual(['Hello worldi', 'ends inside a 4-character group (truncated)'])
  })
  test('blocks concatenated after padding are all decoded', async () => {
    expect(await decoded(decodeBase64(b('SGVsbG8=\r\nIHdvcmxk')))).toEqual(['Hello world', 'padding inside the data'])
  })
  test('unpadded data of 2 or 3 characters in its last group is whole', async () => {
    expect(await decoded(decodeBase64(b('SGVsbG8')))).toEqual(['Hello', null])
  })
  test('groups split across the 64 KiB input slices decode as one', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff))
    // One long line: slice boundaries fall inside 4-character groups.
    const r = await decodeBase64(Buffer.from(bytes.toString('base64')))
    expect([r.bytes.equals(bytes), r.problem]).toEqual([true, null])
  })
})

describe('quoted-printable (RFC 2045 §6.7)', () => {
  test('=XX bytes, soft line breaks (with padding after =), transport padding removed', async () => {
    expect(await decoded(decodeQuotedPrintable(b('Gr=C3=BC=DFe =  \r\nan alle  \r\nnext=3d\n')))).toEqual(['Gr\xc3\xbc\xdfe an alle\r\nnext=\n', null])
  })
  test('an encoded space at a line end is kept', async () => {
    expect(await decoded(decodeQuotedPrintable(b('end=20\r\n')))).toEqual(['end \r\n', null])
  })
  test('a stray = is kept as is and reported', async () => {
    expect(await decoded(decodeQuotedPrintable(b('a =ZZ b =4')))).toEqual(['a =ZZ b =4', '2 "=" not followed by two hex digits or a line end, kept as is'])
  })
})

test('other transfer encodings (7bit, 8bit, binary, unknown) pass the bytes through; comments are ignored', async () => {
  expect(await decoded(decodeTransfer(b('as is=41'), '8bit'))).toEqual(['as is=41', null])
  expect(await decoded(decodeTransfer(b('QUI='), ' Base64 (sent by X) '))).toEqual(['AB', null])
})
