import { afterAll, beforeAll, expect, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { harness, type Harness } from '../harness.js'
import { runDocQuery } from './duckdb-queries.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

const inbound = (n: number) =>
  Buffer.from(
    `From: Dana <dana@example.net>\r\nTo: support@example.test\r\nCc: ops@example.test\r\nSubject: ticket ${n}\r\nMessage-ID: <t${n}@example.net>\r\nDate: Wed, 02 Dec 2026 09:00:00 +0000\r\n\r\nHelp ${n}\r\n`,
  )

let dovecot: DovecotServer
let smtp: SmtpTestServer
let failing: WebhookReceiver
let healthy: WebhookReceiver
let h: Harness
const ids: Record<string, string> = {}
const times: string[] = []

beforeAll(async () => {
  dovecot = await startDovecot()
  // The relay refuses bob (550) and greylists slow (451); the failing endpoint answers 503 to everything.
  smtp = await startSmtp({
    rcpt: (a) => (a.startsWith('bob@') ? smtpReply(550, '5.1.1 unknown user') : a.startsWith('slow@') ? smtpReply(451, '4.7.1 greylisted') : undefined),
  })
  failing = await startWebhookReceiver()
  failing.reply(...Array.from({ length: 10 }, () => ({ status: 503, body: 'down for maintenance' })))
  healthy = await startWebhookReceiver()
  const user = await dovecot.addUser('support@example.test')
  await dovecot.append(user, 'INBOX', [inbound(1), inbound(2)])
  h = await harness({
    smtp,
    clockStart: Date.now(),
    config: {
      mailboxes: [dovecotMailbox(dovecot, user, 'imap', { id: 'support' }) as never],
      webhooks: [
        { id: 'crm', url: failing.url, secret: failing.secret, eventTypes: ['message.failed'], retry: { maxAttempts: 2 } },
        { id: 'audit', url: healthy.url, secret: healthy.secret, eventTypes: ['message.sent'] },
      ],
      logs: { flushEvents: 1000, flushMs: 3_600_000 },
    },
  })
  for (const [name, to] of [
    ['carol', 'carol@example.com'],
    ['bob', 'bob@example.com'],
    ['slow', 'slow@example.com'],
  ]) {
    const res = await h.call('POST', '/v1/messages', { from: 'shop@example.com', to: [to], subject: `order for ${name}`, text: 'hi', tags: ['orders'] })
    expect(res.status).toBe(202)
    ids[name] = res.json.id
  }
  await h.runner.drain()
  times.push(new Date(h.clock.now()).toISOString())
  const dispatcher = createWebhookDispatcher(h.deps)
  await dispatcher.runAll()
  h.clock.advance(60_000)
  times.push(new Date(h.clock.now()).toISOString())
  await dispatcher.runAll()
  h.clock.advance(60_000)
  times.push(new Date(h.clock.now()).toISOString())
  expect(await pollMailbox(h.deps, h.deps.config.mailboxes[0])).toMatchObject({ stored: 2, error: null })
  await h.deps.eventLog.flush()
}, 60_000)

afterAll(async () => {
  await h?.close()
  await Promise.all([smtp?.close(), failing?.close(), healthy?.close(), dovecot?.close()])
})

const run = (name: string, params: Record<string, string>) => runDocQuery((h.deps.config.store as { dir: string }).dir, name, params)

const attemptOf = async (id: string) => (await h.call('GET', `/v1/messages/${id}`)).json.attempts[0]

test('the log is one segment per partition per flush, named by flush time', async () => {
  const keys = await h.store.list('logs/events/')
  const day = times[0].slice(0, 10)
  expect(keys).toHaveLength(1)
  expect(keys[0]).toMatch(new RegExp(`^logs/events/dt=${day}/${times[2].replace(/[:.]/g, '-')}_[0-9a-f]{8}_000001\\.ndjson$`))
  const lines = (await h.store.get(keys[0]))!.body.toString('utf8').trimEnd().split('\n')
  // 3 outbound attempts and the first webhook attempts run concurrently: their order within a run is not fixed.
  const types = lines.map((l) => JSON.parse(l).type as string)
  expect([types.slice(0, 3).sort(), types.slice(3, 5), types.slice(5)]).toEqual([
    ['message.deferred', 'message.failed', 'message.sent'],
    ['webhook.attempt', 'webhook.attempt'],
    // crm's second attempt (503, then dead after 2), then the two received messages in mailbox order.
    ['webhook.attempt', 'message.received', 'message.received'],
  ])
})

test('"did my message to X go out and what did the server say?"', async () => {
  const carol = await attemptOf(ids.carol)
  expect(await run('sent-to', { recipient: 'carol@example.com' })).toEqual([
    {
      time: times[0],
      id: ids.carol,
      subject: 'order for carol',
      status: 'sent',
      attempt: 1,
      smtpCode: 250,
      enhancedStatus: carol.enhancedStatus,
      response: carol.response,
      reason: null,
    },
  ])
  expect(carol.response).toMatch(/^250 /)
  expect(await run('sent-to', { recipient: 'bob@example.com' })).toEqual([
    {
      time: times[0],
      id: ids.bob,
      subject: 'order for bob',
      status: 'failed',
      attempt: 1,
      smtpCode: 550,
      enhancedStatus: '5.1.1',
      response: (await attemptOf(ids.bob)).response,
      reason: 'rejected',
    },
  ])
  expect(await run('sent-to', { recipient: 'slow@example.com' })).toMatchObject([
    { id: ids.slow, status: 'deferred', attempt: 1, smtpCode: 451, enhancedStatus: '4.7.1', reason: null },
  ])
  expect(await run('sent-to', { recipient: 'nobody@example.com' })).toEqual([])
})

test('"which webhooks are failing?"', async () => {
  expect(await run('failing-webhooks', { day: times[0].slice(0, 10) })).toEqual([
    {
      endpoint: 'crm',
      failed_attempts: '2',
      dead_lettered: '1',
      succeeded: '0',
      last_failure: times[1],
      last_http_status: 503,
      last_reason: 'HTTP 503',
    },
  ])
  expect(failing.received.map((r) => r.payload?.type)).toEqual(['message.failed', 'message.failed'])
  expect(healthy.received.map((r) => r.payload?.type)).toEqual(['message.sent'])
})

test('"what arrived in mailbox Y today?"', async () => {
  const rows = await run('arrived-today', { mailbox: 'support', day: times[0].slice(0, 10) })
  expect(rows.map((r) => ({ ...r, id: undefined }))).toEqual(
    [1, 2].map((n) => ({
      time: times[2],
      id: undefined,
      from: 'dana@example.net',
      subject: `ticket ${n}`,
      recipients: ['support@example.test', 'ops@example.test'],
      folder: 'INBOX',
    })),
  )
  expect(await run('arrived-today', { mailbox: 'sales', day: times[0].slice(0, 10) })).toEqual([])
})
