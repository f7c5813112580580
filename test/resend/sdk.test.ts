import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Resend } from 'resend'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { Config } from '../../lib/config/schema.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { headersOf, manualClock, relayFor } from '../harness.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'

const KEY = 're_postern_app_key_0123456789'
const LIMITED_KEY = 're_postern_limited_key_0123456789'
const SLOW_KEY = 're_postern_slow_key_0123456789'
const SHARED_KEY = 're_postern_shared_key_0123456789'
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

let smtp: SmtpTestServer
let gw: LocalGateway
let dir: string
let resend: Resend
const clock = manualClock()
/** While set, storing a message's request waits for it: holds a request in the middle of its acceptance. */
let holdAccept: Promise<void> | null = null

/** The real fs store, with a hold on the first write of an acceptance (the only fake: timing). */
function holdingStore(inner: ObjectStore): ObjectStore {
  return {
    ...inner,
    async put(key, body, options) {
      if (holdAccept && /^messages\/[^/]+\/request\.json$/.test(key)) await holdAccept
      return inner.put(key, body, options)
    },
  }
}

beforeAll(async () => {
  smtp = await startSmtp()
  dir = await mkdtemp(join(tmpdir(), 'postern-resend-'))
  const config = Config.parse({
    port: 0,
    store: { driver: 'fs', dir },
    relay: relayFor(smtp),
    apiKeys: [
      { id: 'app', hash: hashApiKey(KEY) },
      { id: 'limited', hash: hashApiKey(LIMITED_KEY), allowedFrom: ['example.com'] },
      { id: 'slow', hash: hashApiKey(SLOW_KEY), rateLimit: { limit: 2, windowMs: 60_000 } },
      { id: 'shared', hash: hashApiKey(SHARED_KEY), rateLimit: { limit: 2, windowMs: 60_000 } },
    ],
    logLevel: 'silent',
  })
  gw = await startLocal(config, { clock, store: holdingStore(createFsStore(dir)) })
  // The SDK reads RESEND_BASE_URL when a client is constructed: this is the one change an app makes.
  process.env.RESEND_BASE_URL = gw.url
  resend = new Resend(KEY)
})
afterAll(async () => {
  delete process.env.RESEND_BASE_URL
  await gw?.close()
  await smtp?.close()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => {
  smtp.received.length = 0
  smtp.commands.length = 0
  smtp.behave({})
})

/** Waits until the SMTP server has received `n` messages (the local runner sends right after acceptance). */
async function received(n: number, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs
  while (smtp.received.length < n) {
    if (Date.now() > until) throw new Error(`the SMTP server received ${smtp.received.length} messages, expected ${n}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return smtp.received
}

/** Lets the runner act on anything it was told about, so a test can assert that nothing more was sent. */
const settle = () => new Promise((r) => setTimeout(r, 400))

/** Replaces nodemailer's random multipart boundaries with B1, B2, ... so whole messages compare exactly. */
function canonical(raw: Buffer): string {
  let text = raw.toString('latin1')
  const boundaries = [...text.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1])
  boundaries.forEach((b, i) => (text = text.split(b).join(`B${i + 1}`)))
  return text
}

const storedMessages = async () => (await gw.deps.store.list('messages/')).filter((k) => k.endsWith('/request.json')).length

describe('sending with the official resend SDK', () => {
  test('send one: the SDK gets { id }, the relay gets envelope, headers, both bodies and the attachment bytes', async () => {
    const csv = Buffer.from('id,total\r\n1,9.99\r\n\u00e9\u00e8\u00ff', 'latin1')
    const res = await resend.emails.send({
      from: 'Acme Billing <billing@example.com>',
      to: ['alice@example.org', 'Bob <bob@example.org>'],
      cc: 'carol@example.org',
      bcc: ['audit@example.org'],
      replyTo: 'support@example.com',
      subject: 'Your invoice',
      html: '<p>Invoice attached</p>',
      text: 'Invoice attached',
      headers: { 'X-Entity-Ref-ID': 'inv-1' },
      attachments: [{ filename: 'invoice.csv', content: csv, contentType: 'text/csv' }],
      tags: [{ name: 'category', value: 'invoice' }],
    })
    expect(res.error).toBeNull()
    expect(res.data).toEqual({ id: expect.stringMatching(ULID) })
    const id = res.data!.id
    const [got] = await received(1)
    expect(got).toMatchObject({
      mailFrom: 'billing@example.com',
      rcptTo: ['alice@example.org', 'bob@example.org', 'carol@example.org', 'audit@example.org'],
      user: 'relay',
      secure: true,
    })
    expect(canonical(got.raw)).toBe(
      [
        'X-Entity-Ref-ID: inv-1',
        'From: Acme Billing <billing@example.com>',
        'To: alice@example.org, Bob <bob@example.org>',
        'Cc: carol@example.org',
        'Reply-To: support@example.com',
        'Subject: Your invoice',
        `Message-ID: <${id.toLowerCase()}@postern.localhost>`,
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
        'Invoice attached',
        '--B2',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        '<p>Invoice attached</p>',
        '--B2--',
        '',
        '--B1',
        'Content-Type: text/csv; name=invoice.csv',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename=invoice.csv',
        '',
        csv.toString('base64'),
        '--B1--',
        '',
      ].join('\r\n'),
    )
    expect(headersOf(got.raw).get('bcc')).toBeUndefined()
  })

  test('an attachment with content_id goes inline, referenced from the html by cid:', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex')
    const res = await resend.emails.send({
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: 'logo',
      html: '<img src="cid:logo-1">',
      attachments: [{ filename: 'logo.png', content: png.toString('base64'), contentType: 'image/png', contentId: 'logo-1' }],
    })
    expect(res.error).toBeNull()
    const [got] = await received(1)
    const text = canonical(got.raw)
    expect(text).toContain(
      [
        'Content-Type: image/png; name=logo.png',
        'Content-ID: <logo-1>',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: inline; filename=logo.png',
        '',
        png.toString('base64'),
        '',
      ].join('\r\n'),
    )
  })

  test('send a batch: { data: [{ id }, { id }] } in request order, one SMTP message each', async () => {
    const res = await resend.batch.send([
      { from: 'ops@example.com', to: 'a@example.org', subject: 'first', text: 'one' },
      { from: 'ops@example.com', to: ['b@example.org'], subject: 'second', html: '<b>two</b>' },
    ])
    expect(res.error).toBeNull()
    expect(res.data).toEqual({ data: [{ id: expect.stringMatching(ULID) }, { id: expect.stringMatching(ULID) }] })
    const ids = res.data!.data.map((d) => d.id)
    const got = await received(2)
    const bySubject = new Map(got.map((m) => [headersOf(m.raw).get('subject')![0], m]))
    expect(bySubject.get('first')).toMatchObject({ mailFrom: 'ops@example.com', rcptTo: ['a@example.org'] })
    expect(bySubject.get('second')).toMatchObject({ mailFrom: 'ops@example.com', rcptTo: ['b@example.org'] })
    expect(headersOf(bySubject.get('first')!.raw).get('message-id')).toEqual([`<${ids[0].toLowerCase()}@postern.localhost>`])
    expect(headersOf(bySubject.get('second')!.raw).get('message-id')).toEqual([`<${ids[1].toLowerCase()}@postern.localhost>`])
  })

  test('a strict batch (the SDK default) with one invalid email is refused whole, and nothing is stored or sent', async () => {
    const before = await storedMessages()
    const res = await resend.batch.send([
      { from: 'ops@example.com', to: 'a@example.org', subject: 'fine', text: 'ok' },
      { from: 'ops@example.com', to: 'not-an-address', subject: 'bad', text: 'no' },
    ])
    expect(res.data).toBeNull()
    expect(res.error).toEqual({ statusCode: 400, name: 'validation_error', message: '`[1].to`: must be an address like name@example.com' })
    await settle()
    expect(smtp.received).toEqual([])
    expect(await storedMessages()).toBe(before)
  })

  test("a strict batch is refused whole when the key may not send from one email's sender", async () => {
    const before = await storedMessages()
    const res = await new Resend(LIMITED_KEY).batch.send([
      { from: 'ops@example.com', to: 'a@example.org', subject: 'allowed', text: 'ok' },
      { from: 'ops@example.net', to: 'a@example.org', subject: 'not allowed', text: 'no' },
    ])
    expect(res.error).toEqual({
      statusCode: 403,
      name: 'validation_error',
      message: "this API key may not send from ops@example.net (`[1].from`: not in the key's allowedFrom)",
    })
    await settle()
    expect(smtp.received).toEqual([])
    expect(await storedMessages()).toBe(before)
  })

  test('a permissive batch sends the valid emails and lists the refused ones by index', async () => {
    const res = await resend.batch.send(
      [
        { from: 'ops@example.com', to: 'not-an-address', subject: 'bad', text: 'no' },
        { from: 'ops@example.com', to: 'b@example.org', subject: 'good', text: 'yes' },
      ],
      { batchValidation: 'permissive' },
    )
    expect(res.error).toBeNull()
    expect(res.data).toEqual({ data: [{ id: expect.stringMatching(ULID) }], errors: [{ index: 0, message: '`to`: must be an address like name@example.com' }] })
    const [got] = await received(1)
    expect(got.rcptTo).toEqual(['b@example.org'])
    await settle()
    expect(smtp.received).toHaveLength(1)
  })
})

describe('reading an email back', () => {
  test('get by id after delivery: Resend fields, last_event sent, tags from the request', async () => {
    const sent = await resend.emails.send({
      from: 'Acme <ops@example.com>',
      to: 'alice@example.org',
      cc: ['carol@example.org'],
      replyTo: ['support@example.com', 'Help <help@example.com>'],
      subject: 'Welcome',
      html: '<h1>Hi</h1>',
      tags: [
        { name: 'flow', value: 'signup' },
        { name: 'user_id', value: '42' },
      ],
    })
    const id = sent.data!.id
    await received(1)
    // The state is written after the relay's reply; wait for it too.
    let res = await resend.emails.get(id)
    for (let i = 0; i < 100 && res.data?.last_event !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      res = await resend.emails.get(id)
    }
    expect(res.error).toBeNull()
    expect(res.data).toEqual({
      object: 'email',
      id,
      message_id: `<${id.toLowerCase()}@postern.localhost>`,
      to: ['alice@example.org'],
      from: 'Acme <ops@example.com>',
      created_at: '2026-11-29T12:00:00.000Z',
      subject: 'Welcome',
      html: '<h1>Hi</h1>',
      text: null,
      bcc: null,
      cc: ['carol@example.org'],
      reply_to: ['support@example.com', 'Help <help@example.com>'],
      last_event: 'sent',
      scheduled_at: null,
      tags: [
        { name: 'flow', value: 'signup' },
        { name: 'user_id', value: '42' },
      ],
    })
  })

  test('a display name with RFC 5322 specials reads back quoted, as the relay got it', async () => {
    const sent = await resend.emails.send({
      from: '"Acme, Inc." <ops@example.com>',
      to: ['"O\\"Brien, Pat" <pat@example.org>', 'Bo <bo@example.org>'],
      subject: 's',
      text: 't',
    })
    const [got] = await received(1)
    expect(headersOf(got.raw).get('from')).toEqual(['"Acme, Inc." <ops@example.com>'])
    expect(headersOf(got.raw).get('to')).toEqual(['"O\\"Brien, Pat" <pat@example.org>, Bo <bo@example.org>'])
    const res = await resend.emails.get(sent.data!.id)
    expect(res.data).toMatchObject({ from: '"Acme, Inc." <ops@example.com>', to: ['"O\\"Brien, Pat" <pat@example.org>', 'Bo <bo@example.org>'] })
  })

  test('scheduled_at holds the email: last_event is scheduled and nothing is sent', async () => {
    const res = await resend.emails.send({
      from: 'ops@example.com',
      to: 'a@example.org',
      subject: 'later',
      text: 'x',
      scheduledAt: '2026-11-29T13:30:00+01:00',
    })
    expect(res.error).toBeNull()
    const got = await resend.emails.get(res.data!.id)
    expect(got.data).toMatchObject({ last_event: 'scheduled', scheduled_at: '2026-11-29T12:30:00.000Z' })
    await settle()
    expect(smtp.received).toEqual([])
  })

  /** Reads an email until its last_event leaves `queued` (the runner records the relay's reply after it comes). */
  async function settled(id: string) {
    let res = await resend.emails.get(id)
    for (let i = 0; i < 200 && res.data?.last_event === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      res = await resend.emails.get(id)
    }
    return res
  }

  test('a relay deferral (4yz) is delivery_delayed, a refusal (5yz) is failed', async () => {
    smtp.behave({ rcpt: () => smtpReply(451, '4.7.1 greylisted, try later') })
    const deferred = await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 'grey', text: 'x' })
    expect((await settled(deferred.data!.id)).data).toMatchObject({ last_event: 'delivery_delayed' })
    smtp.behave({ rcpt: () => smtpReply(550, '5.1.1 no such user') })
    const failed = await resend.emails.send({ from: 'ops@example.com', to: 'nobody@example.org', subject: 'gone', text: 'x' })
    expect((await settled(failed.data!.id)).data).toMatchObject({ last_event: 'failed' })
    expect(smtp.received).toEqual([])
  })

  test('an unknown id is not_found', async () => {
    const res = await resend.emails.get('01JZZZZZZZZZZZZZZZZZZZZZZZ')
    expect(res).toMatchObject({ data: null, error: { statusCode: 404, name: 'not_found', message: 'Email not found' } })
  })

  test("a key limited to some senders does not see another key's email", async () => {
    const sent = await resend.emails.send({ from: 'ops@example.net', to: 'a@example.org', subject: 's', text: 't' })
    const res = await new Resend(LIMITED_KEY).emails.get(sent.data!.id)
    expect(res.error).toEqual({ statusCode: 404, name: 'not_found', message: 'Email not found' })
    await received(1)
  })
})

describe('idempotency', () => {
  test('a retry with the same Idempotency-Key gets the same id and sends one message', async () => {
    const email = { from: 'ops@example.com', to: 'a@example.org', subject: 'order 42 shipped', text: 'on its way' }
    const first = await resend.emails.send(email, { idempotencyKey: 'order-42/shipped' })
    expect(first.error).toBeNull()
    await received(1)
    const retry = await resend.emails.send(email, { idempotencyKey: 'order-42/shipped' })
    expect(retry.error).toBeNull()
    expect(retry.data).toEqual(first.data)
    expect(retry.headers?.['idempotent-replayed']).toBe('true')
    await settle()
    expect(smtp.received).toHaveLength(1)
  })

  test('the same key with another body is invalid_idempotent_request', async () => {
    await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 'v1', text: 'x' }, { idempotencyKey: 'reused-key' })
    const res = await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 'v2', text: 'x' }, { idempotencyKey: 'reused-key' })
    expect(res.data).toBeNull()
    expect(res.error).toEqual({ statusCode: 409, name: 'invalid_idempotent_request', message: 'this Idempotency-Key was used with a different request body' })
    await received(1)
    await settle()
    expect(smtp.received).toHaveLength(1)
  })

  test('the same key while the first request is still being accepted is concurrent_idempotent_requests', async () => {
    let release!: () => void
    holdAccept = new Promise((r) => (release = r))
    const email = { from: 'ops@example.com', to: 'a@example.org', subject: 'held', text: 'x' }
    // The first request is inside the pipeline once its idempotency record exists; poll for that, not a sleep.
    const records = async () => (await gw.deps.store.list('idempotency/app/')).length
    const before = await records()
    try {
      const first = resend.emails.send(email, { idempotencyKey: 'held-key' })
      for (let i = 0; i < 200 && (await records()) === before; i++) await new Promise((r) => setTimeout(r, 10))
      expect(await records()).toBe(before + 1)
      const second = await resend.emails.send(email, { idempotencyKey: 'held-key' })
      expect(second.error).toEqual({
        statusCode: 409,
        name: 'concurrent_idempotent_requests',
        message: 'a request with this Idempotency-Key is still being processed; retry later',
      })
      expect(second.headers?.['retry-after']).toBe('1')
      release()
      const done = await first
      expect(done.data).toEqual({ id: expect.stringMatching(ULID) })
      const third = await resend.emails.send(email, { idempotencyKey: 'held-key' })
      expect(third.data).toEqual(done.data)
    } finally {
      holdAccept = null
      release()
    }
    await received(1)
    await settle()
    expect(smtp.received).toHaveLength(1)
  })

  test('a key longer than 256 characters is invalid_idempotency_key', async () => {
    const res = await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }, { idempotencyKey: 'k'.repeat(257) })
    expect(res.error).toEqual({ statusCode: 400, name: 'invalid_idempotency_key', message: 'The Idempotency-Key must be 1 to 256 characters.' })
  })

  test("a key that is not printable ASCII is invalid_idempotency_key, not a field's validation_error", async () => {
    const res = await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }, { idempotencyKey: 'order\t42' })
    expect(res.error).toEqual({ statusCode: 400, name: 'invalid_idempotency_key', message: 'The Idempotency-Key must be 1 to 256 printable ASCII characters.' })
    await settle()
    expect(smtp.received).toEqual([])
  })

  test('the same key on /v1 and on the Resend routes is two requests: each is sent, neither is a conflict', async () => {
    const email = { from: 'ops@example.com', to: 'a@example.org', subject: 'both APIs', text: 'x' }
    const v1 = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': 'same-key-two-apis' },
      body: JSON.stringify(email),
    })
    expect(v1.status).toBe(202)
    const { id: v1Id } = (await v1.json()) as { id: string }
    const res = await resend.emails.send(email, { idempotencyKey: 'same-key-two-apis' })
    expect(res.error).toBeNull()
    expect(res.data).toEqual({ id: expect.stringMatching(ULID) })
    expect(res.data!.id).not.toBe(v1Id)
    expect(res.headers?.['idempotent-replayed']).toBe('false')
    await received(2)
  })

  test('a batch retried with the same key gets the same ids', async () => {
    const batch = [{ from: 'ops@example.com', to: 'a@example.org', subject: 'b1', text: 'x' }]
    const first = await resend.batch.send(batch, { idempotencyKey: 'batch-7' })
    const retry = await resend.batch.send(batch, { idempotencyKey: 'batch-7' })
    expect(retry.data).toEqual(first.data)
    await received(1)
    await settle()
    expect(smtp.received).toHaveLength(1)
  })
})

describe("errors in Resend's shape", () => {
  const valid = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }

  test('an invalid recipient is validation_error', async () => {
    const res = await resend.emails.send({ ...valid, to: ['a@example.org', 'bob at example'] })
    expect(res).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`to[1]`: must be an address like name@example.com' },
      headers: expect.any(Object),
    })
  })

  test('a missing subject is missing_required_field', async () => {
    const { subject: _s, ...noSubject } = valid
    const res = await resend.emails.send(noSubject as typeof valid)
    expect(res.error).toEqual({ statusCode: 422, name: 'missing_required_field', message: 'Missing `subject` field.' })
  })

  test('neither html nor text is missing_required_field', async () => {
    const res = await resend.emails.send({ from: 'ops@example.com', to: 'a@example.org', subject: 's' } as typeof valid)
    expect(res.error).toEqual({ statusCode: 422, name: 'missing_required_field', message: 'Missing `html` or `text` field.' })
  })

  test('a bad from is invalid_from_address', async () => {
    const res = await resend.emails.send({ ...valid, from: 'Acme <acme>' })
    expect(res.error).toEqual({ statusCode: 422, name: 'invalid_from_address', message: '`from`: must be an address like name@example.com' })
  })

  test('an attachment by path is refused: Postern never fetches URLs', async () => {
    const res = await resend.emails.send({ ...valid, attachments: [{ filename: 'logo.png', path: 'https://example.com/logo.png' }] })
    expect(res.error).toEqual({
      statusCode: 422,
      name: 'invalid_attachment',
      message: '`attachments[0].path`: Postern never fetches attachments from a URL: send the file as base64 `content`',
    })
    await settle()
    expect(smtp.received).toEqual([])
  })

  test("an attachment with bad base64 is invalid_attachment, named by Resend's field", async () => {
    const res = await resend.emails.send({ ...valid, attachments: [{ filename: 'a.txt', content: 'not base64!', contentType: 'text/plain' }] })
    expect(res.error).toEqual({
      statusCode: 422,
      name: 'invalid_attachment',
      message: '`attachments[0].content`: must be standard base64 (RFC 4648 §4) without line breaks',
    })
  })

  test('scheduled_at in natural language is refused clearly', async () => {
    const res = await resend.emails.send({ ...valid, scheduledAt: 'in 1 min' })
    expect(res.error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: '`scheduled_at`: Postern takes scheduled_at only as ISO 8601 with an offset (2026-11-29T12:00:00Z), not in natural language',
    })
  })

  test('a template is refused, not ignored', async () => {
    const res = await resend.emails.send({ to: 'a@example.org', template: { id: 'welcome' } })
    expect(res.error).toEqual({ statusCode: 400, name: 'validation_error', message: '`template`: Postern does not offer Resend templates: send html or text' })
  })

  test('a sender the key may not use is a 403 validation_error', async () => {
    const res = await new Resend(LIMITED_KEY).emails.send({ ...valid, from: 'ops@example.net' })
    expect(res.error).toEqual({
      statusCode: 403,
      name: 'validation_error',
      message: "this API key may not send from ops@example.net (`from`: not in the key's allowedFrom)",
    })
  })

  test('a wrong API key is invalid_api_key', async () => {
    const res = await new Resend('re_not_a_postern_key').emails.send(valid)
    expect(res).toEqual({ data: null, error: { statusCode: 403, name: 'invalid_api_key', message: 'the API key is not valid' }, headers: expect.any(Object) })
    expect(res.headers?.['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  test('a missing API key is missing_api_key (the SDK refuses to start without one, so the header is blanked)', async () => {
    expect(() => new Resend('')).toThrow('Missing API key')
    const res = await resend.emails.send(valid, { headers: { Authorization: '' } })
    expect(res.error).toEqual({ statusCode: 401, name: 'missing_api_key', message: 'send an API key as "Authorization: Bearer <key>"' })
  })

  test('a tag name Postern cannot keep is refused at its index in tags', async () => {
    const res = await resend.emails.send({
      ...valid,
      tags: [
        { name: 'ok', value: '1' },
        { name: 'has space', value: '2' },
      ],
    })
    expect(res).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`tags[1].name`: a tag name is 1 to 64 letters, digits or _ . -' },
      headers: expect.any(Object),
    })
  })

  test("a bad tag value is named by tags[i].value, in Resend's words", async () => {
    const nullValue = await resend.emails.send({ ...valid, tags: [{ name: 'ok', value: null as unknown as string }] })
    expect(nullValue).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`tags[0].value`: Invalid input: expected string, received null' },
      headers: expect.any(Object),
    })
    const long = await resend.emails.send({
      ...valid,
      tags: [
        { name: 'a', value: '1' },
        { name: 'b', value: 'x'.repeat(1025) },
      ],
    })
    expect(long).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`tags[1].value`: Too big: expected string to have <=1024 characters' },
      headers: expect.any(Object),
    })
  })

  test('more than 50 tags is a validation_error on tags, alone and in a batch', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ name: `t${i}`, value: 'v' }))
    expect(await resend.emails.send({ ...valid, tags })).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`tags`: at most 50 tags' },
      headers: expect.any(Object),
    })
    expect(await resend.batch.send([{ ...valid, tags }])).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`[0].tags`: at most 50 tags' },
      headers: expect.any(Object),
    })
    expect(await resend.emails.send({ ...valid, tags: tags.slice(0, 50) })).toMatchObject({ data: { id: expect.stringMatching(ULID) }, error: null })
    await received(1)
  })

  test('scheduled_at too far ahead is named scheduled_at, never sendAt', async () => {
    // The clock stands at 2026-11-29T12:00:00Z; limits.maxScheduleMs is 7 days.
    const res = await resend.emails.send({ ...valid, scheduledAt: '2026-12-06T12:00:01Z' })
    expect(res).toEqual({
      data: null,
      error: { statusCode: 400, name: 'validation_error', message: '`scheduled_at`: may be at most 168 hours ahead' },
      headers: expect.any(Object),
    })
  })

  test('reply_to and attachment fields are named as Resend names them', async () => {
    const res = await resend.emails.send({ ...valid, replyTo: 'nobody', attachments: [{ filename: 'a.txt', content: 'eA==', contentType: 'text' }] })
    expect(res.error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: '`reply_to`: must be an address like name@example.com; `attachments[0].content_type`: must be a MIME type like application/pdf',
    })
  })

  test('a missing field does not hide the other problems: the message names every one', async () => {
    const res = await fetch(`${gw.url}/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'bad', to: 'bad', text: 'x' }),
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      statusCode: 422,
      name: 'missing_required_field',
      message: 'Missing `subject` field. `from`: must be an address like name@example.com; `to`: must be an address like name@example.com',
    })
  })

  test('a check the pipeline makes first (the recipient count) does not hide the others', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`)
    const res = await resend.emails.send({ from: 'bad', to, text: 'x' } as unknown as typeof valid)
    expect(res.error).toEqual({
      statusCode: 422,
      name: 'missing_required_field',
      message: 'Missing `subject` field. `to`: 51 recipients in to, cc and bcc; at most 50; `from`: must be an address like name@example.com',
    })
  })

  test("a check the pipeline makes last (the key's sender rule) is named with the field problems", async () => {
    const res = await new Resend(LIMITED_KEY).emails.send({ ...valid, from: 'ops@example.net', cc: 'bad' })
    expect(res.error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: "`cc`: must be an address like name@example.com; `from`: not in the key's allowedFrom",
    })
  })

  test('null for a required field is the same as leaving it out', async () => {
    const res = await resend.emails.send({ ...valid, subject: null as unknown as string })
    expect(res.error).toEqual({ statusCode: 422, name: 'missing_required_field', message: 'Missing `subject` field.' })
  })

  test("a Resend-only problem (an attachment by path) does not hide the pipeline's (a bad from)", async () => {
    const res = await resend.emails.send({ ...valid, from: 'bad', attachments: [{ filename: 'logo.png', path: 'https://example.com/logo.png' }] })
    expect(res.error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message:
        '`attachments[0].path`: Postern never fetches attachments from a URL: send the file as base64 `content`; `from`: must be an address like name@example.com',
    })
  })

  test('an email of a batch that is not an object is named by its index, and nothing else is said of it', async () => {
    // The SDK would turn a string into an email object; send the JSON as it is.
    const res = await fetch(`${gw.url}/emails/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([valid, 'not an email']),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ statusCode: 400, name: 'validation_error', message: '`[1]`: must be a JSON object' })
  })

  test('a refused scheduled_at does not hide the limits checked on the rest', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`)
    const res = await resend.emails.send({ ...valid, to, scheduledAt: 'in 1 min' })
    expect(res.error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message:
        '`scheduled_at`: Postern takes scheduled_at only as ISO 8601 with an offset (2026-11-29T12:00:00Z), not in natural language; `to`: 51 recipients in to, cc and bcc; at most 50',
    })
  })

  /** Posts a JSON text as it is (the SDK would re-encode it), answering the status and the Resend error body. */
  async function postRaw(json: string) {
    const res = await fetch(`${gw.url}/emails`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: json })
    return { status: res.status, body: await res.json() }
  }

  test('a __proto__ key is refused where it stands, never dropped silently', async () => {
    const top = await postRaw('{"from":"ops@example.com","to":"a@example.org","subject":"s","text":"t","__proto__":{"x":1}}')
    expect(top).toEqual({ status: 400, body: { statusCode: 400, name: 'validation_error', message: '`__proto__`: "__proto__" is not allowed as a key' } })
    const inTag = await postRaw('{"from":"ops@example.com","to":"a@example.org","subject":"s","text":"t","tags":[{"name":"a","value":"b","__proto__":{}}]}')
    expect(inTag.body).toEqual({ statusCode: 400, name: 'validation_error', message: '`tags[0].__proto__`: "__proto__" is not allowed as a key' })
    const named = await resend.emails.send({ ...valid, tags: [{ name: 'constructor', value: 'x' }] })
    expect(named.error).toEqual({ statusCode: 400, name: 'validation_error', message: '`tags[0].name`: "constructor" is not allowed as a key' })
    await settle()
    expect(smtp.received).toEqual([])
  })

  test('a lone surrogate is named at its Resend field, and does not hide the other problems', async () => {
    const inName = await postRaw('{"from":"ops@example.com","to":"a@example.org","subject":"s","text":"t","tags":[{"name":"a\\ud800","value":"x"}]}')
    expect(inName.body).toEqual({ statusCode: 400, name: 'validation_error', message: '`tags[0].name`: must be Unicode text: it has a lone surrogate' })
    const inSubject = await postRaw('{"from":"bad","to":"a@example.org","subject":"\\udc00","text":"t"}')
    expect(inSubject.body).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: '`subject`: must be Unicode text: it has a lone surrogate; `from`: must be an address like name@example.com',
    })
  })

  test('a strict batch names the problems of every refused email, and a missing body by its index', async () => {
    const res = await resend.batch.send([{ ...valid, to: 'nobody' }, { from: 'ops@example.com', to: 'a@example.org', subject: 's' } as typeof valid, valid])
    expect(res).toEqual({
      data: null,
      error: {
        statusCode: 422,
        name: 'missing_required_field',
        message: 'Missing `[1].html` or `[1].text` field. `[0].to`: must be an address like name@example.com',
      },
      headers: expect.any(Object),
    })
    await settle()
    expect(smtp.received).toEqual([])
  })

  test('a tag name given twice is refused rather than one value silently kept', async () => {
    const res = await resend.emails.send({
      ...valid,
      tags: [
        { name: 'a', value: '1' },
        { name: 'a', value: '2' },
      ],
    })
    expect(res.error).toEqual({ statusCode: 400, name: 'validation_error', message: '`tags[1].name`: the tag name "a" appears more than once' })
  })

  test("a field Resend does not have is refused, even when Postern's own API has it", async () => {
    const res = await fetch(`${gw.url}/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid, replyTo: 'x@example.com', sendAt: '2026-12-01T00:00:00Z' }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: '`replyTo`: unknown field "replyTo"; `sendAt`: unknown field "sendAt"',
    })
  })

  test('a body that is not JSON is a Resend-shaped validation_error', async () => {
    const res = await fetch(`${gw.url}/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"from":',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ statusCode: 400, name: 'validation_error', message: expect.stringMatching(/^the body is not valid JSON: /) })
  })

  test('a batch of more than 100 emails, or an unknown validation mode, is refused', async () => {
    const many = Array.from({ length: 101 }, () => valid)
    expect((await resend.batch.send(many)).error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: 'The batch must be a JSON array of 1 to 100 emails.',
    })
    expect((await resend.batch.send([valid], { batchValidation: 'lenient' as 'strict' })).error).toEqual({
      statusCode: 400,
      name: 'validation_error',
      message: 'x-batch-validation must be "strict" or "permissive"',
    })
    await settle()
    expect(smtp.received).toEqual([])
  })

  test("/v1 keeps Postern's own error shape", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { code: 'invalid_api_key', message: 'the API key is not valid', issues: [] } })
  })

  test('/v1 and the Resend routes share one rate budget per key', async () => {
    const v1 = await fetch(`${gw.url}/v1/messages/01JZZZZZZZZZZZZZZZZZZZZZZZ`, { headers: { authorization: `Bearer ${SHARED_KEY}` } })
    expect(v1.status).toBe(404)
    const shared = new Resend(SHARED_KEY)
    expect((await shared.emails.get('01JZZZZZZZZZZZZZZZZZZZZZZZ')).error).toMatchObject({ statusCode: 404 })
    expect((await shared.emails.get('01JZZZZZZZZZZZZZZZZZZZZZZZ')).error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' })
  })

  test("past the key's rate limit is rate_limit_exceeded with Retry-After", async () => {
    const slow = new Resend(SLOW_KEY)
    await slow.emails.get('01JZZZZZZZZZZZZZZZZZZZZZZZ')
    await slow.emails.get('01JZZZZZZZZZZZZZZZZZZZZZZZ')
    const res = await slow.emails.send(valid)
    expect(res.error).toEqual({ statusCode: 429, name: 'rate_limit_exceeded', message: 'rate limit of 2 requests per 60 s exceeded for this API key' })
    expect(Number(res.headers?.['retry-after'])).toBeGreaterThan(0)
    await settle()
    expect(smtp.received).toEqual([])
  })

  test('a scheduled email is moved with emails.update and canceled with emails.cancel; nothing is sent', async () => {
    const at = new Date(clock.now() + 3600_000).toISOString()
    const sent = await resend.emails.send({ ...valid, scheduledAt: at })
    const id = sent.data!.id
    expect((await resend.emails.get(id)).data).toMatchObject({ id, last_event: 'scheduled', scheduled_at: at })
    const later = new Date(clock.now() + 7200_000).toISOString()
    expect(await resend.emails.update({ id, scheduledAt: later })).toMatchObject({ data: { object: 'email', id }, error: null })
    expect((await resend.emails.get(id)).data).toMatchObject({ last_event: 'scheduled', scheduled_at: later })
    expect(await resend.emails.cancel(id)).toMatchObject({ data: { object: 'email', id }, error: null })
    expect((await resend.emails.get(id)).data).toMatchObject({ last_event: 'canceled' })
    // Canceled is final: it cannot be moved again, and no attempt is made.
    expect((await resend.emails.update({ id, scheduledAt: later })).error).toMatchObject({ statusCode: 409, name: 'validation_error' })
    await settle()
    expect(smtp.received).toEqual([])
    expect((await resend.emails.cancel('01JZZZZZZZZZZZZZZZZZZZZZZZ')).error).toMatchObject({ statusCode: 404, name: 'not_found' })
  })

  test('features Postern does not offer answer an error, never a silent success', async () => {
    expect((await resend.emails.list()).error).toMatchObject({ statusCode: 405, name: 'method_not_allowed' })
    expect((await resend.domains.list()).error).toEqual({
      statusCode: 404,
      name: 'not_found',
      message:
        "Postern does not offer Resend's /domains API; Postern's Resend-compatible API offers POST /emails, POST /emails/batch, GET /emails/:id, PATCH /emails/:id (scheduled_at) and POST /emails/:id/cancel.",
    })
    expect((await resend.contacts.list({ audienceId: 'x' } as never)).error).toMatchObject({ statusCode: 404, name: 'not_found' })
  })
})
