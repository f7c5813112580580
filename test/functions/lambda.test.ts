import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LambdaEvent } from 'hono/aws-lambda'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { headersOf } from '../harness.js'
import { startS3, type S3TestServer } from '../servers/s3.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { startSqs, type SqsTestServer } from '../servers/sqs.js'
import { notifyS3ToSqs, pollOnce } from '../servers/sqs-event-source.js'

// The Lambda entry points over the same lib/ code: an API Gateway v2 / function URL event in, SMTP out.
type V2 = Extract<LambdaEvent, { version: string; rawPath: string }>
const event = (method: string, rawPath: string, body?: unknown): V2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'x.lambda-url.us-east-1.on.aws', 'content-type': 'application/json', authorization: 'Bearer lambda-key-123456' },
    requestContext: {
      accountId: '1',
      apiId: 'x',
      domainName: 'x.lambda-url.us-east-1.on.aws',
      domainPrefix: 'x',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      authentication: null,
      authorizer: {} as never,
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  }) as V2

let smtp: SmtpTestServer
let s3: S3TestServer
let sqs: SqsTestServer
let dir: string
beforeAll(async () => {
  smtp = await startSmtp()
  s3 = await startS3()
  sqs = await startSqs([{ name: 'delivery', visibilityTimeoutS: 720 }])
  dir = await mkdtemp(join(tmpdir(), 'postern-lambda-'))
  await writeFile(join(dir, 'relay-ca.pem'), smtp.ca)
  // What the stacks pass to the functions: configuration by environment, the bucket and queue as local servers.
  Object.assign(process.env, {
    POSTERN_S3_BUCKET: s3.bucket,
    POSTERN_S3_ENDPOINT: s3.endpoint,
    POSTERN_DELIVERY_QUEUE_URL: sqs.url('delivery'),
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POSTERN_API_KEY: 'lambda-key-123456',
    POSTERN_RELAY_URL: `smtp://${smtp.user}:${smtp.pass}@localhost:${smtp.port}`,
    POSTERN_RELAY_CA_FILE: join(dir, 'relay-ca.pem'),
    POSTERN_LOG_LEVEL: 'silent',
  })
})
afterAll(async () => {
  await smtp.close()
  await s3.close()
  await sqs.close()
  await rm(dir, { recursive: true, force: true })
})

test('functions/http accepts a message; functions/deliver sends it from the SQS message of its S3 notification', async () => {
  const bridge = notifyS3ToSqs(s3.onEvent, sqs.url('delivery'), 'queue/')
  const { handler } = await import('../../functions/http.js')
  const res = await handler(event('POST', '/v1/messages', { from: 'ops@example.com', to: 'a@example.org', subject: 'from lambda', text: 'x' }), {} as never)
  expect(res.statusCode).toBe(202)
  const { id, messageId } = JSON.parse(res.body)

  await bridge.settled()
  bridge.close()
  const [notification] = sqs.bodies('delivery').map((b) => JSON.parse(b))
  // S3 event keys arrive URL-encoded (":" as %3A).
  expect(notification.Records[0].s3.object.key).toMatch(new RegExp(`^queue/\\d{4}-\\d\\d-\\d\\dT\\d\\d%3A\\d\\d%3A\\d\\d\\.\\d{3}Z_${id}$`))
  const deliver = await import('../../functions/deliver.js')
  const batch = await pollOnce(sqs.url('delivery'), deliver.records)
  expect(batch!.response).toEqual({ batchItemFailures: [] })
  expect(sqs.bodies('delivery')).toEqual([])

  const view = await handler(event('GET', `/v1/messages/${id}`), {} as never)
  expect(JSON.parse(view.body)).toMatchObject({ id, status: 'sent', attempts: [{ outcome: 'sent', reply: 250 }] })
  expect(smtp.received.map((m) => headersOf(m.raw).get('message-id'))).toEqual([[messageId]])
  expect(await deliver.sweep()).toEqual({ enqueued: 0, stale: 0, lists: 1 })
})
