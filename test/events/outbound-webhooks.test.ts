import { Resend } from 'resend'
import { afterEach, describe, expect, test } from 'vitest'
import { EVENT_SCHEMAS } from '../../lib/events/schemas.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { harness, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const MSG = {
  from: 'Ops <ops@example.com>',
  to: ['a@example.org'],
  subject: 'events',
  text: 'body',
  tags: ['welcome'],
  metadata: { userId: '42' },
}

async function setup(behaviour: SmtpBehaviour = {}, endpoint: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  const smtp = await startSmtp(behaviour)
  const receiver = await startWebhookReceiver()
  // Webhook receivers check the signature's timestamp against their own clock: start the test clock at real time.
  const h = await harness({
    smtp,
    clockStart: Date.now(),
    config: { webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret, ...endpoint }], ...config },
  })
  cleanups.push(
    () => smtp.close(),
    () => receiver.close(),
    () => h.close(),
  )
  return { smtp, receiver, h, dispatcher: createWebhookDispatcher(h.deps) }
}

async function submit(h: Harness, body: unknown = MSG) {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(202)
  return res.json as { id: string; messageId: string }
}

/** What the receiver verified, each body checked against its documented schema (docs/events.md) first. */
const events = (r: WebhookReceiver) =>
  r.received.map((w) => {
    if (w.payload) expect(EVENT_SCHEMAS[w.payload.type as keyof typeof EVENT_SCHEMAS].safeParse(w.payload).error?.issues ?? []).toEqual([])
    return { id: w.id, verified: w.verifyError === null, type: w.payload?.type, data: w.payload?.data }
  })

describe('outbound events as signed webhooks', () => {
  test('message.sent carries the ids, the recipients, the SMTP reply, tags and metadata', async () => {
    const { h, receiver, dispatcher } = await setup()
    const { id, messageId } = await submit(h)
    await h.runner.drain()
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, delivered: 1 })
    const [e] = events(receiver)
    expect(e.verified).toBe(true)
    expect(e.id).toMatch(/^msg_[0-9a-f]{32}$/)
    expect(e.type).toBe('message.sent')
    expect(e.data).toEqual({
      sequence: 1,
      schemaVersion: 1,
      id,
      messageId,
      createdAt: new Date(h.clock.now()).toISOString(),
      from: 'ops@example.com',
      to: ['a@example.org'],
      cc: [],
      subject: 'events',
      recipients: ['a@example.org'],
      attempt: 1,
      reply: 250,
      enhancedStatus: '2.0.0',
      response: e.data!.response,
      accepted: ['a@example.org'],
      rejected: [],
      suppressed: [],
      nextAttemptAt: null,
      reason: null,
      bounce: null,
      complaint: null,
      tags: ['welcome'],
      metadata: { userId: '42' },
    })
    expect(e.data!.response).toMatch(/^250 /)
    // Delivered events leave the outbox.
    expect(await h.store.list('webhooks/outbox/')).toEqual([])
  })

  test('451 then 250: message.deferred with the next attempt time, then message.sent, in sequence order', async () => {
    const { h, receiver, dispatcher, smtp } = await setup({ rcpt: () => smtpReply(451, '4.7.1 Greylisted, come back later') })
    const { id } = await submit(h)
    await h.runner.drain()
    smtp.behave({})
    h.clock.advance(60_000)
    await h.runner.drain()
    await dispatcher.runAll()
    const got = events(receiver).sort((a, b) => a.data!.sequence - b.data!.sequence)
    expect(got.map((e) => [e.type, e.data!.sequence, e.data!.attempt, e.data!.reply, e.data!.enhancedStatus])).toEqual([
      ['message.deferred', 1, 1, 451, '4.7.1'],
      ['message.sent', 2, 2, 250, '2.0.0'],
    ])
    const view = (await h.call('GET', `/v1/messages/${id}`)).json
    expect(got[0].data!.nextAttemptAt).toBe(view.attempts[0].nextAttemptAt)
    expect(got[0].data!.recipients).toEqual(['a@example.org'])
    expect(got.every((e) => e.verified)).toBe(true)
  })

  test('a 550 for one recipient and 250 for another: message.sent and message.failed for the refused one', async () => {
    const { h, receiver, dispatcher } = await setup({ rcpt: (a) => (a.startsWith('gone@') ? smtpReply(550, '5.1.1 no such user') : undefined) })
    await submit(h, { ...MSG, to: ['a@example.org', 'gone@example.org'] })
    await h.runner.drain()
    await dispatcher.runAll()
    const got = events(receiver).sort((a, b) => a.data!.sequence - b.data!.sequence)
    expect(got.map((e) => [e.type, e.data!.recipients])).toEqual([
      ['message.sent', ['a@example.org']],
      ['message.failed', ['gone@example.org']],
    ])
    expect(got[1].data).toMatchObject({
      reason: 'rejected',
      rejected: [{ recipient: 'gone@example.org', reply: 550, enhancedStatus: '5.1.1', response: '550 5.1.1 no such user' }],
    })
  })

  test('retries exhausted: message.failed with reason retries_exhausted after the last deferral', async () => {
    const retry = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 1000 }
    const { h, receiver, dispatcher } = await setup({ rcpt: () => smtpReply(451, '4.3.0 try later') }, {}, { retry })
    await submit(h)
    for (let i = 0; i < 4; i++) {
      await h.runner.drain()
      h.clock.advance(2000)
    }
    await dispatcher.runAll()
    const got = events(receiver).sort((a, b) => a.data!.sequence - b.data!.sequence)
    expect(got.map((e) => [e.type, e.data!.attempt, e.data!.reason])).toEqual([
      ['message.deferred', 1, null],
      ['message.deferred', 2, null],
      ['message.deferred', 3, null],
      ['message.failed', 4, 'retries_exhausted'],
    ])
  })

  test('an endpoint subscribed to message.failed only gets nothing for a sent message, and nothing waits in the outbox', async () => {
    const { h, receiver, dispatcher } = await setup({}, { eventTypes: ['message.failed'] })
    await submit(h)
    await h.runner.drain()
    expect(await h.store.list('webhooks/outbox/')).toEqual([])
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 0 })
    expect(receiver.received).toEqual([])
  })

  test('format "resend": the official resend package verifies what Postern sends and reads Resend event types', async () => {
    const { h, receiver, dispatcher, smtp } = await setup({ rcpt: () => smtpReply(451, '4.7.1 Greylisted') }, { format: 'resend' })
    const { id, messageId } = await submit(h)
    await h.runner.drain()
    smtp.behave({ rcpt: () => smtpReply(550, '5.1.1 user unknown') })
    h.clock.advance(60_000)
    await h.runner.drain()
    await dispatcher.runAll()
    const resend = new Resend('re_test_key')
    const verified = receiver.received.map((w) =>
      resend.webhooks.verify({
        payload: w.body,
        headers: { id: String(w.headers['svix-id']), timestamp: String(w.headers['svix-timestamp']), signature: String(w.headers['svix-signature']) },
        webhookSecret: receiver.secret,
      }),
    )
    expect(verified.map((e) => e.type).sort()).toEqual(['email.delivery_delayed', 'email.failed'])
    const failed = verified.find((e) => e.type === 'email.failed')!
    expect(failed).toEqual({
      type: 'email.failed',
      created_at: expect.any(String),
      data: {
        created_at: expect.any(String),
        email_id: id,
        message_id: messageId,
        from: 'ops@example.com',
        to: ['a@example.org'],
        subject: 'events',
        tags: { userId: '42' },
        failed: { reason: '550 5.1.1 user unknown' },
      },
    })
    // The Standard Webhooks headers are not sent to a Resend-format endpoint.
    expect(receiver.received[0].headers['webhook-id']).toBeUndefined()
  })
})
