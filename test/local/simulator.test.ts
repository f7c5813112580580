import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { Config } from '../../lib/config/schema.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

// npm start's sandbox relay with the simulator's addresses: every outcome without a real relay, over real HTTP.
let dir: string
let gw: LocalGateway
let receiver: WebhookReceiver
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-sim-'))
  receiver = await startWebhookReceiver()
  const config = Config.parse({
    port: 0,
    sandbox: { port: 0 },
    store: { driver: 'fs', dir },
    logLevel: 'silent',
    retry: { baseDelayMs: 1000, maxDelayMs: 1000 },
    webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
    allowPrivateWebhookTargets: ['127.0.0.1/32'],
    inbound: { webhookTickMs: 100 },
  })
  gw = await startLocal(config)
})
afterAll(async () => {
  await gw?.close()
  await receiver?.close()
  await rm(dir, { recursive: true, force: true })
})

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${gw.url}${path}`, { ...init, headers: { authorization: `Bearer ${gw.generatedApiKey}`, 'content-type': 'application/json' } }).then((r) => r.json())
const send = async (to: string) =>
  (await api('/v1/messages', { method: 'POST', body: JSON.stringify({ from: 'you@example.com', to, subject: to, text: 'hi' }) })).id as string
const until = async (what: () => Promise<boolean> | boolean, ms = 20_000) => {
  for (const end = Date.now() + ms; !(await what()); ) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 100))
  }
}
const events = (id: string) => receiver.received.filter((w) => w.payload?.data.id === id).map((w) => w.payload!.type)

test('each simulated address produces its outcome and its events', { timeout: 60_000 }, async () => {
  const ids = {
    bounced: await send('bounced@simulator.postern.test'),
    deferred: await send('deferred@simulator.postern.test'),
    bouncedLater: await send('bounced-later@simulator.postern.test'),
    delayedLater: await send('delayed-later@simulator.postern.test'),
    complained: await send('complained@simulator.postern.test'),
  }
  await until(async () => (await api(`/v1/messages/${ids.deferred}`)).status === 'sent')
  await until(
    () =>
      events(ids.complained).includes('message.complained') &&
      events(ids.bouncedLater).includes('message.bounced') &&
      events(ids.delayedLater).includes('message.bounced'),
  )
  expect(await api(`/v1/messages/${ids.bounced}`)).toMatchObject({ status: 'failed', reason: 'rejected', rejected: [{ reply: 550, enhancedStatus: '5.1.1' }] })
  const deferred = await api(`/v1/messages/${ids.deferred}`)
  expect(deferred.attempts.map((a: { outcome: string; reply: number }) => [a.outcome, a.reply])).toEqual([
    ['deferred', 451],
    ['sent', 250],
  ])
  expect(await api(`/v1/messages/${ids.bouncedLater}`)).toMatchObject({
    status: 'bounced',
    bounces: { 'bounced-later@simulator.postern.test': { type: 'hard', status: '5.1.1', matchedBy: 'message-id', mailbox: null } },
  })
  expect(await api(`/v1/messages/${ids.delayedLater}`)).toMatchObject({
    status: 'sent',
    bounces: { 'delayed-later@simulator.postern.test': { type: 'soft', status: '4.4.7' } },
  })
  expect(await api(`/v1/messages/${ids.complained}`)).toMatchObject({
    status: 'sent',
    complaints: { 'complained@simulator.postern.test': { feedbackType: 'abuse' } },
  })
  await until(() => events(ids.bounced).includes('message.failed') && events(ids.deferred).length === 2)
  expect(events(ids.bounced)).toEqual(['message.failed'])
  expect(events(ids.deferred).sort()).toEqual(['message.deferred', 'message.sent'])
  // Hard bounces and complaints suppress the address: the next message to it is not sent.
  const again = await send('bounced-later@simulator.postern.test')
  await until(async () => (await api(`/v1/messages/${again}`)).status === 'failed')
  expect(await api(`/v1/messages/${again}`)).toMatchObject({ reason: 'all_recipients_suppressed' })
})
