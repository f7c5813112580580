import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Delivery, DeliverySummary } from '../../lib/http/openapi-webhooks.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { countingStore, DRIVERS, opsApp, recordOutbound, SEND_KEY } from './ops-harness.js'

const ids = (page: { data: { id: string }[] }) => page.data.map((d) => d.id)

describe.each(DRIVERS)('GET /v1/webhooks/deliveries on $name', (driver) => {
  let close: () => Promise<void>
  let a: WebhookReceiver
  let b: WebhookReceiver
  let counted: ReturnType<typeof countingStore>
  let ops: ReturnType<typeof opsApp>
  let t0: number

  beforeAll(async () => {
    const made = await driver.setup()
    close = made.close
    counted = countingStore(made.store as ObjectStore)
    ;[a, b] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()])
    ops = opsApp(counted.store, {
      webhooks: [
        { id: 'app', url: a.url, secret: a.secret },
        { id: 'audit', url: b.url, secret: b.secret, eventTypes: ['message.failed'], retry: { maxAttempts: 1 } },
      ],
      inbound: { webhookConcurrency: 1 },
    })
    t0 = ops.clock.now()
    const types = ['message.sent', 'message.failed', 'message.sent', 'message.failed', 'message.deferred'] as const
    for (const [i, type] of types.entries()) {
      await recordOutbound(ops.deps, `msg_e${i + 1}`, type, `m${i + 1}`)
      ops.clock.advance(1000)
    }
    // app: e3 fails once (retried later); audit: e2 fails and, with one attempt allowed, is dead-lettered.
    a.reply({ status: 200 }, { status: 200 }, { status: 500, body: 'upstream exploded' })
    b.reply({ status: 500, body: 'no' })
    await createWebhookDispatcher(ops.deps).runAll()
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    await close?.()
  })

  const ALL = ['app:msg_e5', 'app:msg_e4', 'audit:msg_e4', 'app:msg_e3', 'app:msg_e2', 'audit:msg_e2', 'app:msg_e1']

  test('lists every delivery newest first, with status and last attempt', async () => {
    const res = await ops.call('GET', '/v1/webhooks/deliveries')
    expect(res.status).toBe(200)
    expect(ids(res.json)).toEqual(ALL)
    expect(res.json.nextCursor).toBeNull()
    const e3 = res.json.data.find((d: { id: string }) => d.id === 'app:msg_e3')
    expect(e3).toMatchObject({
      endpointId: 'app',
      eventId: 'msg_e3',
      type: 'message.sent',
      source: 'message:m3',
      sequence: 1,
      eventCreatedAt: new Date(t0 + 2000).toISOString(),
      status: 'failed',
      nextAttemptAt: new Date(t0 + 5000 + 30_000).toISOString(),
      attemptCount: 1,
      lastAttempt: { attempt: 1, statusCode: 500, outcome: 'retry', responseExcerpt: 'upstream exploded' },
    })
    expect(e3.attempts).toBeUndefined()
    // Exactly the fields /openapi.json promises (strict schemas refuse any other).
    for (const item of res.json.data) expect(DeliverySummary.parse(item)).toEqual(item)
  })

  test('filters by status, endpoint, type and since, alone and together', async () => {
    const q = async (query: string) => ids((await ops.call('GET', `/v1/webhooks/deliveries?${query}`)).json)
    expect(await q('status=succeeded')).toEqual(['app:msg_e5', 'app:msg_e4', 'audit:msg_e4', 'app:msg_e2', 'app:msg_e1'])
    expect(await q('status=failed')).toEqual(['app:msg_e3'])
    expect(await q('status=dead')).toEqual(['audit:msg_e2'])
    expect(await q('status=pending')).toEqual([])
    expect(await q('endpoint=audit')).toEqual(['audit:msg_e4', 'audit:msg_e2'])
    expect(await q('endpoint=audit&status=succeeded')).toEqual(['audit:msg_e4'])
    expect(await q('type=message.sent')).toEqual(['app:msg_e3', 'app:msg_e1'])
    expect(await q('type=message.failed&endpoint=app')).toEqual(['app:msg_e4', 'app:msg_e2'])
    expect(await q(`since=${encodeURIComponent(new Date(t0 + 3000).toISOString())}`)).toEqual(['app:msg_e5', 'app:msg_e4', 'audit:msg_e4'])
    expect(await q(`since=${encodeURIComponent(new Date(t0 + 1000).toISOString())}&status=succeeded`)).toEqual([
      'app:msg_e5',
      'app:msg_e4',
      'audit:msg_e4',
      'app:msg_e2',
    ])
  })

  test('pages with an opaque cursor until the end', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    const pages: number[] = []
    do {
      const res = await ops.call('GET', `/v1/webhooks/deliveries?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      seen.push(...ids(res.json))
      pages.push(res.json.data.length)
      cursor = res.json.nextCursor
    } while (cursor)
    expect(seen).toEqual(ALL)
    expect(pages).toEqual([3, 3, 1])
  })

  test('a page reads only the records it returns', async () => {
    counted.n.GET = 0
    const res = await ops.call('GET', '/v1/webhooks/deliveries?status=succeeded&limit=2')
    expect(ids(res.json)).toEqual(['app:msg_e5', 'app:msg_e4'])
    expect(counted.n.GET).toBe(2)
  })

  test('one delivery with every attempt', async () => {
    const res = await ops.call('GET', '/v1/webhooks/deliveries/audit:msg_e2')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ id: 'audit:msg_e2', status: 'dead', reason: '1 attempts failed; last: HTTP 500', nextAttemptAt: null })
    expect(res.json.attempts).toEqual([
      {
        attempt: 1,
        at: new Date(t0 + 5000).toISOString(),
        statusCode: 500,
        durationMs: expect.any(Number),
        outcome: 'retry',
        reason: 'HTTP 500',
        responseExcerpt: 'no',
      },
    ])
    expect(Delivery.parse(res.json)).toEqual(res.json)
    expect((await ops.call('GET', '/v1/webhooks/deliveries/audit:msg_nope')).json.error.code).toBe('not_found')
    expect((await ops.call('GET', '/v1/webhooks/deliveries/not-an-id')).status).toBe(404)
  })

  test('bad filters are 400 validation_failed with the path of each', async () => {
    const res = await ops.call('GET', '/v1/webhooks/deliveries?status=lost&limit=500&since=yesterday&type=mail.sent&endpoint=../x&colour=red')
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('validation_failed')
    expect(res.json.error.issues.map((i: { path: string[] }) => i.path.join('.')).sort()).toEqual(
      ['query.colour', 'query.endpoint', 'query.limit', 'query.since', 'query.status', 'query.type'].sort(),
    )
    const cursor = await ops.call('GET', '/v1/webhooks/deliveries?cursor=bm90LWEta2V5')
    expect([cursor.status, cursor.json.error.issues[0].path]).toEqual([400, ['query', 'cursor']])
    // A cursor of one listing is refused by another (other filters, other partition).
    const page = await ops.call('GET', '/v1/webhooks/deliveries?limit=1')
    const other = await ops.call('GET', `/v1/webhooks/deliveries?status=dead&cursor=${page.json.nextCursor}`)
    expect([other.status, other.json.error.issues[0].code]).toEqual([400, 'invalid_cursor'])
  })

  test('a send-only key gets 403 insufficient_scope', async () => {
    for (const path of ['/v1/webhooks/deliveries', '/v1/webhooks/deliveries/app:msg_e1']) {
      const res = await ops.call('GET', path, SEND_KEY)
      expect([res.status, res.json.error.code]).toEqual([403, 'insufficient_scope'])
    }
  })
})
