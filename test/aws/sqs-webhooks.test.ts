import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import type { SqsBatchResponse } from '../../lib/aws/sqs-event.js'
import { messageSource } from '../../lib/events/event-types.js'
import { recordEvent, type EventRecord } from '../../lib/events/outbox.js'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import type { DeliveryRecord } from '../../lib/webhooks/delivery-record.js'
import { outboxMessage, webhookMessageIn } from '../../lib/webhooks/queue-messages.js'
import { attemptsPerInstance } from '../../lib/webhooks/sqs-plan.js'
import { createSqsWebhooks } from '../../lib/webhooks/sqs-webhooks.js'
import { replayDeliveries } from '../../lib/webhooks/replay.js'
import { sweepWebhooks } from '../../lib/webhooks/webhook-sweep.js'
import { WEBHOOK_MAX_RECEIVES, WEBHOOK_VISIBILITY_S } from '../../stacks/plan.js'
import { manualClock, tempFsStore, testDeps } from '../inbound/harness.js'
import { startS3, type S3TestServer } from '../servers/s3.js'
import { startSqs, type SqsTestServer } from '../servers/sqs.js'
import { notifyS3ToSqs, pollOnce, sendRaw } from '../servers/sqs-event-source.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

// Webhooks on AWS without an AWS account: outbox records written to a real S3-compatible store (s3rver, whose
// object events stand in for the bucket's S3 -> SQS notifications), the tests' own SQS server, Lambda's SQS event
// source emulated, and real HTTP receivers that verify each signature with the standardwebhooks library.

const cleanups: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST'
process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret'

interface RigOptions {
  /** Endpoints beyond `app` (the first receiver), each with a receiver of its own. */
  more?: number
  endpoint?: Record<string, unknown>
  inbound?: Record<string, unknown>
  /** Use this store instead of s3rver (and no notifications). */
  store?: ObjectStore
}

async function rig(opts: RigOptions = {}) {
  const receivers: WebhookReceiver[] = []
  for (let i = 0; i <= (opts.more ?? 0); i++) receivers.push(await startWebhookReceiver())
  const clock = manualClock()
  const sqs: SqsTestServer = await startSqs(
    [
      { name: 'webhooks', visibilityTimeoutS: WEBHOOK_VISIBILITY_S, redrive: { deadLetter: 'webhooks-dlq', maxReceiveCount: WEBHOOK_MAX_RECEIVES } },
      { name: 'webhooks-dlq', visibilityTimeoutS: 30 },
    ],
    { now: () => clock.now() },
  )
  const url = sqs.url('webhooks')
  let s3: S3TestServer | null = null
  let store = opts.store
  if (!store) {
    s3 = await startS3()
    store = createS3Store(s3.client, s3.bucket)
  }
  const webhooks = receivers.map((r, i) => ({ id: i ? `other${i}` : 'app', url: r.url, secret: r.secret, ...(i ? {} : opts.endpoint) }))
  const deps = testDeps({ webhooks, inbound: { webhookConcurrency: 4, ...opts.inbound }, aws: { webhookQueueUrl: url, webhookConsumers: 2 } }, store, {
    clock,
    random: () => 0.5,
  })
  const bridge = s3 ? notifyS3ToSqs(s3.onEvent, url, webhookKeys.outboxPrefix) : null
  const consumer = createSqsWebhooks(deps)
  cleanups.push(
    () => sqs.close(),
    () => s3?.close(),
    () => bridge?.close(),
    ...receivers.map((r) => () => r.close()),
  )
  return {
    deps,
    store,
    clock,
    sqs,
    url,
    receivers,
    /** One batch through the webhook function, after the pending notifications reached the queue. */
    async poll(timeLeftMs?: () => number) {
      await bridge?.settled()
      const got = await pollOnce(url, (event) => consumer.handle(event, { timeLeftMs }))
      if (got?.response instanceof Error) throw got.response
      return got as { event: NonNullable<typeof got>['event']; response: SqsBatchResponse } | null
    },
  }
}
type Rig = Awaited<ReturnType<typeof rig>>

/** Records `n` message.sent events of one outbound message, as the send path does. */
async function recordSent(r: Rig, n: number, messageId = '01JD0000000000000000000000'): Promise<EventRecord[]> {
  const counter = { sequence: 0 }
  const out: EventRecord[] = []
  for (let i = 1; i <= n; i++) {
    out.push(
      await recordEvent(r.deps, counter, {
        id: `msg_sqs${messageId.slice(-6)}${String(i).padStart(4, '0')}`,
        type: 'message.sent',
        source: messageSource(messageId),
        createdAt: new Date(r.clock.now()).toISOString(),
        data: { id: messageId, attempt: i },
      }),
    )
  }
  return out
}

const hides = (sqs: SqsTestServer) => sqs.calls.filter((c) => c.op === 'ChangeMessageVisibility').map((c) => c.input.VisibilityTimeout)
/** webhook-ids a receiver accepted (2xx after verifying the signature), in arrival order. */
const accepted = (r: WebhookReceiver) => r.received.filter((w) => w.status < 300 && w.verifyError === null).map((w) => w.id)
const deliveryOf = async (store: ObjectStore, endpoint: string, eventId: string) =>
  (await getJson<DeliveryRecord>(store, webhookKeys.delivery(endpoint, eventId)))?.value

test('a batch with a poisoned record: every event is delivered once, signed, and leaves the outbox; the poisoned record ends in the dead-letter queue', async () => {
  const r = await rig()
  const sent = await recordSent(r, 2)
  const state = await loadMailboxState(r.store, 'box1')
  const raw = Buffer.from('From: a@example.test\r\nTo: b@example.test\r\nSubject: via sqs\r\nMessage-ID: <sqs1@example.test>\r\n\r\nhello\r\n')
  const received = await ingestMessage(r.deps, 'box1', state, { raw, receivedAt: '2026-11-29T12:00:00.000Z', folder: 'INBOX' })
  await state.save()
  const poisonId = await sendRaw(r.url, 'this is not an S3 notification')

  const batch = await r.poll()
  expect(batch!.event.Records).toHaveLength(4)
  expect(batch!.response).toEqual({ batchItemFailures: [{ itemIdentifier: poisonId }] })
  expect(accepted(r.receivers[0]).sort()).toEqual([...sent.map((e) => e.id), received.eventId].sort())
  const doc = r.receivers[0].received.find((w) => w.id === received.eventId)!.payload!
  expect(doc).toMatchObject({ type: 'message.received', data: { mailbox: 'box1', sequence: 1, message: { id: received.id, subject: 'via sqs' } } })
  // The presigned URL in the payload reads the stored document.
  expect((await (await fetch(doc.data.messageUrl)).json()).id).toBe(received.id)
  expect(await r.store.list(webhookKeys.outboxPrefix)).toEqual([])
  expect(await deliveryOf(r.store, 'app', sent[0].id)).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, status: 200, outcome: 'delivered' }] })
  expect(r.sqs.bodies('webhooks')).toEqual(['this is not an S3 notification'])

  // SQS redelivers it after each visibility timeout (1800 s); past maxReceiveCount (10) it moves to the dead-letter queue.
  for (let i = 1; i < WEBHOOK_MAX_RECEIVES; i++) {
    r.clock.advance(1_800_000)
    expect((await r.poll())!.response).toEqual({ batchItemFailures: [{ itemIdentifier: poisonId }] })
  }
  r.clock.advance(1_800_000)
  expect(await r.poll()).toBeNull()
  expect(r.sqs.bodies('webhooks-dlq')).toEqual(['this is not an S3 notification'])
  expect(r.receivers[0].received).toHaveLength(3)
})

test('a failed attempt hides the message until its retry (ChangeMessageVisibility); the retry carries the same webhook-id', async () => {
  const r = await rig()
  const [e] = await recordSent(r, 1)
  r.receivers[0].reply({ status: 500, body: 'boom' })
  const first = await r.poll()
  expect(first!.response).toEqual({ batchItemFailures: [{ itemIdentifier: first!.event.Records[0].messageId }] })
  // baseDelayMs 30 s, jitter factor 1.0 at random() = 0.5.
  expect(hides(r.sqs)).toEqual([30])
  expect(await deliveryOf(r.store, 'app', e.id)).toMatchObject({ status: 'pending', nextAttemptAt: r.clock.now() + 30_000 })

  r.clock.advance(29_000)
  expect(await r.poll()).toBeNull()
  r.clock.advance(1_000)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(r.receivers[0].received.map((w) => [w.id, w.status])).toEqual([
    [e.id, 500],
    [e.id, 200],
  ])
  expect(r.sqs.bodies('webhooks')).toEqual([])
  expect(await r.store.list(webhookKeys.outboxPrefix)).toEqual([])
})

test('a dead endpoint costs one round of attempts per batch and delays only itself', async () => {
  const r = await rig({ more: 1 })
  const events = await recordSent(r, 6)
  const [dead, healthy] = r.receivers
  dead.reply({ status: 503 }, { status: 503 })
  const batch = await r.poll()
  expect(batch!.event.Records).toHaveLength(6)
  // webhookConcurrency 4 over 2 consumers: 2 attempts in flight per endpoint per instance. Both failed, so the
  // batch's 4 other events were not attempted on that endpoint; all 6 come back after the retry delay.
  expect(dead.received).toHaveLength(2)
  expect(batch!.response.batchItemFailures).toHaveLength(6)
  expect(hides(r.sqs)).toEqual([30, 30, 30, 30, 30, 30])
  // The healthy endpoint got every event in the same batch.
  expect(accepted(healthy).sort()).toEqual(events.map((e) => e.id).sort())
  const attempts = await Promise.all(events.map(async (e) => (await deliveryOf(r.store, 'app', e.id))?.attempts.length ?? 0))
  expect(attempts.filter((n) => n === 1)).toHaveLength(2)
  expect(attempts.filter((n) => n === 0)).toHaveLength(4)

  // It recovers: the next batch delivers the rest, and the healthy endpoint is not called again.
  r.clock.advance(30_000)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(accepted(dead).sort()).toEqual(events.map((e) => e.id).sort())
  expect(healthy.received).toHaveLength(6)
  expect(await r.store.list(webhookKeys.outboxPrefix)).toEqual([])
})

test('duplicate messages for one event deliver it once', async () => {
  const r = await rig()
  const [e] = await recordSent(r, 1)
  const key = webhookKeys.outboxFor(e.source, e.sequence)
  await sendRaw(r.url, outboxMessage(key))
  await sendRaw(r.url, outboxMessage(key))
  let batch = await r.poll()
  expect(batch!.event.Records).toHaveLength(3)
  // Copies that found the delivery claimed come back when the claim ends (timeoutMs + 30 s); the event is gone then.
  for (let i = 0; i < 3 && batch; i++) {
    r.clock.advance(45_000)
    batch = await r.poll()
  }
  expect(r.receivers[0].received.map((w) => w.id)).toEqual([e.id])
  expect(r.sqs.bodies('webhooks')).toEqual([])
})

test('a message received often is parked and the sweep brings it back; a retry beyond 12 hours is parked until then', async () => {
  const r = await rig({ endpoint: { retry: { baseDelayMs: 1000, maxDelayMs: 1000, maxRetryAfterMs: 24 * 3600_000 } } })
  const [e] = await recordSent(r, 1)
  r.receivers[0].reply(...Array.from({ length: 5 }, () => ({ status: 503 })))
  for (let i = 1; i < 5; i++) {
    expect((await r.poll())!.response.batchItemFailures).toHaveLength(1)
    r.clock.advance(1000)
  }
  // The fifth receive of the same message: set aside in the bucket, and the message is deleted.
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(r.sqs.bodies('webhooks')).toEqual([])
  const due = r.clock.now() + 1000
  expect(await r.store.list(webhookKeys.laterPrefix)).toEqual([webhookKeys.later(due, e.id)])

  expect(await sweepWebhooks(r.deps)).toEqual({ unparked: 1, stale: 0, lists: 2 })
  expect(r.sqs.calls.filter((c) => c.op === 'SendMessageBatch').map((c) => c.input.Entries)).toEqual([
    [{ Id: '0', MessageBody: outboxMessage(webhookKeys.outboxFor(e.source, e.sequence)), DelaySeconds: 1 }],
  ])
  expect(await r.store.list(webhookKeys.laterPrefix)).toEqual([])
  r.clock.advance(1000)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(accepted(r.receivers[0])).toEqual([e.id])
  expect(await deliveryOf(r.store, 'app', e.id)).toMatchObject({ status: 'delivered' })

  // Retry-After of 13 hours: further than SQS can hide a message, so it is parked at once until then.
  const [f] = await recordSent(r, 1, '01JD0000000000000000000001')
  r.receivers[0].reply({ status: 503, headers: { 'retry-after': String(13 * 3600) } })
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  const later = r.clock.now() + 13 * 3600_000
  expect(await r.store.list(webhookKeys.laterPrefix)).toEqual([webhookKeys.later(later, f.id)])
  expect((await sweepWebhooks(r.deps)).unparked).toBe(0)
  r.clock.set(later - 600_000)
  expect((await sweepWebhooks(r.deps)).unparked).toBe(1)
  // With it goes the sweep's one copy of the record that has lingered in the outbox 15 minutes: the consumer drops
  // that copy, since the event was handled before; the unparked message stays hidden until it is due.
  const fKey = webhookKeys.outboxFor(f.source, f.sequence)
  expect(r.sqs.calls.filter((c) => c.op === 'SendMessageBatch').at(-1)!.input.Entries).toEqual([
    { Id: '0', MessageBody: outboxMessage(fKey), DelaySeconds: 600 },
    { Id: '1', MessageBody: outboxMessage(fKey, true), DelaySeconds: 0 },
  ])
  const copy = await r.poll()
  expect(copy!.event.Records.map((x) => x.body)).toEqual([outboxMessage(fKey, true)])
  expect(copy!.response).toEqual({ batchItemFailures: [] })
  expect(r.sqs.bodies('webhooks')).toEqual([outboxMessage(fKey)])
  expect(r.receivers[0].received).toHaveLength(7)
})

test('with too little time left before the function times out, no attempt starts and the message comes back at once', async () => {
  const r = await rig()
  await recordSent(r, 1)
  const batch = await r.poll(() => 20_000) // timeoutMs 15 s + 10 s to record it do not fit
  expect(batch!.response.batchItemFailures).toHaveLength(1)
  expect(hides(r.sqs)).toEqual([1])
  expect(r.receivers[0].received).toEqual([])
})

test('the sweep sends once each outbox record whose notification never came, 15 minutes after it was written', async () => {
  const { store, dir, close } = await tempFsStore()
  cleanups.push(close)
  const r = await rig({ store }) // no S3 notifications at all
  const [old, recent] = [...(await recordSent(r, 1)), ...(await recordSent(r, 1, '01JD0000000000000000000002'))]
  const keyOf = (e: EventRecord) => webhookKeys.outboxFor(e.source, e.sequence)
  const age = async (e: EventRecord, ms: number) => {
    const t = new Date(r.clock.now() - ms)
    await utimes(join(dir, ...keyOf(e).split('/')), t, t)
  }
  await age(old, 20 * 60_000)
  await age(recent, 14 * 60_000)
  expect(await sweepWebhooks(r.deps)).toEqual({ unparked: 0, stale: 1, lists: 2 })
  expect(r.sqs.bodies('webhooks')).toEqual([outboxMessage(keyOf(old), true)])
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(accepted(r.receivers[0])).toEqual([old.id])

  // Later runs send only what turned 15 minutes old since the last one.
  expect((await sweepWebhooks(r.deps)).stale).toBe(0)
  r.clock.advance(2 * 60_000)
  expect(await sweepWebhooks(r.deps)).toEqual({ unparked: 0, stale: 1, lists: 2 })
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(accepted(r.receivers[0])).toEqual([old.id, recent.id])
  expect(await store.list(webhookKeys.outboxPrefix)).toEqual([])
})

test('queue message bodies: S3 notifications of outbox records, the sweep’s messages, and what is poisoned', () => {
  const key = 'webhooks/outbox/support box/000000000007.json'
  const notification = (k: string, eventName = 'ObjectCreated:Put') => JSON.stringify({ Records: [{ eventName, s3: { object: { key: k } } }] })
  // S3 URL-encodes keys, with + for a space.
  expect(webhookMessageIn(notification('webhooks/outbox/support+box/000000000007.json'))).toEqual({ keys: [key], stale: false })
  expect(webhookMessageIn(notification('webhooks/outbox/a/1.json', 'ObjectRemoved:Delete'))).toEqual({ keys: [], stale: false })
  expect(webhookMessageIn(outboxMessage(key, true))).toEqual({ keys: [key], stale: true })
  expect(webhookMessageIn(JSON.stringify({ Event: 's3:TestEvent', Bucket: 'mail' }))).toEqual({ keys: [], stale: false })
  for (const poisoned of [
    'not json',
    'null',
    '{}',
    outboxMessage('queue/2026-11-29T12:00:00.000Z_01J'),
    notification('webhooks/deliveries/app/x.json'),
    notification('%E0%A4%A'),
    outboxMessage('webhooks/outbox/../x/1.json'),
    outboxMessage('webhooks/outbox/a/b/1.json'),
  ])
    expect(webhookMessageIn(poisoned)).toBeNull()
})

test('attempts in flight per endpoint: the instances together keep webhookConcurrency', () => {
  expect(attemptsPerInstance(4, 2)).toBe(2)
  expect(attemptsPerInstance(4, 3)).toBe(1)
  expect(attemptsPerInstance(64, 4)).toBe(16)
  // More instances than the bound: one each, so the bound becomes the number of instances.
  expect(attemptsPerInstance(4, 8)).toBe(1)
})

test('a replay on AWS: rewriting the outbox records notifies the queue, and the function re-sends each event once with its webhook-id', async () => {
  const r = await rig()
  const sent = await recordSent(r, 2)
  await r.poll()
  expect(accepted(r.receivers[0]).sort()).toEqual(sent.map((e) => e.id).sort())
  expect(await r.store.list(webhookKeys.outboxPrefix)).toEqual([])
  const at = Date.parse(sent[0].createdAt)
  expect(await replayDeliveries(r.deps, { sinceMs: at, untilMs: at, limit: 1000 })).toEqual({ queued: 2, skipped: {}, nextCursor: null })
  await r.poll()
  expect(accepted(r.receivers[0]).sort()).toEqual([...sent, ...sent].map((e) => e.id).sort())
  expect(await r.store.list(webhookKeys.outboxPrefix)).toEqual([])
  expect((await deliveryOf(r.store, 'app', sent[0].id))!.attempts.map((a) => a.status)).toEqual([200, 200])
})
