import { expect, test } from 'vitest'
import { parseDeliveryStatus } from '../../lib/normalize/dsn.js'

test('per-message fields, then one entry per recipient block (RFC 3464 §2.2, §2.3)', () => {
  const dsn = parseDeliveryStatus(
    [
      'Reporting-MTA: dns; mx.example.net',
      'Original-Envelope-Id: env-42',
      'Arrival-Date: Mon, 10 Oct 2022 01:37:21 -0400 (EDT)',
      '',
      'Original-Recipient: rfc822;Bob@Example.org',
      'Final-Recipient: rfc822; <bob@example.org>',
      'Action: failed',
      'Status: 5.1.1 (bad destination mailbox address)',
      'Remote-MTA: dns; mx.example.org',
      'Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address',
      '    rejected: User unknown',
      '',
      'Final-Recipient: rfc822; carol@example.org',
      'Action: delayed',
      'Status: 4.4.1',
      'Will-Retry-Until: Tue, 11 Oct 2022 01:37:21 -0400',
      '',
    ].join('\r\n'),
  )
  expect(dsn).toMatchObject({
    reportingMta: 'mx.example.net',
    originalEnvelopeId: 'env-42',
    arrivalDate: '2022-10-10T05:37:21.000Z',
    originalMessageId: null,
    recipients: [
      {
        action: 'failed',
        status: '5.1.1',
        finalRecipient: 'bob@example.org',
        originalRecipient: 'Bob@Example.org',
        remoteMta: 'mx.example.org',
        diagnosticCode: '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown',
        reportingMta: 'mx.example.net',
      },
      {
        action: 'delayed',
        status: '4.4.1',
        finalRecipient: 'carol@example.org',
        diagnosticCode: null,
        fields: { 'will-retry-until': 'Tue, 11 Oct 2022 01:37:21 -0400' },
      },
    ],
  })
  expect(dsn?.recipients[0].fields['diagnostic-code']).toBe('smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown')
})

test('reports without blank lines between blocks are split where a recipient field repeats', () => {
  const dsn = parseDeliveryStatus(
    'Reporting-MTA: dns; mm1\nFinal-Recipient: rfc822; a@x\nAction: failed\nStatus: 5.0.0\nFinal-Recipient: rfc822; b@x\nAction: failed\nStatus: 5.0.0\n',
  )
  expect(dsn?.reportingMta).toBe('mm1')
  expect(dsn?.recipients.map((r) => r.finalRecipient)).toEqual(['a@x', 'b@x'])
})

test('a part without any recipient block is no DSN; junk does not throw', () => {
  expect(parseDeliveryStatus('Reporting-MTA: dns; x\n')).toBeNull()
  expect(parseDeliveryStatus('')).toBeNull()
  expect(parseDeliveryStatus(':\n  \n__proto__: x\nconstructor: y\nAction')).toBeNull()
})
