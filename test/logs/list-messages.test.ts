import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { hourlyCounts } from '../../lib/logs/hourly-counts.js'
import { invertId } from '../../lib/logs/index-order.js'
import { messageIndexKeys } from '../../lib/store/keys.js'
import { harness, TEST_KEY, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { storeDrivers } from '../store/drivers.js'

const SEND = 'send-only-key-abcdef'
const READ = 'read-key-abcdef'
const as = (key: string) => ({ authorization: `Bearer ${key}` })
const START = Date.parse('2026-11-29T12:00:00.000Z')
const MINUTE = 60_000

describe.each(storeDrivers)('GET /v1/messages on $name', (driver) => {
  let smtp: SmtpTestServer
  let h: Harness
  let closeStore: () => Promise<void>
  /** Ids by name, sent one minute apart in this order. */
  const ids: Record<string, string> = {}
  const order = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']
  const newest = (...names: string[]) => names.map((n) => ids[n])

  beforeAll(async () => {
    smtp = await startSmtp({
      rcpt: (a) => (a.startsWith('fail') ? smtpReply(550, '5.1.1 no such user') : a.startsWith('defer') ? smtpReply(451, '4.7.1 greylisted') : undefined),
    })
    const s = await driver.setup()
    closeStore = s.close
    h = await harness({
      smtp,
      store: s.store,
      clockStart: START,
      config: {
        apiKeys: [
          { id: 'ops', hash: hashApiKey(TEST_KEY) },
          { id: 'app', hash: hashApiKey(SEND), scopes: ['send'] },
          { id: 'reader', hash: hashApiKey(READ), scopes: ['read'] },
        ],
      },
    })
    const base = { from: 'a@example.com', subject: 'hello', text: 'hi' }
    const bodies: Record<string, [object, string?]> = {
      m1: [{ ...base, to: 'ok1@example.org', tags: ['welcome'] }],
      m2: [{ ...base, to: 'fail1@example.org' }],
      m3: [{ ...base, to: 'defer1@example.org' }],
      m4: [{ ...base, to: 'carol@example.com', cc: 'ok2@example.org', tags: ['Digest'] }],
      m5: [{ ...base, to: 'ok3@example.org', sendAt: '2026-12-01T00:00:00Z' }],
      m6: [{ ...base, from: 'b@example.com', to: 'fail2@example.org' }],
      m7: [{ ...base, to: 'ok4@example.org', sendAt: '2026-12-01T00:00:00Z' }],
      m8: [{ ...base, to: 'Carol@Example.com' }, SEND],
    }
    for (const name of order) {
      const [body, key] = bodies[name]
      const res = await h.call('POST', '/v1/messages', body, key ? as(key) : {})
      expect(res.status).toBe(202)
      ids[name] = res.json.id
      h.clock.advance(MINUTE)
    }
    expect((await h.call('DELETE', `/v1/messages/${ids.m7}`)).status).toBe(200)
    await h.runner.drain()
  })
  afterAll(async () => {
    await h?.close()
    await closeStore?.()
    await smtp?.close()
  })

  const list = async (query: string, key = TEST_KEY) => {
    const res = await h.call('GET', `/v1/messages${query}`, undefined, as(key))
    expect(res.status).toBe(200)
    return res.json as { data: { id: string; status: string }[]; nextCursor: string | null }
  }
  const idsOf = async (query: string, key?: string) => (await list(query, key)).data.map((m) => m.id)

  test('no filter: every message, newest first, with its current status', async () => {
    const page = await list('')
    expect(page.data.map((m) => [m.id, m.status])).toEqual([
      [ids.m8, 'sent'],
      [ids.m7, 'canceled'],
      [ids.m6, 'failed'],
      [ids.m5, 'scheduled'],
      [ids.m4, 'sent'],
      [ids.m3, 'deferred'],
      [ids.m2, 'failed'],
      [ids.m1, 'sent'],
    ])
    expect(page.nextCursor).toBeNull()
  })

  test('/openapi.json documents the route: its query parameters and the exact item shape', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json
    const op = doc.paths['/v1/messages'].get
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['status', 'to', 'from', 'tag', 'since', 'until', 'limit', 'cursor'])
    const item = (await list('?limit=1')).data[0]
    expect(Object.keys(doc.components.schemas.MessageListItem.properties).sort()).toEqual(Object.keys(item).sort())
    expect(doc.components.schemas.MessagePage.properties.data.items).toEqual({ $ref: '#/components/schemas/MessageListItem' })
  })

  test('hourly counts (lib/logs/hourly-counts.ts): messages by the hour they were accepted in, by current status', async () => {
    const hour = (h: number, c: Partial<Record<string, number>> = {}) => ({
      hour: new Date(START + h * 3_600_000).toISOString(),
      sent: 0,
      deferred: 0,
      failed: 0,
      bounced: 0,
      received: 0,
      ...c,
    })
    expect(await hourlyCounts(h.deps, START - 3_600_000, START + 3_600_000)).toEqual([hour(-1), hour(0, { sent: 3, deferred: 1, failed: 2 }), hour(1)])
    expect(await hourlyCounts(h.deps, START + 7 * MINUTE, START + 7 * MINUTE)).toEqual([hour(0, { sent: 1 })])
  })

  test('an item carries the summary and the state', async () => {
    const page = await list('?status=failed&from=b@example.com')
    expect(page.data).toEqual([
      {
        id: ids.m6,
        messageId: `<${ids.m6.toLowerCase()}@postern.localhost>`,
        status: 'failed',
        reason: 'rejected',
        createdAt: new Date(START + 5 * MINUTE).toISOString(),
        updatedAt: new Date(START + 8 * MINUTE).toISOString(),
        sendAt: null,
        nextAttemptAt: null,
        attempts: 1,
        from: 'b@example.com',
        to: ['fail2@example.org'],
        cc: [],
        bcc: [],
        subject: 'hello',
        tags: [],
      },
    ])
  })

  test('status: one, several, and statuses left behind hold no entries', async () => {
    expect(await idsOf('?status=failed')).toEqual(newest('m6', 'm2'))
    expect(await idsOf('?status=failed,deferred')).toEqual(newest('m6', 'm3', 'm2'))
    expect(await idsOf('?status=sent')).toEqual(newest('m8', 'm4', 'm1'))
    expect(await idsOf('?status=scheduled')).toEqual(newest('m5'))
    expect(await idsOf('?status=canceled')).toEqual(newest('m7'))
    expect(await idsOf('?status=queued')).toEqual([])
    expect(await idsOf('?status=bounced')).toEqual([])
    // The entry of the status a message left was deleted, not just skipped.
    expect(await h.store.list(messageIndexKeys.status('queued'))).toEqual([])
    expect(await h.store.list(messageIndexKeys.status('scheduled'))).toEqual([messageIndexKeys.status('scheduled') + invertId(ids.m5)])
  })

  test('to (any recipient, case-insensitive), from and tag', async () => {
    expect(await idsOf('?to=carol@example.com')).toEqual(newest('m8', 'm4'))
    expect(await idsOf('?to=OK2@example.org')).toEqual(newest('m4'))
    expect(await idsOf('?to=nobody@example.org')).toEqual([])
    expect(await idsOf('?from=a@example.com')).toEqual(newest('m8', 'm7', 'm5', 'm4', 'm3', 'm2', 'm1'))
    expect(await idsOf('?from=b@example.com')).toEqual(newest('m6'))
    expect(await idsOf('?tag=digest')).toEqual(newest('m4'))
    expect(await idsOf('?tag=welcome&status=sent')).toEqual(newest('m1'))
    expect(await idsOf('?tag=welcome&status=failed')).toEqual([])
  })

  test('since and until, ISO 8601 and a time ago, inclusive', async () => {
    const at = (name: string) => new Date(START + order.indexOf(name) * MINUTE).toISOString()
    expect(await idsOf(`?since=${at('m3')}&until=${at('m5')}`)).toEqual(newest('m5', 'm4', 'm3'))
    expect(await idsOf(`?until=${at('m2')}`)).toEqual(newest('m2', 'm1'))
    expect(await idsOf(`?since=${at('m7')}`)).toEqual(newest('m8', 'm7'))
    // The clock is at START + 8 min: 3m ago is m6's time.
    expect(await idsOf('?since=3m')).toEqual(newest('m8', 'm7', 'm6'))
    expect(await idsOf('?status=failed&since=2026-11-29T12:02:00Z')).toEqual(newest('m6'))
    expect(await idsOf('?since=2026-11-30')).toEqual([])
  })

  test('pages: limit and an opaque cursor, no message twice or left out', async () => {
    const p1 = await list('?limit=3')
    const p2 = await list(`?limit=3&cursor=${p1.nextCursor}`)
    const p3 = await list(`?limit=3&cursor=${p2.nextCursor}`)
    expect([p1.data.map((m) => m.id), p2.data.map((m) => m.id), p3.data.map((m) => m.id)]).toEqual([
      newest('m8', 'm7', 'm6'),
      newest('m5', 'm4', 'm3'),
      newest('m2', 'm1'),
    ])
    expect(p3.nextCursor).toBeNull()
    const f1 = await list('?status=sent,failed&limit=2')
    const f2 = await list(`?status=sent,failed&limit=2&cursor=${f1.nextCursor}`)
    const f3 = await list(`?status=sent,failed&limit=2&cursor=${f2.nextCursor}`)
    expect([...f1.data, ...f2.data, ...f3.data].map((m) => m.id)).toEqual(newest('m8', 'm6', 'm4', 'm2', 'm1'))
    expect(f3.nextCursor).toBeNull()
  })

  test('a send-only key sees its own messages; a read key every key’s', async () => {
    expect(await idsOf('', SEND)).toEqual(newest('m8'))
    expect(await idsOf('?to=carol@example.com', SEND)).toEqual(newest('m8'))
    expect(await idsOf('?status=failed', SEND)).toEqual([])
    expect((await idsOf('', READ)).length).toBe(8)
  })

  test('an entry whose message was never stored (a crash before the request) is skipped', async () => {
    const ghost = '01KB0000000000000000000000'
    await h.store.put(messageIndexKeys.all + invertId(ghost), JSON.stringify({ id: ghost }))
    await h.store.put(messageIndexKeys.status('failed') + invertId(ghost), '')
    expect(await idsOf('?status=failed')).toEqual(newest('m6', 'm2'))
    expect((await idsOf('')).length).toBe(8)
    await h.store.delete(messageIndexKeys.all + invertId(ghost))
    await h.store.delete(messageIndexKeys.status('failed') + invertId(ghost))
  })

  test('bad filters: 400 validation_failed with the path of each', async () => {
    const res = await h.call('GET', '/v1/messages?status=failed,lost&limit=500&since=yesterday&foo=1&cursor=xyz')
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('validation_failed')
    expect(res.json.error.issues.map((i: { path: unknown[]; code: string }) => [i.path, i.code])).toEqual([
      [['query', 'status'], 'invalid_value'],
      [['query', 'since'], 'invalid_time'],
      [['query', 'limit'], 'too_big'],
      [['query', 'foo'], 'unknown_field'],
    ])
    const bad = await h.call('GET', '/v1/messages?cursor=xyz')
    expect([bad.status, bad.json.error.issues[0].path, bad.json.error.issues[0].code]).toEqual([400, ['query', 'cursor'], 'invalid_cursor'])
  })
})
