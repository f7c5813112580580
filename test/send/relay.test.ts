import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { harness, headersOf, type Harness } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

let smtp: SmtpTestServer
let h: Harness
beforeAll(async () => {
  smtp = await startSmtp()
  h = await harness({ smtp })
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})
beforeEach(() => {
  smtp.received.length = 0
  smtp.commands.length = 0
  smtp.behave({})
})

/** Replaces nodemailer's random multipart boundaries with B1, B2, ... so whole messages compare exactly. */
function canonical(raw: Buffer): string {
  let text = raw.toString('latin1')
  const boundaries = [...text.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1])
  boundaries.forEach((b, i) => (text = text.split(b).join(`B${i + 1}`)))
  return text
}

async function sendAndDeliver(body: unknown) {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(202)
  await h.runner.drain()
  return res.json as { id: string; status: string; messageId: string }
}

describe('what the relay receives', () => {
  test('a plain text message: envelope, AUTH over STARTTLS, and the exact bytes', async () => {
    const res = await sendAndDeliver({ from: 'ops@example.com', to: 'alice@example.org', subject: 'Hello', text: 'Hi Alice,\nall good.' })
    expect(res.status).toBe('queued')
    expect(res.messageId).toBe(`<${res.id.toLowerCase()}@postern.localhost>`)
    expect(smtp.received).toHaveLength(1)
    const got = smtp.received[0]
    expect(got).toMatchObject({ mailFrom: 'ops@example.com', rcptTo: ['alice@example.org'], user: 'relay', secure: true, smtpUtf8: false })
    expect(smtp.commands.filter((c) => /^(MAIL|RCPT)/.test(c))).toEqual(['MAIL FROM:<ops@example.com>', 'RCPT TO:<alice@example.org>'])
    expect(smtp.commands).toContain('STARTTLS')
    expect(got.raw.toString('latin1')).toBe(
      [
        'From: ops@example.com',
        'To: alice@example.org',
        'Subject: Hello',
        `Message-ID: ${res.messageId}`,
        'Date: Sun, 29 Nov 2026 12:00:00 +0000',
        'Content-Transfer-Encoding: 7bit',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hi Alice,',
        'all good.',
        '',
      ].join('\r\n'),
    )
  })

  test('encoded-word look-alikes are refused before the relay; text that only resembles one goes out as written', async () => {
    const lookalike = `=?UTF-8?B?${Buffer.from('\r\nBcc: victim@example.org').toString('base64')}?=`
    const refused = await h.call('POST', '/v1/messages', { from: 'ops@example.com', to: 'alice@example.org', subject: lookalike, text: 'x' })
    expect([refused.status, refused.json.error.issues.map((i: { code: string }) => i.code)]).toEqual([400, ['encoded_word']])
    await h.runner.drain()
    expect(smtp.received).toEqual([])

    await sendAndDeliver({ from: { name: 'Q=?A Team', address: 'ops@example.com' }, to: 'alice@example.org', subject: 'Is 2+2 =?4? Yes ?= sure', text: 'x' })
    const head = smtp.received[0].raw.toString('latin1').split('\r\n\r\n')[0].split('\r\n')
    expect(head.filter((l) => /^(From|Subject):/.test(l))).toEqual(['From: "Q=?A Team" <ops@example.com>', 'Subject: Is 2+2 =?4? Yes ?= sure'])
  })

  test('names, an encoded subject, cc, bcc only in the envelope, reply-to, custom headers, an attachment and an inline image', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
    const res = await sendAndDeliver({
      from: { name: 'Zoë Ops', address: 'ops@example.com' },
      to: ['a@example.org', 'Bob <bob@example.org>'],
      cc: 'c@example.org',
      bcc: ['hidden@example.org'],
      replyTo: 'reply@example.com',
      subject: 'Grüße ✔ status',
      text: 'plain',
      html: '<p>html <img src="cid:logo@x"></p>',
      headers: { 'X-Campaign': 'fall', 'List-Unsubscribe': '<mailto:u@example.com>' },
      attachments: [
        { filename: 'report.csv', content: Buffer.from('a,b\n1,2\n').toString('base64'), contentType: 'text/csv' },
        { filename: 'logo.png', content: png.toString('base64'), contentType: 'image/png', contentId: '<logo@x>' },
      ],
    })
    const got = smtp.received[0]
    expect(got.rcptTo).toEqual(['a@example.org', 'bob@example.org', 'c@example.org', 'hidden@example.org'])
    expect(canonical(got.raw)).toBe(
      [
        'X-Campaign: fall',
        'List-Unsubscribe: <mailto:u@example.com>',
        'From: =?UTF-8?Q?Zo=C3=AB_Ops?= <ops@example.com>',
        'To: a@example.org, Bob <bob@example.org>',
        'Cc: c@example.org',
        'Reply-To: reply@example.com',
        'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_=E2=9C=94_status?=',
        `Message-ID: ${res.messageId}`,
        'Date: Sun, 29 Nov 2026 12:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed;',
        ' boundary="B1"',
        '',
        '--B1',
        'Content-Type: multipart/alternative;',
        ' boundary="B2"',
        '',
        '--B2',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        'plain',
        '--B2',
        'Content-Type: multipart/related; type="text/html";',
        ' boundary="B3"',
        '',
        '--B3',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        '<p>html <img src="cid:logo@x"></p>',
        '--B3',
        'Content-Type: image/png; name=logo.png',
        'Content-ID: <logo@x>',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: inline; filename=logo.png',
        '',
        png.toString('base64'),
        '--B3--',
        '',
        '--B2--',
        '',
        '--B1',
        'Content-Type: text/csv; name=report.csv',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename=report.csv',
        '',
        Buffer.from('a,b\n1,2\n').toString('base64'),
        '--B1--',
        '',
      ].join('\r\n'),
    )
  })

  test('an internationalised domain goes out as punycode in the envelope and the header', async () => {
    await sendAndDeliver({ from: 'ops@example.com', to: 'Jörg <jorg@bücher.example>', subject: 'idn', text: 'x' })
    expect(smtp.commands).toContain('RCPT TO:<jorg@xn--bcher-kva.example>')
    expect(headersOf(smtp.received[0].raw).get('to')).toEqual(['=?UTF-8?Q?J=C3=B6rg?= <jorg@xn--bcher-kva.example>'])
  })

  test('a quoted display name keeps its comma and quote; a name without a space before < is a name', async () => {
    await sendAndDeliver({ from: 'ops@example.com', to: ['"Doe, \\"J\\"" <j@example.org>', 'Tight<t@example.org>'], subject: 'names', text: 'x' })
    expect(smtp.received[0].rcptTo).toEqual(['j@example.org', 't@example.org'])
    expect(headersOf(smtp.received[0].raw).get('to')).toEqual(['"Doe, \\"J\\"" <j@example.org>, Tight <t@example.org>'])
  })

  test('a non-ASCII local part is relayed with SMTPUTF8', async () => {
    await sendAndDeliver({ from: 'ops@example.com', to: 'jörg@example.org', subject: 'eai', text: 'x' })
    expect(smtp.commands).toContain('MAIL FROM:<ops@example.com> SMTPUTF8')
    expect(smtp.received[0]).toMatchObject({ rcptTo: ['jörg@example.org'], smtpUtf8: true })
  })

  test('no line on the wire exceeds 998 octets, whatever the input', async () => {
    const long = 'x'.repeat(5000)
    await sendAndDeliver({
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: `long ${'word '.repeat(300)}`,
      text: long,
      html: `<p>${long}</p>`,
      headers: { 'X-Long': 'v '.repeat(1500) },
    })
    const lines = smtp.received[0].raw.toString('latin1').split('\r\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998)
    expect(smtp.received[0].raw.toString('latin1')).not.toMatch(/[^\r]\n/)
  })

  test('header values that cannot be folded to 998 octets are refused; the longest accepted ones fit', async () => {
    const res = await h.call('POST', '/v1/messages', {
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: 'S'.repeat(2000),
      text: 'x',
      headers: { 'X-Long': 'a'.repeat(4000) },
    })
    expect(res.status).toBe(400)
    expect(res.json.error.issues.map((i: { path: unknown[]; code: string }) => ({ path: i.path, code: i.code }))).toEqual([
      { path: ['subject'], code: 'too_long' },
      { path: ['headers', 'X-Long'], code: 'too_long' },
    ])
    const name = `X-${'N'.repeat(74)}`
    await sendAndDeliver({
      from: { name: 'ü'.repeat(256), address: 'ops@example.com' },
      to: 'a@example.org',
      subject: `${'S'.repeat(900)} ${'é'.repeat(1000)}`,
      text: 'x',
      headers: { [name]: 'a'.repeat(900), 'X-Utf': 'ü'.repeat(3000), 'X-Mixed': `${'b'.repeat(900)}ü${'c'.repeat(900)}` },
      attachments: [{ filename: `${'f'.repeat(200)}ü.txt`, content: 'YQ==', contentType: 'text/plain' }],
    })
    const raw = smtp.received[0].raw.toString('latin1')
    const lines = raw.split('\r\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998)
    expect(headersOf(smtp.received[0].raw).get(name.toLowerCase())).toEqual(['a'.repeat(900)])
    expect(raw).not.toMatch(/[^\r]\n|\r[^\n]|\0/)
  })

  test('a message/rfc822 attachment goes out as it is (RFC 2046 §5.2.1) only when it is a valid message body; x.eml without a type is octet-stream', async () => {
    const eml = 'From: x@example.net\r\nSubject: fwd\r\n\r\nbody\r\n'
    const junk = Buffer.from('a\nb\0c')
    await sendAndDeliver({
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: 'fwd',
      text: 'see attached',
      attachments: [
        { filename: 'fwd.eml', content: Buffer.from(eml).toString('base64'), contentType: 'message/rfc822' },
        { filename: 'junk.eml', content: junk.toString('base64') },
      ],
    })
    const raw = canonical(smtp.received[0].raw)
    expect(raw).toContain(
      [
        '--B1',
        'Content-Type: message/rfc822; name=fwd.eml',
        'Content-Transfer-Encoding: 7bit',
        'Content-Disposition: attachment; filename=fwd.eml',
        '',
        eml,
        '--B1',
      ].join('\r\n'),
    )
    expect(raw).toContain(
      [
        '--B1',
        'Content-Type: application/octet-stream; name=junk.eml',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename=junk.eml',
        '',
        junk.toString('base64'),
        '--B1--',
      ].join('\r\n'),
    )
    expect(raw).not.toMatch(/[^\r]\n|\r[^\n]|\0/)
  })

  test('GET shows the message sent with its attempt and the relay reply', async () => {
    const { id, messageId } = await sendAndDeliver({
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: 's',
      text: 't',
      tags: ['welcome'],
      metadata: { user: '42' },
    })
    const res = await h.call('GET', `/v1/messages/${id}`)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      id,
      messageId,
      status: 'sent',
      from: 'ops@example.com',
      to: ['a@example.org'],
      tags: ['welcome'],
      metadata: { user: '42' },
      accepted: ['a@example.org'],
      rejected: [],
      attempts: [
        { attempt: 1, outcome: 'sent', reply: 250, enhancedStatus: '2.0.0', response: '250 2.0.0 Ok: queued', ambiguous: false, accepted: ['a@example.org'] },
      ],
    })
  })
})
