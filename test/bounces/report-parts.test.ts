import { expect, test } from 'vitest'
import { decodedBody, partText, readReportStructure } from '../../lib/bounces/report-parts.js'

const msg = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1')

test('reads the leaf parts of nested multiparts in order, with the report-type of the root', () => {
  const raw = msg([
    'Content-Type: multipart/report; report-type=Delivery-Status; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain',
    '',
    'plain',
    '--inner',
    'Content-Type: text/html',
    '',
    '<p>html</p>',
    '--inner--',
    '--outer',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '--outer',
    'Content-Type: message/rfc822',
    '',
    'Message-ID: <a@example.org>',
    '',
    '--not-a-boundary',
    '--outer--',
    'epilogue',
  ])
  const s = readReportStructure(raw)
  expect([s.rootType, s.reportType]).toEqual(['multipart/report', 'delivery-status'])
  expect(s.parts.map((p) => [p.type, p.body.toString('latin1')])).toEqual([
    ['text/plain', 'plain'],
    ['text/html', '<p>html</p>'],
    ['message/delivery-status', 'Reporting-MTA: dns; mx.example.org'],
    ['message/rfc822', 'Message-ID: <a@example.org>\r\n\r\n--not-a-boundary'],
  ])
})

test('a missing closing boundary ends the last part at the end of the message; an unseen boundary gives no parts', () => {
  const truncated = msg(['Content-Type: multipart/report; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'cut off here'])
  expect(readReportStructure(truncated).parts.map((p) => p.body.toString())).toEqual(['cut off here'])
  const unseen = msg(['Content-Type: multipart/mixed; boundary=zzz', '', '--b', 'text'])
  expect(readReportStructure(unseen).parts).toEqual([])
})

test('a message without Content-Type is one text/plain part; no report-type outside multipart/report', () => {
  const s = readReportStructure(msg(['Subject: hi', '', 'body']))
  expect([s.rootType, s.reportType, s.parts.map((p) => p.type)]).toEqual(['text/plain', null, ['text/plain']])
})

test('nesting deeper than 8 levels is not followed', () => {
  const lines: string[] = []
  for (let i = 0; i < 12; i++) lines.push(`Content-Type: multipart/mixed; boundary=b${i}`, '', `--b${i}`)
  lines.push('Content-Type: text/plain', '', 'deep')
  expect(readReportStructure(msg(lines)).parts).toEqual([])
})

test('bodies are decoded from base64 and quoted-printable, others kept as sent', () => {
  const part = (cte: string, body: string) => readReportStructure(msg([`Content-Transfer-Encoding: ${cte}`, '', body])).parts[0]
  expect(partText(part('base64', Buffer.from('Feedback-Type: abuse').toString('base64')))).toBe('Feedback-Type: abuse')
  expect(partText(part('Quoted-Printable', 'Message-ID: <a@exa=\r\nmple.org> caf=C3=A9'))).toBe('Message-ID: <a@example.org> café')
  expect(decodedBody(part('8bit', 'as=20sent')).toString()).toBe('as=20sent')
})
