// Delivery drain rate, before and after issue 13 (due messages per minute), and the requests each message costs:
// a real SMTP relay (smtp-server with STARTTLS + AUTH), s3rver behind the precondition proxy, and the tests' own
// SQS server. Before: the one-minute sweep (lib/send/queue-runner.ts drain, which lists at most 1,000 entries).
// After: the SQS path (S3 notifications -> delivery queue -> `instances` consumers, Lambda's event source emulated).
// Usage: npm run bench:drain [-- --messages 600 --instances 10]
import { pino } from 'pino'
import { hashApiKey } from '../lib/config/api-key-hash.js'
import { Config } from '../lib/config/schema.js'
import { createDeps, type Deps } from '../lib/deps.js'
import { acceptMessage } from '../lib/send/accept.js'
import { createQueueRunner } from '../lib/send/queue-runner.js'
import { SendRequest } from '../lib/send/send-request.js'
import { createSqsDelivery } from '../lib/send/sqs-delivery.js'
import { createS3Store } from '../lib/store/s3-store.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { relayFor } from '../test/harness.js'
import { startS3 } from '../test/servers/s3.js'
import { startSmtp } from '../test/servers/smtp.js'
import { startSqs } from '../test/servers/sqs.js'
import { notifyS3ToSqs, pollOnce } from '../test/servers/sqs-event-source.js'
import { countingStore } from './procs/counting-store.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const arg = (name: string, dflt: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || dflt
const N = arg('messages', 600)
const INSTANCES = arg('instances', 10)

const counting = countingStore

async function rig(queueUrl?: string) {
  const smtp = await startSmtp()
  const s3 = await startS3()
  const { store, n } = counting(createS3Store(s3.client, s3.bucket))
  const config = Config.parse({
    relay: { ...relayFor(smtp), pool: { maxConnections: 5, maxMessages: 1000 } },
    apiKeys: [{ id: 'bench', hash: hashApiKey('bench-key-123456') }],
    logLevel: 'silent',
    aws: { deliveryQueueUrl: queueUrl },
  })
  const deps: Deps = createDeps(config, { store, logger: pino({ level: 'silent' }) })
  const accept = async () => {
    const req = SendRequest.parse({ from: 'ops@example.com', to: 'a@example.org', subject: 'drain', text: 'x'.repeat(2000) })
    for (let i = 0; i < N; i++) await acceptMessage(deps, 'bench', req)
  }
  const close = async () => {
    deps.relay?.close()
    await smtp.close()
    await s3.close()
  }
  return { smtp, s3, deps, n, accept, close }
}

const perMsg = (x: number) => (x / N).toFixed(2)

// Before: what one sweep attempts, and how long it takes; sweeps run once a minute.
{
  const r = await rig()
  await r.accept()
  const before = { ...r.n }
  const t0 = performance.now()
  const attempted = await createQueueRunner(r.deps).drain()
  const s = (performance.now() - t0) / 1000
  const sent = r.smtp.received.length
  // One sweep a minute, each attempting at most 1,000: the slower of that cap and the sweep's own pace.
  const perMinute = Math.min(1000, (attempted / s) * 60)
  console.log(
    `before (S3 sweep): ${N} due, one sweep attempted ${attempted}, sent ${sent} in ${s.toFixed(1)} s; sweeps run each minute and list at most 1,000 entries`,
  )
  console.log(
    `  drain rate: at most ${Math.round(perMinute)} due messages/minute (${attempted} per sweep-minute; processing alone ran at ${Math.round((attempted / s) * 60)}/min)`,
  )
  console.log(
    `  S3 requests per message, delivery only: GET ${perMsg(r.n.GET - before.GET)} PUT ${perMsg(r.n.PUT - before.PUT)} LIST ${perMsg(r.n.LIST - before.LIST)} DELETE ${perMsg(r.n.DELETE - before.DELETE)}`,
  )
  await r.close()
}

// After: the SQS path with `INSTANCES` concurrent consumers, batches of 10.
{
  const sqs = await startSqs([{ name: 'delivery', visibilityTimeoutS: 720 }])
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCH'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret'
  const url = sqs.url('delivery')
  const r = await rig(url)
  const bridge = notifyS3ToSqs(r.s3.onEvent, url, 'queue/')
  const a0 = { ...r.n }
  await r.accept()
  await bridge.settled()
  const accepted = { GET: r.n.GET - a0.GET, PUT: r.n.PUT - a0.PUT }
  const before = { ...r.n }
  const callsBefore = sqs.calls.length
  const delivery = createSqsDelivery(r.deps)
  let batches = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: INSTANCES }, async () => {
      while (await pollOnce(url, delivery.handle)) batches++
    }),
  )
  const s = (performance.now() - t0) / 1000
  const byOp = new Map<string, number>()
  for (const c of sqs.calls.slice(callsBefore)) byOp.set(c.op, (byOp.get(c.op) ?? 0) + 1)
  console.log(`after (SQS, ${INSTANCES} consumers): ${N} due, sent ${r.smtp.received.length} in ${s.toFixed(1)} s, ${batches} batches`)
  console.log(`  drain rate: ${Math.round((r.smtp.received.length / s) * 60)} due messages/minute (no cap per run; bounded by consumers × relay connections)`)
  console.log(`  S3 requests per message, accept: GET ${perMsg(accepted.GET)} PUT ${perMsg(accepted.PUT)}`)
  console.log(
    `  S3 requests per message, delivery: GET ${perMsg(r.n.GET - before.GET)} PUT ${perMsg(r.n.PUT - before.PUT)} LIST ${perMsg(r.n.LIST - before.LIST)} DELETE ${perMsg(r.n.DELETE - before.DELETE)}`,
  )
  console.log(`  SQS requests per message: notification SendMessage 1.00, ${[...byOp].map(([op, k]) => `${op} ${perMsg(k)}`).join(', ')}`)
  bridge.close()
  await r.close()
  await sqs.close()
}
