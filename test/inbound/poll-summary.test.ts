import { expect, test } from 'vitest'
import { emptySummary, formatSummary } from '../../lib/inbound/poll-summary.js'

test('a summary says how a poll went, and a failed poll says so first', () => {
  expect(formatSummary({ ...emptySummary('support'), found: 3, stored: 2, duplicates: 1 })).toBe('support: found 3, stored 2, skipped as duplicate 1, failed 0')
  expect(formatSummary({ ...emptySummary('support'), error: new Error('IMAP imap.example.com:993: getaddrinfo ENOTFOUND') } as never)).toBe(
    'support: poll failed (IMAP imap.example.com:993: getaddrinfo ENOTFOUND); before that found 0, stored 0, skipped as duplicate 0, failed 0',
  )
})
