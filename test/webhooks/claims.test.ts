import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { recordEvent } from '../../lib/events/outbox.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { tempFsStore, testDeps } from '../inbound/harness.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Records `n` system events in the outbox, as any source would. */
async function recordMany(deps: Parameters<typeof recordEvent>[0], n: number) {
  const counter = { sequence: 0 }
  for (let i = 1; i <= n; i++) {
    await recordEvent(deps, counter, {
      id: `msg_claims${String(i).padStart(6, '0')}`,
      type: 'message.sent',
      source: 'system',
      createdAt: new Date().toISOString(),
      data: { n: i },
    })
  }
}

/** POSTs per webhook-id that the receiver answered 2xx, and how many requests came in all. */
function tally(r: WebhookReceiver) {
  const ok = new Map<string, number>()
  for (const w of r.received) if (w.status < 300 && w.verifyError === null) ok.set(w.id, (ok.get(w.id) ?? 0) + 1)
  return { requests: r.received.length, distinct: ok.size, duplicated: [...ok.values()].filter((n) => n > 1).length }
}

async function setup() {
  const receiver = await startWebhookReceiver()
  const { store, dir, close } = await tempFsStore()
  cleanups.push(close, () => receiver.close())
  const deps = testDeps({ webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }], inbound: { webhookConcurrency: 8 } }, store)
  return { receiver, store, dir, deps }
}

describe('one claimant per (endpoint, event)', () => {
  test('two overlapping delivery runs over 100 events deliver each event exactly once', async () => {
    const { receiver, deps } = await setup()
    await recordMany(deps, 100)
    receiver.setDelay(10)
    // Two dispatchers are two Lambda invocations: separate memory, one store.
    const [a, b] = await Promise.all([createWebhookDispatcher(deps).runAll(), createWebhookDispatcher(deps).runAll()])
    expect(a.delivered + b.delivered).toBe(100)
    expect(tally(receiver)).toEqual({ requests: 100, distinct: 100, duplicated: 0 })
  })

  test('three processes on one data folder deliver 300 events exactly once each', { timeout: 120_000 }, async () => {
    const { receiver, dir, deps, store } = await setup()
    await recordMany(deps, 300)
    receiver.setDelay(5)
    const script = join(import.meta.dirname, 'fixtures/dispatch-loop.ts')
    const procs = [0, 1, 2].map(() =>
      spawn(process.execPath, ['--import', 'tsx', script, dir, receiver.url, receiver.secret], { stdio: ['ignore', 'pipe', 'inherit'] }),
    )
    const outputs = procs.map(
      (p) =>
        new Promise<string>((resolve) => {
          let out = ''
          p.stdout!.on('data', (c) => (out += c))
          p.once('exit', () => resolve(out))
        }),
    )
    const deadline = Date.now() + 90_000
    while (tally(receiver).distinct < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    // Let any late duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 500))
    for (const p of procs) p.kill('SIGTERM')
    const runs = (await Promise.all(outputs)).map((o) => JSON.parse(o).runs as number)
    expect(runs.every((n) => n >= 1)).toBe(true)
    expect(tally(receiver)).toEqual({ requests: 300, distinct: 300, duplicated: 0 })
    expect(await store.list('webhooks/outbox/')).toEqual([])
  })
})
