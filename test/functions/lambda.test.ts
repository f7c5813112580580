import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LambdaEvent } from 'hono/aws-lambda'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { headersOf } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

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
let dir: string
beforeAll(async () => {
  smtp = await startSmtp()
  dir = await mkdtemp(join(tmpdir(), 'postern-lambda-'))
  await writeFile(join(dir, 'relay-ca.pem'), smtp.ca)
  // What the stacks pass to the functions: configuration by environment (the fs store stands in for the bucket).
  Object.assign(process.env, {
    POSTERN_STORE: 'fs',
    POSTERN_DATA_DIR: dir,
    POSTERN_API_KEY: 'lambda-key-123456',
    POSTERN_RELAY_URL: `smtp://${smtp.user}:${smtp.pass}@localhost:${smtp.port}`,
    POSTERN_RELAY_CA_FILE: join(dir, 'relay-ca.pem'),
    POSTERN_LOG_LEVEL: 'silent',
  })
})
afterAll(async () => {
  await smtp.close()
  await rm(dir, { recursive: true, force: true })
})

test('functions/http accepts a message; functions/deliver sends it from the S3 notification of its queue entry', async () => {
  const { handler } = await import('../../functions/http.js')
  const res = await handler(event('POST', '/v1/messages', { from: 'ops@example.com', to: 'a@example.org', subject: 'from lambda', text: 'x' }), {} as never)
  expect(res.statusCode).toBe(202)
  const { id, messageId } = JSON.parse(res.body)

  const { readdir } = await import('node:fs/promises')
  const [due] = await readdir(join(dir, 'queue'))
  const key = `queue/${due}`
  expect(due.endsWith(`_${id}`)).toBe(true)
  const deliver = await import('../../functions/deliver.js')
  // S3 event keys arrive URL-encoded (":" as %3A).
  await deliver.queued({ Records: [{ s3: { object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } } }] })

  const view = await handler(event('GET', `/v1/messages/${id}`), {} as never)
  expect(JSON.parse(view.body)).toMatchObject({ id, status: 'sent', attempts: [{ outcome: 'sent', reply: 250 }] })
  expect(smtp.received.map((m) => headersOf(m.raw).get('message-id'))).toEqual([[messageId]])
})
