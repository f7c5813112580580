import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Report } from '../../lib/bounces/report.js'
import { CORPUS } from '../corpus.js'
import { readTsv, reportOf } from './load.js'

/**
 * The 64 files of the shared corpus: ordinary mail gives null; its report samples give what was read from each
 * file by hand (recipient, action, status, class, original Message-ID, feedback type).
 */
const manifest = readTsv(readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8'))

type Summary = Pick<Report, 'kind' | 'format' | 'originalMessageId' | 'feedbackType'> & {
  recipients: Array<[recipient: string, action: string | null, status: string | null, classification: string | null]>
}

const REPORTS: Record<string, Summary> = {
  // SES DSN: the address is on the account's suppression list, Status 5.1.1.
  'mailparser__dsn-multipart-report-amazonses.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<xxxxx@email.amazonses.com>',
    feedbackType: null,
    recipients: [['xxxx@xxxx.com', 'failed', '5.1.1', 'hard']],
  },
  // 1996 DSN without blank lines between blocks, no Status: the 500 reply of its Diagnostic-Code makes it hard.
  'mimekit__dsn-no-blank-line.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<31FC7EB4.41C6@netscape.com>',
    feedbackType: null,
    recipients: [['newsletter-request@imusic.com', 'failed', null, 'hard']],
  },
  'postal-mime__dsn-bounce-fastmail.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com>',
    feedbackType: null,
    recipients: [['htfgvhyufthdgcvhgjyfthgc@ethereal.email', 'failed', '5.0.0', 'hard']],
  },
  // Truncated report-type=delivery-status whose status part never arrived: a bounce naming no recipient.
  'php-mime-mail-parser__truncated-report-gb2312.eml': { kind: 'bounce', format: 'dsn', originalMessageId: null, feedbackType: null, recipients: [] },
  'mimekit__arf-feedback-report-rfc5965.eml': {
    kind: 'complaint',
    format: 'arf',
    originalMessageId: '<8787KJKJ3K4J3K4J3K4J3.mail@example.net>',
    feedbackType: 'abuse',
    recipients: [['user@example.com', null, null, null]],
  },
  // Its enclosed message has a blank line after Received, so its Message-ID is not in a header block: null.
  'postal-mime__arf-feedback-report.eml': {
    kind: 'complaint',
    format: 'arf',
    originalMessageId: null,
    feedbackType: 'abuse',
    recipients: [['user@example.com', null, null, null]],
  },
  'sisimai-via-emailengine__dmarc-report.eml': {
    kind: 'complaint',
    format: 'arf',
    originalMessageId: '<000000002.2222222.1500000000022@example.net>',
    feedbackType: 'auth-failure',
    recipients: [['kijitora@example.com', null, null, null]],
  },
}

test('every named report sample is in the corpus manifest', () => {
  expect(manifest).toHaveLength(64)
  const files = new Set(manifest.map((r) => r.file))
  expect(Object.keys(REPORTS).filter((f) => !files.has(f))).toEqual([])
})

describe('corpus files: reports give their hand-read facts, everything else (the MDN and the auto-reply included) gives null', () => {
  for (const { file } of manifest) {
    test(file, async () => {
      const { report } = await reportOf(join(CORPUS, file))
      const expected = REPORTS[file]
      if (!expected) {
        expect(report).toBeNull()
        return
      }
      expect(report).not.toBeNull()
      const { kind, format, originalMessageId, feedbackType, recipients } = report!
      const { recipients: expectedRecipients, ...expectedHead } = expected
      expect({ kind, format, originalMessageId, feedbackType }).toEqual(expectedHead)
      expect(recipients.map((r) => [r.recipient, r.action, r.status, r.classification])).toEqual(expectedRecipients)
    })
  }
})
