// Ops lists (issue 11): with N messages and N inbound documents stored, the time and store reads to list
// 1. the newest 50 `failed` messages, 2. the newest 50 to one recipient, 3. today's inbound of one mailbox (newest
// 50), each through the list indexes (lib/logs/) and by a plain prefix scan of the same data (list the records,
// read each, filter, sort), in one run, per driver. Prints medians, the ratio scan / index, and reads per page.
// Records and index entries are written through the real writers (indexAcceptedMessage, withStatusIndex,
// indexInboundMessage) straight to the store, without SMTP or parsing, for speed.
// Usage: npm run bench:logs [-- --sqlite 100000 --fs 20000]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pLimit from 'p-limit'
import type { ApiKeyConfig } from '../lib/config/schema.js'
import { createIdFactory } from '../lib/id.js'
import { indexInboundMessage } from '../lib/logs/inbound-index.js'
import { listInbound } from '../lib/logs/list-inbound.js'
import { listMessages } from '../lib/logs/list-messages.js'
import { indexAcceptedMessage, withStatusIndex } from '../lib/logs/message-index.js'
import type { InboundMessage } from '../lib/normalize/inbound-message.js'
import { initialState, type AcceptedRequest, type MessageState } from '../lib/send/records.js'
import { createFsStore } from '../lib/store/fs-store.js'
import { getJson, putJson } from '../lib/store/json.js'
import { inboundMessageKeys, messageKeys } from '../lib/store/keys.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { createSqliteStore } from '../lib/store/sqlite-store.js'

const arg = (name: string, dflt: number) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : dflt)
const COUNTS = { sqlite: arg('sqlite', 100_000), fs: arg('fs', 20_000) }
const NOW = Date.parse('2026-12-02T15:00:00.000Z')
const DAYS = 30
const RECIPIENTS = 1000
const MAILBOXES = 10
const KEY: ApiKeyConfig = { id: 'ops', hash: 'x'.repeat(64) } as ApiKeyConfig
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** The store with its reads counted: gets, lists and keys listed. */
function counting(store: ObjectStore) {
  const n = { gets: 0, lists: 0, listed: 0 }
  const wrapped: ObjectStore = new Proxy(store, {
    get(t, p, r) {
      if (p === 'get') return (k: string) => (n.gets++, t.get(k))
      if (p === 'list')
        return async (prefix: string, o?: { startAfter?: string; limit?: number }) => {
          n.lists++
          const keys = await t.list(prefix, o)
          n.listed += keys.length
          return keys
        }
      return Reflect.get(t, p, r)
    },
  })
  return { store: wrapped, n, reset: () => Object.assign(n, { gets: 0, lists: 0, listed: 0 }) }
}

/** Writes `count` messages (2% failed, 5% deferred, the rest sent) spread over 30 days, 1,000 recipients. */
async function seedMessages(store: ObjectStore, count: number) {
  const limit = pLimit(64)
  const ids = Array.from({ length: count }, (_, i) => createIdFactory(() => NOW - DAYS * 86_400_000 + Math.floor((i * DAYS * 86_400_000) / count))())
  await Promise.all(
    ids.map((id, i) =>
      limit(async () => {
        const createdAt = new Date(NOW - DAYS * 86_400_000 + Math.floor((i * DAYS * 86_400_000) / count)).toISOString()
        const record: AcceptedRequest = {
          id,
          messageId: `<${id.toLowerCase()}@bench.example>`,
          apiKeyId: 'ops',
          createdAt,
          request: {
            from: { address: 'alerts@example.com' },
            to: [{ address: `user${i % RECIPIENTS}@example.org` }],
            subject: `report ${i}`,
            text: 'x'.repeat(500),
          } as AcceptedRequest['request'],
        }
        await indexAcceptedMessage(store, record)
        await putJson(store, messageKeys(id).request, record, { ifNoneMatch: '*' })
        const from = initialState(record)
        const status = i % 50 === 7 ? 'failed' : i % 20 === 3 ? 'deferred' : 'sent'
        const next: MessageState = { ...from, status, attempts: 1, updatedAt: createdAt, nextAttemptAt: null }
        await withStatusIndex(store, from, next, false, () => putJson(store, messageKeys(id).state, next, { ifNoneMatch: '*', durable: false }))
      }),
    ),
  )
}

/** Writes `count` received messages over 30 days in 10 mailboxes: a small document, the marker, the index entries. */
async function seedInbound(store: ObjectStore, count: number) {
  const limit = pLimit(64)
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const id = `m${i.toString(16).padStart(32, '0')}`
        const mailbox = `box${i % MAILBOXES}`
        const doc = {
          id,
          mailbox,
          receivedAt: new Date(NOW - DAYS * 86_400_000 + Math.floor((i * DAYS * 86_400_000) / count)).toISOString(),
          messageId: `<in-${i}@example.net>`,
          date: null,
          from: [{ name: '', address: `sender${i % 500}@example.net` }],
          sender: null,
          to: [{ name: '', address: `${mailbox}@example.org` }],
          cc: [],
          subject: `question ${i}`,
          size: 2048,
          attachments: [],
          parseError: null,
        } as unknown as InboundMessage
        await Promise.all([putJson(store, inboundMessageKeys(mailbox, id).doc, doc), indexInboundMessage(store, doc)])
        await putJson(store, inboundMessageKeys(mailbox, id).stored, { eventId: 'e', sequence: i + 1 })
      }),
    ),
  )
}

/** The plain scans: list a prefix, read every record, filter, newest 50. */
async function scanMessages(store: ObjectStore, keep: (st: MessageState, req: AcceptedRequest | null) => boolean, needRequest: boolean) {
  const keys = (await store.list('messages/')).filter((k) => k.endsWith(needRequest ? '/request.json' : '/state.json'))
  const hits: { at: string; id: string }[] = []
  const limit = pLimit(64)
  await Promise.all(
    keys.map((k) =>
      limit(async () => {
        if (needRequest) {
          const req = (await getJson<AcceptedRequest>(store, k))!.value
          if (keep(null as unknown as MessageState, req)) hits.push({ at: req.createdAt, id: req.id })
        } else {
          const st = (await getJson<MessageState>(store, k))!.value
          if (keep(st, null)) hits.push({ at: st.createdAt, id: st.id })
        }
      }),
    ),
  )
  return hits.sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 50)
}

async function scanInbound(store: ObjectStore, mailbox: string, sinceMs: number) {
  const keys = (await store.list(`inbound/${mailbox}/messages/`)).filter((k) => k.endsWith('/message.json'))
  const hits: InboundMessage[] = []
  const limit = pLimit(64)
  await Promise.all(
    keys.map((k) =>
      limit(async () => {
        const doc = (await getJson<InboundMessage>(store, k))!.value
        if (Date.parse(doc.receivedAt) >= sinceMs) hits.push(doc)
      }),
    ),
  )
  return hits.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1)).slice(0, 50)
}

async function measure(c: ReturnType<typeof counting>, fn: () => Promise<unknown[]>, runs: number) {
  const times: number[] = []
  let result: unknown[] = []
  for (let r = 0; r < runs; r++) {
    c.reset()
    const t0 = performance.now()
    result = await fn()
    times.push(performance.now() - t0)
  }
  return { ms: median(times), reads: c.n.gets + c.n.lists, listed: c.n.listed, result }
}

console.log(`node ${process.version}; medians; reads = gets + list requests (keys listed in parentheses)`)
for (const driver of ['sqlite', 'fs'] as const) {
  const count = COUNTS[driver]
  if (!count) continue
  const dir = await mkdtemp(join(tmpdir(), `postern-bench-logs-${driver}-`))
  const raw = driver === 'sqlite' ? createSqliteStore(dir) : createFsStore(dir)
  try {
    const t0 = performance.now()
    await seedMessages(raw, count)
    await seedInbound(raw, count)
    console.log(`\n${driver}: ${count} messages and ${count} inbound documents seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
    const c = counting(raw)
    const today = Date.parse('2026-12-02T00:00:00.000Z')
    const cases = [
      {
        name: 'newest 50 failed messages',
        index: () => listMessages(c, KEY, { status: ['failed'] }, { limit: 50 }).then((p) => p.data.map((m) => m.id)),
        scan: () => scanMessages(c.store, (st) => st.status === 'failed', false).then((h) => h.map((m) => m.id)),
      },
      {
        name: 'newest 50 to one recipient',
        index: () => listMessages(c, KEY, { to: 'user42@example.org' }, { limit: 50 }).then((p) => p.data.map((m) => m.id)),
        scan: () => scanMessages(c.store, (_, req) => req!.request.to[0].address === 'user42@example.org', true).then((h) => h.map((m) => m.id)),
      },
      {
        name: "today's inbound of one mailbox",
        index: () => listInbound(c, { mailbox: 'box3', sinceMs: today }, { limit: 50 }).then((p) => p.data.map((m) => m.id)),
        scan: () => scanInbound(c.store, 'box3', today).then((h) => h.map((m) => m.id)),
      },
    ]
    console.log('list                              index ms  reads (listed)   scan ms  reads (listed)   scan/index')
    for (const k of cases) {
      const index = await measure(c, k.index, 7)
      const scan = await measure(c, k.scan, 3)
      if (JSON.stringify(index.result) !== JSON.stringify(scan.result)) throw new Error(`${k.name}: the index and the scan disagree`)
      console.log(
        `${k.name.padEnd(32)} ${index.ms.toFixed(1).padStart(9)}  ${`${index.reads} (${index.listed})`.padStart(14)}  ${scan.ms.toFixed(0).padStart(8)}  ${`${scan.reads} (${scan.listed})`.padStart(14)}  ${(scan.ms / index.ms).toFixed(0).padStart(9)}x`,
      )
    }
  } finally {
    await (raw as { close?: () => Promise<void> }).close?.()
    await rm(dir, { recursive: true, force: true })
  }
}
