import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Report, ReportRecipient } from '../../lib/bounces/report.js'
import { reportOf } from './load.js'

/**
 * Classes the shared corpus lacks, in fixtures written after real MTA output (test/fixtures/bounces): DSNs with
 * several recipients of mixed actions, VERP-addressed bounces, DSNs with only delivered/relayed/expanded actions,
 * MDNs (which must not count), delay warnings and auto-replies in bounce words, and ARF variants.
 */
const DIR = join(import.meta.dirname, '../fixtures/bounces')
const parsed = (file: string) => reportOf(join(DIR, file)).then((r) => r.report)

const recipient = (address: string, fields: Partial<ReportRecipient>): ReportRecipient => ({
  recipient: address,
  originalRecipient: null,
  action: null,
  status: null,
  diagnosticCode: null,
  remoteMta: null,
  classification: null,
  ...fields,
})
const verp = (id: string) => `bounces+${id}@mail.example.com`
const omitSummary = (report: Report | null) => (report ? { ...report, summary: report.summary?.split('\n')[0] } : report)

test('every fixture file has a test below', () => {
  expect(readdirSync(DIR).sort()).toEqual(Object.keys(EXPECTED).sort())
})

const EXPECTED: Record<string, Report | null> = {
  'sendmail__mixed-failed-delayed-relayed.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7q6s3v0g4z8x9kqw2m5n7p@mail.example.com>',
    originalMailFrom: verp('01jd7q6s3v0g4z8x9kqw2m5n7p'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7q6s3v0g4z8x9kqw2m5n7p')],
    references: [],
    recipients: [
      recipient('alice.nobody@example.net', {
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: '550 5.1.1 <alice.nobody@example.net>... User unknown',
        remoteMta: 'mx.example.net',
        classification: 'hard',
      }),
      recipient('bob@slow.example.org', {
        action: 'delayed',
        status: '4.4.1',
        diagnosticCode: '451 4.4.1 reply: read error from mx.slow.example.org.',
        remoteMta: 'mx.slow.example.org',
        classification: 'soft',
      }),
      recipient('carol@example.net', { action: 'relayed', status: '2.0.0', remoteMta: 'mx.example.net' }),
    ],
    feedbackType: null,
    summary: 'The original message was received at Tue, 4 Nov 2025 06:10:51 GMT',
  },
  'postfix__mixed-failed-hard-and-expired-soft.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7r2b9c4e6f8g0h2j4k6m8n@mail.example.com>',
    originalMailFrom: verp('01jd7r2b9c4e6f8g0h2j4k6m8n'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7r2b9c4e6f8g0h2j4k6m8n')],
    references: [],
    recipients: [
      recipient('Dave@Example.NET', {
        originalRecipient: 'Dave@Example.NET',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: '550 5.1.1 <Dave@Example.NET>: Recipient address rejected: User unknown in virtual mailbox table',
        remoteMta: 'mx.example.net',
        classification: 'hard',
      }),
      // Given up after the queue lifetime, but every attempt timed out: a transient cause, so soft.
      recipient('erin@unreachable.example.org', {
        originalRecipient: 'erin@unreachable.example.org',
        action: 'failed',
        status: '4.4.1',
        diagnosticCode: 'connect to mx.unreachable.example.org[203.0.113.9]:25: Connection timed out',
        classification: 'soft',
      }),
      // The server made a full mailbox permanent (class 5).
      recipient('frank@full.example.com', {
        originalRecipient: 'frank@full.example.com',
        action: 'failed',
        status: '5.2.2',
        diagnosticCode: '552 5.2.2 <frank@full.example.com>: Mailbox full',
        remoteMta: 'mx.full.example.com',
        classification: 'hard',
      }),
    ],
    feedbackType: null,
    summary: 'This is the mail system at host relay.example.org.',
  },
  'generic__mixed-status-from-diagnostic-and-missing-action.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7s5kq2w4e6r8t0y2u4i6o8@mail.example.com>',
    originalMailFrom: verp('01jd7s5kq2w4e6r8t0y2u4i6o8'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7s5kq2w4e6r8t0y2u4i6o8')],
    references: [],
    recipients: [
      // No Status field: the code is read from the Diagnostic-Code.
      recipient('grace@example.net', {
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: '550 5.1.1 <grace@example.net> mailbox unavailable',
        classification: 'hard',
      }),
      // An empty Status and no enhanced code: the 452 reply makes it transient.
      recipient('heidi@busy.example.org', { action: 'failed', diagnosticCode: '452 Too many recipients received this hour', classification: 'soft' }),
      // No Action and no Final-Recipient: Original-Recipient names it, the class-5 status makes it failed.
      recipient('ivan@example.com', {
        originalRecipient: 'ivan@example.com',
        action: 'failed',
        status: '5.7.1',
        diagnosticCode: '550 Message rejected by policy',
        classification: 'hard',
      }),
    ],
    feedbackType: null,
    summary: 'Delivery to the following recipients failed.',
  },
  'google__verp-dsn-nothing-of-original.eml': {
    kind: 'bounce',
    format: 'dsn',
    // No returned message: the X-Original-Message-ID field of the delivery-status part.
    originalMessageId: '<01jd7t8m1n3p5q7r9s1t3v5w7x@mail.example.com>',
    originalMailFrom: null,
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7t8m1n3p5q7r9s1t3v5w7x')],
    references: [],
    recipients: [
      recipient('noone@example.org', {
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: '550 5.1.1 The email account that you tried to reach does not exist.',
        remoteMta: 'mx.example.org. (192.0.2.44, the server for the domain example.org.)',
        classification: 'hard',
      }),
    ],
    feedbackType: null,
    summary: '** Address not found **',
  },
  'exim__plain-verp-two-recipients-headers-copy.eml': {
    kind: 'bounce',
    format: 'plain',
    originalMessageId: '<01jd7v0a2b4c6d8e0f2g4h6j8k@mail.example.com>',
    originalMailFrom: verp('01jd7v0a2b4c6d8e0f2g4h6j8k'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7v0a2b4c6d8e0f2g4h6j8k')],
    references: [],
    recipients: [
      recipient('ken@example.net', {
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'host mx.example.net [192.0.2.25] 550 5.1.1 <ken@example.net>: Recipient address rejected: User unknown',
        remoteMta: 'mx.example.net',
        classification: 'hard',
      }),
      // No code: Exim calls the whole bounce "a permanent error".
      recipient('laura@nomx.example.org', { action: 'failed', diagnosticCode: 'all relevant MX records point to non-existent hosts', classification: 'hard' }),
    ],
    feedbackType: null,
    summary: 'This message was created automatically by mail delivery software.',
  },
  'qmail__plain-verp-upper-case-domain-queue-expired.eml': {
    kind: 'bounce',
    format: 'plain',
    // The copy has no Message-ID: only VERP can link this one.
    originalMessageId: null,
    originalMailFrom: verp('01jd7w3x5y7z9a1b3c5d7e9f1g'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7w3x5y7z9a1b3c5d7e9f1g')],
    references: [],
    recipients: [
      recipient('mallory@example.net', {
        action: 'failed',
        status: '5.1.1',
        diagnosticCode:
          '192.0.2.25 does not like recipient. Remote host said: 550 5.1.1 <mallory@example.net>: Recipient address rejected: User unknown Giving up on 192.0.2.25.',
        classification: 'hard',
      }),
      recipient('niaj@down.example.org', {
        action: 'failed',
        diagnosticCode: "I'm not going to try again; this message has been in the queue too long.",
        classification: 'soft',
      }),
    ],
    feedbackType: null,
    summary: 'Hi. This is the qmail-send program at mx.oldhost.example.net.',
  },
  'postfix__success-delivered-only.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7x6c8d0e2f4g6h8j0k2m4n@mail.example.com>',
    originalMailFrom: verp('01jd7x6c8d0e2f4g6h8j0k2m4n'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7x6c8d0e2f4g6h8j0k2m4n')],
    references: [],
    recipients: [
      recipient('olivia@example.net', {
        originalRecipient: 'olivia@example.net',
        action: 'delivered',
        status: '2.0.0',
        diagnosticCode: 'delivery via dovecot service: delivered via dovecot service',
      }),
    ],
    feedbackType: null,
    summary: 'This is the mail system at host mx.example.net.',
  },
  'sendmail__return-receipt-relayed-and-expanded.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7y9e1f3g5h7j9k1m3n5p7q@mail.example.com>',
    originalMailFrom: verp('01jd7y9e1f3g5h7j9k1m3n5p7q'),
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7y9e1f3g5h7j9k1m3n5p7q')],
    references: [],
    recipients: [
      recipient('peggy@example.org', { action: 'relayed', status: '2.0.0', remoteMta: 'legacy.example.org' }),
      recipient('team@example.org', { action: 'expanded', status: '2.0.0' }),
    ],
    feedbackType: null,
    summary: 'The original message was received at Tue, 11 Nov 2025 17:40:01 GMT',
  },
  'exchange__relayed-notice.eml': {
    kind: 'bounce',
    format: 'dsn',
    originalMessageId: '<01jd7za2c4e6g8j0k2m4p6r8t0@mail.example.com>',
    originalMailFrom: null,
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd7za2c4e6g8j0k2m4p6r8t0')],
    references: ['<01jd7za2c4e6g8j0k2m4p6r8t0@mail.example.com>'],
    recipients: [recipient('trent@partner.example.net', { action: 'relayed', status: '2.0.0', remoteMta: 'mx.partner.example.net' })],
    feedbackType: null,
    summary: 'Delivery to these recipients or groups is complete, but no delivery notification was sent by the destination server:',
  },
  'exim__plain-delay-warning-greylisted.eml': {
    kind: 'bounce',
    format: 'plain',
    originalMessageId: null,
    originalMailFrom: null,
    originalEnvelopeId: null,
    deliveredTo: [verp('01jd81f6h8k0m2p4r6t8w0y2a4')],
    references: ['<01jd81f6h8k0m2p4r6t8w0y2a4@mail.example.com>'],
    recipients: [
      recipient('judy@greylist.example.net', {
        action: 'delayed',
        status: '4.7.1',
        diagnosticCode: 'host mx.greylist.example.net [192.0.2.99] 451 4.7.1 Greylisted, please try again later',
        remoteMta: 'mx.greylist.example.net',
        classification: 'soft',
      }),
    ],
    feedbackType: null,
    summary: 'This message was created automatically by mail delivery software.',
  },
  'fbl__arf-abuse-recipient-from-embedded-to.eml': {
    kind: 'complaint',
    format: 'arf',
    originalMessageId: '<01jd84q5s7v9x1z3b5d7f9h1k3@mail.example.com>',
    originalMailFrom: verp('01jd84q5s7v9x1z3b5d7f9h1k3'),
    originalEnvelopeId: null,
    // The feedback loop's own Return-Path is not an address the report was delivered to.
    deliveredTo: ['fbl@mail.example.com'],
    references: [],
    // No Original-Rcpt-To: the To of the reported message.
    recipients: [recipient('zoe@fbl.example.net', {})],
    feedbackType: 'abuse',
    summary: 'This is an email abuse report for an email message received from IP',
  },
  'fbl__arf-fraud-quoted-printable-headers.eml': {
    kind: 'complaint',
    format: 'arf',
    // Read from a quoted-printable text/rfc822-headers part, soft line break inside the Message-ID.
    originalMessageId: '<01jd85t8w0y2a4c6e8g0j2m4p6@mail.example.com>',
    originalMailFrom: verp('01jd85t8w0y2a4c6e8g0j2m4p6'),
    originalEnvelopeId: '01jd85t8w0y2a4c6e8g0j2m4p6',
    deliveredTo: ['abuse@mail.example.com'],
    references: [],
    recipients: [recipient('Quinn@ISP.Example.ORG', {})],
    feedbackType: 'fraud',
    summary: 'This is a fraud report for a message received from 198.51.100.7.',
  },
  // Message disposition notifications (RFC 8098) and auto-replies in bounce words: never bounces.
  'thunderbird__mdn-displayed.eml': null,
  'outlook__mdn-not-read-deleted.eml': null,
  'dovecot-sieve__reject-mdn-from-postmaster.eml': null,
  'exchange__out-of-office-left-company-bounce-words.eml': null,
  'helpdesk__autoresponder-not-a-bounce.eml': null,
}

describe('fixtures parse to exactly the expected report (summary: its first line)', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(file, async () => {
      expect(omitSummary(await parsed(file))).toEqual(expected)
    })
  }
})
