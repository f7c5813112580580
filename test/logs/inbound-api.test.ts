import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { hourlyCounts } from '../../lib/logs/hourly-counts.js'
import { inboundTail } from '../../lib/logs/inbound-index.js'
import { inboundIndexKeys } from '../../lib/store/keys.js'
import { harness, TEST_KEY, type Harness } from '../harness.js'
import { storeDrivers } from '../store/drivers.js'
import { mail, PDF } from './mail.js'

const SEND = 'send-only-key-abcdef'
const as = (key: string) => ({ authorization: `Bearer ${key}` })
const HOUR = 3_600_000
const T0 = Date.parse('2026-11-29T08:00:00.000Z')
// Name → [mailbox, hours after T0, message]
const SEED: Record<string, [string, number, Buffer]> = {
  i1: ['support', 0, mail(1, { from: 'Carol <carol@example.com>', to: 'support@example.org', subject: 'Invoice 42' })],
  i2: ['sales', 1, mail(2, { from: 'dave@example.com', to: 'sales@example.org', cc: 'Support@Example.org', subject: 'Quote' })],
  i3: ['support', 2, mail(3, { from: 'carol@example.com', to: 'support@example.org', subject: 'Re: invoice 42', attach: 'résumé ü.pdf' })],
  i4: ['support', 3, mail(4, { from: 'erin@example.com', to: 'support@example.org', subject: 'hello', attach: '../../etc/passwd' })],
  i5: ['sales', 26, mail(5, { from: 'carol@example.com', to: 'sales@example.org', subject: 'next day' })],
}

describe.each(storeDrivers)('received mail API on $name', (driver) => {
  let h: Harness
  let closeStore: () => Promise<void>
  const ids: Record<string, string> = {}
  const newest = (...names: string[]) => names.map((n) => ids[n])

  beforeAll(async () => {
    const s = await driver.setup()
    closeStore = s.close
    h = await harness({
      store: s.store,
      clockStart: T0 + 27 * HOUR,
      config: {
        apiKeys: [
          { id: 'ops', hash: hashApiKey(TEST_KEY) },
          { id: 'app', hash: hashApiKey(SEND), scopes: ['send'] },
        ],
      },
    })
    for (const [name, [mailbox, hours, raw]] of Object.entries(SEED)) {
      const state = await loadMailboxState(h.store, mailbox)
      const out = await ingestMessage(h.deps, mailbox, state, { raw, receivedAt: new Date(T0 + hours * HOUR).toISOString(), folder: 'INBOX' })
      await state.save()
      expect(out.kind).toBe('stored')
      ids[name] = out.id
    }
    // The same bytes in a second mailbox share the id.
    const state = await loadMailboxState(h.store, 'archive')
    await ingestMessage(h.deps, 'archive', state, { raw: SEED.i1[2], receivedAt: new Date(T0 + 4 * HOUR).toISOString(), folder: 'INBOX' })
    await state.save()
  })
  afterAll(async () => {
    await h?.close()
    await closeStore?.()
  })

  const list = async (query: string) => {
    const res = await h.call('GET', `/v1/inbound${query}`)
    expect(res.status).toBe(200)
    return res.json as { data: { id: string; mailbox: string }[]; nextCursor: string | null }
  }
  const idsOf = async (query: string) => (await list(query)).data.map((m) => `${m.id}.${m.mailbox}`)
  const at = (name: string, mailbox = SEED[name][0]) => `${ids[name]}.${mailbox}`

  test('no filter: every stored message, newest first, with its summary', async () => {
    expect(await idsOf('')).toEqual([at('i5'), at('i1', 'archive'), at('i4'), at('i3'), at('i2'), at('i1')])
    const page = await list('?mailbox=support&limit=1&since=2026-11-29T10:00:00Z&until=2026-11-29T10:00:00Z')
    expect(page.data).toEqual([
      {
        id: ids.i3,
        mailbox: 'support',
        receivedAt: '2026-11-29T10:00:00.000Z',
        messageId: '<in-3@example.net>',
        date: null,
        from: ['carol@example.com'],
        to: ['support@example.org'],
        cc: [],
        subject: 'Re: invoice 42',
        size: SEED.i3[2].length,
        attachments: 1,
        parseError: null,
      },
    ])
  })

  test('/openapi.json documents every inbound route, its parameters and the exact summary shape', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json
    const names = (path: string) => doc.paths[path].get.parameters.map((p: { name: string }) => p.name)
    expect(names('/v1/inbound')).toEqual(['mailbox', 'from', 'to', 'subject', 'since', 'until', 'limit', 'cursor'])
    expect(names('/v1/inbound/{id}')).toEqual(['id', 'mailbox', 'expires', 'signature'])
    expect(names('/v1/inbound/{id}/raw')).toEqual(['id', 'mailbox', 'expires', 'signature'])
    expect(names('/v1/inbound/{id}/attachments/{attachmentId}')).toEqual(['id', 'attachmentId', 'mailbox', 'expires', 'signature'])
    const item = (await list('?limit=1')).data[0]
    expect(Object.keys(doc.components.schemas.InboundSummary.properties).sort()).toEqual(Object.keys(item).sort())
  })

  test('hourly counts: received per hour of receivedAt', async () => {
    const counts = await hourlyCounts(h.deps, T0, T0 + 5 * HOUR)
    expect(counts.map((c) => [c.hour, c.received, c.sent])).toEqual([0, 1, 2, 3, 4, 5].map((n) => [new Date(T0 + n * HOUR).toISOString(), n < 5 ? 1 : 0, 0]))
  })

  test('mailbox, from (case-insensitive), to (To or Cc)', async () => {
    expect(await idsOf('?mailbox=support')).toEqual([at('i4'), at('i3'), at('i1')])
    expect(await idsOf('?mailbox=archive')).toEqual([at('i1', 'archive')])
    expect(await idsOf('?mailbox=nowhere')).toEqual([])
    expect(await idsOf('?from=CAROL@example.com')).toEqual([at('i5'), at('i1', 'archive'), at('i3'), at('i1')])
    expect(await idsOf('?from=carol@example.com&mailbox=support')).toEqual([at('i3'), at('i1')])
    expect(await idsOf('?to=support@example.org')).toEqual([at('i1', 'archive'), at('i4'), at('i3'), at('i2'), at('i1')])
  })

  test('subject substring, case-insensitive', async () => {
    expect(await idsOf('?subject=INVOICE')).toEqual([at('i1', 'archive'), at('i3'), at('i1')])
    expect(await idsOf('?subject=invoice&mailbox=support&from=carol@example.com')).toEqual([at('i3'), at('i1')])
    expect(await idsOf('?subject=nothing-like-this')).toEqual([])
  })

  test("since and until: today's mail of one mailbox", async () => {
    expect(await idsOf('?mailbox=sales&since=2026-11-30')).toEqual([at('i5')])
    expect(await idsOf('?since=2026-11-29T09:00:00Z&until=2026-11-29T11:00:00Z')).toEqual([at('i4'), at('i3'), at('i2')])
    expect(await idsOf('?since=2h')).toEqual([at('i5')])
  })

  test('pages with a cursor', async () => {
    const p1 = await list('?limit=4')
    const p2 = await list(`?limit=4&cursor=${p1.nextCursor}`)
    expect([...p1.data, ...p2.data].map((m) => `${m.id}.${m.mailbox}`)).toEqual([at('i5'), at('i1', 'archive'), at('i4'), at('i3'), at('i2'), at('i1')])
    expect(p2.nextCursor).toBeNull()
  })

  test('an entry of a message not fully stored (no marker: a crash mid-ingest) is skipped', async () => {
    const ghost = inboundTail('2026-11-29T11:30:00.000Z', 'm' + '0'.repeat(32), 'support')
    await h.store.put(inboundIndexKeys.entry(inboundIndexKeys.all, ghost), JSON.stringify({ id: 'm' + '0'.repeat(32), mailbox: 'support' }))
    await h.store.put(inboundIndexKeys.entry(inboundIndexKeys.mailbox('support'), ghost), '')
    expect(await idsOf('?mailbox=support')).toEqual([at('i4'), at('i3'), at('i1')])
    expect((await idsOf('')).length).toBe(6)
  })

  test('GET /v1/inbound/{id}: the stored JSON document; ?mailbox picks among mailboxes', async () => {
    const res = await h.call('GET', `/v1/inbound/${ids.i3}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect([res.json.id, res.json.mailbox, res.json.subject, res.json.attachments.map((a: { id: string; filename: string }) => [a.id, a.filename])]).toEqual([
      ids.i3,
      'support',
      'Re: invoice 42',
      [['att-1', 'résumé ü.pdf']],
    ])
    expect((await h.call('GET', `/v1/inbound/${ids.i1}`)).json.mailbox).toBe('archive')
    expect((await h.call('GET', `/v1/inbound/${ids.i1}?mailbox=support`)).json.mailbox).toBe('support')
    expect((await h.call('GET', `/v1/inbound/${ids.i2}?mailbox=support`)).status).toBe(404)
    expect((await h.call('GET', '/v1/inbound/m0123')).json.error.code).toBe('not_found')
  })

  test('GET /v1/inbound/{id}/raw: message/rfc822, byte-exact', async () => {
    const res = await fetchRaw(h, `/v1/inbound/${ids.i3}/raw`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('message/rfc822')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${ids.i3}.eml"`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(sha(res.body)).toBe(sha(SEED.i3[2]))
    expect(inboundMessageId(res.body)).toBe(ids.i3)
  })

  test('GET /v1/inbound/{id}/attachments/{attachmentId}: its bytes, type and a safe Content-Disposition', async () => {
    const res = await fetchRaw(h, `/v1/inbound/${ids.i3}/attachments/att-1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="resume u.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%C3%BC.pdf`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.body.equals(PDF)).toBe(true)
    const hostile = await fetchRaw(h, `/v1/inbound/${ids.i4}/attachments/att-1`)
    expect(hostile.headers.get('content-disposition')).toBe('attachment; filename="etc_passwd"')
    expect((await h.call('GET', `/v1/inbound/${ids.i3}/attachments/att-9`)).status).toBe(404)
  })

  test('scopes: a send-only key gets 403 insufficient_scope on every inbound route', async () => {
    for (const path of ['', `/${ids.i3}`, `/${ids.i3}/raw`, `/${ids.i3}/attachments/att-1`]) {
      const res = await h.call('GET', `/v1/inbound${path}`, undefined, as(SEND))
      expect([path, res.status, res.json.error.code]).toEqual([path, 403, 'insufficient_scope'])
    }
  })

  test('bad filters: 400 with the path of each', async () => {
    const res = await h.call('GET', '/v1/inbound?since=soon&limit=0&status=sent')
    expect(res.status).toBe(400)
    expect(res.json.error.issues.map((i: { path: unknown[]; code: string }) => [i.path, i.code])).toEqual([
      [['query', 'since'], 'invalid_time'],
      [['query', 'limit'], 'too_small'],
      [['query', 'status'], 'unknown_field'],
    ])
  })
})

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** A GET with the test key, keeping the body as bytes. */
async function fetchRaw(h: Harness, path: string) {
  const res = await h.fetch(path)
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}
