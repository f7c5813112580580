import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, describe, expect, test } from 'vitest'
import { createDeps } from '../../lib/deps.js'
import { createQueueRunner } from '../../lib/send/queue-runner.js'
import { harness, headersOf, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpBehaviour } from '../servers/smtp.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

function recordingLogger() {
  const lines: Record<string, any>[] = []
  return { lines, logger: pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) })) }
}

async function setup(behaviour: SmtpBehaviour = {}) {
  const smtp = await startSmtp(behaviour)
  const h = await harness({ smtp })
  cleanups.push(
    () => smtp.close(),
    () => h.close(),
  )
  return { smtp, h }
}
const submit = async (h: Harness, body: Record<string, unknown>) => {
  const res = await h.call('POST', '/v1/messages', { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't', ...body })
  expect(res.status).toBe(202)
  return res.json.id as string
}
const view = async (h: Harness, id: string) => (await h.call('GET', `/v1/messages/${id}`)).json

describe('the Date header', () => {
  test('is the time of the first attempt, not of acceptance, and stays the same on every retry', async () => {
    const { smtp, h } = await setup({ rcpt: () => smtpReply(451, '4.7.1 later') })
    const accepted = h.clock.now()
    const id = await submit(h, { sendAt: new Date(accepted + 7 * 24 * 3600_000 - 60_000).toISOString() })
    h.clock.advance(7 * 24 * 3600_000)
    await h.runner.drain()
    const first = new Date(h.clock.now()).toUTCString().replace('GMT', '+0000')
    smtp.behave({})
    h.clock.advance(3600_000)
    await h.runner.drain()
    const [sent] = smtp.received
    expect(headersOf(sent.raw).get('date')).toEqual([first])
    const v = await view(h, id)
    expect(v).toMatchObject({ status: 'sent', date: new Date(accepted + 7 * 24 * 3600_000).toISOString() })
    expect(v.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['deferred', 'sent'])
  })
})

describe('the bytes of a retry', () => {
  test('are the bytes of the first attempt: same Message-ID, Date and MIME boundaries', async () => {
    const { smtp, h } = await setup({ data: () => 'drop' })
    const id = await submit(h, { html: '<p>hi</p>', attachments: [{ filename: 'a.txt', content: Buffer.from('attached').toString('base64') }] })
    await h.runner.drain()
    expect((await view(h, id)).attempts[0]).toMatchObject({ outcome: 'deferred', ambiguous: true })
    smtp.behave({})
    h.clock.advance(3600_000)
    await h.runner.drain()
    expect((await view(h, id)).status).toBe('sent')
    expect(smtp.received).toHaveLength(2)
    expect(smtp.received[1].raw.equals(smtp.received[0].raw)).toBe(true)
    expect(smtp.received[0].raw.toString()).toContain(id.toLowerCase())
  })
})

describe('addresses that need SMTPUTF8 (RFC 6531)', () => {
  test('are sent with SMTPUTF8 when the relay offers it', async () => {
    const { smtp, h } = await setup()
    const id = await submit(h, { to: 'jörg@example.org' })
    await h.runner.drain()
    expect((await view(h, id)).status).toBe('sent')
    expect(smtp.received[0]).toMatchObject({ rcptTo: ['jörg@example.org'], smtpUtf8: true })
  })

  test('fail with 5.6.7 instead of going out as raw UTF-8 when the relay lacks it; IDN domains go out as A-labels', async () => {
    const { smtp, h } = await setup({ options: { hideSMTPUTF8: true } })
    const inHeader = await submit(h, { to: ['jörg@example.org', 'bob@bücher.example'] })
    await h.runner.drain()
    expect(await view(h, inHeader)).toMatchObject({
      status: 'failed',
      reason: 'smtputf8_unsupported',
      rejected: [
        { recipient: 'jörg@example.org', reply: null, enhancedStatus: '5.6.7' },
        { recipient: 'bob@xn--bcher-kva.example', reply: null, enhancedStatus: '5.6.7' },
      ],
    })
    expect(smtp.received).toEqual([])
    // Only a Bcc recipient needs it: the others are sent (the domain as punycode), that one fails.
    const inBcc = await submit(h, { to: 'bob@bücher.example', bcc: 'jörg@example.org' })
    await h.runner.drain()
    expect(await view(h, inBcc)).toMatchObject({
      status: 'sent',
      accepted: ['bob@xn--bcher-kva.example'],
      rejected: [{ recipient: 'jörg@example.org', enhancedStatus: '5.6.7' }],
    })
    // On the wire (smtp-server shows the domain decoded in its envelope): the A-label, no SMTPUTF8.
    expect(smtp.commands.filter((c) => /^(MAIL|RCPT)/.test(c))).toEqual(['MAIL FROM:<ops@example.com>', 'RCPT TO:<bob@xn--bcher-kva.example>'])
    expect(smtp.received.map((m) => m.smtpUtf8)).toEqual([false])
    expect(smtp.commands.filter((c) => /[^\x00-\x7f]/.test(c))).toEqual([])
  })
})

describe('logs', () => {
  test('a deferred attempt logs warn and a failure error, with the recipient domains and the reply', async () => {
    const { logger, lines } = recordingLogger()
    const smtp = await startSmtp({ rcpt: (a) => (a.startsWith('later@') ? smtpReply(451, '4.7.1 greylisted') : smtpReply(550, '5.1.1 unknown user')) })
    const h = await harness({ smtp })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const deps = createDeps(h.deps.config, { store: h.store, clock: h.clock, logger })
    const runner = createQueueRunner(deps)
    cleanups.push(
      () => runner.stop(),
      async () => deps.relay?.close(),
    )
    await submit(h, { to: 'later@example.org' })
    await submit(h, { to: 'gone@example.net' })
    await runner.drain()
    const attempts = lines.filter((l) => String(l.msg).startsWith('delivery attempt'))
    expect(attempts.map((l) => [l.level, l.outcome, l.recipientDomains, l.reply, l.enhancedStatus]).sort()).toEqual([
      [40, 'deferred', ['example.org'], 451, '4.7.1'],
      [50, 'failed', ['example.net'], 550, '5.1.1'],
    ])
  })

  test('a relay refusing AUTH logs one relay-failing alert for many messages, and one line when it recovers', async () => {
    const { logger, lines } = recordingLogger()
    const smtp = await startSmtp()
    const h = await harness({ smtp })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const bad = { ...h.deps.config, relay: { ...h.deps.config.relay!, auth: { user: smtp.user, pass: 'wrong' } } }
    const deps = createDeps(bad, { store: h.store, clock: h.clock, logger })
    const runner = createQueueRunner(deps)
    cleanups.push(
      () => runner.stop(),
      async () => deps.relay?.close(),
    )
    for (let i = 0; i < 5; i++) await submit(h, {})
    await runner.drain()
    expect(lines.filter((l) => l.alert === 'relay-failing').map((l) => [l.level, l.problem, l.reply])).toEqual([[50, 'EAUTH', 535]])
    expect(lines.filter((l) => l.level >= 40 && String(l.msg).startsWith('delivery attempt'))).toEqual([])
    // The password is fixed (a new process with the right one, same tracker scope as the config object).
    const good = createDeps(bad, { store: h.store, clock: h.clock, logger, relay: h.deps.relay })
    h.clock.advance(3600_000)
    await createQueueRunner(good).drain()
    expect(lines.filter((l) => l.alert === 'relay-recovered')).toHaveLength(1)
    expect(smtp.received).toHaveLength(5)
  })
})
