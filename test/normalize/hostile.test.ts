import { describe, expect, test } from 'vitest'
import { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { MAX_MIME_DEPTH } from '../../lib/normalize/mime-tree.js'
import { normalizeMessage } from '../../lib/normalize/normalize.js'

const ctx = { id: 'h1', mailbox: 'hostile', receivedAt: '2026-11-30T09:00:00.000Z', attachmentKey: (id: string, name: string) => `${id}/${name}` }

/** Normalizes while a 1 ms timer runs: the document, and the longest gap between two timer turns (ms). */
async function withStallWatch(raw: Buffer) {
  let longest = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  const { document, attachments } = await normalizeMessage(raw, ctx)
  longest = Math.max(longest, performance.now() - last)
  clearInterval(timer)
  InboundMessage.parse(document)
  return { document, attachments, longest }
}

// Stall bounds are generous (the machine is shared); docs/performance.md has the measured figures.
describe('hostile input gives a document without stalling the event loop for long', () => {
  test('1,000 nested multiparts: read to the depth bound, the rest kept as one file', async () => {
    let raw = 'Content-Type: multipart/mixed; boundary=b0\r\n\r\n'
    for (let i = 1; i < 1000; i++) raw += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary=b${i}\r\n\r\n`
    raw += '--b999\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n'
    const { document, attachments, longest } = await withStallWatch(Buffer.from(raw))
    expect(document.warnings.filter((w) => w.code === 'mime-too-deep')).toEqual([
      { code: 'mime-too-deep', detail: `part ${Array(MAX_MIME_DEPTH).fill(1).join('.')}: nested deeper than ${MAX_MIME_DEPTH} levels, kept whole as one file` },
    ])
    expect(document.attachments.map((a) => a.contentType)).toEqual(['multipart/mixed'])
    expect(attachments[0].content.toString()).toMatch(/--b999\r\nContent-Type: text\/plain\r\n\r\ndeep text\r\n$/)
    expect(longest).toBeLessThan(1000)
  })

  test('10,000 header fields are all kept', async () => {
    const raw = Buffer.from(`${Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v${i}`).join('\r\n')}\r\nSubject: many\r\n\r\nbody\r\n`)
    const { document, longest } = await withStallWatch(raw)
    expect([document.headers.length, document.headers[9_999], document.subject, document.text]).toEqual([
      10_001,
      { name: 'x-h9999', value: 'v9999' },
      'many',
      'body\n',
    ])
    expect(longest).toBeLessThan(1000)
  })

  test('a 100 MB line is the text, whole', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: long\r\n\r\n'), Buffer.alloc(100 * 2 ** 20, 'a')])
    const { document, longest } = await withStallWatch(raw)
    expect([document.text?.length, document.parseError]).toEqual([100 * 2 ** 20, null])
    expect(longest).toBeLessThan(2000)
  })

  test('a 40 MB base64 attachment is decoded in slices: the loop keeps turning', async () => {
    const content = Buffer.alloc(30 * 2 ** 20, 'z')
    const raw = Buffer.concat([
      Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
      Buffer.from(content.toString('base64').replace(/.{76}/g, '$&\r\n')),
    ])
    const { attachments, longest } = await withStallWatch(raw)
    expect(attachments[0].content.equals(content)).toBe(true)
    expect(longest).toBeLessThan(1000)
  })
})

test('many HTML parts share one html-to-text budget per message', async () => {
  const html = `<p>${'word '.repeat(60_000)}</p>`
  const parts = Array.from({ length: 8 }, () => `--b\r\nContent-Type: text/html\r\n\r\n${html}\r\n`).join('')
  const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n${parts}--b--\r\n`)
  const { document, longest } = await withStallWatch(raw)
  // Parts 2 to 9 are the HTML ones: the first five get 200,000 characters each, the budget, the rest none.
  expect(document.warnings.filter((w) => w.code === 'html-to-text-truncated').map((w) => w.detail)).toEqual(
    [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `part ${n}: text made from the first ${n <= 6 ? 200_000 : 0} of 300007 characters`),
  )
  expect(document.html?.split('<br/>\n')).toHaveLength(8)
  expect(longest).toBeLessThan(2000)
})

test('an address header over 2 MiB: the addresses before its last comma within 2 MiB, the field kept whole', async () => {
  const cc = Array.from({ length: 100_000 }, (_, i) => `m${String(i).padStart(6, '0')}@example.org`).join(', ')
  const raw = Buffer.from(`Cc: ${cc}\r\nSubject: all\r\n\r\nbody\r\n`)
  const { document, longest } = await withStallWatch(raw)
  // Each address is 19 characters and 2 of separator: 2 MiB holds 99,864 of them whole.
  expect(document.cc).toHaveLength(Math.floor((2 * 1024 * 1024 + 2) / 21))
  expect(document.warnings).toContainEqual({ code: 'addresses-truncated', detail: `cc: the first ${99_864 * 21 - 2} of ${cc.length} characters parsed` })
  expect(document.headers.find((h) => h.name === 'cc')?.value).toHaveLength(cc.length)
  expect(longest).toBeLessThan(2000)
})
