import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPollConsumer } from '../../lib/inbound/poll-queue.js'
import { pollTick } from '../../lib/inbound/poll-tick.js'
import { pollDueIn, pollPhaseMs } from '../../lib/inbound/poll-schedule.js'
import type { PollBackoff } from '../../lib/inbound/poll-backoff.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMessageKeys, sweepKeys } from '../../lib/store/keys.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { manualClock } from '../harness.js'
import { dovecotMailbox, tempFsStore, testDeps } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startSqs, type SqsTestServer } from '../servers/sqs.js'
import { startSsm, type SsmTestServer } from '../servers/ssm.js'
import { pollOnce, sendRaw } from '../servers/sqs-event-source.js'

// Mailboxes on AWS without an AWS account: the tick and the poll function against a real Dovecot, the tests' own
// SQS and SSM servers, with passwords given as SSM parameters read at connect time.

let dovecot: DovecotServer
let sqs: SqsTestServer
let ssm: SsmTestServer
beforeAll(async () => {
  dovecot = await startDovecot()
  sqs = await startSqs([{ name: 'poll', visibilityTimeoutS: 5400 }])
  ssm = await startSsm()
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret'
})
afterAll(async () => {
  await dovecot?.close()
  await sqs?.close()
  await ssm?.close()
})

const msg = (n: number) =>
  Buffer.from(`From: s@example.test\r\nTo: r@example.test\r\nSubject: m${n}\r\nMessage-ID: <aws-m${n}@example.test>\r\n\r\nBody ${n}\r\n`)

test('a mailbox is due once per period, at a fixed phase, and once after missed ticks', () => {
  const P = 300_000
  const phase = pollPhaseMs('support', P)
  expect(phase).toBe(pollPhaseMs('support', P))
  expect(phase).toBeGreaterThanOrEqual(0)
  expect(phase).toBeLessThan(P)
  const t0 = 10 * P
  const dueMinutes = Array.from({ length: 10 }, (_, i) => pollDueIn('support', P, t0 + i * 60_000, t0 + (i + 1) * 60_000)).filter((x) => x !== null)
  expect(dueMinutes).toEqual([t0 + phase, t0 + P + phase])
  expect(pollDueIn('support', P, t0, t0 + 3 * P)).toBe(t0 + 2 * P + phase)
  // 10,000 mailboxes every 5 minutes spread over the minutes of the period: about 2,000 a tick, not 10,000 at once.
  const perTick = Array.from({ length: 5 }, (_, i) => {
    let n = 0
    for (let m = 0; m < 10_000; m++) if (pollDueIn(`mb-${m}`, P, t0 + i * 60_000, t0 + (i + 1) * 60_000) !== null) n++
    return n
  })
  expect(perTick.reduce((a, b) => a + b)).toBe(10_000)
  for (const n of perTick) expect(n).toBeGreaterThan(1800)
})

test('the tick enqueues the due mailboxes; the poll function polls them with their SSM passwords; a poisoned record is kept', async () => {
  const u = await dovecot.addUser('aws-tick@example.test')
  const v = await dovecot.addUser('aws-other@example.test')
  await dovecot.append(u, 'INBOX', [msg(1), msg(2)])
  ssm.set('/postern/test/tick', u.password)
  ssm.set('/postern/test/other', v.password)
  const { store, close } = await tempFsStore()
  try {
    const clock = manualClock(Date.parse('2026-11-29T12:00:00.000Z'))
    const every = { everyMs: 120_000 }
    const a = dovecotMailbox(dovecot, u, 'imap', { password: { ssm: '/postern/test/tick' }, schedule: every })
    const b = dovecotMailbox(dovecot, v, 'imap', { password: { ssm: '/postern/test/other' }, schedule: every })
    const deps = testDeps({ mailboxes: [a, b], aws: { pollQueueUrl: sqs.url('poll'), ssmEndpoint: ssm.endpoint } }, store, { clock })

    // Over two minutes (one period), each mailbox is enqueued exactly once, at its own phase.
    const enqueued: string[] = []
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000)
      enqueued.push(...(await pollTick(deps)).enqueued)
    }
    expect(enqueued.sort()).toEqual([a.id, b.id].sort())
    expect(
      sqs.calls
        .filter((c) => c.op === 'SendMessageBatch')
        .flatMap((c) => c.input.Entries.map((e: { MessageBody: string }) => JSON.parse(e.MessageBody).mailbox))
        .sort(),
    ).toEqual(enqueued)

    const poison = await sendRaw(sqs.url('poll'), '{"mailbox": 42}')
    const consumer = createPollConsumer(deps)
    const batch = await pollOnce(sqs.url('poll'), consumer.handle)
    expect(batch!.event.Records).toHaveLength(3)
    expect(batch!.response).toEqual({ batchItemFailures: [{ itemIdentifier: poison }] })
    expect(await store.get(inboundMessageKeys(a.id, inboundMessageId(msg(2))).raw)).toMatchObject({ body: msg(2) })
    // Each password read once, decrypted; a second poll within the cache TTL reads none.
    expect(ssm.calls.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: '/postern/test/other', withDecryption: true },
      { name: '/postern/test/tick', withDecryption: true },
    ])
    await consumer.handle({ Records: [{ ...batch!.event.Records.find((r) => r.body.includes(a.id))! }] })
    expect(ssm.calls).toHaveLength(2)
  } finally {
    await close()
  }
})

test('a missing SSM parameter fails that mailbox poll with the parameter named, and the record is still done', async () => {
  const u = await dovecot.addUser('aws-missing@example.test')
  const { store, close } = await tempFsStore()
  try {
    const mb = dovecotMailbox(dovecot, u, 'pop3', { password: { ssm: '/postern/test/nope' } })
    const deps = testDeps({ mailboxes: [mb], aws: { ssmEndpoint: ssm.endpoint } }, store)
    const errors: string[] = []
    const logger = deps.logger.child({})
    logger.error = ((o: { err?: string }) => void errors.push(String(o.err))) as never
    const res = await createPollConsumer({ ...deps, logger }).handle({
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          body: JSON.stringify({ mailbox: mb.id, due: '2026-11-29T12:00:00.000Z' }),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' },
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:poll',
          awsRegion: 'us-east-1',
        },
      ],
    })
    expect(res).toEqual({ batchItemFailures: [] })
    expect(errors).toEqual(['cannot read SSM parameter /postern/test/nope: ParameterNotFound: UnknownError'])
  } finally {
    await close()
  }
})

test('a mailbox whose poll fails is skipped by the tick until its error backoff has passed; a success ends it', async () => {
  const u = await dovecot.addUser('aws-backoff@example.test')
  const ok = await dovecot.addUser('aws-healthy@example.test')
  ssm.set('/postern/test/backoff', 'wrong-password')
  const { store: inner, close } = await tempFsStore()
  try {
    // Which backoff objects the tick and the poller read: only those of mailboxes both due and failing.
    const read: string[] = []
    const store = { ...inner, get: (k: string) => (k.startsWith(sweepKeys.pollBackoffPrefix) && read.push(k), inner.get(k)) }
    const clock = manualClock(Date.parse('2026-11-29T12:00:00.000Z'))
    const every = { everyMs: 60_000 }
    const mb = dovecotMailbox(dovecot, u, 'imap', { password: { ssm: '/postern/test/backoff' }, schedule: every })
    const healthy = dovecotMailbox(dovecot, ok, 'pop3', { schedule: every })
    const deps = testDeps(
      {
        mailboxes: [mb, healthy],
        inbound: { errorBackoff: { baseDelayMs: 300_000, maxDelayMs: 3_600_000 } },
        aws: { pollQueueUrl: sqs.url('poll'), ssmEndpoint: ssm.endpoint, secretCacheMs: 0 },
      },
      store,
      { clock, random: () => 0.5 },
    )
    const consumer = createPollConsumer(deps)
    /** One tick a minute, then the poll function over what it enqueued; the ticks' outcomes for `mb`. */
    const minutes = async (n: number) => {
      const out: string[] = []
      for (let i = 0; i < n; i++) {
        clock.advance(60_000)
        const t = await pollTick(deps)
        out.push(t.enqueued.includes(mb.id) ? 'polled' : t.backingOff.includes(mb.id) ? 'backing off' : 'not due')
        expect(t.enqueued).toContain(healthy.id)
        while (await pollOnce(sqs.url('poll'), consumer.handle));
      }
      return out
    }
    const backoff = async () => (await getJson<PollBackoff>(inner, sweepKeys.pollBackoff(mb.id)))?.value ?? null

    expect(await minutes(1)).toEqual(['polled'])
    const failedAt = clock.now()
    expect(await backoff()).toMatchObject({ failures: 1, retryAt: new Date(failedAt + 300_000).toISOString() })
    // Polled again at its first instant from the retry time on: 5 minutes, then 10 after a second failure.
    expect(await minutes(6)).toEqual(['backing off', 'backing off', 'backing off', 'backing off', 'backing off', 'polled'])
    expect(await backoff()).toMatchObject({ failures: 2, retryAt: new Date(clock.now() + 600_000).toISOString() })
    ssm.set('/postern/test/backoff', u.password)
    expect(await minutes(11)).toEqual([...Array(10).fill('backing off'), 'polled'])
    expect(await backoff()).toBeNull()
    expect(await minutes(1)).toEqual(['polled'])
    // Read only while mb was due and failing (17 ticks), never for the healthy mailbox.
    expect(new Set(read)).toEqual(new Set([sweepKeys.pollBackoff(mb.id)]))
    expect(read).toHaveLength(17)
  } finally {
    await close()
  }
})
