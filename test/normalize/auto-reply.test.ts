import { expect, test } from 'vitest'
import { detectAutoReply } from '../../lib/normalize/auto-reply.js'

const h = (name: string, value: string) => [{ name, value }]

test.each([
  ['auto-submitted', 'auto-replied'],
  ['auto-submitted', 'auto-generated'],
  ['auto-submitted', 'auto-notified; owner-email="me@example.com"'],
  ['x-autoreply', 'yes'],
  ['x-autorespond', 'Vacation'],
  ['precedence', 'auto_reply'],
  ['precedence', 'bulk'],
  ['precedence', 'Junk'],
  ['x-auto-response-suppress', 'All'],
  ['x-auto-response-suppress', 'DR, OOF, AutoReply'],
])('%s: %s marks the message automatic', (name, value) => {
  expect(detectAutoReply(h(name, value))).toEqual([{ header: name, value }])
})

test.each([
  ['auto-submitted', 'no'],
  ['auto-submitted', 'No (a person wrote this)'],
  ['x-autoreply', 'no'],
  ['precedence', 'list'],
  ['precedence', 'first-class'],
  ['x-auto-response-suppress', 'DR, RN, NRN'],
  ['list-id', '<dev.lists.example.com>'],
  ['list-unsubscribe', '<mailto:leave@example.com>'],
  ['return-path', '<>'],
])('%s: %s does not', (name, value) => {
  expect(detectAutoReply(h(name, value))).toEqual([])
})

test('every header that says so is a reason, in header order', () => {
  expect(detectAutoReply([...h('precedence', 'bulk'), ...h('subject', 'Away'), ...h('auto-submitted', 'auto-replied')])).toEqual([
    { header: 'precedence', value: 'bulk' },
    { header: 'auto-submitted', value: 'auto-replied' },
  ])
})
