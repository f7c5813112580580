import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, describe, expect, test } from 'vitest'
import { createDeps } from '../../lib/deps.js'
import { createQueueRunner } from '../../lib/send/queue-runner.js'
import { getJson } from '../../lib/store/json.js'
import { harness, headersOf, relayFor, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'

// Faults of the relay or the network while sending, injected in front of the real test SMTP server (STARTTLS +
// AUTH) by the tests' own TCP proxy. Each ends with the message sent once, the attempts and events recorded exactly.

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const TIMEOUT_MS = 1000
// 300 KB of attachment: far more than the socket buffers, so a cut 100 KB into the session lands inside DATA.
const BIG = Buffer.alloc(300_000, 'postern ').toString('base64')
const MSG = {
  from: 'ops@example.com',
  to: 'a@example.org',
  subject: 'faults',
  text: 'body',
  attachments: [{ filename: 'big.txt', content: BIG, contentType: 'text/plain' }],
}

async function setup(behaviour: SmtpBehaviour = {}, relay: Record<string, unknown> = {}) {
  const smtp = await startSmtp(behaviour)
  const proxy = await startTcpProxy(smtp.port)
  const h = await harness({
    smtp,
    config: {
      relay: {
        ...relayFor(smtp),
        port: proxy.port,
        timeouts: { connectionMs: TIMEOUT_MS, greetingMs: TIMEOUT_MS, socketMs: TIMEOUT_MS },
        ...relay,
      },
      // Outbound events are recorded only for a subscribed endpoint; this one is never called here.
      webhooks: [{ id: 'app', url: 'http://127.0.0.1:9/hook', secret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}` }],
    },
  })
  cleanups.push(
    () => smtp.close(),
    () => proxy.close(),
    () => h.close(),
  )
  return { smtp, proxy, h }
}

async function submit(h: Harness, body: unknown = MSG) {
  const res = await h.call('POST', '/v1/messages', body)
  expect(res.status).toBe(202)
  return res.json.id as string
}
const view = async (h: Harness, id: string) => (await h.call('GET', `/v1/messages/${id}`)).json
const attempts = (v: any) =>
  v.attempts.map((a: any) => ({ attempt: a.attempt, outcome: a.outcome, reply: a.reply, ambiguous: a.ambiguous, response: a.response }))

/** The message's recorded events (outbox records), in sequence order: [sequence, type, attempt, reply]. */
async function events(h: Harness, id: string) {
  const keys = await h.store.list(`webhooks/outbox/_messages/${id}.`)
  const records = await Promise.all(keys.map((k) => getJson<any>(h.store, k)))
  return records.map((r) => [r!.value.sequence, r!.value.type, r!.value.data.attempt, r!.value.data.reply])
}

/**
 * After a deferred first attempt that got `firstReply`: the relay recovers, the backoff passes, the retry runs (with
 * `drain`), and the message is sent once, with one deferred and one sent event, and nothing left in the queue.
 */
async function expectSentOnRetry(h: Harness, smtp: SmtpTestServer, id: string, firstReply: number | null, drain = () => h.runner.drain()) {
  smtp.behave({})
  h.clock.advance(60_000)
  expect(await drain()).toBe(1)
  const v = await view(h, id)
  expect(v.status).toBe('sent')
  expect(attempts(v)[1]).toEqual({ attempt: 2, outcome: 'sent', reply: 250, ambiguous: false, response: '250 2.0.0 Ok: queued' })
  expectOneCopy(smtp, v)
  expect(await events(h, id)).toEqual([
    [1, 'message.deferred', 1, firstReply],
    [2, 'message.sent', 2, 250],
  ])
  expect(await h.store.list('queue/')).toEqual([])
}

/** The one copy the server accepted: the Message-ID of the record and the attachment's bytes whole. */
function expectOneCopy(smtp: SmtpTestServer, v: any) {
  expect(smtp.received).toHaveLength(1)
  const [m] = smtp.received
  expect([m.mailFrom, m.rcptTo, m.user, m.secure]).toEqual(['ops@example.com', ['a@example.org'], 'relay', true])
  expect(headersOf(m.raw).get('message-id')).toEqual([v.messageId])
  const raw = m.raw.toString('latin1')
  expect(raw.endsWith('\r\n')).toBe(true)
  const part = raw.slice(raw.indexOf('filename=big.txt'))
  const b64 = part.slice(part.indexOf('\r\n\r\n') + 4, part.indexOf('\r\n--')).replace(/\r\n/g, '')
  expect(b64).toBe(BIG)
}

describe('SMTP faults through a TCP proxy in front of the real server', () => {
  test('connection dropped in the middle of DATA: deferred (not ambiguous), nothing taken; sent once on retry', async () => {
    const { smtp, proxy, h } = await setup()
    proxy.fault = { afterCommand: /EHLO/, afterBytes: 100_000, kind: 'cut', direction: 'client' }
    const id = await submit(h)
    expect(await h.runner.drain()).toBe(1)
    expect(proxy.fired).toBe(1)
    const v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(attempts(v)).toEqual([
      { attempt: 1, outcome: 'deferred', reply: null, ambiguous: false, response: expect.stringMatching(/Connection closed|ECONNRESET|socket/i) },
    ])
    expect(smtp.received).toEqual([])
    await expectSentOnRetry(h, smtp, id, null)
  })

  test('relay silent after EHLO past the socket timeout: deferred, nothing sent; sent once on retry', async () => {
    const { smtp, proxy, h } = await setup()
    proxy.fault = { afterCommand: /EHLO/, afterBytes: 0, kind: 'stall' }
    const id = await submit(h)
    const started = performance.now()
    expect(await h.runner.drain()).toBe(1)
    // The attempt ended by the timeout (1 s), not by waiting for ever.
    expect(performance.now() - started).toBeLessThan(10 * TIMEOUT_MS)
    const v = await view(h, id)
    expect(attempts(v)).toEqual([{ attempt: 1, outcome: 'deferred', reply: null, ambiguous: false, response: expect.stringMatching(/timeout/i) }])
    expect(smtp.received).toEqual([])
    await expectSentOnRetry(h, smtp, id, null)
  })

  test('relay stalled in the middle of DATA past the timeout: deferred as ambiguous (all written), server took nothing; sent once', async () => {
    const { smtp, proxy, h } = await setup()
    proxy.fault = { afterCommand: /EHLO/, afterBytes: 100_000, kind: 'stall', direction: 'client' }
    const id = await submit(h)
    expect(await h.runner.drain()).toBe(1)
    const v = await view(h, id)
    // The client wrote its whole message into the proxy, which held it: from the client, a drop after DATA.
    expect(attempts(v)).toEqual([{ attempt: 1, outcome: 'deferred', reply: null, ambiguous: true, response: expect.stringMatching(/timeout/i) }])
    expect(smtp.received).toEqual([])
    await expectSentOnRetry(h, smtp, id, null)
  })

  test('451 at the end of DATA, then 250: deferred, then sent once with the same bytes', async () => {
    const { smtp, h } = await setup({ data: () => smtpReply(451, '4.3.0 Queue write failed, try again later') })
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(attempts(v)).toEqual([{ attempt: 1, outcome: 'deferred', reply: 451, ambiguous: false, response: '451 4.3.0 Queue write failed, try again later' }])
    expect(v.attempts[0].enhancedStatus).toBe('4.3.0')
    await expectSentOnRetry(h, smtp, id, 451)
  })

  test('421 on connect: deferred as a relay problem, then sent once when the relay takes connections again', async () => {
    const { smtp, h } = await setup({ connect: () => smtpReply(421, '4.3.2 Service shutting down') })
    const id = await submit(h)
    await h.runner.drain()
    const v = await view(h, id)
    expect(attempts(v)).toEqual([{ attempt: 1, outcome: 'deferred', reply: 421, ambiguous: false, response: '421 4.3.2 Service shutting down' }])
    expect(smtp.received).toEqual([])
    await expectSentOnRetry(h, smtp, id, 421)
  })

  test('AUTH refused (535): deferred, as the relay is at fault, with one relay-failing alert; sent once when the password is fixed', async () => {
    const { smtp, h } = await setup()
    const lines: Record<string, any>[] = []
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }))
    const config = { ...h.deps.config, relay: { ...h.deps.config.relay!, auth: { user: smtp.user, pass: 'wrong' } } }
    const bad = createDeps(config, { store: h.store, clock: h.clock, random: h.deps.random, logger })
    cleanups.push(async () => bad.relay?.close())
    const id = await submit(h)
    expect(await createQueueRunner(bad).drain()).toBe(1)
    const v = await view(h, id)
    expect(v.status).toBe('deferred')
    expect(attempts(v)).toEqual([
      { attempt: 1, outcome: 'deferred', reply: 535, ambiguous: false, response: expect.stringContaining('535 5.7.8 Authentication credentials invalid') },
    ])
    expect(lines.filter((l) => l.alert).map((l) => [l.level, l.alert, l.problem, l.reply])).toEqual([[50, 'relay-failing', 'EAUTH', 535]])
    // The password is fixed: the right relay client, same alert scope (the process's config object).
    const good = createDeps(config, { store: h.store, clock: h.clock, random: h.deps.random, logger, relay: h.deps.relay })
    await expectSentOnRetry(h, smtp, id, 535, () => createQueueRunner(good).drain())
    expect(lines.filter((l) => l.alert).map((l) => l.alert)).toEqual(['relay-failing', 'relay-recovered'])
  })
})
