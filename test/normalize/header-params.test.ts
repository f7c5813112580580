import { expect, test } from 'vitest'
import { parseStructuredHeader } from '../../lib/normalize/header-params.js'

const parse = (s: string | Buffer, fallback?: string) => parseStructuredHeader(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'), fallback)

test('value lower-cased, parameters by lower-cased name, quoted strings unescaped, comments dropped', () => {
  expect(parse('TEXT/Plain; Charset="utf-8" (comment); NAME="a \\"b\\".txt"')).toEqual({ value: 'text/plain', params: { charset: 'utf-8', name: 'a "b".txt' } })
})

test('an unquoted boundary keeps its = signs', () => {
  expect(parse('multipart/alternative; boundary=----=_NextPart_000_0036_01C81412.CE5D1A30').params.boundary).toBe('----=_NextPart_000_0036_01C81412.CE5D1A30')
})

test('RFC 2231 continuations are joined as bytes before the charset is applied (a character split across them)', () => {
  // か (E3 81 8B) is split between filename*0* and filename*1*.
  expect(parse("attachment; filename*0*=utf-8''%E3%81; filename*1*=%8B.txt").params.filename).toBe('か.txt')
})

test('RFC 2231 mixes encoded and plain segments, in numeric order', () => {
  expect(parse('attachment; filename*1="b c"; filename*0*=iso-8859-1\'de\'%FCa; filename*2*=%2Etxt').params.filename).toBe('üab c.txt')
})

test('the RFC 2231 form wins over a plain parameter of the same name', () => {
  expect(parse('attachment; filename="fallback.txt"; filename*=UTF-8\'\'%E2%9C%94.txt').params.filename).toBe('✔.txt')
})

test('encoded-words inside a quoted name are decoded, also split over two words (Outlook)', () => {
  expect(parse('application/pdf; name="=?iso-8859-1?Q?ATT_N=B0_14678?= =?iso-8859-1?Q?29.pdf?="').params.name).toBe('ATT N° 1467829.pdf')
})

test('a decoded name may hold a newline or a path: it is reported as sent', () => {
  expect(parse('attachment; filename="=?UTF-8?b?YQpiLy4uL2MucGRm?="').params.filename).toBe('a\nb/../c.pdf')
})

test('raw 8-bit bytes: UTF-8, else the fallback charset, else windows-1252', () => {
  expect(parse(Buffer.from('attachment; filename=ciële.txt')).params.filename).toBe('ciële.txt')
  expect(parse(Buffer.from('attachment; filename="\xe9t\xe9.txt"', 'latin1')).params.filename).toBe('été.txt')
  expect(parse(Buffer.from('attachment; filename="\xdb\xcf.txt"', 'latin1'), 'koi8-r').params.filename).toBe('шо.txt')
})

test('an encoded-word as the whole disposition value is decoded (mailparser #244)', () => {
  expect(parse('=?utf-8?Q?inline?=').value).toBe('inline')
})

test('no parameters, junk and an empty header do not throw', () => {
  expect(parse('')).toEqual({ value: '', params: {} })
  expect(parse('text/plain;;; =x; name')).toEqual({ value: 'text/plain', params: {} })
  expect(parse('text/plain; name="unterminated').params.name).toBe('unterminated')
})

test('parameters named like Object members are plain data', () => {
  const { params } = parse('text/plain; __proto__=x; constructor=y; toString=z')
  expect(Object.entries(params)).toEqual([
    ['__proto__', 'x'],
    ['constructor', 'y'],
    ['tostring', 'z'],
  ])
  expect(params.name).toBeUndefined()
})

test('plain RFC 2231 continuations that cut an encoded-word are joined, then decoded', () => {
  expect(parse('attachment; filename*0="=?UTF-8?Q?Caf=C3"; filename*1="=A9.pdf?="').params.filename).toBe('Café.pdf')
})

test('percent-encoded continuations are never decoded a second time as encoded-words', () => {
  expect(parse("attachment; filename*0*=utf-8''%3D%3Futf-8%3FQ%3Fa.exe%3F%3D").params.filename).toBe('=?utf-8?Q?a.exe?=')
})

test('a whole value sent as encoded-words (type and parameters) is decoded, then read', () => {
  const word = Buffer.from('application/pdf; name="Résumé.pdf"').toString('base64')
  expect(parse(`=?UTF-8?B?${word}?=`)).toEqual({ value: 'application/pdf', params: { name: 'Résumé.pdf' } })
  expect(parse('=?utf-8?Q?attachment;_filename=3D=22a_b.txt=22?= =?utf-8?Q?;_size=3D3?=')).toEqual({
    value: 'attachment',
    params: { filename: 'a b.txt', size: '3' },
  })
})
