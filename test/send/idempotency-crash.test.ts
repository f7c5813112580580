import { afterEach, expect, test } from 'vitest'
import { createFsStore } from '../../lib/store/fs-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { harness, headersOf, type Harness } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/**
 * A real fs store that dies at the first write matching `crashAt`: that write and every later one fail, as they
 * would in a process killed there. `revive()` is the restart: a new process over the same folder.
 */
async function crashingStore(crashAt: (key: string, n: number) => boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'postern-idem-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const real = createFsStore(dir)
  let dead = false
  const counts = new Map<string, number>()
  const store: ObjectStore = {
    ...real,
    put: (key, body, opts) => {
      const kind = key.split('/')[0]
      counts.set(kind, (counts.get(kind) ?? 0) + 1)
      if (dead || crashAt(key, counts.get(kind)!)) {
        dead = true
        return Promise.reject(new Error('the process died here'))
      }
      return real.put(key, body, opts)
    },
    delete: (key) => (dead ? Promise.reject(new Error('the process died here')) : real.delete(key)),
  }
  return { store, revive: () => createFsStore(dir) }
}

async function setup(store: ObjectStore, smtp: SmtpTestServer) {
  const h = await harness({ smtp, store })
  cleanups.push(() => h.close())
  return h
}

const messageIds = (smtp: SmtpTestServer) => smtp.received.map((m) => headersOf(m.raw).get('message-id')![0])
const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 'once', text: 'body' }

test('a crash after the message is stored but before the key holds its answer: the retry answers the same id and nothing is sent twice', async () => {
  const smtp = await startSmtp()
  cleanups.push(() => smtp.close())
  // Writes of idempotency records: 1 = the reservation, 2 = the answer. Die at the answer.
  const { store, revive } = await crashingStore((key, n) => key.startsWith('idempotency/') && n === 2)
  const first = await setup(store, smtp)
  const crashed = await first.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-1' })
  expect(crashed.status).toBe(500)
  // A new process: the queued message is sent.
  const h = await setup(revive(), smtp)
  h.clock.set(first.clock.now())
  expect(await h.runner.drain()).toBe(1)
  // Within 60 s the key is still in use; after, the retry takes over with the same reserved id.
  expect((await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-1' })).json.error.code).toBe('idempotency_key_in_use')
  h.clock.advance(61_000)
  const retry = await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-1' })
  expect(retry.status).toBe(202)
  expect(await h.runner.drain()).toBe(0)
  const view = (await h.call('GET', `/v1/messages/${retry.json.id}`)).json
  expect(view.status).toBe('sent')
  expect(messageIds(smtp)).toEqual([retry.json.messageId])
  // Answered once more, from the record now.
  expect((await h.call('POST', '/v1/messages', MSG, { 'idempotency-key': 'order-1' })).json).toEqual(retry.json)
})

test('a strict Resend batch killed while storing sends nothing; its retry sends each email once, under the ids first reserved', async () => {
  const smtp = await startSmtp()
  cleanups.push(() => smtp.close())
  // Die at the 7th request stored: requests 1-6 are stored, none is queued yet.
  const { store, revive } = await crashingStore((key, n) => key.startsWith('messages/') && n === 7)
  const first = await setup(store, smtp)
  const batch = Array.from({ length: 10 }, (_, i) => ({ from: 'ops@example.com', to: `r${i}@example.org`, subject: `b${i}`, text: 'x' }))
  expect((await first.call('POST', '/emails/batch', batch, { 'idempotency-key': 'batch-1' })).status).toBe(503)
  const h = await setup(revive(), smtp)
  h.clock.set(first.clock.now())
  expect(await h.runner.drain()).toBe(0)
  expect(smtp.received).toEqual([])
  h.clock.advance(61_000)
  const retry = await h.call('POST', '/emails/batch', batch, { 'idempotency-key': 'batch-1' })
  expect(retry.status).toBe(200)
  expect(retry.json.data).toHaveLength(10)
  expect(await h.runner.drain()).toBe(10)
  expect(smtp.received.map((m) => m.rcptTo[0]).sort()).toEqual(batch.map((b) => b.to).sort())
  // The six stored before the crash kept their ids: the answer names them, in order.
  const stored = (await h.store.list('messages/')).filter((k) => k.endsWith('/request.json')).map((k) => k.split('/')[1])
  expect(stored.sort()).toEqual(retry.json.data.map((d: { id: string }) => d.id).sort())
})

test('a strict batch is never partly deliverable: requests are stored before any queue entry exists', async () => {
  const smtp = await startSmtp()
  cleanups.push(() => smtp.close())
  const order: string[] = []
  const { store } = await crashingStore((key) => (order.push(key.split('/')[0]), false))
  const h = await setup(store, smtp)
  const batch = Array.from({ length: 5 }, (_, i) => ({ from: 'ops@example.com', to: `r${i}@example.org`, subject: `b${i}`, text: 'x' }))
  expect((await h.call('POST', '/emails/batch', batch)).status).toBe(200)
  const firstQueue = order.indexOf('queue')
  expect(order.lastIndexOf('messages')).toBeLessThan(firstQueue)
  expect(order.filter((k) => k === 'queue')).toHaveLength(5)
})
