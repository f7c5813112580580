import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { smtpReply } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { postForm, startOpsUi, tableRows, type OpsUi } from './browser.js'

let ui: OpsUi
let app: WebhookReceiver
let audit: WebhookReceiver
let dispatcher: ReturnType<typeof createWebhookDispatcher>

beforeAll(async () => {
  ;[app, audit] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()])
  ui = await startOpsUi({
    smtp: { rcpt: (address) => (address.startsWith('nobody@') ? smtpReply(550, '5.1.1 user unknown') : undefined) },
    config: {
      webhooks: [
        { id: 'app', url: app.url, secret: app.secret, eventTypes: ['message.sent'] },
        { id: 'audit', url: audit.url, secret: audit.secret, eventTypes: ['message.failed'], retry: { maxAttempts: 1 } },
      ],
    },
  })
  for (const to of ['bob@example.org', 'nobody@example.org']) {
    expect((await ui.api('send', 'POST', '/v1/messages', { from: 'ops@example.com', to, subject: to, text: 'hi' })).status).toBe(202)
    await ui.h.runner.drain()
    ui.h.clock.advance(60_000)
  }
  dispatcher = createWebhookDispatcher(ui.h.deps)
  // 410 Gone: the delivery is dead and the endpoint disabled at once.
  audit.reply({ status: 410, body: 'audit is gone' })
  await dispatcher.runAll()
})
afterAll(async () => {
  await ui?.close()
  await Promise.all([app?.close(), audit?.close()])
})

/** Endpoint, type and status of each listed delivery, in order. */
const listed = async (query: string) => {
  const page = await ui.page('read')
  await page.goto(`${ui.url}/ops/webhooks${query}`)
  const rows = (await tableRows(page, 'deliveries')).map((r) => [r[2], r[3], r[1]])
  await page.context().close()
  return rows
}

describe('/ops/webhooks', () => {
  test('deliveries newest first; each filter narrows to exactly the matching rows; endpoint health', async () => {
    expect(await listed('')).toEqual([
      ['audit', 'message.failed', 'dead'],
      ['app', 'message.sent', 'succeeded'],
    ])
    expect(await listed('?status=dead')).toEqual([['audit', 'message.failed', 'dead']])
    expect(await listed('?status=succeeded')).toEqual([['app', 'message.sent', 'succeeded']])
    expect(await listed('?status=pending')).toEqual([])
    expect(await listed('?endpoint=app')).toEqual([['app', 'message.sent', 'succeeded']])
    expect(await listed('?type=message.failed')).toEqual([['audit', 'message.failed', 'dead']])
    expect(await listed(`?since=${new Date(ui.h.clock.now() - 90_000).toISOString()}`)).toEqual([['audit', 'message.failed', 'dead']])
    expect(await listed('?status=&endpoint=&type=&since=')).toHaveLength(2)
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/webhooks`)
    expect((await tableRows(page, 'endpoints')).map((r) => [r[0], r[1], r[2], r[5]])).toEqual([
      ['app', app.url, 'healthy', '—'],
      ['audit', audit.url, 'disabled', expect.stringContaining('410')],
    ])
    // Only an admin gets the enable button.
    expect(await page.$$('#endpoints button')).toEqual([])
    await ui.shot(page, 'webhooks')
    await page.context().close()
  })

  test('a dead delivery shows each attempt with the HTTP status and response; admin retries it with the same webhook-id', async () => {
    const id = audit.received[0].id
    const reader = await ui.page('read')
    await reader.goto(`${ui.url}/ops/webhooks`)
    await reader.click(`text=${id}`)
    expect(new URL(reader.url()).pathname).toBe(`/ops/webhooks/deliveries/audit%3A${id}`)
    expect(await reader.textContent('#delivery .badge')).toBe('dead')
    const [attempt] = await tableRows(reader, 'attempts')
    expect([attempt[0], attempt[2], attempt[4], attempt[6]]).toEqual(['1', '410', 'gone', 'audit is gone'])
    // A read key sees no retry button, and the server refuses it one.
    expect(await reader.$('form[action$="/retry"]')).toBeNull()
    expect((await postForm(reader, ui.url, `/ops/webhooks/deliveries/audit:${id}/retry`)).status).toBe(403)
    await reader.context().close()

    const page = await ui.page('admin')
    await page.goto(`${ui.url}/ops/webhooks/deliveries/audit:${id}`)
    await page.click('form[action$="/retry"] button')
    expect(await page.textContent('[role=alert]')).toBe('The endpoint is disabled: enable it first.')
    await page.goto(`${ui.url}/ops/webhooks`)
    await page.click('#endpoints form[action="/ops/webhooks/endpoints/audit/enable"] button')
    expect(await page.textContent('[role=status]')).toBe('Enabled audit.')
    expect((await tableRows(page, 'endpoints')).map((r) => r[2])).toEqual(['healthy', 'healthy'])
    expect((await ui.api('read', 'GET', '/v1/webhooks/endpoints')).json.data.map((e: { state: string }) => e.state)).toEqual(['healthy', 'healthy'])
    await page.goto(`${ui.url}/ops/webhooks/deliveries/audit:${id}`)
    await page.click('form[action$="/retry"] button')
    expect(await page.textContent('[role=status]')).toBe('Queued for another attempt.')
    expect(await page.textContent('#delivery .badge')).toBe('pending')
    expect(await page.$('form[action$="/retry"]')).toBeNull()
    await dispatcher.runAll()
    await page.reload()
    expect(await page.textContent('#delivery .badge')).toBe('succeeded')
    expect((await tableRows(page, 'attempts')).map((r) => r[2])).toEqual(['410', '200'])
    expect(audit.received.map((r) => [r.id, r.status])).toEqual([
      [id, 410],
      [id, 200],
    ])
    await ui.shot(page, 'webhook-delivery')
    await page.context().close()
  })
})
