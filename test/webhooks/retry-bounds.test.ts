import { afterEach, expect, test } from 'vitest'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { webhookKeys } from '../../lib/store/keys.js'
import { createWebhookDispatcher, type DeliveryRecord } from '../../lib/webhooks/dispatcher.js'
import { manualClock, tempFsStore, testDeps } from '../inbound/harness.js'
import { startWebhookReceiver } from '../servers/webhook-receiver.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(retry: Record<string, number>) {
  const receiver = await startWebhookReceiver()
  const { store, close } = await tempFsStore()
  cleanups.push(close, () => receiver.close())
  const clock = manualClock()
  const deps = testDeps({ webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret, retry }] }, store, { clock, random: () => 0.5 })
  const state = await loadMailboxState(store, 'box')
  const raw = Buffer.from('From: a@example.test\r\nSubject: r\r\nMessage-ID: <r@example.test>\r\n\r\nbody\r\n')
  const out = await ingestMessage(deps, 'box', state, { raw, receivedAt: new Date().toISOString(), folder: 'INBOX' })
  await state.save()
  const delivery = async () => (await getJson<DeliveryRecord>(store, webhookKeys.delivery('app', out.eventId)))!.value
  return { receiver, clock, store, deps, dispatcher: createWebhookDispatcher(deps), delivery, eventId: out.eventId }
}

test('a Retry-After of 999999999 s waits at most maxRetryAfterMs (1 h by default), not until 2058', async () => {
  const { receiver, clock, dispatcher, delivery } = await setup({})
  receiver.reply({ status: 503, headers: { 'retry-after': '999999999' } })
  await dispatcher.runAll()
  expect((await delivery()).nextAttemptAt).toBe(clock.now() + 3_600_000)
})

test('an event still failing maxWindowMs after its first attempt is dead-lettered, whatever maxAttempts allows', async () => {
  const { receiver, clock, dispatcher, delivery, store, eventId } = await setup({
    maxAttempts: 100,
    baseDelayMs: 60_000,
    maxDelayMs: 60_000,
    maxWindowMs: 150_000,
  })
  receiver.reply({ status: 500 }, { status: 500 }, { status: 500 })
  await dispatcher.runAll()
  clock.advance(60_000)
  await dispatcher.runAll()
  expect(await delivery()).toMatchObject({ status: 'pending', attempts: [{ status: 500 }, { status: 500 }] })
  clock.advance(60_000)
  // The third failure is 120 s after the first; the next try would be at 180 s, past the 150 s window.
  expect(await dispatcher.runAll()).toMatchObject({ attempted: 1, deadLettered: 1 })
  expect(await delivery()).toMatchObject({ status: 'dead', deadReason: 'still failing 2 min after the first attempt; last: HTTP 500' })
  expect((await getJson<{ reason: string }>(store, webhookKeys.deadLetter('app', eventId)))!.value.reason).toMatch(/^still failing/)
})
