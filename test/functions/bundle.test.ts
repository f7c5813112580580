import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { bundleFunction, type FunctionBundle } from '../../scripts/bundle-functions.js'
import { handlerInvocations, unusedQueueUrls } from '../../scripts/lambda-events.js'

// Each function bundled as SST bundles it, then imported in a fresh Node process and invoked once with a
// real-shaped event. The HTTP function must start without the mail clients (issue 13, cold start).

let dir: string
const bundles = new Map<string, FunctionBundle>()
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-bundle-'))
  for (const f of ['http', 'deliver', 'poll', 'webhooks']) bundles.set(`functions/${f}.ts`, await bundleFunction(`functions/${f}.ts`, join(dir, f)))
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

test('the HTTP function loads neither imapflow, node-pop3, mailparser, nodemailer nor the SQS and SSM clients at start', () => {
  const http = bundles.get('functions/http.ts')!
  for (const p of ['imapflow', 'node-pop3', 'mailparser', 'nodemailer', '@aws-sdk/client-sqs', '@aws-sdk/client-ssm'])
    expect(http.startPackages).not.toContain(p)
  // They are in the bundle, in chunks loaded on first use: the same code can still send or poll.
  expect(http.allPackages).toEqual(expect.arrayContaining(['imapflow', 'node-pop3', 'nodemailer']))
  expect(http.startPackages).toEqual(expect.arrayContaining(['hono', 'zod', '@aws-sdk/client-s3']))
  // The poll function needs mailparser to store what it fetches; it loads IMAP/POP3 only when it polls.
  expect(bundles.get('functions/poll.ts')!.startPackages).not.toContain('imapflow')
})

test('every bundled handler answers one real-shaped event in a fresh process', async () => {
  const env = {
    ...process.env,
    POSTERN_API_KEY: 'bundle-key-123456',
    ...unusedQueueUrls,
    POSTERN_LOG_LEVEL: 'silent',
    // The functions read the fs layout here (on AWS the stacks set POSTERN_S3_BUCKET); sqlite is native, never bundled.
    POSTERN_STORE: 'fs',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  const results: unknown[] = []
  for (const [i, inv] of handlerInvocations('bundle-key-123456').entries()) {
    const eventFile = join(dir, `event-${i}.json`)
    await writeFile(eventFile, JSON.stringify(inv.event))
    // Each in a store of its own (the fs driver stands in for the bucket), so the sweeps find nothing to send.
    const out = execFileSync(process.execPath, ['scripts/invoke-bundle.mjs', bundles.get(inv.entry)!.file, inv.export, eventFile], {
      env: { ...env, POSTERN_DATA_DIR: join(dir, `data-${i}`) },
      encoding: 'utf8',
    })
    results.push(JSON.parse(out).result)
  }
  const [http, deliverRecords, sweep, tick, pollRecords, webhookRecords, webhookSweep] = results as any[]
  expect(http).toMatchObject({ statusCode: 202 })
  expect(JSON.parse(http.body)).toMatchObject({ status: 'queued', id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) })
  expect(deliverRecords).toEqual({ batchItemFailures: [] })
  expect(sweep).toEqual({ enqueued: 0, stale: 0, lists: 1 })
  expect(tick).toEqual({ enqueued: [], backingOff: [] })
  expect(pollRecords).toEqual({ batchItemFailures: [] })
  expect(webhookRecords).toEqual({ batchItemFailures: [] })
  expect(webhookSweep).toEqual({ unparked: 0, stale: 0, lists: 2 })
}, 120_000)
