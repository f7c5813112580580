import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { pino } from 'pino'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { recordEvent } from '../../lib/events/outbox.js'
import { EVENT_SCHEMAS } from '../../lib/events/schemas.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { getJson } from '../../lib/store/json.js'
import { webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher, type DeliveryRecord, type EndpointHealth } from '../../lib/webhooks/dispatcher.js'
import type { Deps } from '../../lib/deps.js'
import { startS3, type S3TestServer } from '../servers/s3.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { manualClock, tempFsStore, testDeps } from '../inbound/harness.js'

const ATTACHMENT = Buffer.from('attached bytes \x00\x01\x02 end', 'latin1')
const raw = (n: number, html = '<p>hello</p>') =>
  Buffer.from(
    [
      'From: Ann <ann@example.test>',
      'To: bob@example.test',
      `Subject: hook ${n}`,
      `Message-ID: <hook${n}@example.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b1',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="../../etc/data.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      ATTACHMENT.toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  )

async function ingest(deps: Deps, mailbox: string, message: Buffer) {
  const state = await loadMailboxState(deps.store, mailbox)
  const out = await ingestMessage(deps, mailbox, state, { raw: message, receivedAt: '2026-11-29T12:00:00.000Z', folder: 'INBOX' })
  await state.save()
  return out
}

function recordingLogger() {
  const lines: any[] = []
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }))
  return { logger, lines }
}

function endpoint(r: WebhookReceiver, extra: Record<string, unknown> = {}) {
  return { id: 'app', url: r.url, secret: r.secret, ...extra }
}

describe('webhook delivery', () => {
  let s3: S3TestServer
  let receiver: WebhookReceiver
  beforeAll(async () => {
    s3 = await startS3()
  })
  afterAll(() => s3?.close())

  async function setup(store: ObjectStore, config: Record<string, any> = {}) {
    receiver = await startWebhookReceiver()
    onTestFinished(() => receiver.close())
    const clock = manualClock()
    const log = recordingLogger()
    const deps = testDeps({ webhooks: [endpoint(receiver, config.endpoint)], inbound: config.inbound ?? {} }, store, {
      clock,
      random: () => 0.5,
      logger: log.logger,
    })
    return { deps, clock, log, dispatcher: createWebhookDispatcher(deps) }
  }

  test('delivers a signed message.received with the document, presigned URLs and a small attachment inlined', async () => {
    const store = createS3Store(s3.client, s3.bucket)
    const { deps, dispatcher } = await setup(store)
    const out = await ingest(deps, 'box1', raw(1))
    expect(await dispatcher.runAll()).toEqual({ attempted: 1, delivered: 1, retried: 0, deadLettered: 0 })
    expect(receiver.received).toHaveLength(1)
    const got = receiver.received[0]
    expect(got.verifyError).toBeNull()
    expect(got.id).toBe(out.eventId)
    expect(got.id).toMatch(/^msg_[0-9a-f]{32}$/)
    const data = got.payload!.data
    expect(got.payload!.type).toBe('message.received')
    expect(EVENT_SCHEMAS['message.received'].safeParse(got.payload).error?.issues ?? []).toEqual([])
    expect(data).toMatchObject({ mailbox: 'box1', sequence: 1, folder: 'INBOX', parseError: null, truncated: null })
    expect(data.message).toMatchObject({ id: out.id, subject: 'hook 1', html: '<p>hello</p>' })
    const [att] = data.message.attachments
    expect(att.key).toBe(`inbound/box1/messages/${out.id}/attachments/${att.id}/${att.safeFilename}`)
    expect(att.key).not.toContain('..')
    expect(Buffer.from(att.content, 'base64').equals(ATTACHMENT)).toBe(true)
    // The presigned URLs read the stored objects without credentials.
    expect(Buffer.from(await (await fetch(att.url)).arrayBuffer()).equals(ATTACHMENT)).toBe(true)
    expect((await (await fetch(data.messageUrl)).json()).id).toBe(out.id)
    expect(Buffer.from(await (await fetch(data.rawUrl)).arrayBuffer()).equals(raw(1))).toBe(true)
    // Delivered events leave the outbox; the delivery record is the log.
    expect(await store.list(webhookKeys.outboxPrefix)).toEqual([])
    const d = (await getJson<DeliveryRecord>(store, webhookKeys.delivery('app', out.eventId)))!.value
    expect(d).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, status: 200, outcome: 'delivered', responseHead: 'ok' }] })
  })

  test('an endpoint that fails then recovers gets the same event id each time, after backoff and Retry-After', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, clock, dispatcher, log } = await setup(store)
    const out = await ingest(deps, 'box1', raw(2))
    receiver.reply({ status: 500, body: 'boom' }, { status: 503, body: 'busy', headers: { 'retry-after': '120' } })
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, retried: 1 })
    const key = webhookKeys.delivery('app', out.eventId)
    // Attempt 1 failed: the next is baseDelayMs (30 s) later, jitter factor 1.0 at random() = 0.5.
    expect((await getJson<DeliveryRecord>(store, key))!.value.nextAttemptAt).toBe(clock.now() + 30_000)
    clock.advance(29_999)
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 0 })
    clock.advance(1)
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, retried: 1 })
    // Backoff for attempt 2 is 60 s; Retry-After asks for 120 s, which wins.
    expect((await getJson<DeliveryRecord>(store, key))!.value.nextAttemptAt).toBe(clock.now() + 120_000)
    clock.advance(120_000)
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, delivered: 1 })
    expect(receiver.received.map((r) => [r.id, r.status, r.verifyError])).toEqual([
      [out.eventId, 500, null],
      [out.eventId, 503, null],
      [out.eventId, 200, null],
    ])
    const d = (await getJson<DeliveryRecord>(store, key))!.value
    expect(d.attempts.map((a) => [a.attempt, a.status, a.outcome, a.responseHead])).toEqual([
      [1, 500, 'retry', 'boom'],
      [2, 503, 'retry', 'busy'],
      [3, 200, 'delivered', 'ok'],
    ])
    expect(log.lines.filter((l) => l.msg === 'webhook attempt').map((l) => l.status)).toEqual([500, 503, 200])
    expect((await getJson<EndpointHealth>(store, webhookKeys.endpoint('app')))!.value.failingSince).toBeNull()
  })

  test('410 Gone disables the endpoint with an alert and dead-letters its events', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, dispatcher, log } = await setup(store)
    const first = await ingest(deps, 'box1', raw(3))
    receiver.reply({ status: 410 })
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, deadLettered: 1 })
    const second = await ingest(deps, 'box1', raw(4))
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 0, deadLettered: 1 })
    expect(receiver.received).toHaveLength(1)
    expect((await getJson<EndpointHealth>(store, webhookKeys.endpoint('app')))!.value.disabled?.reason).toBe('the endpoint answered 410 Gone')
    expect(await store.list('webhooks/dead-letter/app/')).toEqual(
      [webhookKeys.deadLetter('app', first.eventId), webhookKeys.deadLetter('app', second.eventId)].sort(),
    )
    expect(log.lines.filter((l) => l.alert === 'webhook-endpoint-disabled')).toHaveLength(1)
    expect(await store.list(webhookKeys.outboxPrefix)).toEqual([])
  })

  test('after maxAttempts failures the event is dead-lettered; sustained failure disables the endpoint', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, clock, dispatcher, log } = await setup(store, { endpoint: { retry: { maxAttempts: 2, baseDelayMs: 1000 }, disableAfterFailingMs: 60_000 } })
    const out = await ingest(deps, 'box1', raw(5))
    receiver.reply({ status: 500 }, { status: 502 }, { status: 500 })
    await dispatcher.runAll()
    clock.advance(1000)
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, deadLettered: 1 })
    const dead = (await getJson<any>(store, webhookKeys.deadLetter('app', out.eventId)))!.value
    expect(dead).toMatchObject({ endpointId: 'app', reason: '2 attempts failed; last: HTTP 502', event: { id: out.eventId, sequence: 1 } })
    await ingest(deps, 'box1', raw(6))
    clock.advance(60_000)
    await dispatcher.runAll()
    expect((await getJson<EndpointHealth>(store, webhookKeys.endpoint('app')))!.value.disabled?.reason).toBe('every attempt failed for 1 minutes')
    expect(log.lines.filter((l) => l.alert === 'webhook-endpoint-disabled').map((l) => l.level)).toEqual([50])
  })

  test('a slow endpoint times out without holding up another endpoint', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const slow = await startWebhookReceiver()
    const fast = await startWebhookReceiver()
    onTestFinished(() => Promise.all([slow.close(), fast.close()]).then(() => {}))
    slow.setDelay(5000)
    const deps = testDeps(
      {
        webhooks: [
          { id: 'slow', url: slow.url, secret: slow.secret, timeoutMs: 1500 },
          { id: 'fast', url: fast.url, secret: fast.secret },
        ],
      },
      store,
      { random: () => 0.5 },
    )
    const dispatcher = createWebhookDispatcher(deps)
    await ingest(deps, 'box1', raw(7))
    const t0 = Date.now()
    const slowRun = dispatcher.runEndpoint(deps.config.webhooks[0])
    expect(await dispatcher.runEndpoint(deps.config.webhooks[1])).toMatchObject({ delivered: 1 })
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(fast.received).toHaveLength(1)
    expect(await slowRun).toMatchObject({ attempted: 1, retried: 1 })
    const [rec] = await store.list('webhooks/deliveries/slow/')
    expect((await getJson<DeliveryRecord>(store, rec))!.value.attempts[0]).toMatchObject({ status: null, outcome: 'retry', reason: 'timeout' })
  })

  test('a payload over maxPayloadBytes drops its largest part and links the stored JSON', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, dispatcher } = await setup(store, { inbound: { maxPayloadBytes: 16_384 } })
    const html = `<p>${'x'.repeat(40_000)}</p>`
    await ingest(deps, 'box1', raw(8, html))
    await dispatcher.runAll()
    const got = receiver.received[0]
    expect(Buffer.byteLength(got.body)).toBeLessThanOrEqual(16_384)
    // The text made from the HTML is as large, so it goes next, then its reply part; the small attachment stays.
    expect(got.payload!.data.truncated).toEqual({ fields: ['message.html', 'message.text', 'message.textReply'], messageUrl: got.payload!.data.messageUrl })
    expect(got.payload!.data.message).toMatchObject({ html: null, text: null, textReply: null, textSource: 'html', subject: 'hook 8' })
    expect(got.payload!.data.message.attachments[0].content).toBe(ATTACHMENT.toString('base64'))
  })

  test('a mailbox.reset event is delivered with what happened', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, dispatcher } = await setup(store)
    const state = await loadMailboxState(store, 'box1')
    const rec = await recordEvent(deps, state.value, {
      id: 'msg_reset1',
      type: 'mailbox.reset',
      source: 'mailbox:box1',
      mailbox: 'box1',
      createdAt: '2026-11-29T12:00:00.000Z',
      data: { folder: 'INBOX', previousUidValidity: '1', uidValidity: '2', reason: 'uidvalidity-changed' },
    })
    expect(rec.sequence).toBe(1)
    await dispatcher.runAll()
    expect(receiver.received[0].id).toBe('msg_reset1')
    expect(JSON.parse(receiver.received[0].body)).toEqual({
      type: 'mailbox.reset',
      timestamp: '2026-11-29T12:00:00.000Z',
      data: { mailbox: 'box1', sequence: 1, folder: 'INBOX', previousUidValidity: '1', uidValidity: '2', reason: 'uidvalidity-changed' },
    })
    expect(deps.config.webhooks[0].eventTypes).toContain('mailbox.reset')
  })

  test('an endpoint filtered to other mailboxes receives nothing, and the event leaves the outbox', async () => {
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const { deps, dispatcher } = await setup(store, { endpoint: { mailboxes: ['other'] } })
    await ingest(deps, 'box1', raw(9))
    expect(await dispatcher.runAll()).toMatchObject({ attempted: 0 })
    expect(receiver.received).toEqual([])
    expect(await store.list(webhookKeys.outboxPrefix)).toEqual([])
  })
})
