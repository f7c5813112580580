import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseReport } from '../../lib/bounces/parse-report.js'
import { normalizeMessage } from '../../lib/normalize/normalize.js'
import { CORPUS } from '../corpus.js'
import { reportOf } from './load.js'

const files = [
  ...readdirSync(join(CORPUS, 'bounces'))
    .filter((f) => f.endsWith('.eml'))
    .map((f) => join(CORPUS, 'bounces', f)),
  ...readdirSync(join(import.meta.dirname, '../fixtures/bounces')).map((f) => join(import.meta.dirname, '../fixtures/bounces', f)),
]

describe('damaged reports never throw and still name only addresses', () => {
  for (const path of files) {
    test(path.split('/').pop()!, async () => {
      const { raw } = await reportOf(path)
      // Cut at a third and two thirds, and every 53rd byte set to 0xFF (8-bit junk, broken boundaries and fields).
      const damaged = [
        raw.subarray(0, Math.floor(raw.length / 3)),
        raw.subarray(0, Math.floor((2 * raw.length) / 3)),
        Buffer.from(raw.map((b, i) => (i % 53 === 20 ? 0xff : b))),
      ]
      for (const bytes of damaged) {
        const { document } = await normalizeMessage(bytes, { id: 'd', mailbox: 'm', receivedAt: '2026-01-01T00:00:00.000Z', attachmentKey: (id) => id })
        const report = parseReport(bytes, document)
        for (const r of report?.recipients ?? []) expect(r.recipient).toMatch(/^\S+@\S+$/)
      }
    })
  }
})

test('with bytes that lack what the document says, the document still decides the kind; only what needs the bytes is missing', async () => {
  const { doc } = await reportOf(join(CORPUS, 'bounces', 'yahoo__arf-abuse-complaint.eml'))
  const report = parseReport(Buffer.alloc(0), doc)
  // Original-Rcpt-To and Feedback-Type are in the feedback-report part, whose bytes are not there.
  expect([report?.kind, report?.originalMessageId, report?.feedbackType, report?.recipients]).toEqual([
    'complaint',
    '<000000000000000000000000.smtp@example.com>',
    null,
    [],
  ])
})
