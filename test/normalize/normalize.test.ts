import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { normalizeMessage, type NormalizeContext } from '../../lib/normalize/normalize.js'

const ctx: NormalizeContext = {
  id: 'm1',
  mailbox: 'support',
  receivedAt: '2026-11-29T12:00:00.000Z',
  attachmentKey: (id, name) => `inbound/support/messages/m1/attachments/${id}/${name}`,
}
const eml = (...lines: Array<string | Buffer>) =>
  Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l, 'utf8'), Buffer.from('\r\n')])))
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const normalize = async (raw: Buffer) => {
  const result = await normalizeMessage(raw, ctx)
  InboundMessage.parse(result.document)
  return result
}

describe('never throws for bad mail', () => {
  test.each([
    ['empty input', Buffer.alloc(0)],
    ['random bytes', randomBytes(4096)],
    ['only NULs', Buffer.alloc(1000)],
    ['headers without a body', Buffer.from('Subject: hi\r\nFrom: a@b')],
    ['a body without headers', Buffer.from('\r\n\r\njust text')],
    ['an unterminated multipart', eml('Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: text/plain', '', 'cut off')],
    ['a broken base64 part', eml('Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', '!!!!@@@@####')],
  ])('%s', async (_what, raw) => {
    const { document } = await normalize(raw)
    expect(document.size).toBe(raw.length)
    expect(document.sha256).toBe(sha256(raw))
  })

  test('a message of over 1000 MIME parts gives its first parts, sizes, headers and a parseError', async () => {
    const parts = Array.from({ length: 1100 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')
    const raw = Buffer.from(
      `Subject: many parts\r\nFrom: a@example.com\r\nMessage-ID: <many@example.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`,
    )
    const { document } = await normalize(raw)
    expect(document.parseError).toBe('more than 1000 MIME parts: the rest of the message is not read')
    expect(document.text?.split('\n').slice(0, 2)).toEqual(['part 0', 'part 1'])
    expect(document.text?.split('\n')).toHaveLength(999)
    expect(document.subject).toBe('many parts')
    expect(document.messageId).toBe('<many@example.com>')
    expect(document.from).toEqual([{ name: '', address: 'a@example.com', group: null }])
    expect(document.sha256).toBe(sha256(raw))
  })

  test('a header block over 1 MiB (mailsplit refuses it) gives the headers and the body', async () => {
    const raw = eml('Subject: huge', `X-Junk: ${'a'.repeat(1_200_000)}`, 'From: a@example.com', '', 'body')
    const { document } = await normalize(raw)
    expect(document.parseError).toBeNull()
    expect([document.subject, document.text, document.textSource]).toEqual(['huge', 'body\n', 'plain'])
    expect(document.headers.map((h) => [h.name, h.value.length])).toEqual([
      ['subject', 4],
      ['x-junk', 1_200_000],
      ['from', 13],
    ])
  })
})

describe('attachments', () => {
  test('unsafe names are reported as sent and never used raw in a key; bytes and checksums match', async () => {
    const raw = eml(
      'From: a@example.com',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'hello',
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="../../etc/cron.d/job"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('* * * * * evil').toString('base64'),
      '--b',
      'Content-Type: application/octet-stream; name="=?utf-8?B?' + Buffer.from('a\r\nb\\..\\c.bat').toString('base64') + '?="',
      '',
      'x',
      '--b--',
    )
    const { document, attachments } = await normalize(raw)
    expect(document.attachments.map((a) => [a.filename, a.safeFilename, a.key])).toEqual([
      ['../../etc/cron.d/job', 'etc_cron.d_job', 'inbound/support/messages/m1/attachments/att-1/etc_cron.d_job'],
      ['a\r\nb\\..\\c.bat', 'a__b_._c.bat', 'inbound/support/messages/m1/attachments/att-2/a__b_._c.bat'],
    ])
    expect(attachments[0].content.toString()).toBe('* * * * * evil')
    for (const a of attachments) expect([a.size, a.sha256]).toEqual([a.content.length, sha256(a.content)])
  })

  test('a message/rfc822 part, inline or not, is one attachment with its own checksum, not merged into the body', async () => {
    const inner = 'From: b@example.com\r\nSubject: inner\r\nMessage-ID: <inner@example.com>\r\n\r\ninner body\r\n'
    const raw = eml(
      'From: a@example.com',
      'Subject: Fwd: inner',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see below',
      '--b',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      inner,
      '--b--',
    )
    const { document, attachments } = await normalize(raw)
    expect(document.text).toBe('see below')
    expect(document.attachments).toHaveLength(1)
    expect(document.attachments[0]).toMatchObject({
      contentType: 'message/rfc822',
      disposition: 'inline',
      safeFilename: 'attachment-1.eml',
      message: { subject: 'inner', messageId: '<inner@example.com>', from: [{ address: 'b@example.com' }] },
    })
    expect(attachments[0].content.toString()).toBe(inner)
    expect(document.attachments[0].sha256).toBe(sha256(Buffer.from(inner)))
  })

  test('Content-IDs lose their angle brackets; none is never invented', async () => {
    const raw = eml(
      'Content-Type: multipart/related; boundary=b',
      '',
      '--b',
      'Content-Type: text/html',
      '',
      '<img src="cid:Logo@Example">',
      '--b',
      'Content-Type: image/gif',
      'Content-ID: <Logo@Example>',
      '',
      'GIF89a',
      '--b',
      'Content-Type: image/gif',
      '',
      'GIF89a',
      '--b--',
    )
    const { document } = await normalize(raw)
    expect(document.attachments.map((a) => a.contentId)).toEqual(['Logo@Example', null])
    expect(document.html).toBe('<img src="cid:Logo@Example">')
  })

  test('text made from HTML names inline images by file name, never as [cid:...]', async () => {
    const raw = eml(
      'Content-Type: multipart/related; boundary=b',
      '',
      '--b',
      'Content-Type: text/html',
      '',
      '<p>Our logo <img src="cid:logo@x"> and a spacer <img src="cid:spacer@x"></p>',
      '--b',
      'Content-Type: image/png; name="logo.png"',
      'Content-ID: <logo@x>',
      '',
      'PNG',
      '--b',
      'Content-Type: image/gif',
      'Content-ID: <spacer@x>',
      '',
      'GIF',
      '--b--',
    )
    const { document } = await normalize(raw)
    expect([document.text, document.textSource]).toEqual(['Our logo [image: logo.png] and a spacer', 'html'])
  })

  test('an HTML part marked inline (even as an encoded-word) is the body, not an attachment', async () => {
    const raw = eml('Content-Type: text/html; charset=utf-8', 'Content-Disposition: =?utf-8?Q?inline?=', '', '<p>Hi</p>')
    const { document } = await normalize(raw)
    expect(document.attachments).toEqual([])
    expect(document.html).toBe('<p>Hi</p>\n')
    expect([document.text, document.textSource]).toEqual(['Hi', 'html'])
  })

  test('an inline text part that names a file is body text and also listed as an inline file', async () => {
    const raw = eml(
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Disposition: inline; filename="notes.txt"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=FC=DFe',
    )
    const { document, attachments } = await normalize(raw)
    expect(document.text).toBe('Grüße\n')
    expect(document.attachments).toMatchObject([{ filename: 'notes.txt', disposition: 'inline', contentType: 'text/plain', size: 7 }])
    expect(attachments[0].content).toEqual(Buffer.from('Gr\xfc\xdfe\r\n', 'latin1'))
  })

  test('an x-uuencode part is decoded to the file it carries (Eudora)', async () => {
    const raw = eml(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Attached.',
      '--b',
      'Content-Type: application/msword',
      'Content-Disposition: attachment; filename="cat.doc"',
      'Content-Transfer-Encoding: x-uuencode',
      '',
      'begin 644 cat.doc',
      '#0V%T',
      '`',
      'end',
      '--b--',
    )
    const { document, attachments } = await normalize(raw)
    expect(document.attachments).toMatchObject([{ filename: 'cat.doc', size: 3, sha256: sha256(Buffer.from('Cat')) }])
    expect(attachments[0].content.toString()).toBe('Cat')
  })

  test("a calendar invitation's text/calendar alternative is a body part, the .ics file an attachment", async () => {
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR'
    const raw = eml(
      'Content-Type: multipart/mixed; boundary=m',
      '',
      '--m',
      'Content-Type: multipart/alternative; boundary=a',
      '',
      '--a',
      'Content-Type: text/plain',
      '',
      'Invitation',
      '--a',
      'Content-Type: text/calendar; charset=UTF-8; method=REQUEST',
      '',
      ics,
      '--a--',
      '--m',
      'Content-Type: application/ics; name="invite.ics"',
      'Content-Disposition: attachment; filename="invite.ics"',
      '',
      ics,
      '--m--',
    )
    const { document } = await normalize(raw)
    expect(document.bodyParts).toEqual([{ contentType: 'text/calendar', params: { charset: 'UTF-8', method: 'REQUEST' }, text: ics }])
    expect(document.attachments.map((a) => a.filename)).toEqual(['invite.ics'])
  })
})

describe('header fields', () => {
  test('threadId: first References, else In-Reply-To, else own Message-ID, else the Postern id', async () => {
    const thread = async (...headers: string[]) => (await normalize(eml(...headers, '', 'x'))).document.threadId
    expect(await thread('Message-ID: <c@x>', 'In-Reply-To: <b@x>', 'References: <a@x> <b@x>')).toBe('<a@x>')
    expect(await thread('Message-ID: <c@x>', 'In-Reply-To: <b@x>')).toBe('<b@x>')
    expect(await thread('Message-ID: <c@x>')).toBe('<c@x>')
    expect(await thread('Subject: no ids')).toBe('m1')
  })

  test('an unparseable Date is null, kept as written and reported; never the time of receipt', async () => {
    const { document } = await normalize(eml('Date: <HR>', 'Message-ID: <a@b>', '', 'x'))
    expect([document.date, document.dateHeader]).toEqual([null, '<HR>'])
    expect(document.warnings).toEqual([{ code: 'date-unparseable', detail: '<HR>' }])
  })

  test('duplicated fields: the first is used, all are kept in headers, and the duplication is reported', async () => {
    const { document } = await normalize(eml('Subject: one', 'Subject: two', 'Date: Sun, 8 Jan 2017 20:37:44 +0200', 'Message-ID: <a@b>', '', 'x'))
    expect(document.subject).toBe('one')
    expect(document.headers.filter((h) => h.name === 'subject').map((h) => h.value)).toEqual(['one', 'two'])
    expect(document.warnings).toEqual([{ code: 'header-duplicated', detail: 'subject' }])
  })

  test('raw 8-bit headers use the body charset when they are not UTF-8', async () => {
    const raw = eml(
      Buffer.from('Subject: \xdb\xcf\xd3\xd4\xc9\xca', 'latin1'),
      'Content-Type: text/plain; charset=koi8-r',
      '',
      Buffer.from('\xdb\xcf', 'latin1'),
    )
    const { document } = await normalize(raw)
    expect([document.subject, document.text]).toEqual(['шостий', 'шо\n'])
  })

  test('an unknown body charset falls back without U+FFFD and is reported', async () => {
    const raw = eml(
      'Content-Type: text/plain; charset=x-unknown-42',
      'Message-ID: <a@b>',
      'Date: Sun, 8 Jan 2017 20:37:44 +0200',
      '',
      Buffer.from('caf\xe9 ok', 'latin1'),
    )
    const { document } = await normalize(raw)
    expect(document.text).toBe('café ok\n')
    expect(document.warnings).toEqual([{ code: 'charset-unknown', detail: 'x-unknown-42' }])
  })

  test('latin1 bytes under a UTF-8 label (Windows Live Mail) are read as windows-1252, not U+FFFD', async () => {
    const raw = eml(
      'Content-Type: multipart/alternative; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Det h=E4r =C3=A4r ett test, thanks to the =',
      'Swedish client.',
      '--b--',
    )
    const { document } = await normalize(raw)
    expect(document.text).toBe('Det här är ett test, thanks to the Swedish client.')
  })

  test('LF and CRLF line ends give the same document but for size and checksum', async () => {
    const lines = [
      'From: a@example.com',
      'Subject: same',
      'Content-Type: multipart/alternative; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'line 1',
      'line 2',
      '--b--',
      '',
    ]
    const crlf = await normalize(Buffer.from(lines.join('\r\n')))
    const lf = await normalize(Buffer.from(lines.join('\n')))
    const strip = (d: InboundMessage) => ({ ...d, size: 0, sha256: '' })
    expect(strip(lf.document)).toEqual(strip(crlf.document))
  })
})

describe('bounces and auto-replies', () => {
  test('a multipart/report DSN gives dsn, the returned Message-ID and the auto-reply flag', async () => {
    const raw = eml(
      'From: MAILER-DAEMON@example.net',
      'Auto-Submitted: auto-replied',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=r',
      '',
      '--r',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--r',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; bob@example.org',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 unknown user',
      '--r',
      'Content-Type: text/rfc822-headers',
      '',
      'Message-ID: <sent-1@postern.example>',
      'Subject: hello',
      '--r--',
    )
    const { document } = await normalize(raw)
    expect(document.dsn).toMatchObject({
      reportingMta: 'mx.example.net',
      originalMessageId: '<sent-1@postern.example>',
      recipients: [{ action: 'failed', status: '5.1.1', finalRecipient: 'bob@example.org', diagnosticCode: '550 5.1.1 unknown user' }],
    })
    expect(document.text).toBe('Your message could not be delivered.')
    expect(document.attachments.map((a) => a.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers'])
    expect([document.autoReply, document.autoReplyReasons]).toEqual([true, [{ header: 'auto-submitted', value: 'auto-replied' }]])
    expect(document.from[0].address).toBe('MAILER-DAEMON@example.net')
  })

  test('a plain message is no DSN and no auto-reply; textReply strips the quote', async () => {
    const raw = eml(
      'From: a@example.com',
      'List-Id: <dev.example.com>',
      'Precedence: list',
      '',
      'Yes, ship it.',
      '',
      'On Mon, Bob <b@example.com> wrote:',
      '> Ship it?',
    )
    const { document } = await normalize(raw)
    expect([document.dsn, document.autoReply, document.textReply]).toEqual([null, false, 'Yes, ship it.'])
  })
})
