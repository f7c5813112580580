import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { CORPUS } from '../corpus.js'
import { reportOf } from './load.js'

/** Fields the manifest does not cover, read by hand from the bounce samples. */
const sample = async (file: string) => (await reportOf(join(CORPUS, 'bounces', file))).report!

test('a VERP address the bounce was sent to is in deliveredTo', async () => {
  expect((await sample('powermta__verp-to-mailbox-disabled.eml')).deliveredTo).toEqual(['bounce-5899542-1206365-kijitora=example.jp@mail22.neko.example.net'])
})

test('deliveredTo gathers To, envelope fields, Received for-clauses and a bounce Return-Path, domain lower-cased', async () => {
  // Delivered-To/X-Original-To repeat To; Envelope-To with brackets; SendGrid's DSN carries a non-null Return-Path.
  expect((await sample('qmail__plain-unknown-user-forwarded-address.eml')).deliveredTo).toEqual(['nekochan@example.jp'])
  expect((await sample('gmx__plain-mailbox-full-5.2.2-headers-only.eml')).deliveredTo).toEqual(['kijitora@mail.example.com'])
  expect((await sample('sendgrid__action-expired-empty-status.eml')).deliveredTo).toEqual([
    'kijitora@example.ed.jp',
    'postmaster@example.ed.jp',
    'apps@sendgrid.net',
  ])
  // Return-Path <MAILER-DAEMON@...> is the bounce's own sender, not an echo of ours.
  expect((await sample('courier__unknown-user-at-data.eml')).deliveredTo).toEqual(['shironeko@1jo.example.org', 'shironeko@x.example.ne.jp'])
})

test('the report In-Reply-To and References are kept for linking', async () => {
  const report = await sample('oracle-messaging-server__delayed-with-in-reply-to.eml')
  expect(report.references).toEqual(['<170CB973-A398-4674-8523-87D8FECB9378@me.example.com>'])
  expect(report.originalEnvelopeId).toBe('0NFC00L6QMYVMH50@mr21p30im-asmtp001.me.example.com')
})

test('Original-Recipient is kept beside a Final-Recipient that differs in quoting', async () => {
  const [r] = (await sample('postfix__user-unknown-quoted-dotted-local-part.eml')).recipients
  expect([r.recipient, r.originalRecipient, r.remoteMta]).toEqual([
    '"neko....nyaan...."@libsisimai.org',
    'neko....nyaan....@libsisimai.org',
    'mx.libsisimai.org',
  ])
})

test('the original MAIL FROM comes from the ARF report, the returned message or the quoted copy', async () => {
  const abusix = await sample('abusix__arf-spamtrap-two-original-rcpt-to.eml')
  expect([abusix.originalMailFrom, abusix.originalEnvelopeId, abusix.feedbackType]).toEqual(['sironeko@example.jp', '000000-FFFFFF-22', 'abuse'])
  expect((await sample('postfix__user-unknown-quoted-dotted-local-part.eml')).originalMailFrom).toBe('sironeko@libsisimai.org')
  expect((await sample('exim__plain-recipient-access-denied.eml')).originalMailFrom).toBe('sironeko@example.de')
  // Office 365 quotes the original headers in its text: "Return-Path: sironeko@example.net".
  expect((await sample('office365__spf-reject-original-headers-in-text.eml')).originalMailFrom).toBe('sironeko@example.net')
})

test('an auth-failure report names no complaining recipient; its enclosed To is a list copy', async () => {
  const report = await sample('netease__arf-auth-failure-rfc822-headers.eml')
  expect([report.kind, report.feedbackType, report.recipients]).toEqual(['complaint', 'auth-failure', []])
})

test('plain bounces give the lines about each recipient and the host they name', async () => {
  const exim = (await sample('exim__plain-recipient-access-denied.eml')).recipients[0]
  expect([exim.diagnosticCode, exim.remoteMta]).toEqual([
    'host mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>: Recipient address rejected: Access denied',
    'mx1.example.eu',
  ])
  const gmx = (await sample('gmx__plain-mailbox-full-5.2.2-headers-only.eml')).recipients[0]
  expect([gmx.diagnosticCode, gmx.remoteMta]).toEqual(['host: mx.example.jp 5.2.2 <shironeko@example.jp>... Mailbox Full', 'mx.example.jp'])
  // Mimecast puts the code in a paragraph of its own: a single recipient takes it.
  const mimecast = (await sample('mimecast__plain-access-denied-nothing-of-original.eml')).recipients[0]
  expect(mimecast.diagnosticCode).toBe(
    '-- 5.4.1 Recipient address rejected: Access denied. [QQQQQQE00000000.jpnprd01.prod.outlook.com 2024-02-19T09:30:25.255Z FFFFFFFFFFEEEEEE]',
  )
})

test('the summary is the explanation without the copy of the original, at most 1,000 characters', async () => {
  expect((await sample('yahoo__plain-user-unknown.eml')).summary).toBe(
    'Sorry, we were unable to deliver your message to the following address.\n\n<kijitora@example.org>:\nRemote host said: 550 5.1.1 <kijitora@example.org>... User Unknown [RCPT_TO]',
  )
  for (const file of readdirSync(join(CORPUS, 'bounces')).filter((f) => f.endsWith('.eml'))) {
    const { report } = await reportOf(join(CORPUS, 'bounces', file))
    if (report) expect(report.summary?.length ?? 0, file).toBeLessThanOrEqual(1000)
  }
})
