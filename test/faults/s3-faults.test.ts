import { S3Client } from '@aws-sdk/client-s3'
import { afterEach, describe, expect, test } from 'vitest'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { webhookKeys } from '../../lib/store/keys.js'
import { harness, headersOf, type Harness } from '../harness.js'
import { testDeps } from '../inbound/harness.js'
import { startS3 } from '../servers/s3.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { startHttpFaultProxy, type HttpFault, type HttpFaultProxy } from './http-fault-proxy.js'

// The s3 store driver through an HTTP proxy of the tests' own in front of the local S3 server, answering 500
// InternalError, 503 SlowDown, or resetting connections. The SDK's own retries (standard mode, 3 attempts) absorb
// short faults; longer ones are a 503 store_unavailable to the client, never a 500, and never an accepted message lost.

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup() {
  const s3 = await startS3()
  const proxy = await startHttpFaultProxy(s3.endpoint)
  // As lib/deps.ts createStore builds it, with the SDK's default retries, pointed at the proxy.
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const store = createS3Store(client, s3.bucket)
  const smtp = await startSmtp()
  const h = await harness({ smtp, store })
  cleanups.push(
    () => s3.close(),
    () => proxy.close(),
    async () => client.destroy(),
    () => smtp.close(),
    () => h.close(),
  )
  return { proxy, store, smtp, h }
}

const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 's3 faults', text: 'body' }
const put = (suffix: string) => (method: string, path: string) => method === 'PUT' && path.endsWith(suffix)
const putUnder = (prefix: string) => (method: string, path: string) => method === 'PUT' && path.includes(`/${prefix}`)
/** What the proxy did with the requests `match` selects, in order. */
const outcomes = (proxy: HttpFaultProxy, match: HttpFault['match']) =>
  proxy.log.filter((l) => match(...(l.request.split(' ') as [string, string]))).map((l) => l.outcome)

/** The message was sent exactly once: one copy at the relay with the Message-ID the API gave. */
async function expectSentOnce(h: Harness, smtp: SmtpTestServer, id: string) {
  const v = (await h.call('GET', `/v1/messages/${id}`)).json
  expect(v.status).toBe('sent')
  expect(smtp.received.map((m) => headersOf(m.raw).get('message-id')![0])).toEqual([v.messageId])
  expect(await h.store.list('queue/')).toEqual([])
}

describe('S3 faults under the send API', () => {
  test('503 SlowDown twice on the request PUT: the SDK retries, the send is accepted and sent once', async () => {
    const { proxy, smtp, h } = await setup()
    proxy.faults.push({ match: put('/request.json'), times: 2, status: 503, code: 'SlowDown' })
    const res = await h.call('POST', '/v1/messages', MSG)
    expect(res.status).toBe(202)
    expect(outcomes(proxy, put('/request.json'))).toEqual([503, 503, 'forwarded'])
    expect(await h.runner.drain()).toBe(1)
    await expectSentOnce(h, smtp, res.json.id)
  })

  test('500 InternalError past the SDK retries: 503 store_unavailable with Retry-After, nothing sent; the retry with its Idempotency-Key is sent once', async () => {
    const { proxy, smtp, h } = await setup()
    proxy.faults.push({ match: put('/request.json'), times: 3, status: 500, code: 'InternalError' })
    const headers = { 'idempotency-key': 'order-1' }
    const refused = await h.call('POST', '/v1/messages', MSG, headers)
    expect([refused.status, refused.json.error.code, refused.headers.get('retry-after')]).toEqual([503, 'store_unavailable', '1'])
    expect(outcomes(proxy, put('/request.json'))).toEqual([500, 500, 500])
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
    const accepted = await h.call('POST', '/v1/messages', MSG, headers)
    expect(accepted.status).toBe(202)
    expect(await h.runner.drain()).toBe(1)
    await expectSentOnce(h, smtp, accepted.json.id)
    expect((await h.store.list('messages/')).filter((k) => k.endsWith('/request.json'))).toEqual([`messages/${accepted.json.id}/request.json`])
  })

  test('connections reset: retried by the SDK and accepted; reset past its retries after the request is stored: 503, the orphan is never sent, the retry is sent once', async () => {
    const { proxy, smtp, h } = await setup()
    proxy.faults.push({ match: putUnder('queue/'), times: 2, reset: true })
    const first = await h.call('POST', '/v1/messages', MSG)
    expect(first.status).toBe(202)
    expect(outcomes(proxy, putUnder('queue/'))).toEqual(['reset', 'reset', 'forwarded'])
    expect(await h.runner.drain()).toBe(1)
    await expectSentOnce(h, smtp, first.json.id)

    smtp.received.length = 0
    proxy.log.length = 0
    proxy.faults.push({ match: putUnder('queue/'), times: 3, reset: true })
    const headers = { 'idempotency-key': 'order-2' }
    const refused = await h.call('POST', '/v1/messages', { ...MSG, subject: 'second' }, headers)
    expect([refused.status, refused.json.error.code]).toEqual([503, 'store_unavailable'])
    expect(outcomes(proxy, putUnder('queue/'))).toEqual(['reset', 'reset', 'reset'])
    // The request object was written, its queue entry was not: nothing is deliverable.
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
    const accepted = await h.call('POST', '/v1/messages', { ...MSG, subject: 'second' }, headers)
    expect(accepted.status).toBe(202)
    expect(await h.runner.drain()).toBe(1)
    await expectSentOnce(h, smtp, accepted.json.id)
  })

  test('reads failing during delivery (503 SlowDown past the retries) leave the message queued; the next run sends it once', async () => {
    const { proxy, smtp, h } = await setup()
    const res = await h.call('POST', '/v1/messages', MSG)
    expect(res.status).toBe(202)
    const reads = (method: string, path: string) => method === 'GET' && path.includes(`/messages/${res.json.id}/`)
    proxy.faults.push({ match: reads, times: 3, status: 503, code: 'SlowDown' })
    // The run fails on this message (logged) without throwing, and without leaving a lease that would hold it back.
    expect(await h.runner.drain()).toBe(0)
    expect(outcomes(proxy, reads)).toEqual([503, 503, 503])
    expect(smtp.received).toEqual([])
    expect(await h.store.list('queue/')).toHaveLength(1)
    expect(await h.runner.drain()).toBe(1)
    await expectSentOnce(h, smtp, res.json.id)
  })

  test('reads failing under the read API (GET /v1/messages/:id, /v1/suppressions, /emails/:id): 503 store_unavailable, never a 500', async () => {
    const { proxy, h } = await setup()
    const res = await h.call('POST', '/v1/messages', MSG)
    proxy.faults.push({ match: (method) => method === 'GET', times: Infinity, status: 503, code: 'SlowDown' })
    const got = []
    for (const path of [`/v1/messages/${res.json.id}`, '/v1/suppressions?domain=example.com', `/emails/${res.json.id}`]) {
      const r = await h.call('GET', path)
      got.push([path, r.status, r.json.error?.code ?? r.json.name, r.headers.get('retry-after')])
    }
    expect(got).toEqual([
      [`/v1/messages/${res.json.id}`, 503, 'store_unavailable', '1'],
      ['/v1/suppressions?domain=example.com', 503, 'store_unavailable', '1'],
      [`/emails/${res.json.id}`, 503, 'application_error', '1'],
    ])
  })
})

describe('S3 faults under inbound storage', () => {
  test('a message whose objects fail to store (500 past the retries) is stored whole, once, with one event, when retried', async () => {
    const { proxy, store } = await setup()
    const deps = testDeps({}, store)
    const raw = Buffer.from('From: ann@example.test\r\nTo: bob@example.test\r\nSubject: s3\r\nMessage-ID: <s3fault@example.test>\r\n\r\nbody\r\n')
    const ingest = async () => {
      const state = await loadMailboxState(deps.store, 'box1')
      const out = await ingestMessage(deps, 'box1', state, { raw, receivedAt: '2026-11-29T12:00:00.000Z', folder: 'INBOX' })
      await state.save()
      return out
    }
    // An outage, not a blip: the message's objects are written at once, so a count of faults would be shared out.
    proxy.faults.push({ match: putUnder('inbound/box1/messages/'), times: Infinity, status: 500, code: 'InternalError' })
    await expect(ingest()).rejects.toThrow(/injected by the test proxy/)
    expect(await store.list('inbound/box1/messages/')).toEqual([])
    proxy.faults.length = 0
    const out = await ingest()
    const objects = await store.list(`inbound/box1/messages/${out.id}/`)
    expect(objects.map((k) => k.slice(k.lastIndexOf('/') + 1)).sort()).toEqual(['message.eml', 'message.json', 'stored.json'])
    expect(Buffer.from((await store.get(`inbound/box1/messages/${out.id}/message.eml`))!.body).equals(raw)).toBe(true)
    expect(await store.list(webhookKeys.outbox('box1', 0).replace(/0+\.json$/, ''))).toEqual([webhookKeys.outbox('box1', 1)])
    // A repeat finds it stored: no second event.
    expect((await ingest()).eventId).toBe(out.eventId)
    expect(await store.list('webhooks/outbox/box1/')).toEqual([webhookKeys.outbox('box1', 1)])
  })
})
