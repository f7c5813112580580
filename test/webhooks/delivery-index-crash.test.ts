import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { crashingStore, InjectedCrash } from '../inbound/harness.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { DRIVERS, opsApp, recordOutbound } from './ops-harness.js'

const STATUSES = ['pending', 'failed', 'succeeded', 'dead'] as const

/** What each listing says, by status filter (and unfiltered), for endpoint `app`. */
async function listings(ops: ReturnType<typeof opsApp>) {
  const out: Record<string, string[]> = {}
  for (const s of ['', ...STATUSES]) {
    const res = await ops.call('GET', `/v1/webhooks/deliveries?endpoint=app${s ? `&status=${s}` : ''}`)
    out[s || 'all'] = res.json.data.map((d: { id: string }) => d.id)
  }
  return out
}

describe.each(DRIVERS)('delivery index after a crash at any write, on $name', (driver) => {
  let receiver: WebhookReceiver
  beforeAll(async () => {
    receiver = await startWebhookReceiver()
  })
  afterAll(() => receiver?.close())

  /** A delivery that fails once, then succeeds: fresh -> failed -> succeeded. Returns the store's writes in order. */
  async function lifecycle(store: ObjectStore, crashAt: number) {
    const crash = crashingStore(store, crashAt)
    const config = { webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }] }
    const live = opsApp(crash.store, config)
    const eventId = `msg_crash${crashAt}`
    await recordOutbound(opsApp(store, config).deps, eventId, 'message.sent', `m${crashAt}`)
    receiver.reply({ status: 500 })
    let crashed = false
    for (const step of [0, 30_000]) {
      live.clock.advance(step)
      try {
        await createWebhookDispatcher(live.deps).runAll()
      } catch (err) {
        if (!(err instanceof InjectedCrash)) throw err
        crashed = true
        break
      }
    }
    return { eventId, crashed, writes: crash.writes, config, clockAt: live.clock.now() }
  }

  test('every listing agrees with the records once a restarted worker has finished', { timeout: 120_000 }, async () => {
    const ref = await driver.setup()
    const clean = await lifecycle(ref.store, Infinity)
    await ref.close()
    expect(clean.crashed).toBe(false)
    // The fresh index entries, the claim, the failed status's entries, the record, the pending ones' deletion...
    expect(clean.writes.filter((k) => k.startsWith('webhooks/index/')).length).toBe(8)

    for (let n = 1; n <= clean.writes.length; n++) {
      const { store, close } = await driver.setup()
      try {
        const run = await lifecycle(store, n)
        expect(run.crashed, `crash at write ${n}`).toBe(true)
        // Restart: a new worker over the same store, after the dead worker's claim has run out.
        const ops = opsApp(store, run.config)
        ops.clock.set(run.clockAt + 120_000)
        for (let i = 0; i < 3; i++) {
          await createWebhookDispatcher(ops.deps).runAll()
          ops.clock.advance(120_000)
        }
        const id = `app:${run.eventId}`
        expect(await listings(ops), `crash at write ${n}`).toEqual({ all: [id], pending: [], failed: [], succeeded: [id], dead: [] })
      } finally {
        await close()
      }
    }
  })
})
