import { describe, expect, test } from 'vitest'
import { decodeBytes, decodeHeaderBytes, decodeUtf8Lenient, isAscii, isUtf8, resolveCharset } from '../../lib/normalize/charsets.js'
import { decodeEncodedWords } from '../../lib/normalize/encoded-words.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('labels that lie are read as the charset senders actually use', () => {
  test.each([
    ['gb2312 holding a GBK-only character (trail byte below 0xA1)', 'gb2312', 'e946', '镕'],
    ['GB2312 upper-case label', 'GB2312', 'd6d0cec4', '中文'],
    ['ks_c_5601-1987 means CP949 (a Hangul syllable outside EUC-KR)', 'ks_c_5601-1987', '8c63', '똠'],
    ['euc-kr read as its CP949 superset', 'euc-kr', 'c7d1b1b9', '한국'],
    ['iso-8859-8-i (logical order Hebrew) is ISO-8859-8', 'iso-8859-8-i', 'f9ec e5ed', 'שלום'],
    ['x-mac-cyrillic', 'x-mac-cyrillic', '86', 'Ж'],
    ['ISO-2022-JP with the NEC row 13 numero sign', 'iso-2022-jp', '1b2442 2d62 1b2842', '№'],
    ['windows-1250 0x9F is z with acute', 'windows-1250', '9f', 'ź'],
    ['iso-8859-1 is read as windows-1252 (0x80 is the euro sign)', 'iso-8859-1', '80e9', '€é'],
    ['shift_jis read as CP932 (NEC circled digit)', 'shift_jis', '8740', '①'],
    ['koi8-r', 'koi8-r', 'dbcfd3d4c9ca', 'шостий'],
    ['a quoted label with an RFC 2231 language suffix', '"utf-8*en"', 'c3a9', 'é'],
  ])('%s', (_what, label, bytes, text) => {
    expect(decodeBytes(hex(bytes), label)).toEqual({ text, known: true })
  })
})

describe('unknown or refused labels fall back without U+FFFD', () => {
  test('an unknown label with valid UTF-8 bytes reads UTF-8 and says the label was unknown', () => {
    expect(decodeBytes(Buffer.from('Grüße'), 'x-klingon')).toEqual({ text: 'Grüße', known: false })
  })
  test('an unknown label with latin1 bytes reads windows-1252', () => {
    expect(decodeBytes(hex('477275df65'), 'none')).toEqual({ text: 'Gruße', known: false })
  })
  test('UTF-7 is refused: +ADw-script+AD4- stays literal', () => {
    expect(decodeBytes(Buffer.from('+ADw-script+AD4-'), 'utf-7')).toEqual({ text: '+ADw-script+AD4-', known: false })
    expect(resolveCharset('UNICODE-1-1-UTF-7')).toBeNull()
  })
  test('8-bit bytes under a 7-bit label (iso-2022-jp, us-ascii) are read as UTF-8, else windows-1252', () => {
    expect(decodeBytes(hex('446967 8a 6174'), 'iso-2022-jp').text).toBe('DigŠat')
    expect(decodeBytes(Buffer.from('naïve'), 'us-ascii').text).toBe('naïve')
  })
  test('no byte turns into U+FFFD in the lenient UTF-8 reading', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    expect(decodeUtf8Lenient(all)).not.toContain('\ufffd')
    expect(decodeUtf8Lenient(all)).toHaveLength(256)
  })
  test('overlongs, surrogates and code points above U+10FFFF are not UTF-8; each byte is read as windows-1252', () => {
    for (const bytes of ['c0af', 'eda080', 'f4908080']) {
      expect(isUtf8(hex(bytes))).toBe(false)
      expect(decodeUtf8Lenient(hex(bytes))).not.toContain('\ufffd')
    }
    expect([isUtf8(Buffer.from('Grüße ✔ 𝄞')), isAscii(Buffer.from('Grüße')), isAscii(Buffer.from('plain'))]).toEqual([true, false, true])
  })
  test('valid UTF-8 sequences are kept next to stray latin1 bytes', () => {
    expect(decodeUtf8Lenient(Buffer.concat([Buffer.from('é'), hex('e9'), Buffer.from(' ok')]))).toBe('éé ok')
  })
})

describe('bytes invalid in the declared charset never become U+FFFD', () => {
  test('a single-byte charset reads each such byte as windows-1252', () => {
    expect(decodeBytes(hex('41 a1 42'), 'iso-8859-8')).toEqual({ text: 'A\u00a1B', known: true })
  })
  test('a multi-byte charset drops each invalid sequence and counts it', () => {
    expect(decodeBytes(hex('c7d1 ff b1b9'), 'euc-kr')).toEqual({ text: '한국', known: true, dropped: 1 })
  })
  test('valid UTF-8 under another label is read as UTF-8', () => {
    expect(decodeBytes(Buffer.from('Grüße ✔'), 'gb2312')).toEqual({ text: 'Grüße ✔', known: true })
  })
  test('a label damaged by stray bytes (US-ASCII\\xff) is compared as iconv-lite does, letters and digits only', () => {
    expect(resolveCharset('US-ASCII\xff')).toBe('utf-8')
    expect(decodeBytes(hex('61 ff'), 'US-ASCII\xff').text).toBe('aÿ')
  })
})

describe('raw 8-bit header bytes', () => {
  test('UTF-8 first (RFC 6532), then the body charset, then windows-1252', () => {
    expect(decodeHeaderBytes(Buffer.from('Säying'), 'koi8-r')).toBe('Säying')
    expect(decodeHeaderBytes(hex('dbcfd3d4c9ca'), 'koi8-r')).toBe('шостий')
    expect(decodeHeaderBytes(hex('466f726d61e7e36f'), null)).toBe('Formação')
  })
})

describe('RFC 2047 encoded-words', () => {
  test('adjacent words are decoded as bytes and joined per charset, so a split character survives', () => {
    // "✔" is E2 9C 94: the first word ends after E2 9C, the second starts with 94.
    const first = Buffer.from([0x41, 0xe2, 0x9c]).toString('base64')
    const second = Buffer.from([0x94, 0x42]).toString('base64')
    expect(decodeEncodedWords(`=?utf-8?B?${first}?= =?UTF-8?B?${second}?=`)).toBe('A✔B')
  })
  test('whitespace between two encoded-words is dropped, whitespace next to plain text is kept', () => {
    expect(decodeEncodedWords('[PRJ]  =?utf-8?Q?=C3=A1rv?=\r\n =?utf-8?Q?=C3=ADz?= end')).toBe('[PRJ]  árvíz end')
    expect(decodeEncodedWords('=?windows-1250?Q?miesi=EAcy_nauki_ci=B9gle?= =?windows-1250?Q?_na_Ciebie?=')).toBe('miesięcy nauki ciągle na Ciebie')
  })
  test('words in different charsets are decoded each in its own', () => {
    expect(decodeEncodedWords('=?iso-8859-1?Q?Gr=FC=DFe?= =?koi8-r?B?28/T1MnK?=')).toBe('Grüßeшостий')
  })
  test('Q-encoding: underscore is a space, =XX a byte', () => {
    expect(decodeEncodedWords('=?iso-8859-1?q?a_b=3Dc?=')).toBe('a b=c')
  })
  test('B-encoding with missing padding and an unknown charset still decodes', () => {
    const unknown: string[] = []
    expect(decodeEncodedWords('=?NONE?B?VEVTVA=?=', (l) => unknown.push(l))).toBe('TEST')
    expect(unknown).toEqual(['none'])
  })
  test('ISO-2022-JP words (NEC extension) decode to Cyrillic and the numero sign', () => {
    const word = Buffer.from('\x1b$B\x27\x28\x27\x25\x2d\x62\x1b(B41', 'latin1').toString('base64')
    expect(decodeEncodedWords(`=?ISO-2022-JP?B?${word}?=`)).toBe('ЖД№41')
  })
  test('Q words with raw spaces inside (illegal, RFC 2047 §5) are decoded; B words folded inside too', () => {
    expect(decodeEncodedWords("=?UTF-8?Q?Caf=C3=A9 au lait, s'il vous pla=C3=AEt?=")).toBe("Café au lait, s'il vous plaît")
    expect(decodeEncodedWords('=?UTF-8?B?SGVsbG8g d29ybGQ=?= !')).toBe('Hello world !')
  })
  test('text without encoded-words is returned as is', () => {
    expect(decodeEncodedWords('plain =? text ?=')).toBe('plain =? text ?=')
  })
})
