import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createApp } from '../../lib/http/app.js'
import { harness, TEST_KEY, type Harness } from '../harness.js'

let h: Harness
beforeAll(async () => {
  h = await harness({ config: { limits: { maxRecipients: 3, maxMessageBytes: 2048 } } })
})
afterAll(() => h.close())

const OK = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }

async function issuesFor(body: unknown) {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(400)
  expect(res.json.error.code).toBe('validation_failed')
  return res.json.error.issues.map((i: { path: unknown[]; code: string }) => ({ path: i.path, code: i.code }))
}

describe('one test per class of bad input, with its exact code and path', () => {
  test('a body that is not JSON: 400 invalid_json', async () => {
    const res = await h.call('POST', '/v1/messages', '{"from": ')
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'invalid_json', issues: [] })
  })

  test('JSON nested deeper than 64 levels: 400 invalid_json, also with an Idempotency-Key and on /emails', async () => {
    const deep = JSON.stringify(OK).slice(0, -1) + ',"junk":' + '['.repeat(4000) + ']'.repeat(4000) + '}'
    for (const path of ['/v1/messages', '/v1/messages/batch', '/emails']) {
      const res = await h.call('POST', path, deep, { 'idempotency-key': 'x' })
      expect(res.status).toBe(400)
      expect(JSON.stringify(res.json)).toContain('nested too deep')
    }
    // 64 levels still parse and reach the schema.
    const ok = JSON.stringify(OK).slice(0, -1) + ',"junk":' + '['.repeat(63) + ']'.repeat(63) + '}'
    expect(await issuesFor(ok)).toEqual([{ path: ['junk'], code: 'unknown_field' }])
  })

  test('a body that is not UTF-8, or declared in another charset: 400 invalid_json, 415', async () => {
    const app = createApp(h.deps)
    const post = (body: Buffer, type = 'application/json') =>
      app.request('/v1/messages', { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': type }, body: new Uint8Array(body) })
    const latin1 = Buffer.from(JSON.stringify({ ...OK, subject: 'caf\u00e9' }).replace('\\u00e9', '\xe9'), 'latin1')
    expect(latin1.includes(0xe9)).toBe(true)
    const bad = await post(latin1)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({ code: 'invalid_json', message: 'the body is not valid UTF-8 (RFC 8259 §8.1)' })
    for (const charset of ['iso-8859-1', 'utf-16']) {
      const res = await post(Buffer.from(JSON.stringify(OK)), `application/json; charset=${charset}`)
      expect(res.status).toBe(415)
      expect((await res.json()).error.code).toBe('unsupported_media_type')
    }
  })

  test('a Content-Encoding other than identity: 415', async () => {
    const res = await h.call('POST', '/v1/messages', OK, { 'content-encoding': 'gzip' })
    expect(res.status).toBe(415)
    expect(res.json.error.code).toBe('unsupported_media_type')
  })

  test('a body the client stops sending is logged at info, not as an unhandled error', async () => {
    const error = vi.spyOn(h.deps.logger, 'error')
    const info = vi.spyOn(h.deps.logger, 'info')
    const body = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('{"from": "ops@'))
        ctrl.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
      },
    })
    const app = createApp(h.deps)
    const res = await app.request('/v1/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(400)
    expect(error).not.toHaveBeenCalled()
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ path: '/v1/messages' }), 'request body not read to its end (client gone?)')
    error.mockRestore()
    info.mockRestore()
  })

  test('a body that is not declared JSON: 415 unsupported_media_type', async () => {
    const res = await h.call('POST', '/v1/messages', JSON.stringify(OK), { 'content-type': 'text/plain' })
    expect(res.status).toBe(415)
    expect(res.json.error.code).toBe('unsupported_media_type')
  })

  test('missing required fields, each with its path, the missing body among them', async () => {
    expect(await issuesFor({})).toEqual([
      { path: ['from'], code: 'invalid_type' },
      { path: ['to'], code: 'invalid_type' },
      { path: ['subject'], code: 'invalid_type' },
      { path: ['text'], code: 'missing_body' },
    ])
  })

  test('neither text nor html: missing_body', async () => {
    expect(await issuesFor({ ...OK, text: undefined })).toEqual([{ path: ['text'], code: 'missing_body' }])
  })

  test('unknown fields are refused, not passed on to nodemailer', async () => {
    expect(await issuesFor({ ...OK, envelope: { from: 'x@y.z' }, raw: 'From: x' })).toEqual([
      { path: ['envelope'], code: 'unknown_field' },
      { path: ['raw'], code: 'unknown_field' },
    ])
  })

  test('an attachment may not name a path or a URL: nothing makes the gateway read a file or fetch', async () => {
    expect(
      await issuesFor({
        ...OK,
        attachments: [
          { filename: 'p', path: '/etc/passwd' },
          { filename: 'u', href: 'http://127.0.0.1/' },
        ],
      }),
    ).toEqual([
      { path: ['attachments', 0, 'content'], code: 'invalid_type' },
      { path: ['attachments', 0, 'path'], code: 'unknown_field' },
      { path: ['attachments', 1, 'content'], code: 'invalid_type' },
      { path: ['attachments', 1, 'href'], code: 'unknown_field' },
    ])
  })

  test('CR or LF in any field that becomes a header: header_injection', async () => {
    expect(
      await issuesFor({
        ...OK,
        subject: 'hi\r\nBcc: victim@example.org',
        from: { name: 'Evil\nX-Injected: 1', address: 'ops@example.com' },
        to: 'a@example.org\r\nRCPT TO:<b@example.org>',
        headers: { 'X-Ok': 'a\nb' },
        attachments: [{ filename: 'a\r\n.txt', content: 'YQ==', contentId: 'c\nd' }],
      }),
    ).toEqual([
      { path: ['from'], code: 'header_injection' },
      { path: ['to'], code: 'header_injection' },
      { path: ['subject'], code: 'header_injection' },
      { path: ['attachments', 0, 'filename'], code: 'header_injection' },
      { path: ['attachments', 0, 'contentId'], code: 'header_injection' },
      { path: ['headers', 'X-Ok'], code: 'header_injection' },
    ])
  })

  test('RFC 2047 encoded-word look-alikes, which receivers would decode: encoded_word', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    expect(
      await issuesFor({
        ...OK,
        // Decodes to CR LF and a header; to a brand's name; to an .exe file name; Q with raw spaces.
        subject: `Invoice =?UTF-8?B?${b64('\r\nBcc: victim@example.org')}?=`,
        from: { name: `=?UTF-8?B?${b64('PayPal Security')}?=`, address: 'ops@example.com' },
        to: ['=?utf-8?Q?Your Bank?= <a@example.org>', 'b@example.org'],
        attachments: [{ filename: `=?UTF-8?B?${b64('invoice.exe')}?=`, content: 'YQ==' }],
      }),
    ).toEqual([
      { path: ['from'], code: 'encoded_word' },
      { path: ['to', 0], code: 'encoded_word' },
      { path: ['subject'], code: 'encoded_word' },
      { path: ['attachments', 0, 'filename'], code: 'encoded_word' },
    ])
  })

  test('headers Postern owns are refused: reserved_header; bad names: invalid_header_name', async () => {
    expect(
      await issuesFor({ ...OK, headers: { 'Message-ID': '<x@y>', 'content-type': 'text/html', Date: 'now', 'MIME-Version': '2.0', 'Bad Name': 'v' } }),
    ).toEqual([
      { path: ['headers', 'Message-ID'], code: 'reserved_header' },
      { path: ['headers', 'content-type'], code: 'reserved_header' },
      { path: ['headers', 'Date'], code: 'reserved_header' },
      { path: ['headers', 'MIME-Version'], code: 'reserved_header' },
      { path: ['headers', 'Bad Name'], code: 'invalid_header_name' },
    ])
  })

  test('multipart/* attachments, and message/* ones that cannot go out unencoded: invalid_content_type', async () => {
    const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64')
    expect(
      await issuesFor({
        ...OK,
        attachments: [
          { filename: 'm', content: b64('x'), contentType: 'multipart/mixed' },
          { filename: 'lf.eml', content: b64('Subject: x\n\nbody\n'), contentType: 'message/rfc822' },
          { filename: 'nul.eml', content: b64('Subject: x\r\n\r\na\0b\r\n'), contentType: 'Message/RFC822' },
          { filename: 'long.eml', content: b64(`Subject: x\r\n\r\n${'a'.repeat(999)}\r\n`), contentType: 'message/global' },
        ],
      }),
    ).toEqual([0, 1, 2, 3].map((i) => ({ path: ['attachments', i, 'contentType'], code: 'invalid_content_type' })))
  })

  test('custom headers: at most 50, 16 KB in all, names unique ignoring case, values not empty', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, 'v']))
    expect(await issuesFor({ ...OK, headers: many })).toEqual([{ path: ['headers'], code: 'too_many_headers' }])
    const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`X-H${i}`, 'v '.repeat(1700)]))
    expect(await issuesFor({ ...OK, headers: big })).toEqual([{ path: ['headers'], code: 'too_big' }])
    expect(await issuesFor({ ...OK, headers: { 'In-Reply-To': '<a@b>', 'in-reply-to': '<c@d>', 'X-Empty': '', 'X-Blank': ' \t ' } })).toEqual([
      { path: ['headers', 'in-reply-to'], code: 'duplicate_header' },
      { path: ['headers', 'X-Empty'], code: 'empty_header' },
      { path: ['headers', 'X-Blank'], code: 'empty_header' },
    ])
  })

  test('trace, signature and Resent-* headers are reserved for every key', async () => {
    const names = ['Resent-From', 'Resent-Sender', 'Received', 'DKIM-Signature', 'Received-SPF', 'Authentication-Results', 'ARC-Seal', 'Delivered-To']
    expect(await issuesFor({ ...OK, headers: Object.fromEntries(names.map((n) => [n, 'v'])) })).toEqual(
      names.map((n) => ({ path: ['headers', n], code: 'reserved_header' })),
    )
  })

  test('a contentId that is not an ASCII msg-id-like token: invalid_format', async () => {
    const att = (contentId: string) => ({ filename: 'a.png', content: 'YQ==', contentId })
    expect(
      await issuesFor({ ...OK, attachments: [att('a> <b@c'), att('lögo@x'), att('<<x>>'), att('a b'), att('@x'), att('<logo@x>'), att('logo-1')] }),
    ).toEqual([
      { path: ['attachments', 0, 'contentId'], code: 'invalid_format' },
      { path: ['attachments', 1, 'contentId'], code: 'invalid_format' },
      { path: ['attachments', 2, 'contentId'], code: 'invalid_format' },
      { path: ['attachments', 3, 'contentId'], code: 'invalid_format' },
      { path: ['attachments', 4, 'contentId'], code: 'invalid_format' },
    ])
  })

  test('__proto__, constructor and prototype keys are refused, not dropped: invalid_key, invalid_header_name', async () => {
    const body = JSON.stringify(OK).slice(0, -1) + ',"metadata":{"__proto__":"a","constructor":"b","ok":"c"},"headers":{"__proto__":"x","prototype":"y"}}'
    expect(await issuesFor(body)).toEqual([
      { path: ['metadata', '__proto__'], code: 'invalid_key' },
      { path: ['metadata', 'constructor'], code: 'invalid_key' },
      { path: ['headers', '__proto__'], code: 'invalid_header_name' },
      { path: ['headers', 'prototype'], code: 'invalid_header_name' },
    ])
  })

  test('a string or key with a lone surrogate is refused, not turned into U+FFFD: invalid_string at each path', async () => {
    const body = '{"from":"ops@example.com","to":["a@example.org","x\\ud800y@example.org"],"subject":"s\\udc00","text":"t","metadata":{"k\\ud801":"v"}}'
    expect(await issuesFor(body)).toEqual([
      { path: ['to', 1], code: 'invalid_string' },
      { path: ['subject'], code: 'invalid_string' },
      { path: ['metadata', 'k\ud801'], code: 'invalid_string' },
    ])
  })

  test('attachment content that is not base64: invalid_base64', async () => {
    expect(
      await issuesFor({
        ...OK,
        attachments: [
          { filename: 'a', content: 'not base64!' },
          { filename: 'b', content: 'YWJj\nZA==' },
        ],
      }),
    ).toEqual([
      { path: ['attachments', 0, 'content'], code: 'invalid_base64' },
      { path: ['attachments', 1, 'content'], code: 'invalid_base64' },
    ])
  })

  test('addresses: invalid_address and invalid_domain, in lists at their index', async () => {
    expect(
      await issuesFor({
        ...OK,
        from: 'no-at-sign',
        to: ['a@-bad-.com', 'x@localhost'],
        cc: ['a..b@example.org'],
        replyTo: ['ok@example.org', { address: 'a@b@example.com' }],
      }),
    ).toEqual([
      { path: ['from'], code: 'invalid_address' },
      { path: ['to', 0], code: 'invalid_domain' },
      { path: ['to', 1], code: 'invalid_domain' },
      { path: ['cc', 0], code: 'invalid_address' },
      { path: ['replyTo', 1], code: 'invalid_address' },
    ])
  })

  test('address strings that are not exactly one mailbox are refused, never read as another one: invalid_address', async () => {
    expect(
      await issuesFor({
        ...OK,
        from: 'a b@example.com',
        to: ['Name <a@example.org> trailing', 'A <b <c@example.org>>', 'x@ex%61mple.org'],
        replyTo: [
          'a@example.org, b@example.org',
          'G: a@example.org;',
          '"Quoted \\" Name" <q@example.org>',
          'Plain Name <p@example.org>',
          '<bare@example.org>',
          'Tight<t@example.org>',
        ],
      }),
    ).toEqual([
      { path: ['from'], code: 'invalid_address' },
      { path: ['to', 0], code: 'invalid_address' },
      { path: ['to', 1], code: 'invalid_address' },
      { path: ['to', 2], code: 'invalid_domain' },
      { path: ['replyTo', 0], code: 'invalid_address' },
      { path: ['replyTo', 1], code: 'invalid_address' },
    ])
  })

  test('control, format and space characters in a local part: invalid_address', async () => {
    expect(await issuesFor({ ...OK, replyTo: ['a\u0085b@example.org', 'a\u200Bb@example.org', 'a\u00A0b@example.org', 'a\u202Eb@example.org'] })).toEqual(
      [0, 1, 2, 3].map((i) => ({ path: ['replyTo', i], code: 'invalid_address' })),
    )
  })

  test('over 1000 recipients is one too_many_recipients issue, not a schema error', async () => {
    const to = Array.from({ length: 1001 }, (_, i) => `r${i}@example.org`)
    expect(await issuesFor({ ...OK, to })).toEqual([{ path: ['to'], code: 'too_many_recipients' }])
  })

  test('more recipients than limits.maxRecipients across to, cc and bcc: too_many_recipients', async () => {
    expect(await issuesFor({ ...OK, to: ['a@example.org', 'b@example.org'], cc: 'c@example.org', bcc: 'd@example.org' })).toEqual([
      { path: ['to'], code: 'too_many_recipients' },
    ])
  })

  test('sendAt past the schedule window: send_at_too_far; not ISO 8601: invalid_format', async () => {
    expect(await issuesFor({ ...OK, sendAt: '2026-12-07T12:00:01Z' })).toEqual([{ path: ['sendAt'], code: 'send_at_too_far' }])
    expect(await issuesFor({ ...OK, sendAt: 'tomorrow' })).toEqual([{ path: ['sendAt'], code: 'invalid_format' }])
  })

  test('tags and metadata have a shape', async () => {
    expect(await issuesFor({ ...OK, tags: ['ok', 'has space'], metadata: { 'bad key!': 'v', n: 1 } })).toEqual([
      { path: ['tags', 1], code: 'invalid_format' },
      { path: ['metadata', 'bad key!'], code: 'invalid_key' },
      { path: ['metadata', 'n'], code: 'invalid_type' },
    ])
  })

  test('a decoded size over limits.maxMessageBytes: 413 payload_too_large', async () => {
    const res = await h.call('POST', '/v1/messages', { ...OK, attachments: [{ filename: 'big.bin', content: Buffer.alloc(2100).toString('base64') }] })
    expect(res.status).toBe(413)
    expect(res.json.error).toMatchObject({ code: 'payload_too_large', issues: [{ path: [], code: 'message_too_large' }] })
  })

  test('a body far over the limit is refused before it is parsed: 413', async () => {
    const res = await h.call('POST', '/v1/messages', { ...OK, text: 'x'.repeat(3 * 1024 * 1024) })
    expect(res.status).toBe(413)
    expect(res.json.error.code).toBe('payload_too_large')
  })

  test('wrong JSON types never yield a 500', async () => {
    for (const body of [null, [], 42, 'str', { from: 1, to: {}, subject: [], text: false }]) {
      const res = await h.call('POST', '/v1/messages', JSON.stringify(body))
      expect(res.status).toBe(400)
    }
  })

  test('nothing bad was stored or queued', async () => {
    expect(await h.store.list('messages/')).toEqual([])
    expect(await h.store.list('queue/')).toEqual([])
  })

  test('an unknown route answers 404 in the same error shape', async () => {
    const res = await h.call('GET', '/v1/nope')
    expect(res.status).toBe(404)
    expect(res.json.error.code).toBe('not_found')
  })
})

describe('what a body may be', () => {
  test('declared charset=UTF-8 or Content-Encoding: identity is accepted', async () => {
    expect((await h.call('POST', '/v1/messages', OK, { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(202)
    expect((await h.call('POST', '/v1/messages', OK, { 'content-encoding': 'identity' })).status).toBe(202)
  })

  test('a surrogate pair (an emoji) is well-formed text', async () => {
    expect((await h.call('POST', '/v1/messages', '{"from":"ops@example.com","to":"a@example.org","subject":"\\ud83d\\ude00","text":"😀"}')).status).toBe(202)
  })
})
