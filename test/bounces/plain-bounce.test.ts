import { expect, test } from 'vitest'
import { reportOfBytes } from './load.js'

/** A small text/plain message: header lines, a blank line, the body (LF line ends). */
const message = (headers: string[], body: string[]) => Buffer.from([...headers, '', ...body].join('\n'))
const parse = async (headers: string[], body: string[]) => (await reportOfBytes(message(headers, body))).report

const WORDS = ['Your message could not be delivered to the following recipients:', '', '  lost@example.org', '    550 5.1.1 user unknown']

test('a person who writes bounce words is not a bounce, even from a null Return-Path', async () => {
  expect(await parse(['Return-Path: <>', 'From: Pat <pat@example.org>', 'Subject: Undeliverable: lunch'], WORDS)).toBeNull()
})

test('a mail system without bounce words is not a bounce', async () => {
  expect(await parse(['From: postmaster@example.org', 'Subject: Quota notice'], ['Your mailbox at lost@example.org is 90% full.'])).toBeNull()
})

test('a mail system in bounce words, but naming no address, is not a report', async () => {
  expect(await parse(['From: MAILER-DAEMON@mx.example.org', 'Subject: Undelivered Mail'], ['Your message could not be delivered.'])).toBeNull()
})

test('a postmaster by display name only counts: "Mail Delivery System <noreply@...>"', async () => {
  const report = await parse(['From: Mail Delivery System <noreply@mx.example.org>', 'To: app@example.com', 'Subject: Returned mail'], WORDS)
  expect(report?.recipients.map((r) => [r.recipient, r.status, r.classification])).toEqual([['lost@example.org', '5.1.1', 'hard']])
})

test('X-Failed-Recipients names the recipients even when the text names other addresses', async () => {
  const report = await parse(
    ['X-Failed-Recipients: one@example.org,', ' two@example.net', 'From: Mail Delivery System <Mailer-Daemon@mx.example.org>', 'Subject: Mail delivery failed'],
    ['Write to help@example.com if in doubt.', '', 'one@example.org: 550 5.1.1 unknown', '', 'two@example.net: 452 4.2.2 over quota'],
  )
  expect(report?.recipients.map((r) => [r.recipient, r.status, r.classification])).toEqual([
    ['one@example.org', '5.1.1', 'hard'],
    ['two@example.net', '4.2.2', 'soft'],
  ])
})

test("the report's own addresses, summary lines of the original and mailer daemons are not failed recipients", async () => {
  const report = await parse(
    ['From: MAILER-DAEMON@mx.example.org', 'To: app@example.com', 'Delivered-To: bounces+01jd@example.com', 'Subject: failure notice'],
    [
      'Your message',
      '  From: app@example.com',
      '  To: someone-else@example.net',
      'was sent by bounces+01jd@example.com and could not be delivered to:',
      '',
      '<gone@example.org>: 550 mailbox unavailable',
      '',
      'Questions? postmaster@mx.example.org or MAILER-DAEMON@mx.example.org.',
    ],
  )
  expect(report?.recipients.map((r) => [r.recipient, r.action, r.status, r.diagnosticCode, r.classification])).toEqual([
    ['gone@example.org', 'failed', null, '<gone@example.org>: 550 mailbox unavailable', 'hard'],
  ])
})

test('several recipients, each with the code of its own paragraph; no code falls back to the wording', async () => {
  const report = await parse(
    ['From: MAILER-DAEMON@mx.example.org', 'Subject: Delivery failure'],
    [
      'Delivery to these recipients failed:',
      '',
      'a@example.org',
      '  host mx.example.org said: 550 5.1.1 no such user',
      '',
      'b@example.net',
      '  Connection timed out',
    ],
  )
  expect(report?.recipients.map((r) => [r.recipient, r.status, r.remoteMta, r.classification])).toEqual([
    ['a@example.org', '5.1.1', 'mx.example.org', 'hard'],
    ['b@example.net', null, null, 'soft'],
  ])
})

test('a warning that delivery is still being tried gives delayed, soft recipients', async () => {
  const report = await parse(
    ['From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>', 'Subject: Warning: could not send message for past 4 hours'],
    [
      '    **  THIS IS A WARNING MESSAGE ONLY  **',
      '',
      '<slow@example.org>... Deferred: Connection refused by mx.example.org.',
      'Will keep trying until message is 5 days old',
    ],
  )
  expect(report?.recipients.map((r) => [r.recipient, r.action, r.classification])).toEqual([['slow@example.org', 'delayed', 'soft']])
})
