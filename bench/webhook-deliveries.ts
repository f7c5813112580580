// Listing webhook deliveries (GET /v1/webhooks/deliveries) through the delivery index, against a plain prefix
// scan of the same data (list webhooks/deliveries/, read every record, filter, sort newest first), in one run.
// The data: N deliveries over two endpoints, 1% failed, 0.5% dead, the rest succeeded, one event a second,
// written by the production writers (deliveryIndexWrites, then the record), on the sqlite and fs drivers.
// Usage: npm run bench:deliveries [-- --deliveries 20000 --drivers sqlite,fs]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { getJson, putJson } from '../lib/store/json.js'
import { webhookKeys } from '../lib/store/keys.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { createFsStore } from '../lib/store/fs-store.js'
import { createSqliteStore } from '../lib/store/sqlite-store.js'
import { deliveryIndexWrites, deliveryStatus, type DeliveryStatus } from '../lib/webhooks/delivery-index.js'
import { listDeliveries, type DeliveryFilter } from '../lib/webhooks/delivery-list.js'
import type { DeliveryRecord } from '../lib/webhooks/delivery-record.js'
import { countingStore } from './procs/counting-store.js'

const argOf = (name: string, dflt: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : dflt)
const N = Number(argOf('deliveries', '20000'))
const DRIVERS = argOf('drivers', 'sqlite,fs').split(',')
const T0 = Date.parse('2026-11-01T00:00:00Z')

function record(i: number): DeliveryRecord {
  const status: DeliveryStatus = i % 100 === 7 ? 'failed' : i % 200 === 14 ? 'dead' : 'succeeded'
  const at = new Date(T0 + i * 1000).toISOString()
  const attempt = {
    attempt: 1,
    at,
    status: status === 'succeeded' ? 200 : 500,
    latencyMs: 12,
    outcome: status === 'succeeded' ? 'delivered' : 'retry',
    reason: null,
    responseHead: 'ok',
  } as const
  return {
    eventId: `msg_${String(i).padStart(32, '0')}`,
    endpointId: i % 2 ? 'app' : 'audit',
    type: i % 3 ? 'message.sent' : 'message.received',
    source: `message:m${i}`,
    sequence: 1,
    eventCreatedAt: at,
    data: { messageId: `m${i}` },
    status: status === 'succeeded' ? 'delivered' : status === 'dead' ? 'dead' : 'pending',
    nextAttemptAt: T0 + i * 1000 + 30_000,
    firstAttemptAt: T0 + i * 1000,
    lease: null,
    deadReason: status === 'dead' ? '1 attempts failed; last: HTTP 500' : null,
    attempts: [attempt],
  }
}

async function seed(store: ObjectStore) {
  const limit = pLimit(32)
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      limit(async () => {
        const d = record(i)
        const index = deliveryIndexWrites(store, null, d)
        await index.prepare()
        await putJson(store, webhookKeys.delivery(d.endpointId, d.eventId), d)
      }),
    ),
  )
}

/** The baseline: what a listing costs without an index. */
async function scan(store: ObjectStore, filter: DeliveryFilter, limit: number) {
  const all: DeliveryRecord[] = []
  for (const key of await store.list('webhooks/deliveries/')) all.push((await getJson<DeliveryRecord>(store, key))!.value)
  return all
    .filter((d) => (!filter.status || deliveryStatus(d) === filter.status) && (!filter.endpoint || d.endpointId === filter.endpoint))
    .sort((a, b) => Date.parse(b.eventCreatedAt!) - Date.parse(a.eventCreatedAt!))
    .slice(0, limit)
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now()
  const out = await fn()
  return [performance.now() - t, out]
}

const CASES: [string, DeliveryFilter][] = [
  ['newest 50', {}],
  ['newest 50 failed', { status: 'failed' }],
  ['newest 50 dead to endpoint audit', { status: 'dead', endpoint: 'audit' }],
]

for (const driver of DRIVERS) {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bench-deliveries-'))
  const raw = driver === 'fs' ? createFsStore(dir) : createSqliteStore(dir)
  const [seedMs] = await time(() => seed(raw))
  console.log(`\n${driver}: ${N} deliveries seeded in ${(seedMs / 1000).toFixed(1)} s`)
  console.log('case | index ms | index GETs | scan ms | scan GETs | scan/index')
  for (const [name, filter] of CASES) {
    const a = countingStore(raw)
    const [indexMs, page] = await time(() => listDeliveries({ store: a.store }, filter, { limit: 50 }))
    const b = countingStore(raw)
    const [scanMs, base] = await time(() => scan(b.store, filter, 50))
    if (page.items.map((d) => d.id).join() !== base.map((d) => `${d.endpointId}:${d.eventId}`).join()) throw new Error(`${name}: index and scan disagree`)
    console.log(`${name} | ${indexMs.toFixed(1)} | ${a.n.GET} | ${scanMs.toFixed(0)} | ${b.n.GET} | ${(scanMs / indexMs).toFixed(0)}x`)
  }
  await (raw as { close?: () => Promise<void> }).close?.()
  await rm(dir, { recursive: true, force: true })
}
