// Webhook drain from a cold backlog, before and after issue 13: events per minute per endpoint, and the time to the
// first delivery. s3rver behind the precondition proxy, a real receiver verifying every signature with the
// standardwebhooks library, and the tests' own SQS server, all in this process.
// Before: the scheduled run (lib/webhooks/dispatcher.ts runAll, one a minute on AWS, 5-minute timeout), which lists
// the outbox and reads every record one GET at a time before attempting `webhookBatch` (100) per endpoint.
// After: S3 notifications of outbox records -> webhook queue -> `consumers` instances of the webhook function
// (lib/webhooks/sqs-webhooks.ts), batches of 10, Lambda's event source emulated.
// Usage: npm run bench:webhooks [-- --events 1000,5000,20000 --consumers 2]
import pLimit from 'p-limit'
import { pino } from 'pino'
import { Config } from '../lib/config/schema.js'
import { createDeps, type Deps } from '../lib/deps.js'
import { messageSource } from '../lib/events/event-types.js'
import { recordEvent } from '../lib/events/outbox.js'
import { webhookKeys } from '../lib/store/keys.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { createS3Store } from '../lib/store/s3-store.js'
import { createWebhookDispatcher } from '../lib/webhooks/dispatcher.js'
import { createSqsWebhooks } from '../lib/webhooks/sqs-webhooks.js'
import { startS3 } from '../test/servers/s3.js'
import { startSqs, type SqsTestServer } from '../test/servers/sqs.js'
import { notifyS3ToSqs, pollOnce } from '../test/servers/sqs-event-source.js'
import { startWebhookReceiver, type WebhookReceiver } from '../test/servers/webhook-receiver.js'
import { countingStore } from './procs/counting-store.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCH'
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret'
const argOf = (name: string, dflt: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : dflt)
const SIZES = argOf('events', '1000').split(',').map(Number)
const CONSUMERS = Number(argOf('consumers', '2'))

const counting = countingStore

/** Resolves with ms from `t0` to the receiver's first request (checked every 5 ms). */
function firstArrival(receiver: WebhookReceiver, t0: number): Promise<number> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (receiver.received.length) {
        clearInterval(t)
        resolve(performance.now() - t0)
      }
    }, 5)
  })
}

async function rig(events: number, sqs?: SqsTestServer) {
  const s3 = await startS3()
  const receiver = await startWebhookReceiver()
  const { store, n } = counting(createS3Store(s3.client, s3.bucket))
  const config = Config.parse({
    webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
    allowPrivateWebhookTargets: ['127.0.0.1/32'],
    logLevel: 'silent',
    aws: { webhookQueueUrl: sqs?.url('webhooks'), webhookConsumers: CONSUMERS },
  })
  const deps: Deps = createDeps(config, { store, logger: pino({ level: 'silent' }) })
  const bridge = sqs ? notifyS3ToSqs(s3.onEvent, sqs.url('webhooks'), webhookKeys.outboxPrefix) : null
  // The backlog: one message.sent event per outbound message, recorded as the send path records them.
  const limit = pLimit(16)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: events }, (_, i) =>
      limit(() => {
        const id = `01JDBENCH${String(i).padStart(17, '0')}`
        const source = messageSource(id)
        return recordEvent(
          deps,
          { sequence: 0 },
          { id: `msg_bench${String(i).padStart(12, '0')}`, type: 'message.sent', source, createdAt: new Date().toISOString(), data: { id } },
        )
      }),
    ),
  )
  await bridge?.settled()
  bridge?.close()
  const recordS = (performance.now() - t0) / 1000
  for (const k of Object.keys(n) as (keyof typeof n)[]) n[k] = 0
  return {
    deps,
    receiver,
    n,
    recordS,
    close: async () => {
      await receiver.close()
      await s3.close()
    },
  }
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const perEvent = (n: Record<string, number>, events: number) =>
  Object.entries(n)
    .map(([k, v]) => `${k} ${(v / events).toFixed(2)}`)
    .join(' ')
const cpuS = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1e6
}

console.log(`node ${process.version}; one process holds s3rver, the SQS server, the receiver and the functions; CPU is all of it`)
for (const events of SIZES) {
  // Before: one cold scheduled run.
  {
    const r = await rig(events)
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const first = firstArrival(r.receiver, t0)
    const run = await createWebhookDispatcher(r.deps).runAll()
    const runS = (performance.now() - t0) / 1000
    const firstS = (await first) / 1000
    const perMinute = Math.min(r.deps.config.inbound.webhookBatch, (run.delivered / runS) * 60)
    console.log(`before, ${fmt(events)} events (recorded in ${fmt(r.recordS, 1)} s): one cold run took ${fmt(runS, 1)} s, delivered ${run.delivered}`)
    console.log(
      `  first delivery after ${fmt(firstS, 1)} s${firstS > 300 ? ' (beyond the 5-minute timeout: on Lambda it never comes)' : ''}; at most ${fmt(perMinute)} events/minute/endpoint (${r.deps.config.inbound.webhookBatch} per run, one run a minute)`,
    )
    console.log(`  S3 requests per event in the backlog: ${perEvent(r.n, events)}; CPU ${fmt((cpuS(cpu0) / run.delivered) * 1000, 2)} ms per delivered event`)
    await r.close()
  }
  // After: the backlog waits in the webhook queue; consumers start cold.
  {
    const sqs = await startSqs([{ name: 'webhooks', visibilityTimeoutS: 1800 }])
    const r = await rig(events, sqs)
    const calls0 = sqs.calls.length
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const first = firstArrival(r.receiver, t0)
    let batches = 0
    await Promise.all(
      Array.from({ length: CONSUMERS }, async () => {
        const consumer = createSqsWebhooks(r.deps)
        while (await pollOnce(sqs.url('webhooks'), consumer.handle)) batches++
      }),
    )
    const s = (performance.now() - t0) / 1000
    const delivered = r.receiver.received.filter((w) => w.status === 200 && w.verifyError === null).length
    const byOp = new Map<string, number>()
    for (const c of sqs.calls.slice(calls0)) byOp.set(c.op, (byOp.get(c.op) ?? 0) + 1)
    console.log(`after (SQS, ${CONSUMERS} consumers), ${fmt(events)} events: delivered ${fmt(delivered)} in ${fmt(s, 1)} s, ${batches} batches`)
    console.log(`  first delivery after ${fmt((await first) / 1000, 2)} s; ${fmt((delivered / s) * 60)} events/minute/endpoint`)
    console.log(
      `  S3 requests per event: ${perEvent(r.n, events)}; SQS per event: notification SendMessage 1.00, ${[...byOp].map(([op, k]) => `${op} ${(k / events).toFixed(2)}`).join(', ')}; CPU ${fmt((cpuS(cpu0) / delivered) * 1000, 2)} ms per event`,
    )
    await r.close()
    await sqs.close()
  }
}
