import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { HEAD_BYTES, headerOnlyDocument } from '../../lib/inbound/header-only-document.js'
import { digestStream, expectDigest, RawChangedError } from '../../lib/inbound/raw-digest.js'

const ctx = { id: 'm1', mailbox: 'box', receivedAt: '2026-12-01T10:00:00.000Z' }
const whole = { size: 123_456_789, sha256: 'ab'.repeat(32) }

describe('header-only document', () => {
  test('the header fields of the first bytes, the size and hash of the whole, no body', async () => {
    const head = Buffer.from(
      'From: A <a@example.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\nMessage-ID: <x@y>\r\n\r\nbody that is not read',
    )
    const doc = await headerOnlyDocument(head, whole, ctx, 'too_large')
    expect(doc).toMatchObject({
      ...ctx,
      ...whole,
      subject: 'été',
      messageId: '<x@y>',
      text: null,
      html: null,
      attachments: [],
      parseError: 'too_large',
      warnings: [],
    })
    expect(doc.headers.map((h) => h.name)).toEqual(['from', 'date', 'subject', 'message-id'])
  })

  test('a header block cut by the head loses its last field, folded lines and all, and says so', async () => {
    const head = Buffer.from('Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <x@y>\r\nTo: b@example.test\r\nSubject: a long\r\n folded subj')
    const doc = await headerOnlyDocument(head, whole, ctx, 'too_large')
    expect(doc.headers.map((h) => h.name)).toEqual(['date', 'message-id', 'to'])
    expect(doc.subject).toBeNull()
    expect(doc.warnings).toEqual([{ code: 'headers-truncated', detail: `header block longer than ${head.length} bytes` }])
  })

  test('a message shorter than the head with no body is complete', async () => {
    const head = Buffer.from('Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <x@y>\r\nSubject: only headers\r\n')
    const doc = await headerOnlyDocument(head, { size: head.length, sha256: whole.sha256 }, ctx, 'poison: x (3 tries)')
    expect(doc.subject).toBe('only headers')
    expect(doc.warnings).toEqual([])
  })
})

describe('raw digest', () => {
  const bytes = Buffer.alloc(300_000, 'abc')
  const chunks = () => Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)])
  const sha256 = createHash('sha256').update(bytes).digest('hex')

  test('hashes a stream and keeps only its head', async () => {
    const d = await digestStream(chunks(), HEAD_BYTES)
    expect(d).toEqual({ sha256, size: bytes.length, head: bytes.subarray(0, HEAD_BYTES) })
  })

  test('a second read with other bytes fails at its end', async () => {
    const check = expectDigest({ sha256, size: bytes.length + 1 })
    await expect(async () => {
      for await (const _ of chunks().pipe(check));
    }).rejects.toBeInstanceOf(RawChangedError)
    const ok = expectDigest({ sha256, size: bytes.length })
    let n = 0
    for await (const c of chunks().pipe(ok)) n += (c as Buffer).length
    expect(n).toBe(bytes.length)
  })
})
