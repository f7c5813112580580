import { afterEach, expect, test } from 'vitest'
import { createSqsDelivery } from '../../lib/send/sqs-delivery.js'
import { sweepDelivery } from '../../lib/send/sqs-sweep.js'
import { messageKeys } from '../../lib/store/keys.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { harness, headersOf, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'
import { startS3 } from '../servers/s3.js'
import { startSqs, type SqsTestServer } from '../servers/sqs.js'
import { notifyS3ToSqs, pollOnce, sendRaw } from '../servers/sqs-event-source.js'

// Delivery on AWS without an AWS account: a real S3-compatible store (s3rver, whose object events stand in for the
// bucket's S3 -> SQS notifications), the tests' own SQS server, a real SMTP relay, and Lambda's SQS event source
// emulated (receive, invoke with a real-shaped event, delete what the answer does not keep).

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

interface Rig {
  h: Harness
  smtp: SmtpTestServer
  sqs: SqsTestServer
  url: string
  dlq: string
  /** One batch through the delivery function, after the pending notifications reached the queue. */
  poll(): ReturnType<typeof pollOnce>
}

async function rig(behaviour: SmtpBehaviour = {}): Promise<Rig> {
  const smtp = await startSmtp(behaviour)
  const s3 = await startS3()
  let now = () => Date.parse('2026-11-29T12:00:00.000Z')
  const sqs = await startSqs(
    [
      { name: 'delivery', visibilityTimeoutS: 720, redrive: { deadLetter: 'delivery-dlq', maxReceiveCount: 3 } },
      { name: 'delivery-dlq', visibilityTimeoutS: 30 },
    ],
    { now: () => now() },
  )
  const url = sqs.url('delivery')
  const h = await harness({ smtp, store: createS3Store(s3.client, s3.bucket), config: { aws: { deliveryQueueUrl: url } } })
  now = h.clock.now
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret'
  const bridge = notifyS3ToSqs(s3.onEvent, url, 'queue/')
  const delivery = createSqsDelivery(h.deps)
  cleanups.push(
    () => smtp.close(),
    () => s3.close(),
    () => sqs.close(),
    () => h.close(),
    () => bridge.close(),
  )
  return {
    h,
    smtp,
    sqs,
    url,
    dlq: sqs.url('delivery-dlq'),
    async poll() {
      await bridge.settled()
      return pollOnce(url, delivery.handle)
    },
  }
}

const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 'through sqs', text: 'body' }
const submit = async (h: Harness, body: object = MSG) => {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(202)
  return res.json as { id: string; messageId: string }
}
const sentIds = (smtp: SmtpTestServer) => smtp.received.map((m) => headersOf(m.raw).get('message-id')![0])
const hides = (sqs: SqsTestServer) => sqs.calls.filter((c) => c.op === 'ChangeMessageVisibility').map((c) => c.input.VisibilityTimeout)

test('a batch with a poisoned record: both messages are sent once, only the poisoned record is kept, and it ends in the dead-letter queue', async () => {
  const r = await rig()
  const a = await submit(r.h)
  const b = await submit(r.h, { ...MSG, to: 'b@example.org' })
  const poisonId = await sendRaw(r.url, 'this is not an S3 notification')

  const batch = await r.poll()
  expect(batch!.event.Records).toHaveLength(3)
  expect(batch!.response).toEqual({ batchItemFailures: [{ itemIdentifier: poisonId }] })
  expect(sentIds(r.smtp).sort()).toEqual([a.messageId, b.messageId].sort())
  expect((await r.h.call('GET', `/v1/messages/${a.id}`)).json.status).toBe('sent')
  expect(r.sqs.bodies('delivery')).toEqual(['this is not an S3 notification'])

  // SQS redelivers it after each visibility timeout; past maxReceiveCount (3) it moves to the dead-letter queue.
  for (let i = 0; i < 2; i++) {
    r.h.clock.advance(720_000)
    expect((await r.poll())!.response).toEqual({ batchItemFailures: [{ itemIdentifier: poisonId }] })
  }
  r.h.clock.advance(720_000)
  expect(await r.poll()).toBeNull()
  expect(r.sqs.bodies('delivery')).toEqual([])
  expect(r.sqs.bodies('delivery-dlq')).toEqual(['this is not an S3 notification'])
  expect(r.smtp.received).toHaveLength(2)
})

test('a message whose request cannot be read is reported failed and kept, the rest of the batch is sent', async () => {
  const r = await rig()
  const bad = await submit(r.h)
  await r.h.store.put(messageKeys(bad.id).request, '{ cut short')
  const good = await submit(r.h)
  const batch = await r.poll()
  const badRecord = batch!.event.Records.find((x) => x.body.includes(bad.id))!
  expect(batch!.response).toEqual({ batchItemFailures: [{ itemIdentifier: badRecord.messageId }] })
  expect(sentIds(r.smtp)).toEqual([good.messageId])
})

test('a scheduled send is hidden until it is due (ChangeMessageVisibility), then sent', async () => {
  const r = await rig()
  const m = await submit(r.h, { ...MSG, sendAt: '2026-11-29T12:30:00.000Z' })
  const first = await r.poll()
  expect(first!.response).toEqual({ batchItemFailures: [{ itemIdentifier: first!.event.Records[0].messageId }] })
  expect(hides(r.sqs)).toEqual([1800])
  expect(r.smtp.received).toEqual([])

  r.h.clock.advance(1_799_000)
  expect(await r.poll()).toBeNull()
  r.h.clock.advance(1_000)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(sentIds(r.smtp)).toEqual([m.messageId])
  expect(r.sqs.bodies('delivery')).toEqual([])
})

test('a deferred attempt waits in SQS for its retry time, through the notification of its next queue entry', async () => {
  const r = await rig({ rcpt: () => smtpReply(451, '4.7.1 Greylisted') })
  const m = await submit(r.h)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  const v = (await r.h.call('GET', `/v1/messages/${m.id}`)).json
  expect(v).toMatchObject({ status: 'deferred', nextAttemptAt: '2026-11-29T12:01:00.000Z' })

  // The retry's queue entry was written at 12:00 (manual clock): its notification is hidden for 60 s.
  const retry = await r.poll()
  expect(retry!.response).toEqual({ batchItemFailures: [{ itemIdentifier: retry!.event.Records[0].messageId }] })
  expect(hides(r.sqs)).toEqual([60])
  r.smtp.behave({})
  r.h.clock.advance(60_000)
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(sentIds(r.smtp)).toEqual([m.messageId])
})

test('duplicate notifications of one entry send it once', async () => {
  const r = await rig()
  const m = await submit(r.h)
  const key = (await r.h.store.list('queue/'))[0]
  await sendRaw(r.url, JSON.stringify({ queueEntry: key }))
  await sendRaw(r.url, JSON.stringify({ queueEntry: key }))
  let batch = await r.poll()
  expect(batch!.event.Records).toHaveLength(3)
  // Concurrent duplicates find the message claimed (leased) and come back after the lease: then it is final.
  for (let i = 0; i < 3 && batch; i++) {
    r.h.clock.advance(300_000)
    batch = await r.poll()
  }
  expect(sentIds(r.smtp)).toEqual([m.messageId])
  expect(r.sqs.bodies('delivery')).toEqual([])
  expect(await r.h.store.list('queue/')).toEqual([])
})

test('a send scheduled days ahead is left to the sweep, which enqueues it once it is within 12 hours of its time', async () => {
  const r = await rig()
  const m = await submit(r.h, { ...MSG, sendAt: '2026-12-01T12:00:00.000Z' })
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(r.sqs.bodies('delivery')).toEqual([])

  expect(await sweepDelivery(r.h.deps)).toEqual({ enqueued: 0, stale: 0, lists: 1 })
  r.h.clock.set(Date.parse('2026-12-01T00:20:00.000Z'))
  expect(await sweepDelivery(r.h.deps)).toEqual({ enqueued: 1, stale: 0, lists: 2 })
  const sent = r.sqs.calls.filter((c) => c.op === 'SendMessageBatch')
  expect(sent.map((c) => c.input.Entries)).toEqual([
    [{ Id: '0', MessageBody: JSON.stringify({ queueEntry: (await r.h.store.list('queue/'))[0] }), DelaySeconds: 900 }],
  ])
  r.h.clock.set(Date.parse('2026-12-01T12:00:00.000Z'))
  expect((await r.poll())!.response).toEqual({ batchItemFailures: [] })
  expect(sentIds(r.smtp)).toEqual([m.messageId])
  // A run right after finds nothing new: each window is only what came since the cursor.
  expect(await sweepDelivery(r.h.deps)).toEqual({ enqueued: 0, stale: 0, lists: 2 })
})
