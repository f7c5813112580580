import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { startInboundPolling } from '../../lib/inbound/start-polling.js'
import { startWebhookDelivery } from '../../lib/webhooks/start-delivery.js'
import type { PollSummary } from '../../lib/inbound/poll-summary.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startWebhookReceiver } from '../servers/webhook-receiver.js'
import { dovecotMailbox, tempFsStore, testDeps } from './harness.js'

const msg = (n: number) => Buffer.from(`From: s@example.test\r\nSubject: loop ${n}\r\nMessage-ID: <loop${n}@example.test>\r\n\r\nbody ${n}\r\n`)

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

const until = async (cond: () => boolean, ms = 90_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('polling every mailbox', () => {
  test('wrong credentials and an unreachable server back off while another mailbox is polled and delivered', { timeout: 180_000 }, async () => {
    const good = await dovecot.addUser('good@example.test')
    const bad = await dovecot.addUser('bad@example.test')
    await dovecot.append(good, 'INBOX', [msg(1), msg(2)])
    const receiver = await startWebhookReceiver()
    onTestFinished(() => receiver.close())
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const lines: any[] = []
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }))
    const deps = testDeps(
      {
        mailboxes: [
          dovecotMailbox(dovecot, good, 'imap', { schedule: 'rate(1 second)' }),
          dovecotMailbox(dovecot, { ...bad, password: 'wrong' }, 'imap', { schedule: 'rate(1 second)' }),
          { ...dovecotMailbox(dovecot, bad, 'pop3', { schedule: 'rate(1 second)' }), id: 'down', port: 1 },
        ],
        webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
        inbound: { errorBackoff: { baseDelayMs: 60_000 } },
      },
      store,
      { logger, random: () => 0.5 },
    )
    const polls: PollSummary[] = []
    const polling = startInboundPolling(deps, { onPoll: (s) => polls.push(s) })
    const delivery = startWebhookDelivery(deps)
    try {
      await until(() => polls.filter((p) => p.mailbox === 'good-example-test').length >= 3 && polls.some((p) => p.mailbox === 'bad-example-test'))
      await until(() => receiver.received.length === 2)
    } finally {
      await polling.stop()
      await delivery.stop()
    }
    const byBox = (id: string) => polls.filter((p) => p.mailbox === id)
    expect(byBox('good-example-test')[0]).toMatchObject({ stored: 2, error: null })
    expect(byBox('bad-example-test')).toHaveLength(1)
    expect(byBox('bad-example-test')[0].error?.message).toMatch(/auth|Command failed/i)
    expect(byBox('down')).toHaveLength(1)
    const backoffs = lines.filter((l) => l.msg === 'poll failed; backing off')
    expect(backoffs.map((l) => [l.mailbox, l.consecutiveFailures, l.retryInMs]).sort()).toEqual([
      ['bad-example-test', 1, 60_000],
      ['down', 1, 60_000],
    ])
    expect(receiver.received.map((r) => r.payload!.data.message.subject).sort()).toEqual(['loop 1', 'loop 2'])
  })

  test('of two overlapping polls of one mailbox, one takes the lease and the other skips', async () => {
    const u = await dovecot.addUser('overlap@example.test')
    await dovecot.append(u, 'INBOX', [msg(3), msg(4)])
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const deps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u, 'imap')] }, store)
    const [a, b] = await Promise.all([pollMailbox(deps, deps.config.mailboxes[0]), pollMailbox(deps, deps.config.mailboxes[0])])
    expect([a.busy, b.busy].sort()).toEqual([false, true])
    expect(a.stored + b.stored).toBe(2)
  })
})
