import { afterEach, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { harness, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const LIMITED = 'limited-key-0123456789'
const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 'control', text: 'body' }

async function setup(behaviour: SmtpBehaviour = {}, config: Record<string, unknown> = {}) {
  const smtp = await startSmtp(behaviour)
  const receiver = await startWebhookReceiver()
  const h = await harness({
    smtp,
    clockStart: Date.now(),
    config: {
      apiKeys: [
        { id: 'test', hash: hashApiKey('test-key-0123456789') },
        { id: 'limited', hash: hashApiKey(LIMITED), allowedFrom: ['example.com'] },
      ],
      webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
      ...config,
    },
  })
  cleanups.push(
    () => smtp.close(),
    () => receiver.close(),
    () => h.close(),
  )
  return { smtp, receiver, h }
}
const as = (key: string) => ({ authorization: `Bearer ${key}` })
const submit = async (h: Harness, body: unknown = MSG, headers: Record<string, string> = {}) => {
  const res = await h.call('POST', '/v1/messages', body, headers)
  expect(res.status).toBe(202)
  return res.json as { id: string; status: string }
}

describe('DELETE /v1/messages/{id}', () => {
  test('cancels a scheduled message: status canceled, a message.canceled event, nothing sent, ever', async () => {
    const { h, smtp, receiver } = await setup()
    const { id, status } = await submit(h, { ...MSG, sendAt: new Date(h.clock.now() + 3600_000).toISOString() })
    expect(status).toBe('scheduled')
    const res = await h.call('DELETE', `/v1/messages/${id}`)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ id, status: 'canceled', reason: 'canceled_by_api', canceledAt: new Date(h.clock.now()).toISOString() })
    expect(await h.store.list('queue/')).toEqual([])
    h.clock.advance(2 * 3600_000)
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
    // Canceling again answers the same; the event is announced once.
    expect((await h.call('DELETE', `/v1/messages/${id}`)).json.status).toBe('canceled')
    h.clock.set(Date.now())
    await createWebhookDispatcher(h.deps).runAll()
    expect(receiver.received.map((w) => [w.payload?.type, w.payload?.data.id, w.payload?.data.reason, w.payload?.data.recipients])).toEqual([
      ['message.canceled', id, 'canceled_by_api', ['a@example.org']],
    ])
  })

  test('cancels a deferred message before its retry', async () => {
    const { h, smtp } = await setup({ rcpt: () => smtpReply(451, '4.7.1 later') })
    const { id } = await submit(h)
    await h.runner.drain()
    expect((await h.call('DELETE', `/v1/messages/${id}`)).json).toMatchObject({ status: 'canceled', attempts: [{ outcome: 'deferred' }] })
    smtp.behave({})
    h.clock.advance(3600_000)
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
  })

  test('a sent message, or one whose attempt is under way, cannot be canceled (409 conflict)', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const { h } = await setup()
    const sent = await submit(h)
    await h.runner.drain()
    expect((await h.call('DELETE', `/v1/messages/${sent.id}`)).json.error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('the message is sent'),
    })
    // An attempt held in DATA: its lease is live.
    let inData!: () => void
    const arrived = new Promise<void>((r) => (inData = r))
    const { h: h2, smtp: smtp2 } = await setup({ hold: () => (inData(), held) })
    const pending = await submit(h2)
    const drained = h2.runner.drain()
    await arrived
    const during = await h2.call('DELETE', `/v1/messages/${pending.id}`)
    release()
    await drained
    expect([during.status, during.json.error?.code, during.json.error?.message]).toEqual([
      409,
      'conflict',
      'an attempt to send this message is under way; it cannot be canceled now',
    ])
    expect(smtp2.received).toHaveLength(1)
  })

  test("a key limited to some senders cancels its own messages only; another key's is not found", async () => {
    const { h } = await setup()
    const at = new Date(h.clock.now() + 3600_000).toISOString()
    const mine = await submit(h, { ...MSG, sendAt: at }, as(LIMITED))
    const theirs = await submit(h, { ...MSG, sendAt: at })
    expect((await h.call('DELETE', `/v1/messages/${theirs.id}`, undefined, as(LIMITED))).status).toBe(404)
    expect((await h.call('DELETE', `/v1/messages/${mine.id}`, undefined, as(LIMITED))).json.status).toBe('canceled')
  })
})

describe('/v1/suppressions', () => {
  test('an address added by hand is left out of the next send; removed, it is sent to again', async () => {
    const { h, smtp } = await setup()
    const added = await h.call('POST', '/v1/suppressions', { address: 'Bob@Example.ORG', domain: 'example.com', note: 'asked by phone' })
    expect(added.status).toBe(201)
    expect(added.json).toMatchObject({ address: 'Bob@example.org', scope: 'example.com', reason: 'manual', detail: 'asked by phone' })
    // Domains compare case-insensitively; the local part as written (RFC 5321 §2.4).
    const { id } = await submit(h, { ...MSG, to: ['bob@example.org', 'Bob@EXAMPLE.org', 'a@example.org'] })
    await h.runner.drain()
    const v = (await h.call('GET', `/v1/messages/${id}`)).json
    expect(v).toMatchObject({
      status: 'sent',
      accepted: ['bob@example.org', 'a@example.org'],
      suppressed: [{ recipient: 'Bob@example.org', reason: 'manual' }],
    })
    expect(smtp.received[0].rcptTo).toEqual(['bob@example.org', 'a@example.org'])
    expect((await h.call('GET', '/v1/suppressions?domain=example.com')).json).toEqual({ data: [added.json], nextCursor: null })
    expect((await h.call('DELETE', '/v1/suppressions/Bob%40example.org?domain=example.com')).status).toBe(204)
    expect((await h.call('DELETE', '/v1/suppressions/Bob%40example.org?domain=example.com')).status).toBe(404)
  })

  test('per sending domain by default: a suppression for one domain does not stop another domain from sending', async () => {
    const { h, smtp } = await setup()
    await h.call('POST', '/v1/suppressions', { address: 'a@example.org', domain: 'other.example' })
    await submit(h)
    await h.runner.drain()
    expect(smtp.received).toHaveLength(1)
    // Without a domain, in per-domain mode, the request says what is missing.
    expect((await h.call('POST', '/v1/suppressions', { address: 'a@example.org' })).json.error.issues).toEqual([
      { path: ['domain'], code: 'missing_field', message: 'required: suppressions are kept per sending domain' },
    ])
  })

  test('a key limited to some senders may not manage the list', async () => {
    const { h } = await setup()
    expect((await h.call('GET', '/v1/suppressions', undefined, as(LIMITED))).json.error.code).toBe('insufficient_scope')
  })
})
