import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { InboundMessage, type Warning } from '../../lib/normalize/inbound-message.js'
import { normalizeMessage, type NormalizeResult } from '../../lib/normalize/normalize.js'

// Classes of broken mail real senders produce (issue 12, issue 8 item 10), several fixtures each.
const FIXTURES = join(import.meta.dirname, '../fixtures/normalize')
const ctx = { id: 'f1', mailbox: 'fixtures', receivedAt: '2026-11-30T09:00:00.000Z', attachmentKey: (id: string, name: string) => `${id}/${name}` }
const normalize = async (raw: Buffer): Promise<NormalizeResult> => {
  const result = await normalizeMessage(raw, ctx)
  InboundMessage.parse(result.document)
  return result
}
const fixture = (name: string) => normalize(readFileSync(join(FIXTURES, name)))
const RAW_ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?/

interface Expected {
  subject?: string
  from?: Array<[string, string]>
  to?: Array<[string, string]>
  cc?: Array<[string, string]>
  text: string | null
  html?: string | null
  /** [filename, contentType, disposition, content as latin1]. */
  attachments?: Array<[string | null, string, 'attachment' | 'inline' | null, string]>
  warnings: Warning[]
}

const PDF = '%PDF-1.4 test'
const EXPECTED: Record<string, Expected> = {
  'encoded-word-spaces__subject-and-names-q.eml': {
    subject: "Café au lait, s'il vous plaît",
    from: [['José García', 'jose@example.com']],
    to: [
      ['René Dupont', 'rene@example.fr'],
      ['Müller, Anna', 'anna@example.de'],
    ],
    text: 'Bonjour\n',
    warnings: [],
  },
  'encoded-word-spaces__unquoted-comma-and-adjacent.eml': {
    subject: 'Re: Angebot für München',
    from: [['García, José', 'jose@example.com']],
    cc: [
      ['Team Vertrieb', 'sales@example.de'],
      ['Zürich Büro', 'zh@example.ch'],
    ],
    text: 'Hallo\n',
    warnings: [],
  },
  'encoded-word-spaces__b-word-folded-inside.eml': {
    subject: 'Happy birthday, Anna',
    from: [['Zoë', 'zoe@example.com']],
    text: 'Cake at 4.\n',
    warnings: [],
  },
  'rfc2231-split-word__filename-b.eml': { text: 'See attached.', attachments: [['Привет мир.pdf', 'application/pdf', 'attachment', PDF]], warnings: [] },
  'rfc2231-split-word__name-q.eml': { text: 'See attached.', attachments: [['Rechnung März 2026.pdf', 'application/pdf', null, PDF]], warnings: [] },
  'rfc2231-split-word__three-segments-cut-escape.eml': {
    text: 'Menu attached.',
    attachments: [['Café menu.pdf', 'application/pdf', 'attachment', PDF]],
    warnings: [],
  },
  'multipart-no-boundary__root.eml': {
    text: 'Hello, this is the whole body.\n',
    warnings: [{ code: 'multipart-without-boundary', detail: 'message: multipart/mixed read as text/plain' }],
  },
  'multipart-no-boundary__empty-boundary.eml': {
    text: 'Just this text.\n',
    warnings: [{ code: 'multipart-without-boundary', detail: 'message: multipart/alternative read as text/plain' }],
  },
  'multipart-no-boundary__nested-alternative.eml': {
    // Nothing dropped: the HTML alternative is in the text, as sent.
    text: '--alt\nContent-Type: text/plain\n\nplain version\n--alt\nContent-Type: text/html\n\n<p>html version</p>\n--alt--',
    html: null,
    attachments: [['a.pdf', 'application/pdf', null, PDF]],
    warnings: [{ code: 'multipart-without-boundary', detail: 'part 1: multipart/alternative read as text/plain' }],
  },
  'encoded-content-type__whole-type-b.eml': { text: 'CV attached.', attachments: [['Résumé.pdf', 'application/pdf', null, PDF]], warnings: [] },
  'encoded-content-type__disposition-q.eml': {
    text: 'Invoice attached.',
    attachments: [['Facture n°12.pdf', 'application/pdf', 'attachment', PDF]],
    warnings: [],
  },
  'encoded-content-type__split-words.eml': {
    text: 'Notes attached.',
    attachments: [['notes été.txt', 'text/plain', 'attachment', 'caf\xe9']],
    warnings: [],
  },
  'header-into-body__plain-part.eml': {
    text: 'Hello Anna,\nsee you at 5.',
    html: '<p>Hello Anna,<br>see you at 5.</p>',
    warnings: [{ code: 'header-no-blank-line', detail: 'part 1' }],
  },
  'header-into-body__root-first-delimiter.eml': {
    text: 'Plain text here.',
    html: '<p>HTML here.</p>',
    warnings: [{ code: 'header-no-blank-line', detail: 'message' }],
  },
  'header-into-body__part-without-headers.eml': {
    text: 'Just text, no headers.\nSecond line.',
    warnings: [{ code: 'header-no-blank-line', detail: 'part 1' }],
  },
  'broken-transfer__base64-junk.eml': {
    text: 'Hello world',
    warnings: [{ code: 'transfer-encoding-invalid', detail: 'part 1 (base64): 1 bytes outside the base64 alphabet skipped' }],
  },
  'broken-transfer__base64-truncated-unterminated.eml': {
    text: 'Hello worldi',
    warnings: [
      { code: 'multipart-unterminated', detail: 'message: no closing "--b--" line' },
      { code: 'transfer-encoding-invalid', detail: 'part 1 (base64): ends inside a 4-character group (truncated)' },
    ],
  },
  'broken-transfer__qp-stray-equals.eml': {
    text: 'Price = 10 €, discount =ZZ\n',
    warnings: [{ code: 'transfer-encoding-invalid', detail: 'part 1 (quoted-printable): 1 "=" not followed by two hex digits or a line end, kept as is' }],
  },
  'broken-transfer__euc-kr-invalid-byte.eml': {
    subject: '한국',
    text: '안녕하세요 세계\n',
    warnings: [{ code: 'charset-invalid', detail: 'part 1 (EUC-KR): 1 sequences invalid in it dropped' }],
  },
  'broken-transfer__missing-close-delimiter.eml': {
    text: 'Report attached.',
    attachments: [['r.pdf', 'application/pdf', null, PDF]],
    warnings: [{ code: 'multipart-unterminated', detail: 'message: no closing "--b--" line' }],
  },
}

const pairs = (list: InboundMessage['from']) => list.map((a) => [a.name, a.address])

test('every fixture in test/fixtures/normalize has its expectations here', () => {
  expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort())
})

describe('broken mail classes: exact fields, no U+FFFD, no raw encoded-words', () => {
  for (const [name, e] of Object.entries(EXPECTED)) {
    test(name, async () => {
      const { document: d, attachments } = await fixture(name)
      expect(d.parseError).toBeNull()
      if (e.subject !== undefined) expect(d.subject).toBe(e.subject)
      if (e.from) expect(pairs(d.from)).toEqual(e.from)
      if (e.to) expect(pairs(d.to)).toEqual(e.to)
      if (e.cc) expect(pairs(d.cc)).toEqual(e.cc)
      expect(d.text).toBe(e.text)
      if (e.html !== undefined) expect(d.html).toBe(e.html)
      expect(d.attachments.map((a, i) => [a.filename, a.contentType, a.disposition, attachments[i].content.toString('latin1')])).toEqual(e.attachments ?? [])
      // Fixtures carry a Date and a Message-ID, so these are the warnings of the class alone.
      expect(d.warnings).toEqual(e.warnings)
      const json = JSON.stringify(d)
      expect(json).not.toContain('\ufffd')
      expect(json).not.toMatch(RAW_ENCODED_WORD)
    })
  }
})

describe('a header block over 1 MiB (a reply-all to tens of thousands) keeps its headers and its body', () => {
  const cc = Array.from({ length: 40_000 }, (_, i) => `"Member ${i}" <m${i}@lists.example.org>`).join(',\r\n ')
  const head = `From: a@example.com\r\nTo: list@example.org\r\nCc: ${cc}\r\nSubject: Re: all hands\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <big@example.com>\r\n`

  test('multipart/alternative body', async () => {
    const raw = Buffer.from(
      `${head}Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee you all.\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>See you all.</p>\r\n--b--\r\n`,
    )
    expect(raw.length).toBeGreaterThan(1.5 * 2 ** 20)
    const { document: d } = await normalize(raw)
    expect([d.text, d.html, d.parseError, d.warnings]).toEqual(['See you all.', '<p>See you all.</p>', null, []])
    expect(d.cc).toHaveLength(40_000)
    expect(d.cc[39_999]).toEqual({ name: 'Member 39999', address: 'm39999@lists.example.org', group: null })
  })

  test('single-part body with an attachment-free plain text', async () => {
    const { document: d } = await normalize(Buffer.from(`${head}\r\nPlain body.\r\n`))
    expect([d.text, d.textSource, d.parseError]).toEqual(['Plain body.\n', 'plain', null])
  })

  test('a part whose own header block is over 1 MiB', async () => {
    const raw = Buffer.from(
      `From: a@example.com\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <p@example.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX-Trace: ${'t'.repeat(1_100_000)}\r\nContent-Type: text/plain\r\n\r\nInner body.\r\n--b--\r\n`,
    )
    const { document: d } = await normalize(raw)
    expect([d.text, d.parseError, d.warnings]).toEqual(['Inner body.', null, []])
  })
})
