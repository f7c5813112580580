import { afterEach, describe, expect, test } from 'vitest'
import type { Deps } from '../../lib/deps.js'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { webhookKeys } from '../../lib/store/keys.js'
import { createWebhookDispatcher, type DeliveryRecord, type EndpointHealth } from '../../lib/webhooks/dispatcher.js'
import { manualClock, tempFsStore, testDeps } from '../inbound/harness.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'

// Webhook endpoints that refuse, hang, answer slowly, answer 410 or cut the answer, then recover: the real receiver
// (test/servers/webhook-receiver.ts, verifying signatures with the standardwebhooks package) behind the tests' TCP
// proxy. (500 then recovery, Retry-After, maxAttempts and sustained failure: test/webhooks/delivery.test.ts.)

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const TIMEOUT_MS = 1000
const raw = (n: number) =>
  Buffer.from(`From: ann@example.test\r\nTo: bob@example.test\r\nSubject: hook ${n}\r\nMessage-ID: <wf${n}@example.test>\r\n\r\nbody ${n}\r\n`)

async function setup(opts: { endpoint?: Record<string, unknown>; proxyPort?: number } = {}) {
  const receiver = await startWebhookReceiver()
  const receiverPort = Number(new URL(receiver.url).port)
  let proxy: TcpProxy | null = await startTcpProxy(receiverPort)
  const port = proxy.port
  const { store, close } = await tempFsStore()
  const clock = manualClock()
  const deps = testDeps(
    {
      webhooks: [
        { id: 'app', url: `http://127.0.0.1:${port}/hook`, secret: receiver.secret, timeoutMs: TIMEOUT_MS, retry: { baseDelayMs: 1000 }, ...opts.endpoint },
      ],
    },
    store,
    { clock, random: () => 0.5 },
  )
  cleanups.push(
    close,
    () => receiver.close(),
    async () => proxy?.close(),
  )
  return {
    deps,
    store,
    clock,
    receiver,
    dispatcher: createWebhookDispatcher(deps),
    proxy: () => proxy!,
    /** The endpoint's server goes away: connections to its port are refused. */
    down: async () => (await proxy!.close(), (proxy = null)),
    /** It comes back on the same port. */
    up: async () => (proxy = await startTcpProxy(receiverPort, port)),
  }
}

/** Records one message.received event per message; returns the event ids. */
async function ingest(deps: Deps, ...ns: number[]) {
  const state = await loadMailboxState(deps.store, 'box1')
  const ids: string[] = []
  for (const n of ns) ids.push((await ingestMessage(deps, 'box1', state, { raw: raw(n), receivedAt: '2026-11-29T12:00:00.000Z', folder: 'INBOX' })).eventId)
  await state.save()
  return ids
}

/** Per event: its delivery attempts as [attempt, status, outcome, reason]. */
async function attemptsOf(deps: Deps, eventIds: string[]) {
  const out: unknown[][] = []
  for (const id of eventIds) {
    const d = (await getJson<DeliveryRecord>(deps.store, webhookKeys.delivery('app', id)))!.value
    out.push(d.attempts.map((a) => [a.attempt, a.status, a.outcome, a.reason ?? null]))
  }
  return out
}

/** What the receiver verified and answered 200 to, per event id, sorted. */
const deliveredOnce = (r: WebhookReceiver) =>
  r.received
    .filter((w) => w.verifyError === null && w.status === 200)
    .map((w) => w.id)
    .sort()

describe('webhook endpoint faults, then recovery: each event delivered exactly once', () => {
  test('connection refused: every event retried (ECONNREFUSED); when the endpoint is back, each arrives once, signed', async () => {
    const s = await setup()
    await s.down()
    const ids = await ingest(s.deps, 1, 2, 3)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 3, delivered: 0, retried: 3, deadLettered: 0 })
    await s.up()
    s.clock.advance(999)
    expect(await s.dispatcher.runAll()).toMatchObject({ attempted: 0 })
    s.clock.advance(1)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 3, delivered: 3, retried: 0, deadLettered: 0 })
    expect(s.receiver.received.map((w) => [w.verifyError, w.status])).toEqual([
      [null, 200],
      [null, 200],
      [null, 200],
    ])
    expect(deliveredOnce(s.receiver)).toEqual([...ids].sort())
    expect(await attemptsOf(s.deps, ids)).toEqual(
      ids.map(() => [
        [1, null, 'retry', 'ECONNREFUSED'],
        [2, 200, 'delivered', null],
      ]),
    )
    expect(await s.store.list(webhookKeys.outboxPrefix)).toEqual([])
  })

  test('a request that hangs (never reaches the server, no answer) is cut at timeoutMs and retried; it then arrives once', async () => {
    const s = await setup()
    s.proxy().fault = { afterCommand: /^POST /, afterBytes: 0, kind: 'stall', direction: 'client' }
    const ids = await ingest(s.deps, 4)
    const t0 = performance.now()
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 1, delivered: 0, retried: 1, deadLettered: 0 })
    expect(performance.now() - t0).toBeLessThan(5 * TIMEOUT_MS)
    expect(s.proxy().fired).toBe(1)
    expect(s.receiver.received).toEqual([])
    s.clock.advance(1000)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 1, delivered: 1, retried: 0, deadLettered: 0 })
    expect(deliveredOnce(s.receiver)).toEqual(ids)
    expect(s.receiver.received).toHaveLength(1)
    expect(await attemptsOf(s.deps, ids)).toEqual([
      [
        [1, null, 'retry', 'timeout'],
        [2, 200, 'delivered', null],
      ],
    ])
  })

  test('a server that takes the request but answers after the timeout, or whose answer is cut, gets it again under the same webhook-id', async () => {
    const s = await setup()
    const ids = await ingest(s.deps, 5)
    s.receiver.reply({ status: 200, delayMs: 3 * TIMEOUT_MS })
    expect(await s.dispatcher.runAll()).toMatchObject({ attempted: 1, retried: 1 })
    s.proxy().fault = { afterCommand: /^POST /, afterBytes: 10, kind: 'cut' }
    s.clock.advance(1000)
    expect(await s.dispatcher.runAll()).toMatchObject({ attempted: 1, retried: 1 })
    expect(s.proxy().fired).toBe(1)
    s.clock.advance(2000)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 1, delivered: 1, retried: 0, deadLettered: 0 })
    // At least once (Standard Webhooks): the server saw it three times, always with one id to deduplicate on.
    expect(s.receiver.received.map((w) => [w.id, w.verifyError])).toEqual([
      [ids[0], null],
      [ids[0], null],
      [ids[0], null],
    ])
    const [attempts] = await attemptsOf(s.deps, ids)
    expect(attempts).toEqual([
      [1, null, 'retry', 'timeout'],
      [2, null, 'retry', 'UND_ERR_SOCKET'],
      [3, 200, 'delivered', null],
    ])
    expect(await s.dispatcher.runAll()).toMatchObject({ attempted: 0 })
  })

  test('a slow endpoint that answers within timeoutMs gets each event once, on the first attempt', async () => {
    const s = await setup({ endpoint: { timeoutMs: 5 * TIMEOUT_MS } })
    s.receiver.setDelay(TIMEOUT_MS)
    const ids = await ingest(s.deps, 6, 7)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 2, delivered: 2, retried: 0, deadLettered: 0 })
    expect(deliveredOnce(s.receiver)).toEqual([...ids].sort())
    expect(s.receiver.received).toHaveLength(2)
    expect(await attemptsOf(s.deps, ids)).toEqual([[[1, 200, 'delivered', null]], [[1, 200, 'delivered', null]]])
  })

  test('410 disables the endpoint and dead-letters; re-enabled (its health object deleted), new events arrive once, dead letters stay', async () => {
    const s = await setup()
    const [gone] = await ingest(s.deps, 8)
    s.receiver.reply({ status: 410 })
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 1, delivered: 0, retried: 0, deadLettered: 1 })
    expect((await getJson<EndpointHealth>(s.store, webhookKeys.endpoint('app')))!.value.disabled?.reason).toBe('the endpoint answered 410 Gone')
    await s.store.delete(webhookKeys.endpoint('app'))
    const later = await ingest(s.deps, 9, 10)
    expect(await s.dispatcher.runAll()).toEqual({ attempted: 2, delivered: 2, retried: 0, deadLettered: 0 })
    expect(deliveredOnce(s.receiver)).toEqual([...later].sort())
    expect(s.receiver.received.map((w) => w.id).filter((id) => id === gone)).toEqual([gone])
    expect(await s.store.list('webhooks/dead-letter/app/')).toEqual([webhookKeys.deadLetter('app', gone)])
    expect(await s.store.list(webhookKeys.outboxPrefix)).toEqual([])
  })
})
