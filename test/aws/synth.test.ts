import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadConfig } from '../../lib/config/load.js'
import { checkAwsLimits } from './aws-limits.js'
import { installFakeSst, removeFakeSst, type Recorded } from './fake-sst.js'

// The synth check (issue 13): stacks/*.ts evaluated for a stage config of 10,000 mailboxes with recording fakes of
// SST's globals, and the components checked against AWS limits. It proves the stacks' shape (no resource, no
// environment variable and no policy statement per mailbox); only `npx sst deploy` proves AWS accepts it.

const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`

function stageConfig(mailboxes: number) {
  return {
    domain: 'mail.example.com',
    relay: { host: 'smtp.example.com', auth: { user: 'relay', pass: { env: 'RELAY_PASSWORD' } }, pool: { maxConnections: 5 } },
    aws: { relayConnections: 50, pollers: 100 },
    mailboxes: Array.from({ length: mailboxes }, (_, i) => ({
      id: `mb-${i}`,
      protocol: i % 2 ? 'imap' : 'pop3',
      host: `mail${i % 50}.example.net`,
      user: `user${i}@example.net`,
      password: { ssm: `/postern/ci/mailboxes/mb-${i}` },
      schedule: 'rate(5 minutes)',
    })),
    webhooks: [{ id: 'app', url: 'https://app.example.com/hooks', secret: { ssm: '/postern/ci/webhooks/app' } }],
  }
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-synth-'))
})
afterAll(async () => {
  removeFakeSst()
  await rm(dir, { recursive: true, force: true })
})

async function synth(stage: string, mailboxes: number): Promise<{ made: Recorded[]; outputs: any; fileBytes: number }> {
  const at = join(dir, String(mailboxes))
  await mkdir(at, { recursive: true })
  const file = join(at, `postern.config.${stage}.json`)
  await writeFile(file, JSON.stringify(stageConfig(mailboxes)))
  const made = installFakeSst()
  // Loaded by path at run time: stacks/ are type-checked against SST's globals by .ci/check-sst.sh, not here.
  const stacks = ['..', '..', 'stacks', 'app.js'].join('/')
  const { createStage } = await import(/* @vite-ignore */ stacks)
  const outputs = createStage(stage, at)
  return { made, outputs, fileBytes: (await stat(file)).size }
}

const shape = (made: Recorded[]) => made.map((r) => `${r.type} ${r.name}`).sort()

test('10,000 mailboxes: the same components as 10, and no AWS limit passed', async () => {
  const big = await synth('ci', 10_000)
  const small = await synth('ci', 10)
  expect(shape(big.made)).toEqual(shape(small.made))
  expect(big.outputs.polledMailboxes).toBe(10_000)
  expect(shape(big.made)).toEqual([
    'aws.cloudwatch.MetricAlarm DeliveryDlqAlarm',
    'aws.cloudwatch.MetricAlarm PollDlqAlarm',
    'aws.cloudwatch.MetricAlarm WebhooksDlqAlarm',
    'sst.Secret ApiKey',
    'sst.Secret Domain',
    'sst.Secret RelayPassword',
    'sst.Secret RelayUrl',
    'sst.aws.Bucket Mail',
    'sst.aws.BucketNotification notify',
    'sst.aws.CronV2 DeliverySweep',
    'sst.aws.CronV2 PollTick',
    'sst.aws.CronV2 WebhookSweep',
    'sst.aws.Function DeliverySubscriber',
    'sst.aws.Function Http',
    'sst.aws.Function PollSubscriber',
    'sst.aws.Function WebhooksSubscriber',
    'sst.aws.Queue Delivery',
    'sst.aws.Queue DeliveryDlq',
    'sst.aws.Queue Poll',
    'sst.aws.Queue PollDlq',
    'sst.aws.Queue Webhooks',
    'sst.aws.Queue WebhooksDlq',
    'sst.aws.SnsTopic Alarms',
  ])

  const report = checkAwsLimits(big.made, 10_001, big.fileBytes)
  expect(report.violations).toEqual([])
  // 10,000 mailbox passwords and a webhook secret: one parameter more than the standard tier holds per account.
  expect(report.notes).toEqual(['10001 SSM parameters: more than the 10000 of the standard tier, so some must be advanced-tier parameters'])
  expect(report.rules).toBe(0)
  // The environment and role policy do not grow with mailboxes.
  expect(report.functions).toEqual(checkAwsLimits(small.made, 11, small.fileBytes).functions)
  expect(Math.max(...report.functions.map((f) => f.envBytes))).toBeLessThan(3000)
  const subscriber = (name: string) => big.made.find((r) => r.name === name)!
  // 50 relay connections / 5 per instance = 10 delivery instances; 100 pollers / 10 per batch = 10 poll instances.
  expect(subscriber('DeliverySubscriber').args.concurrency).toEqual({ reserved: 10 })
  expect(subscriber('DeliverySubscriber').eventSource).toMatchObject({
    batch: { size: 10, partialResponses: true },
    mapping: { scalingConfig: { maximumConcurrency: 10 } },
  })
  expect(subscriber('PollSubscriber').args.concurrency).toEqual({ reserved: 10 })
  expect(subscriber('PollSubscriber').args.permissions).toEqual([
    { actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:*:*:parameter/postern/ci/mailboxes/*', 'arn:aws:ssm:*:*:parameter/postern/ci/webhooks/*'] },
  ])
  expect(made(big, 'sst.aws.Queue', 'Delivery').args).toEqual({ visibilityTimeout: '720 seconds', dlq: { queue: expect.anything(), retry: 10 } })
  // Webhooks: new outbox records notify their own queue, consumed by aws.webhookConsumers (default 2) instances.
  expect(made(big, 'sst.aws.Queue', 'Webhooks').args).toEqual({ visibilityTimeout: '1800 seconds', dlq: { queue: expect.anything(), retry: 10 } })
  expect(subscriber('WebhooksSubscriber').args).toMatchObject({ handler: 'functions/webhooks.records', timeout: '300 seconds', concurrency: { reserved: 2 } })
  expect(subscriber('WebhooksSubscriber').eventSource).toMatchObject({
    batch: { size: 10, partialResponses: true },
    mapping: { scalingConfig: { maximumConcurrency: 2 } },
  })
  const notify = big.made.filter((r) => r.type === 'sst.aws.BucketNotification')
  expect(notify.map((n) => n.args.notifications.map((x: any) => [x.name, x.filterPrefix, x.events, x.queue.name]))).toEqual([
    [
      ['Queued', 'queue/', ['s3:ObjectCreated:*'], 'Delivery'],
      ['Outbox', 'webhooks/outbox/', ['s3:ObjectCreated:*'], 'Webhooks'],
    ],
  ])
  expect(made(big, 'sst.aws.CronV2', 'WebhookSweep').args).toMatchObject({ schedule: 'rate(5 minutes)', function: { handler: 'functions/webhooks.sweep' } })
  // The same file loads through the one config schema (what every function does at a cold start).
  expect(loadConfig({ POSTERN_CONFIG: join(dir, '10000', 'postern.config.ci.json'), RELAY_PASSWORD: 'x' }).mailboxes).toHaveLength(10_000)
})

const made = (s: { made: Recorded[] }, type: string, name: string) => s.made.find((r) => r.type === type && r.name === name)!

test('the check fails for two notification configurations on the bucket, and for overlapping prefixes', () => {
  const notify = (notifications: object[]) => ({ type: 'sst.aws.BucketNotification', name: 'notify', args: { notifications } })
  const queued = { name: 'Queued', events: ['s3:ObjectCreated:*'], filterPrefix: 'queue/' }
  const outbox = { name: 'Outbox', events: ['s3:ObjectCreated:*'], filterPrefix: 'webhooks/outbox/' }
  expect(checkAwsLimits([notify([queued]), notify([outbox])], 0, 1000).violations).toEqual(['2 notification configurations on one bucket (S3 keeps one)'])
  expect(checkAwsLimits([notify([queued, { ...outbox, filterPrefix: 'webhooks/' }, outbox])], 0, 1000).violations).toEqual([
    'S3 notifications Outbox and Outbox overlap (prefixes "webhooks/" and "webhooks/outbox/")',
  ])
  expect(checkAwsLimits([notify([queued, outbox])], 0, 1000).violations).toEqual([])
})

test('the check fails for the design it replaced: one EventBridge rule per mailbox on one poll function', () => {
  const poller = { fakeName: 'Poll' }
  const old: Recorded[] = [
    {
      type: 'sst.aws.Function',
      name: 'Poll',
      args: { environment: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`MAILBOX_${i}_PASSWORD`, 'x'.repeat(40)])) },
    },
    ...Array.from({ length: 400 }, (_, i) => ({ type: 'sst.aws.Cron', name: `Poll${i}`, args: { schedule: 'rate(5 minutes)', function: poller } })),
  ]
  expect(checkAwsLimits(old, 0, 1000).violations).toEqual([
    'Poll: environment may reach 5890 bytes (limit 4096)',
    'Poll: resource policy of 400 statements, about 160000 bytes (limit 20480)',
    '400 EventBridge rules on the default bus (limit 300)',
  ])
})
