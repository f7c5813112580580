import { describe, expect, onTestFinished, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import type { EventLogLine } from '../../lib/logs/event-log-line.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { harness, TEST_KEY } from '../harness.js'
import { storeDrivers } from '../store/drivers.js'
import { smtpReply, startSmtp } from '../servers/smtp.js'

const SEND = 'send-only-key-abcdef'
const READ = 'read-only-key-abcdef'

/** Every driver of test/store/drivers.ts. */
const drivers = storeDrivers.map((d) => ({
  name: d.name,
  async store() {
    const { store, close } = await d.setup()
    onTestFinished(close)
    return store
  },
}))

async function setup(driver: (typeof drivers)[number]) {
  const smtp = await startSmtp({ rcpt: (a) => (a.startsWith('bob@') ? smtpReply(550, '5.1.1 unknown user') : undefined) })
  const h = await harness({
    smtp,
    store: await driver.store(),
    config: {
      apiKeys: [
        { id: 'ops', hash: hashApiKey(TEST_KEY) },
        { id: 'send', hash: hashApiKey(SEND), scopes: ['send'] },
        { id: 'read', hash: hashApiKey(READ), scopes: ['read'] },
      ],
      logs: { flushEvents: 1000, flushMs: 3_600_000 },
    },
  })
  onTestFinished(async () => {
    await h.close()
    await smtp.close()
  })
  /** Sends one message per recipient (one attempt each, in turn) and writes the log: one segment per call. */
  async function send(...to: string[]) {
    const ids: string[] = []
    for (const t of to) {
      const res = await h.call('POST', '/v1/messages', { from: 'shop@example.com', to: t, subject: `to ${t}`, text: 'x' })
      expect(res.status).toBe(202)
      ids.push(res.json.id)
      await h.runner.drain()
      h.clock.advance(1000)
    }
    await h.deps.eventLog.flush()
    return ids
  }
  const get = async (query: string, key = READ) => h.call('GET', `/v1/events${query}`, undefined, { authorization: `Bearer ${key}` })
  return { h, send, get }
}

const brief = (l: EventLogLine) => [l.type, l.id, l.recipients.join(), l.smtpCode]

describe.each(drivers)('GET /v1/events on $name', (driver) => {
  test('pages the log in order with limit and cursor, then follows what is logged later', async () => {
    const { send, get } = await setup(driver)
    const [a, b, c] = await send('a@example.org', 'bob@example.org', 'c@example.org')
    const first = await get('?limit=2')
    expect(first.status).toBe(200)
    expect(first.json.data.map(brief)).toEqual([
      ['message.sent', a, 'a@example.org', 250],
      ['message.failed', b, 'bob@example.org', 550],
    ])
    expect(first.json.hasMore).toBe(true)
    const second = await get(`?limit=2&cursor=${first.json.cursor}`)
    expect(second.json.data.map(brief)).toEqual([['message.sent', c, 'c@example.org', 250]])
    expect(second.json.hasMore).toBe(false)
    // Caught up: the same cursor yields nothing until more is logged, then exactly the new events.
    const idle = await get(`?cursor=${second.json.cursor}`)
    expect(idle.json).toEqual({ data: [], cursor: second.json.cursor, hasMore: false })
    const [d] = await send('d@example.org')
    const next = await get(`?cursor=${idle.json.cursor}`)
    expect(next.json.data.map(brief)).toEqual([['message.sent', d, 'd@example.org', 250]])
    expect(next.json.hasMore).toBe(false)
  })

  test('types and since filter; since skips the segments flushed before it', async () => {
    const { h, send, get } = await setup(driver)
    const [, b] = await send('a@example.org', 'bob@example.org')
    const cut = new Date(h.clock.now()).toISOString()
    const [c, bob2] = await send('c@example.org', 'bob@example.org')
    expect((await get('?types=message.failed')).json.data.map(brief)).toEqual([
      ['message.failed', b, 'bob@example.org', 550],
      ['message.failed', bob2, 'bob@example.org', 550],
    ])
    expect((await get(`?since=${cut}`)).json.data.map(brief)).toEqual([
      ['message.sent', c, 'c@example.org', 250],
      ['message.failed', bob2, 'bob@example.org', 550],
    ])
    expect((await get(`?since=${cut}&types=message.sent,webhook.attempt`)).json.data.map(brief)).toEqual([['message.sent', c, 'c@example.org', 250]])
  })
})

describe('GET /v1/events refuses', () => {
  test('bad parameters with 400 validation_failed and the path of each', async () => {
    const { get } = await setup(drivers[0])
    const cases: [string, (string | number)[], string][] = [
      ['?limit=0', ['query', 'limit'], 'too_small'],
      ['?limit=101', ['query', 'limit'], 'too_big'],
      ['?since=yesterday', ['query', 'since'], 'invalid_format'],
      ['?types=message.sent,message.lost', ['query', 'types'], 'invalid_value'],
      ['?cursor=not-a-cursor', ['query', 'cursor'], 'invalid_cursor'],
      [`?cursor=${Buffer.from(JSON.stringify({ k: '../etc/passwd', n: null })).toString('base64url')}`, ['query', 'cursor'], 'invalid_cursor'],
      ['?color=red', ['query', 'color'], 'unknown_field'],
    ]
    for (const [query, path, code] of cases) {
      const res = await get(query)
      expect([query, res.status, res.json.error.code, res.json.error.issues.map((i: { path: unknown; code: string }) => [i.path, i.code])]).toEqual([
        query,
        400,
        'validation_failed',
        [[path, code]],
      ])
    }
  })

  test('a key without the read scope with 403 insufficient_scope', async () => {
    const { get } = await setup(drivers[0])
    const res = await get('', SEND)
    expect([res.status, res.json.error.code]).toEqual([403, 'insufficient_scope'])
    expect((await get('', TEST_KEY)).status).toBe(200)
  })
})
