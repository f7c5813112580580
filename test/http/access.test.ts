import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { harness, TEST_KEY, type Harness } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

const LIMITED_KEY = 'limited-key-abcdef'
const SLOW_KEY = 'slow-key-abcdef'
let smtp: SmtpTestServer
let h: Harness
beforeAll(async () => {
  smtp = await startSmtp()
  h = await harness({
    smtp,
    config: {
      apiKeys: [
        { id: 'test', hash: hashApiKey(TEST_KEY) },
        { id: 'limited', hash: hashApiKey(LIMITED_KEY), allowedFrom: ['news@example.com', '@mail.example.net', '@bücher.example', 'Jörg@Straße.example'] },
        { id: 'slow', hash: hashApiKey(SLOW_KEY), rateLimit: { limit: 2, windowMs: 60_000 } },
      ],
    },
  })
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})

const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }
const as = (key: string) => ({ authorization: `Bearer ${key}` })

describe('who may send', () => {
  test('no Authorization header: 401 missing_api_key with a Bearer challenge', async () => {
    const res = await h.call('POST', '/v1/messages', MSG, { authorization: '' })
    expect(res.status).toBe(401)
    expect(res.json.error.code).toBe('missing_api_key')
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
  })

  test('a wrong key: 401 invalid_api_key, and nothing stored', async () => {
    const res = await h.call('POST', '/v1/messages', MSG, as('wrong-key'))
    expect(res.status).toBe(401)
    expect(res.json.error.code).toBe('invalid_api_key')
    expect(await h.store.list('messages/')).toEqual([])
  })

  test('a key limited to senders: 403 sender_not_allowed for any other from', async () => {
    const res = await h.call('POST', '/v1/messages', { ...MSG, from: 'ceo@example.com' }, as(LIMITED_KEY))
    expect(res.status).toBe(403)
    expect(res.json.error).toMatchObject({ code: 'sender_not_allowed', issues: [{ path: ['from'], code: 'sender_not_allowed' }] })
    expect((await h.call('POST', '/v1/messages', { ...MSG, from: 'News <news@example.com>' }, as(LIMITED_KEY))).status).toBe(202)
    expect((await h.call('POST', '/v1/messages', { ...MSG, from: 'anyone@mail.example.net' }, as(LIMITED_KEY))).status).toBe(202)
  })

  test('allowedFrom entries with an internationalised domain match its punycode form', async () => {
    for (const from of ['a@bücher.example', 'b@xn--bcher-kva.example', 'Jörg@strasse.example', 'jörg@xn--strae-oqa.example']) {
      const res = await h.call('POST', '/v1/messages', { ...MSG, from }, as(LIMITED_KEY))
      expect([from, res.status]).toEqual([from, from === 'Jörg@strasse.example' ? 403 : 202])
    }
  })

  test('a limited key sees only its own messages', async () => {
    const mine = (await h.call('POST', '/v1/messages', { ...MSG, from: 'news@example.com' }, as(LIMITED_KEY))).json.id
    const other = (await h.call('POST', '/v1/messages', MSG)).json.id
    expect((await h.call('GET', `/v1/messages/${mine}`, undefined, as(LIMITED_KEY))).status).toBe(200)
    expect((await h.call('GET', `/v1/messages/${other}`, undefined, as(LIMITED_KEY))).status).toBe(404)
  })

  test('per-key rate limit: 429 rate_limited with Retry-After and the IETF RateLimit headers', async () => {
    const first = await h.call('POST', '/v1/messages', MSG, as(SLOW_KEY))
    expect(first.status).toBe(202)
    expect(first.headers.get('ratelimit-policy')).toBe('2;w=60')
    expect(first.headers.get('ratelimit')).toBe('limit=2, remaining=1, reset=60')
    expect((await h.call('POST', '/v1/messages', MSG, as(SLOW_KEY))).status).toBe(202)
    const third = await h.call('POST', '/v1/messages', MSG, as(SLOW_KEY))
    expect(third.status).toBe(429)
    expect(third.json.error.code).toBe('rate_limited')
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(third.headers.get('ratelimit')).toMatch(/^limit=2, remaining=0, reset=\d+$/)
    // Another key is not affected.
    expect((await h.call('POST', '/v1/messages', MSG)).status).toBe(202)
  })
})

describe('Idempotency-Key', () => {
  test('a retry with the same key and body returns the first answer and sends nothing again', async () => {
    smtp.received.length = 0
    const body = { ...MSG, subject: 'idempotent' }
    const first = await h.call('POST', '/v1/messages', body, { 'idempotency-key': 'order-1001' })
    expect(first.status).toBe(202)
    expect(first.headers.get('idempotent-replayed')).toBe('false')
    // The same body with keys in another order is the same request.
    const reordered = { text: 't', subject: 'idempotent', to: 'a@example.org', from: 'ops@example.com' }
    const again = await h.call('POST', '/v1/messages', reordered, { 'idempotency-key': 'order-1001' })
    expect(again.status).toBe(202)
    expect(again.json).toEqual(first.json)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    await h.runner.drain()
    expect(smtp.received.filter((m) => m.raw.includes('Subject: idempotent'))).toHaveLength(1)
  })

  test('the same key with another body: 409 idempotency_key_reused', async () => {
    await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-2002' })
    const res = await h.call('POST', '/v1/messages', { ...MSG, subject: 'changed' }, { 'idempotency-key': 'order-2002' })
    expect(res.status).toBe(409)
    expect(res.json.error.code).toBe('idempotency_key_reused')
  })

  test('keys are per API key: another key may use the same Idempotency-Key', async () => {
    const a = await h.call('POST', '/v1/messages', { ...MSG, from: 'news@example.com' }, { 'idempotency-key': 'shared-3003' })
    const b = await h.call('POST', '/v1/messages', { ...MSG, from: 'news@example.com' }, { ...as(LIMITED_KEY), 'idempotency-key': 'shared-3003' })
    expect(a.status).toBe(202)
    expect(b.status).toBe(202)
    expect(b.json.id).not.toBe(a.json.id)
  })

  test('after 24 h the key is forgotten', async () => {
    const first = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-4004' })
    h.clock.advance(24 * 3600 * 1000 + 1)
    const later = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-4004' })
    expect(later.status).toBe(202)
    expect(later.json.id).not.toBe(first.json.id)
  })

  test('a failed request is not remembered, so the corrected retry goes through', async () => {
    const bad = await h.call('POST', '/v1/messages', { ...MSG, to: 'nope' }, { 'idempotency-key': 'order-5005' })
    expect(bad.status).toBe(400)
    const good = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-5005' })
    expect(good.status).toBe(202)
  })

  test('a key used on /v1/messages is not replayed on /emails: each API keeps its own records', async () => {
    const v1 = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'cross-7007' })
    expect(v1.status).toBe(202)
    const resend = await h.call('POST', '/emails', MSG, { 'idempotency-key': 'cross-7007' })
    expect(resend.status).toBe(200)
    expect(resend.headers.get('idempotent-replayed')).toBe('false')
    expect(resend.json).toEqual({ id: expect.any(String) })
    expect(resend.json.id).not.toBe(v1.json.id)
    const again = await h.call('POST', '/emails', MSG, { 'idempotency-key': 'cross-7007' })
    expect([again.headers.get('idempotent-replayed'), again.json]).toEqual(['true', resend.json])
  })

  test('an Idempotency-Key of 1 to 256 printable ASCII characters; anything else is 400 invalid_idempotency_key', async () => {
    expect((await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'k'.repeat(256) })).status).toBe(202)
    for (const key of ['k'.repeat(257), Buffer.from('clé', 'utf8').toString('latin1')]) {
      const res = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': key })
      expect(res.status).toBe(400)
      expect(res.json.error.issues).toEqual([
        { path: ['headers', 'Idempotency-Key'], code: 'invalid_idempotency_key', message: '1 to 256 printable ASCII characters' },
      ])
    }
  })

  test('concurrent requests with one key: one is accepted, the others get 409 idempotency_key_in_use or the replay', async () => {
    const results = await Promise.all([1, 2, 3].map(() => h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-6006' })))
    const ids = new Set(results.filter((r) => r.status === 202).map((r) => r.json.id))
    expect(ids.size).toBe(1)
    for (const r of results.filter((r) => r.status !== 202)) {
      expect(r.status).toBe(409)
      expect(r.json.error.code).toBe('idempotency_key_in_use')
    }
  })
})

describe('batch', () => {
  test('one bad item does not reject the others; each gets its own result in order', async () => {
    const res = await h.call('POST', '/v1/messages/batch', {
      messages: [
        MSG,
        { ...MSG, to: 'broken' },
        { ...MSG, subject: 'third' },
        { ...MSG, from: 'x@example.com', attachments: [{ filename: 'a', path: '/etc/passwd' }] },
      ],
    })
    expect(res.status).toBe(200)
    const r = res.json.results
    expect(r.map((x: { status: number }) => x.status)).toEqual([202, 400, 202, 400])
    expect(r[0].data).toMatchObject({ status: 'queued' })
    expect(r[1].error).toMatchObject({ code: 'validation_failed', issues: [{ path: ['messages', 1, 'to'], code: 'invalid_address' }] })
    expect(r[3].error.issues.map((i: { path: unknown[] }) => i.path)).toEqual([
      ['messages', 3, 'attachments', 0, 'content'],
      ['messages', 3, 'attachments', 0, 'path'],
    ])
    for (const ok of [r[0], r[2]]) expect((await h.call('GET', `/v1/messages/${ok.data.id}`)).status).toBe(200)
  })

  test('unknown top-level fields are refused: 400 unknown_field', async () => {
    const res = await h.call('POST', '/v1/messages/batch', { messages: [MSG], foo: 1 })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'validation_failed', issues: [{ path: ['foo'], code: 'unknown_field' }] })
  })

  test('more than limits.maxBatch messages, or none: 400 invalid_batch', async () => {
    for (const messages of [[], Array.from({ length: 101 }, () => MSG), 'x']) {
      const res = await h.call('POST', '/v1/messages/batch', { messages })
      expect(res.status).toBe(400)
      expect(res.json.error.issues).toEqual([{ path: ['messages'], code: 'invalid_batch', message: '1 to 100 messages' }])
    }
  })
})
