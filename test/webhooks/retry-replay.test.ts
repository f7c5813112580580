import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ReplayResult } from '../../lib/http/openapi-webhooks.js'
import { webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { ADMIN_KEY, DRIVERS, opsApp, READ_KEY, recordOutbound } from './ops-harness.js'

/** webhook-ids of the requests a receiver verified, in arrival order. */
const verified = (r: WebhookReceiver) => r.received.filter((w) => w.verifyError === null).map((w) => w.id)

describe.each(DRIVERS)('retry and replay on $name', (driver) => {
  let store: ObjectStore
  let close: () => Promise<void>
  let a: WebhookReceiver
  let b: WebhookReceiver
  let ops: ReturnType<typeof opsApp>
  let dispatcher: ReturnType<typeof createWebhookDispatcher>
  let t0: number

  beforeAll(async () => {
    ;({ store, close } = await driver.setup())
    ;[a, b] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()])
    ops = opsApp(store, {
      webhooks: [
        { id: 'app', url: a.url, secret: a.secret, eventTypes: ['message.sent', 'message.deferred'], retry: { maxAttempts: 3 } },
        { id: 'audit', url: b.url, secret: b.secret, eventTypes: ['message.failed'], retry: { maxAttempts: 1 } },
      ],
      inbound: { webhookConcurrency: 1 },
    })
    // One dispatcher for the whole file, as `npm start` keeps one: what it remembers must not hide a retry.
    dispatcher = createWebhookDispatcher(ops.deps)
    t0 = ops.clock.now()
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    await close?.()
  })

  test('retry of a dead delivery sends it again with the same webhook-id; the dead letter goes', async () => {
    await recordOutbound(ops.deps, 'msg_dead1', 'message.failed', 'm1')
    b.reply({ status: 500, body: 'down' })
    await dispatcher.runAll()
    expect((await ops.call('GET', '/v1/webhooks/deliveries/audit:msg_dead1')).json.status).toBe('dead')
    expect(await store.list('webhooks/dead-letter/audit/')).toEqual([webhookKeys.deadLetter('audit', 'msg_dead1')])

    const byReader = await ops.call('POST', '/v1/webhooks/deliveries/audit:msg_dead1/retry', READ_KEY)
    expect([byReader.status, byReader.json.error.code]).toEqual([403, 'insufficient_scope'])
    const res = await ops.call('POST', '/v1/webhooks/deliveries/audit:msg_dead1/retry', ADMIN_KEY)
    expect(res.status).toBe(202)
    expect(res.json).toMatchObject({ id: 'audit:msg_dead1', status: 'pending', reason: null, attemptCount: 1 })
    expect(await store.list('webhooks/dead-letter/audit/')).toEqual([])
    expect(await store.list('webhooks/outbox/_messages/')).toEqual(['webhooks/outbox/_messages/m1.000000000001.json'])

    await dispatcher.runAll()
    expect(verified(b)).toEqual(['msg_dead1', 'msg_dead1'])
    const after = (await ops.call('GET', '/v1/webhooks/deliveries/audit:msg_dead1')).json
    expect([after.status, after.attempts.map((x: { statusCode: number }) => x.statusCode)]).toEqual(['succeeded', [500, 200]])
    expect(await store.list(webhookKeys.outboxPrefix)).toEqual([])
    const again = await ops.call('POST', '/v1/webhooks/deliveries/audit:msg_dead1/retry', ADMIN_KEY)
    expect([again.status, again.json.error.code]).toEqual([409, 'conflict'])
  })

  test('retry of a failed delivery sends it now, not at its backoff time', async () => {
    await recordOutbound(ops.deps, 'msg_fail2', 'message.sent', 'm2')
    a.reply({ status: 503, body: 'later' })
    await dispatcher.runAll()
    await dispatcher.runAll() // not due for 30 s: nothing sent
    expect(verified(a)).toEqual(['msg_fail2'])
    expect((await ops.call('POST', '/v1/webhooks/deliveries/app:msg_fail2/retry', ADMIN_KEY)).status).toBe(202)
    await dispatcher.runAll()
    expect(verified(a)).toEqual(['msg_fail2', 'msg_fail2'])
    expect((await ops.call('GET', '/v1/webhooks/deliveries/app:msg_fail2')).json.status).toBe('succeeded')
  })

  test('a delivery a worker is attempting now is not reset (409); the worker finishes it once', async () => {
    await recordOutbound(ops.deps, 'msg_busy3', 'message.sent', 'm3')
    a.reply({ status: 500 })
    await dispatcher.runAll()
    ops.clock.advance(30_000)
    a.setDelay(400)
    const run = dispatcher.runAll()
    while (a.received.filter((w) => w.id === 'msg_busy3').length < 2) await sleep(10)
    const res = await ops.call('POST', '/v1/webhooks/deliveries/app:msg_busy3/retry', ADMIN_KEY)
    expect([res.status, res.json.error.message]).toEqual([409, 'a worker is attempting this delivery now'])
    await run
    a.setDelay(0)
    expect(verified(a).filter((id) => id === 'msg_busy3')).toHaveLength(2)
    expect((await ops.call('GET', '/v1/webhooks/deliveries/app:msg_busy3')).json.status).toBe('succeeded')
  })

  test('replay re-sends a range, one endpoint or all, some types, with the original webhook-ids', async () => {
    const until = new Date(ops.clock.now()).toISOString()
    const since = new Date(t0).toISOString()
    const before = { a: verified(a).length, b: verified(b).length }
    const one = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since, until, endpoint: 'app', types: ['message.sent'] })
    expect([one.status, one.json]).toEqual([202, { queued: 2, skipped: {}, nextCursor: null }])
    await dispatcher.runAll()
    expect(verified(a).slice(before.a).sort()).toEqual(['msg_busy3', 'msg_fail2'])
    expect(verified(b).length).toBe(before.b)

    // Two replays at once: each delivery is reset by one of them, and sent once.
    const body = { since, until }
    const [x, y] = await Promise.all([ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, body), ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, body)])
    expect(ReplayResult.parse(x.json)).toEqual(x.json)
    expect(x.json.queued + y.json.queued).toBe(3)
    expect((x.json.skipped.pending ?? 0) + (y.json.skipped.pending ?? 0)).toBe(3)
    await dispatcher.runAll()
    expect(
      verified(a)
        .slice(before.a + 2)
        .sort(),
    ).toEqual(['msg_busy3', 'msg_fail2'])
    expect(verified(b).slice(before.b)).toEqual(['msg_dead1'])

    // A range before any event replays nothing; limit 1 hands a cursor to go on.
    const empty = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since: '2020-01-01T00:00:00Z', until: '2020-01-02T00:00:00Z' })
    expect(empty.json).toEqual({ queued: 0, skipped: {}, nextCursor: null })
    const first = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since, until, limit: 1 })
    expect(first.json.queued).toBe(1)
    const rest = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since, until, limit: 5, cursor: first.json.nextCursor })
    expect([rest.json.queued, rest.json.nextCursor]).toEqual([2, null])
    await dispatcher.runAll()
  })

  test('bad replay requests are 400 with paths; read keys get 403', async () => {
    const bad = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since: 'now', until: '2020-01-01T00:00:00Z', types: ['mail.sent'], extra: 1 })
    expect(bad.status).toBe(400)
    expect(bad.json.error.issues.map((i: { path: unknown[] }) => i.path.join('.')).sort()).toEqual(['extra', 'since', 'types.0'])
    const order = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' })
    expect([order.status, order.json.error.issues[0].path]).toEqual([400, ['until']])
    const cursor = await ops.call('POST', '/v1/webhooks/replay', ADMIN_KEY, { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z', cursor: 'x' })
    expect([cursor.status, cursor.json.error.issues[0].code]).toEqual([400, 'invalid_cursor'])
    const reader = await ops.call('POST', '/v1/webhooks/replay', READ_KEY, { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' })
    expect([reader.status, reader.json.error.code]).toEqual([403, 'insufficient_scope'])
    expect((await ops.call('POST', '/v1/webhooks/deliveries/app:msg_nothing/retry', ADMIN_KEY)).status).toBe(404)
  })
})
