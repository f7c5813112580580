import { afterEach, describe, expect, test } from 'vitest'
import { createFsStore } from '../../lib/store/fs-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { harness, type Harness } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A real fs store whose writes of request.json fail on the given calls (1-based), as a full disk or an S3 outage
// would; everything else goes through.
async function failingRequests(failOn: number[]): Promise<{ store: ObjectStore; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-store-failure-'))
  const real = createFsStore(dir)
  let n = 0
  const store: ObjectStore = {
    ...real,
    put: (key, body, opts) => {
      if (key.endsWith('/request.json') && failOn.includes(++n))
        return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))
      return real.put(key, body, opts)
    },
  }
  return { store, close: () => rm(dir, { recursive: true, force: true }) }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})
async function setup(failOn: number[]): Promise<{ h: Harness; smtp: SmtpTestServer }> {
  const smtp = await startSmtp()
  const failing = await failingRequests(failOn)
  const h = await harness({ smtp, store: failing.store })
  cleanups.push(
    () => smtp.close(),
    () => h.close(),
    () => failing.close(),
  )
  return { h, smtp }
}
const email = (i: number) => ({ from: 'ops@example.com', to: `r${i}@example.org`, subject: `item ${i}`, text: 'body' })
const requests = async (h: Harness) => (await h.store.list('messages/')).filter((k) => k.endsWith('/request.json'))
const subjects = (smtp: SmtpTestServer) => smtp.received.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString('utf8'))![1]).sort()

describe('the store fails while a message is accepted', () => {
  test('one message: 503 store_unavailable with Retry-After, nothing queued or sent', async () => {
    const { h, smtp } = await setup([1])
    const res = await h.call('POST', '/v1/messages', email(1))
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(res.json).toEqual({ error: { code: 'store_unavailable', message: 'the message could not be stored and was not sent; retry later', issues: [] } })
    expect(await h.store.list('queue/')).toEqual([])
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
  })

  test('/v1 batch: the failed item answers 503, the others are accepted; a retry with the same key replays, sending nothing twice', async () => {
    const { h, smtp } = await setup([2])
    const body = { messages: [email(1), email(2), email(3)] }
    const first = await h.call('POST', '/v1/messages/batch', body, { 'idempotency-key': 'batch-1' })
    expect(first.status).toBe(200)
    const results = first.json.results as { status: number; data?: { id: string }; error?: { code: string } }[]
    expect(results.map((r) => r.status)).toEqual([202, 503, 202])
    expect(results[1].error).toEqual({ code: 'store_unavailable', message: 'the message could not be stored and was not sent; retry later', issues: [] })
    const again = await h.call('POST', '/v1/messages/batch', body, { 'idempotency-key': 'batch-1' })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.json).toEqual(first.json)
    expect(await requests(h)).toHaveLength(2)
    expect(await h.runner.drain()).toBe(2)
    expect(subjects(smtp)).toEqual(['item 1', 'item 3'])
  })

  test('Resend strict batch: all or nothing; the emails stored before the failure are taken back and never sent', async () => {
    const { h, smtp } = await setup([3])
    const res = await h.call('POST', '/emails/batch', [email(1), email(2), email(3)])
    expect(res.status).toBe(503)
    expect(res.json).toMatchObject({ statusCode: 503, name: 'application_error' })
    expect(await h.store.list('queue/')).toEqual([])
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
    // The retry, with the store well again, sends each email once.
    const retry = await h.call('POST', '/emails/batch', [email(1), email(2), email(3)])
    expect(retry.status).toBe(200)
    expect(await h.runner.drain()).toBe(3)
    expect(subjects(smtp)).toEqual(['item 1', 'item 2', 'item 3'])
  })

  test('Resend permissive batch: the failed email is in errors, the others are sent', async () => {
    const { h, smtp } = await setup([1])
    const res = await h.call('POST', '/emails/batch', [email(1), email(2)], { 'x-batch-validation': 'permissive' })
    expect(res.status).toBe(200)
    expect(res.json.errors).toEqual([{ index: 0, message: 'the message could not be stored and was not sent; retry later' }])
    expect(res.json.data).toHaveLength(1)
    expect(await h.runner.drain()).toBe(1)
    expect(subjects(smtp)).toEqual(['item 2'])
  })
})
