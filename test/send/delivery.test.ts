import { afterEach, describe, expect, test } from 'vitest'
import { createDeps } from '../../lib/deps.js'
import { MessageView } from '../../lib/http/openapi.js'
import { deliverMessage, LEASE_MS } from '../../lib/send/deliver.js'
import { createQueueRunner } from '../../lib/send/queue-runner.js'
import { initialState, type AcceptedRequest } from '../../lib/send/records.js'
import { newWorkerId } from '../../lib/worker-id.js'
import { getJson, putJson } from '../../lib/store/json.js'
import { messageKeys, queueKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import { deadPid, harness, headersOf, relayFor, TEST_KEY, type Harness } from '../harness.js'
import { createApp } from '../../lib/http/app.js'
import { smtpReply, startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(behaviour: SmtpBehaviour = {}, opts: Parameters<typeof harness>[0] = {}) {
  const smtp = await startSmtp(behaviour)
  const h = await harness({ smtp, ...opts })
  cleanups.push(
    () => smtp.close(),
    () => h.close(),
  )
  return { smtp, h }
}

const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 'retry me', text: 'body' }

async function submit(h: Harness, body: unknown = MSG) {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(202)
  return res.json.id as string
}
const view = async (h: Harness, id: string) => (await h.call('GET', `/v1/messages/${id}`)).json
const messageIds = (smtp: SmtpTestServer) => smtp.received.map((m) => headersOf(m.raw).get('message-id')![0])

describe('SMTP outcomes', () => {
  test('451 on RCPT TO defers with backoff, then the same Message-ID is sent when the relay recovers', async () => {
    const { smtp, h } = await setup({ rcpt: () => smtpReply(451, '4.7.1 Greylisted, come back later') })
    const id = await submit(h)
    await h.runner.drain()
    let v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(v.attempts).toHaveLength(1)
    expect(v.attempts[0]).toMatchObject({ outcome: 'deferred', reply: 451, enhancedStatus: '4.7.1', ambiguous: false })
    expect(v.nextAttemptAt).toBe('2026-11-29T12:01:00.000Z')
    expect(smtp.received).toEqual([])

    h.clock.advance(59_000)
    expect(await h.runner.drain()).toBe(0)
    smtp.behave({})
    h.clock.advance(1_000)
    expect(await h.runner.drain()).toBe(1)
    v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.attempts.map((a: { outcome: string; reply: number }) => [a.outcome, a.reply])).toEqual([
      ['deferred', 451],
      ['sent', 250],
    ])
    expect(messageIds(smtp)).toEqual([v.messageId])
    expect(await h.store.list('queue/')).toEqual([])
    // The answer has exactly the fields /openapi.json promises (parsing drops any other), attempts included.
    expect(MessageView.parse(v)).toEqual(v)
  })

  test('550 on RCPT TO fails at once and records the rejection', async () => {
    const { smtp, h } = await setup({ rcpt: () => smtpReply(550, '5.1.1 <a@example.org>: user unknown') })
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('failed')
    expect(v.rejected).toEqual([{ recipient: 'a@example.org', enhancedStatus: '5.1.1', reply: 550, response: '550 5.1.1 <a@example.org>: user unknown' }])
    expect(v.attempts[0]).toMatchObject({ outcome: 'failed', reply: 550, enhancedStatus: '5.1.1' })
    expect(smtp.received).toEqual([])
    expect(await h.store.list('queue/')).toEqual([])
  })

  test('421 at the greeting defers', async () => {
    const { h } = await setup({ connect: () => smtpReply(421, '4.3.2 Too busy, try again in 120 seconds') })
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(v.attempts[0]).toMatchObject({ outcome: 'deferred', reply: 421 })
    // The server's own hint (120 s) is longer than the first backoff (60 s), so it wins.
    expect(v.nextAttemptAt).toBe('2026-11-29T12:02:00.000Z')
  })

  test('a connection dropped after the end of DATA is deferred as ambiguous and retried with the same Message-ID', async () => {
    const { smtp, h } = await setup({ data: () => 'drop' })
    const id = await submit(h)
    await h.runner.drain()
    let v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(v.attempts[0]).toMatchObject({ outcome: 'deferred', reply: null, ambiguous: true })
    smtp.behave({})
    h.clock.advance(60_000)
    await h.runner.drain()
    v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(messageIds(smtp)).toEqual([v.messageId, v.messageId])
  })

  test('one recipient refused for good, one accepted: sent, with the rejection recorded', async () => {
    const { smtp, h } = await setup({ rcpt: (a) => (a === 'gone@example.org' ? smtpReply(550, '5.1.1 no such user') : undefined) })
    const id = await submit(h, { ...MSG, to: ['a@example.org', 'gone@example.org'] })
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.accepted).toEqual(['a@example.org'])
    expect(v.rejected).toEqual([{ recipient: 'gone@example.org', enhancedStatus: '5.1.1', reply: 550, response: '550 5.1.1 no such user' }])
    expect(smtp.received[0].rcptTo).toEqual(['a@example.org'])
  })

  test('one recipient deferred, one accepted: the retry goes to the deferred recipient only', async () => {
    const { smtp, h } = await setup({ rcpt: (a) => (a === 'later@example.org' ? smtpReply(452, '4.2.2 mailbox full') : undefined) })
    const id = await submit(h, { ...MSG, to: ['a@example.org', 'later@example.org'] })
    await h.runner.drain()
    expect((await view(h, id)).status).toBe('deferred')
    smtp.behave({})
    h.clock.advance(60_000)
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.accepted).toEqual(['a@example.org', 'later@example.org'])
    expect(v.rejected).toEqual([])
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['a@example.org'], ['later@example.org']])
    expect(new Set(messageIds(smtp)).size).toBe(1)
  })

  test('deferred attempts stop at retry.maxAttempts and the message fails', async () => {
    const { h } = await setup({ rcpt: () => smtpReply(451, '4.3.0 temporary') })
    const id = await submit(h)
    for (let i = 0; i < 4; i++) {
      await h.runner.drain()
      h.clock.advance(3_600_000)
    }
    const v = await view(h, id)
    expect(v.status).toBe('failed')
    expect(v.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['deferred', 'deferred', 'deferred', 'failed'])
    // 60 s, 120 s, 240 s: exponential from retry.baseDelayMs (jitter is fixed at its midpoint here).
    const gaps = v.attempts.slice(0, 3).map((a: { at: string; nextAttemptAt: string }) => Date.parse(a.nextAttemptAt) - Date.parse(a.at))
    expect(gaps).toEqual([60_000, 120_000, 240_000])
    expect(await h.store.list('queue/')).toEqual([])
  })

  test('a wrong relay password defers (the message is not at fault) and records the 535', async () => {
    const smtp = await startSmtp()
    const h = await harness({ smtp, config: { relay: { ...relayFor(smtp), auth: { user: 'relay', pass: 'wrong' } } } })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(v.attempts[0]).toMatchObject({ reply: 535, enhancedStatus: '5.7.8', ambiguous: false })
  })

  test('a relay that refuses connections defers with no reply code', async () => {
    const smtp = await startSmtp()
    await smtp.close()
    const h = await harness({ smtp })
    cleanups.push(() => h.close())
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(v.attempts[0]).toMatchObject({ reply: null, ambiguous: false })
    expect(v.attempts[0].response).toMatch(/ECONNREFUSED/)
  })
})

describe('durability', () => {
  test('sendAt holds a message until it is due, across a restart', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h, { ...MSG, sendAt: '2026-11-29T15:00:00+01:00' })
    expect(await h.runner.drain()).toBe(0)
    expect((await view(h, id)).status).toBe('scheduled')
    await h.runner.stop()
    // A new process over the same store.
    const deps2 = createDeps(h.deps.config, { store: h.store, clock: h.clock, random: () => 0.5 })
    const runner2 = createQueueRunner(deps2)
    cleanups.push(async () => {
      await runner2.stop()
      deps2.relay?.close()
    })
    h.clock.set(Date.parse('2026-11-29T14:00:00Z'))
    expect(await runner2.drain()).toBe(1)
    expect((await view(h, id)).status).toBe('sent')
    expect(smtp.received).toHaveLength(1)
  })

  test('a crash after sending but before recording leaves a lease; after it expires the message is retried with the same Message-ID', async () => {
    const smtp = await startSmtp()
    // A fault injector around the real store: the first write of an attempt event fails, as a crash would.
    let crashOnce = true
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(`${tmpdir()}/postern-crash-`)
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const real = createFsStore(dir)
    const store: ObjectStore = {
      ...real,
      put: (key, body, opts) => {
        if (crashOnce && key.includes('/attempt-')) {
          crashOnce = false
          return Promise.reject(new Error('simulated crash'))
        }
        return real.put(key, body, opts)
      },
    }
    const h = await harness({ smtp, store })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const id = await submit(h)
    await h.runner.drain()
    expect(smtp.received).toHaveLength(1)
    expect((await view(h, id)).status).toBe('queued')
    h.clock.advance(60_000)
    expect(await h.runner.drain()).toBe(0)
    h.clock.advance(5 * 60_000)
    expect(await h.runner.drain()).toBe(1)
    const v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([2])
    expect(messageIds(smtp)).toEqual([v.messageId, v.messageId])
  })
})

describe('a worker that dies after recording its attempt, before its state', () => {
  test('is finished from its record after the lease: nothing is sent again, the attempt keeps its number', async () => {
    const smtp = await startSmtp()
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(`${tmpdir()}/postern-recover-`)
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const real = createFsStore(dir)
    // The second write of state.json (the outcome, after the claim) fails, and so does every write after it.
    let stateWrites = 0
    let dead = false
    const dying: ObjectStore = {
      ...real,
      put: (key, body, opts) => {
        if (key.endsWith('/state.json') && ++stateWrites === 2) dead = true
        return dead ? Promise.reject(new Error('the process died here')) : real.put(key, body, opts)
      },
      delete: (key) => (dead ? Promise.reject(new Error('the process died here')) : real.delete(key)),
    }
    const h = await harness({ smtp, store: dying })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const id = await submit(h)
    expect(await h.runner.drain()).toBe(0) // the attempt could not be recorded
    expect(smtp.received).toHaveLength(1)
    // A new process on the same folder, once the dead worker's lease has run out.
    const deps2 = createDeps(h.deps.config, { store: real, clock: h.clock, random: () => 0.5 })
    const runner2 = createQueueRunner(deps2)
    cleanups.push(async () => {
      await runner2.stop()
      deps2.relay?.close()
    })
    h.clock.advance(LEASE_MS + 1000)
    expect(await runner2.drain()).toBe(1)
    const res = await createApp(deps2).request(`/v1/messages/${id}`, { headers: { authorization: `Bearer ${TEST_KEY}` } })
    const v = (await res.json()) as any
    expect(v).toMatchObject({ status: 'sent', attempts: [{ attempt: 1, outcome: 'sent', reply: 250 }] })
    expect(smtp.received).toHaveLength(1)
    expect(await real.list('queue/')).toEqual([])
  })
})

describe('an attempt right after acceptance (the local runner kick)', () => {
  const stored = async (h: Harness, id: string) => (await getJson<AcceptedRequest>(h.store, messageKeys(id).request))!.value

  test('sends from the record in memory, reading neither the request nor the state back', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h)
    const record = await stored(h, id)
    const reads: string[] = []
    const deps = { ...h.deps, store: { ...h.store, get: (k: string) => (reads.push(k), h.store.get(k)) } }
    const r = await deliverMessage(deps, id, 'worker-kick', record)
    expect(r).toMatchObject({ attempted: true, event: { attempt: 1, outcome: 'sent', reply: 250 } })
    // The compare-and-swap of the final state reads the claim it wrote, inside the store; only the suppression list
    // is read (one key per recipient).
    expect(reads).toEqual(['suppressions/example.com/a%40example.org.json'])
    expect(messageIds(smtp)).toEqual([record.messageId])
    expect((await view(h, id)).status).toBe('sent')
  })

  test('kicks waiting for a slot hold their requests up to a byte budget; past it, only the id, read back later', async () => {
    const { smtp, h } = await setup()
    const text = 'x'.repeat(2000)
    const ids = [await submit(h, { ...MSG, text }), await submit(h, { ...MSG, text }), await submit(h, { ...MSG, text })]
    const records = await Promise.all(ids.map((id) => stored(h, id)))
    const reads: string[] = []
    const deps = { ...h.deps, store: { ...h.store, get: (k: string) => (reads.push(k), h.store.get(k)) } }
    // One slot; 3,000 bytes for waiting requests: the 2nd (2,000 bytes) waits with its request, the 3rd without.
    const runner = createQueueRunner(deps, { concurrency: 1, queuedRecordBudget: 3000 })
    ids.forEach((id, i) => runner.kick(id, records[i]))
    await runner.stop()
    expect(reads.filter((k) => !k.startsWith('suppressions/'))).toEqual([messageKeys(ids[2]).state, messageKeys(ids[2]).request])
    expect(smtp.received).toHaveLength(3)
  })

  test('stands down when another worker claimed the message first: one copy is sent', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h)
    const record = await stored(h, id)
    expect(await h.runner.drain()).toBe(1)
    expect(await deliverMessage(h.deps, id, 'worker-late', record)).toEqual({ attempted: false, reason: 'leased' })
    expect(smtp.received).toHaveLength(1)
    expect((await view(h, id)).attempts).toHaveLength(1)
  })
})

describe('bookkeeping cut short by a power failure (objects written without fsync) and entries left by a crash', () => {
  test('an empty state.json after a deferral: the state is rebuilt, attempts keep counting, the message is sent', async () => {
    const { smtp, h } = await setup({ rcpt: () => smtpReply(451, '4.7.1 Greylisted') })
    const id = await submit(h)
    await h.runner.drain()
    expect((await view(h, id)).status).toBe('deferred')
    // What ext4 can leave of a file linked into place but never fsync'd.
    await h.store.put(messageKeys(id).state, '')
    expect((await view(h, id)).status).toBe('queued')
    smtp.behave({})
    // The retry's queue entry, due a minute after the deferral, still finds the message.
    h.clock.advance(60_000)
    expect(await h.runner.drain()).toBe(1)
    const v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.attempts.map((a: { attempt: number; reply: number }) => [a.attempt, a.reply])).toEqual([
      [1, 451],
      [2, 250],
    ])
    expect(smtp.received).toHaveLength(1)
    // The rebuilt state did not know that entry's due time, so the attempt left it; the next sweep finds the
    // message final and removes it.
    expect(await h.store.list('queue/')).toHaveLength(1)
    expect(await h.runner.drain()).toBe(0)
    expect(await h.store.list('queue/')).toEqual([])
  })

  test('an empty attempt event is left out of GET /v1/messages/:id, which still answers 200', async () => {
    const { h } = await setup()
    const id = await submit(h)
    await h.runner.drain()
    await h.store.put(messageKeys(id).event(1), '')
    const res = await h.call('GET', `/v1/messages/${id}`)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ status: 'sent', attempts: [] })
  })

  test('queue entries left behind for a message already sent, or with no request, are deleted by the next sweep', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h)
    await h.runner.drain()
    await h.store.put(queueKeys.entry(h.clock.now(), id), '')
    // And one whose request does not exist (nothing to send, ever).
    await h.store.put(queueKeys.entry(h.clock.now(), '01KB0000000000000000000000'), '')
    expect(await h.runner.drain()).toBe(0)
    expect(await h.store.list('queue/')).toEqual([])
    expect(smtp.received).toHaveLength(1)
  })
})

describe('a worker that crashed holding an attempt', () => {
  const claimedBy = async (h: Harness, id: string, owner: string) => {
    const record = (await getJson<AcceptedRequest>(h.store, messageKeys(id).request))!.value
    const until = new Date(h.clock.now() + LEASE_MS).toISOString()
    await putJson(h.store, messageKeys(id).state, { ...initialState(record), attempts: 1, lease: { owner, until } }, { ifNoneMatch: '*' })
  }

  test('is seen to be gone on this machine: its attempt is taken over at once, not after the 5-minute lease', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h)
    await claimedBy(h, id, newWorkerId('worker', await deadPid()))
    expect(await h.runner.drain()).toBe(1)
    const v = await view(h, id)
    expect(v.status).toBe('sent')
    expect(v.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([2])
    expect(smtp.received).toHaveLength(1)
  })

  test('a holder still running keeps its lease', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h)
    await claimedBy(h, id, newWorkerId('worker', process.ppid))
    expect(await h.runner.drain()).toBe(0)
    expect(smtp.received).toEqual([])
  })
})
