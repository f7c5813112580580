// Store benchmark, sqlite against fs in the same run, on the same disk:
// 1. list views and queue sweeps at 1k, 10k and 100k entries: the first page of 50 under `messages/`, a page from
//    the middle, and the runner's sweep (`queue/`, limit 1000), median wall time of several reads;
// 2. the send path's store sequence per message (request create-only, queue entry, claim, attempt event, state by
//    compare-and-swap, queue entry deleted), one message at a time (ungrouped) and 20 at once (grouped): rate and
//    CPU of the whole process (both threads) per message;
// 3. how long the main thread runs in one turn of its event loop meanwhile (less its waits for a CPU, so preemption
//    on a shared machine does not count), against the same probe on an idle loop;
// 4. where large bodies belong: puts and gets of 16 KiB to 4 MiB bodies kept in the row or in a file (sqlite only).
// Usage: npm run bench:store [-- <largest size, default 100000>]
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import pLimit from 'p-limit'
import { createFsStore } from '../lib/store/fs-store.js'
import { messageKeys, queueKeys } from '../lib/store/keys.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { createSqliteStore, type SqliteStore } from '../lib/store/sqlite-store.js'

const LARGEST = Number(process.argv[2] ?? 100_000)
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= LARGEST)
const SEQUENCES = 1000
const REQUEST = Buffer.from(JSON.stringify({ request: { from: 'a@example.com', to: ['b@example.org'], subject: 'x', text: 'y'.repeat(700) } }))
const STATE = Buffer.from(JSON.stringify({ status: 'queued', attempts: 1, lease: { owner: 'w', until: 'x' }, accepted: [], rejected: [] }))

type Driver = { name: 'sqlite' | 'fs'; make(dir: string): ObjectStore }
const drivers: Driver[] = [
  { name: 'sqlite', make: (dir) => createSqliteStore(dir) },
  { name: 'fs', make: (dir) => createFsStore(dir) },
]

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const id = (i: number) => `01BENCH${String(i).padStart(19, '0')}`

/** Median wall time (ms) of `fn` over `runs` calls. */
async function timeIt(fn: () => Promise<unknown>, runs = 7): Promise<number> {
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  return median(times)
}

/** Adds entries `from`..`to`-1: a request under `messages/` and a queue entry each (bookkeeping writes, no fsync). */
async function fill(store: ObjectStore, from: number, to: number) {
  const limit = pLimit(64)
  const now = Date.parse('2026-12-01T00:00:00.000Z')
  await Promise.all(
    Array.from({ length: to - from }, (_, k) =>
      limit(async () => {
        const i = from + k
        await store.put(messageKeys(id(i)).request, REQUEST, { durable: false })
        await store.put(queueKeys.entry(now + i * 1000, id(i)), '', { durable: false })
      }),
    ),
  )
}

/** The store's part of sending one message, as lib/send/accept.ts and deliver.ts write it. */
async function sequence(store: ObjectStore, i: number) {
  const keys = messageKeys(`01SEQ${String(i).padStart(21, '0')}`)
  const queue = queueKeys.entry(Date.parse('2026-12-01T00:00:00.000Z'), `01SEQ${i}`)
  await store.put(keys.request, REQUEST, { ifNoneMatch: '*' })
  await store.put(queue, '')
  const claim = await store.put(keys.state, STATE, { ifNoneMatch: '*', durable: false })
  await store.put(keys.event(1), STATE, { durable: false })
  await store.put(keys.state, STATE, { ifMatch: claim.etag, durable: false })
  await store.delete(queue)
}

/** Runs SEQUENCES sequences, `concurrency` at once: msg/s and CPU µs per message (both threads). */
async function runSequences(store: ObjectStore, concurrency: number, offset: number) {
  const limit = pLimit(concurrency)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: SEQUENCES }, (_, i) => limit(() => sequence(store, offset + i))))
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { rate: (SEQUENCES / ms) * 1000, cpuUs: (cpu.user + cpu.system) / SEQUENCES }
}

/**
 * Time the main thread has spent waiting for a CPU so far (ns): field 2 of Linux schedstat, brought up to date
 * each time the thread is scheduled in, so exact when the thread reads it itself.
 */
const mainThreadWaitNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1])

/**
 * How long the main thread runs between two turns of its event loop while `work` runs: a setImmediate loop takes
 * the wall time of each turn less the time the thread waited for a CPU in it (another process's turn on a shared
 * machine is not a stall of ours). A turn covers everything the loop ran in it: the store's synchronous parts,
 * promise callbacks, GC, a commit if it ran there. p99, p99.9 and max in ms; and the plain wall delay from
 * monitorEventLoopDelay, which counts preemption too.
 */
async function stalls(work: () => Promise<unknown>) {
  const gaps: number[] = []
  let running = true
  let lastWall = process.hrtime.bigint()
  let lastWait = mainThreadWaitNs()
  const probe = () => {
    const wall = process.hrtime.bigint()
    const wait = mainThreadWaitNs()
    gaps.push(Number(wall - lastWall) - (wait - lastWait))
    lastWall = wall
    lastWait = wait
    if (running) setImmediate(probe)
  }
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  setImmediate(probe)
  await work()
  running = false
  h.disable()
  gaps.sort((a, b) => a - b)
  return {
    cpuP99: gaps[Math.floor(gaps.length * 0.99)] / 1e6,
    cpuP999: gaps[Math.floor(gaps.length * 0.999)] / 1e6,
    over1ms: gaps.filter((g) => g > 1e6).length,
    cpuMax: gaps[gaps.length - 1] / 1e6,
    turns: gaps.length,
    wallP99: h.percentile(99) / 1e6,
    wallMax: h.max / 1e6,
  }
}

const f = (n: number, d = 2) => n.toFixed(d)
const statsOf = (store: ObjectStore) => ('stats' in store ? (store as SqliteStore).stats() : null)
console.log(`store bench: sqlite vs fs, in ${tmpdir()}`)

console.log('\nlist views and queue sweeps (median ms of 7 reads)')
console.log('| entries | driver | first 50 of messages/ | 50 from the middle | queue sweep (limit 1000) | fill time (s) |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const d of drivers) {
  const dir = await mkdtemp(join(tmpdir(), `postern-bench-store-${d.name}-`))
  const store = d.make(dir)
  let filled = 0
  for (const n of SIZES) {
    const t0 = performance.now()
    await fill(store, filled, n)
    const fillS = (performance.now() - t0) / 1000
    filled = n
    const middle = messageKeys(id(Math.floor(n / 2))).request
    const first = await timeIt(() => store.list('messages/', { limit: 50 }))
    const page = await timeIt(() => store.list('messages/', { startAfter: middle, limit: 50 }))
    const sweep = await timeIt(() => store.list(queueKeys.prefix, { limit: 1000 }))
    console.log(`| ${n.toLocaleString('en')} | ${d.name} | ${f(first)} | ${f(page)} | ${f(sweep)} | ${f(fillS, 1)} |`)
  }
  await store.close?.()
  await rm(dir, { recursive: true, force: true })
}

const sequenceRows: string[] = []
const stallRows: string[] = []
const callRows: string[] = []
const stallRow = (name: string, st: Awaited<ReturnType<typeof stalls>>) =>
  `| ${name} | ${f(st.cpuP99, 3)} | ${f(st.cpuP999, 3)} | ${f(st.cpuMax, 1)} | ${st.over1ms} of ${st.turns} (${f((100 * st.over1ms) / st.turns, 3)} %) | ${f(st.wallP99)} |`
for (const d of drivers) {
  const dir = await mkdtemp(join(tmpdir(), `postern-bench-seq-${d.name}-`))
  const store = d.make(dir)
  await runSequences(store, 20, 1_000_000) // warm-up: JIT, writer thread, folders
  for (const [run, concurrency, offset] of [
    ['ungrouped (1 at a time)', 1, 0],
    ['grouped (20 at once)', 20, 100_000],
  ] as const) {
    const before = statsOf(store)
    const r = await runSequences(store, concurrency, offset)
    const after = statsOf(store)
    const commits = before && after ? f((after.commits - before.commits) / SEQUENCES) : '—'
    sequenceRows.push(`| ${d.name} | ${run} | ${f(r.rate, 0)} | ${f(r.cpuUs, 0)} | ${commits} |`)
  }
  // The stall probe spins, so it runs apart from the CPU figures; an idle loop right before gives the machine's noise.
  stallRows.push(stallRow(`idle loop (before ${d.name})`, await stalls(() => sleep(2000))))
  stallRows.push(stallRow(`${d.name}, grouped (20 at once)`, await stalls(() => runSequences(store, 20, 200_000))))
  // The largest synchronous calls the main thread makes: reading an object kept inline, and a page of keys.
  await store.put('calls/1k', Buffer.alloc(1024, 1))
  await store.put('calls/256k', Buffer.alloc(256 * 1024, 2))
  for (const [call, fn] of [
    ['get, 1 KiB', () => store.get('calls/1k')],
    ['get, 256 KiB', () => store.get('calls/256k')],
    ['list, 1000 keys', () => store.list('messages/', { limit: 1000 })],
  ] as const) {
    const times: number[] = []
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now()
      await fn()
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    callRows.push(`| ${d.name} | ${call} | ${f(times[100], 3)} | ${f(times[198], 3)} |`)
  }
  await store.close?.()
  await rm(dir, { recursive: true, force: true })
}

console.log(`\nsend-path store sequence, ${SEQUENCES} messages (6 operations each; request and queue entry durable)`)
console.log('| driver | run | msg/s | CPU µs per message (all threads) | commits per message |')
console.log('| --- | --- | --- | --- | --- |')
for (const row of sequenceRows) console.log(row)

console.log('\nevent-loop turns meanwhile: time the main thread ran in one turn, less its waits for a CPU (ms)')
console.log('| loop | p99 | p99.9 | max | turns over 1 ms | wall delay p99 (monitorEventLoopDelay) |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const row of stallRows) console.log(row)

console.log('\nsynchronous store calls (wall ms, of 200; calls/ keys beside 1,000 messages)')
console.log('| driver | call | p50 | p99 |')
console.log('| --- | --- | --- | --- |')
for (const row of callRows) console.log(row)

console.log('\nsqlite bodies by size, kept in the row or in a file beside the database (20 keys rewritten in turn)')
console.log('| size | put CPU µs, row | put CPU µs, file | get ms (median), row | get ms (median), file |')
console.log('| --- | --- | --- | --- | --- |')
const dirs = await Promise.all([0, 1].map(() => mkdtemp(join(tmpdir(), 'postern-bench-bodies-'))))
const inRow = createSqliteStore(dirs[0], { inlineMaxBytes: Number.MAX_SAFE_INTEGER })
const inFile = createSqliteStore(dirs[1], { inlineMaxBytes: 0 })
for (const kib of [16, 64, 128, 256, 512, 1024, 4096]) {
  const body = Buffer.alloc(kib * 1024, kib % 251)
  const n = Math.max(20, Math.min(200, Math.floor(20_000 / kib)))
  const measure = async (store: SqliteStore) => {
    for (let i = 0; i < 20; i++) await store.put(`b/${i}`, body) // every key exists: each put below replaces one
    const cpu0 = process.cpuUsage()
    for (let i = 0; i < n; i++) await store.put(`b/${i % 20}`, body)
    const cpu = process.cpuUsage(cpu0)
    const get = await timeIt(() => store.get('b/7'), 21)
    return { putUs: (cpu.user + cpu.system) / n, get }
  }
  const row = await measure(inRow)
  const file = await measure(inFile)
  console.log(`| ${kib} KiB | ${f(row.putUs, 0)} | ${f(file.putUs, 0)} | ${f(row.get, 3)} | ${f(file.get, 3)} |`)
}
await Promise.all([inRow.close(), inFile.close()])
await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
