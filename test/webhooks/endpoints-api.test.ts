import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Endpoint } from '../../lib/http/openapi-webhooks.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { ADMIN_KEY, DRIVERS, opsApp, READ_KEY, recordOutbound, SEND_KEY } from './ops-harness.js'

describe.each(DRIVERS)('GET /v1/webhooks/endpoints and enable on $name', (driver) => {
  let close: () => Promise<void>
  let receivers: WebhookReceiver[]
  let ops: ReturnType<typeof opsApp>
  let failedAt: string

  beforeAll(async () => {
    const made = await driver.setup()
    close = made.close
    receivers = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startWebhookReceiver()])
    const [ok, flaky, gone] = receivers
    ops = opsApp(made.store, {
      webhooks: [
        { id: 'ok', url: `${ok.url}?token=s3cret`, secret: ok.secret },
        { id: 'flaky', url: flaky.url, secret: flaky.secret, eventTypes: ['message.sent'] },
        { id: 'gone', url: gone.url, secret: gone.secret, mailboxes: ['box1'] },
      ],
    })
    flaky.reply({ status: 500 })
    gone.reply({ status: 410 })
    failedAt = new Date(ops.clock.now()).toISOString()
    await recordOutbound(ops.deps, 'msg_h1', 'message.sent', 'm1')
    await createWebhookDispatcher(ops.deps).runAll()
  })
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()))
    await close?.()
  })

  test('lists each endpoint with its health, without secrets or query strings', async () => {
    const res = await ops.call('GET', '/v1/webhooks/endpoints')
    expect(res.status).toBe(200)
    expect(res.json.data.map((e: { id: string; state: string; failingSince: string | null }) => [e.id, e.state, e.failingSince])).toEqual([
      ['ok', 'healthy', null],
      ['flaky', 'failing', failedAt],
      ['gone', 'disabled', null],
    ])
    const [ok, flaky, gone] = res.json.data
    expect(ok).toEqual({
      id: 'ok',
      url: receivers[0].url,
      format: 'standard',
      eventTypes: expect.arrayContaining(['message.received', 'message.sent']),
      mailboxes: null,
      state: 'healthy',
      failingSince: null,
      disabled: null,
    })
    for (const e of res.json.data) expect(Endpoint.parse(e)).toEqual(e)
    expect(JSON.stringify(res.json)).not.toContain('s3cret')
    expect(JSON.stringify(res.json)).not.toContain('whsec_')
    expect(flaky.eventTypes).toEqual(['message.sent'])
    expect(gone).toMatchObject({ mailboxes: ['box1'], disabled: { at: failedAt, reason: 'the endpoint answered 410 Gone' } })
  })

  test('enable (admin) clears the health; the next event reaches the endpoint again', async () => {
    // Its dead-lettered event cannot be retried while it is disabled.
    const early = await ops.call('POST', '/v1/webhooks/deliveries/gone:msg_h1/retry', ADMIN_KEY)
    expect([early.status, early.json.error.code, early.json.error.message]).toEqual([
      409,
      'conflict',
      'the endpoint is disabled: enable it first (POST /v1/webhooks/endpoints/{id}/enable)',
    ])
    const byReader = await ops.call('POST', '/v1/webhooks/endpoints/gone/enable', READ_KEY)
    expect([byReader.status, byReader.json.error.code]).toEqual([403, 'insufficient_scope'])
    const res = await ops.call('POST', '/v1/webhooks/endpoints/gone/enable', ADMIN_KEY)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ id: 'gone', state: 'healthy', failingSince: null, disabled: null })
    expect((await ops.call('POST', '/v1/webhooks/endpoints/nope/enable', ADMIN_KEY)).json.error.code).toBe('not_found')
    expect((await ops.call('POST', '/v1/webhooks/deliveries/gone:msg_h1/retry', ADMIN_KEY)).status).toBe(202)
    await recordOutbound(ops.deps, 'msg_h2', 'message.sent', 'm2')
    await createWebhookDispatcher(ops.deps).runAll()
    expect(receivers[2].received.map((w) => [w.id, w.status, w.verifyError]).sort()).toEqual([
      ['msg_h1', 200, null],
      ['msg_h1', 410, null],
      ['msg_h2', 200, null],
    ])
    const listed = (await ops.call('GET', '/v1/webhooks/endpoints')).json.data
    expect(listed.map((e: { state: string }) => e.state)).toEqual(['healthy', 'healthy', 'healthy'])
  })

  test('a send-only key gets 403', async () => {
    const res = await ops.call('GET', '/v1/webhooks/endpoints', SEND_KEY)
    expect([res.status, res.json.error.code]).toEqual([403, 'insufficient_scope'])
  })
})

test('/openapi.json describes every webhook and mailbox route, and each schema it names exists', async () => {
  const { store, close } = await DRIVERS[0].setup()
  try {
    const doc = (await opsApp(store, {}).call('GET', '/openapi.json')).json
    const ours = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/webhooks') || p.startsWith('/v1/mailboxes'))
    expect(ours.sort()).toEqual(
      [
        '/v1/mailboxes',
        '/v1/mailboxes/{id}/reconcile',
        '/v1/webhooks/deliveries',
        '/v1/webhooks/deliveries/{id}',
        '/v1/webhooks/deliveries/{id}/retry',
        '/v1/webhooks/endpoints',
        '/v1/webhooks/endpoints/{id}/enable',
        '/v1/webhooks/replay',
      ].sort(),
    )
    const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1])
    expect(refs.filter((r) => !(r in doc.components.schemas))).toEqual([])
    expect(doc.components.schemas.ReplayRequest.required).toEqual(['since', 'until'])
  } finally {
    await close()
  }
})
