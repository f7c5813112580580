import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { headersOf, relayFor } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

// kill -9 of the whole gateway at random moments while apps send 500 messages: 200 with an Idempotency-Key, 100 in
// strict Resend batches of 5 (keyed), 200 without a key. Counted at the end: accepted sends lost (must be 0) and
// keyed sends delivered under two Message-IDs (must be 0).

const KEY = 'crash-test-key-0123456789'
const ROOT = join(import.meta.dirname, '../..')
let smtp: SmtpTestServer
let dir: string
let child: ChildProcess | null = null
let url = ''

afterAll(async () => {
  child?.kill('SIGKILL')
  await smtp?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** Starts a gateway process on the data folder; resolves once it answers /healthz. */
async function startGateway(): Promise<void> {
  const port = await freePort()
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'functions/local.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), POSTERN_CONFIG: join(dir, 'postern.config.json'), POSTERN_DATA_DIR: join(dir, 'data'), POSTERN_API_KEY: '' },
    stdio: 'ignore',
  })
  const next = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${next}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      url = next
      return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('the gateway did not start')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const post = (path: string, body: unknown, key?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }).then(
    async (r) => ({ status: r.status, json: await r.json().catch(() => null) }),
    () => ({ status: 0, json: null }),
  )

test('kill -9 while sending 500 messages: nothing accepted is lost, no keyed send goes out under two Message-IDs', { timeout: 300_000 }, async () => {
  smtp = await startSmtp()
  dir = await mkdtemp(join(tmpdir(), 'postern-send-crash-'))
  await writeFile(
    join(dir, 'postern.config.json'),
    JSON.stringify({
      apiKeys: [{ id: 'app', hash: hashApiKey(KEY) }],
      relay: relayFor(smtp),
      logLevel: 'silent',
      idempotencyInProgressMs: 1500,
      retry: { maxAttempts: 20, baseDelayMs: 500, maxDelayMs: 1000 },
      rateLimit: { limit: 1_000_000, windowMs: 60_000 },
    }),
  )
  await startGateway()

  const accepted = new Map<string, string>() // subject -> id
  const work: (() => Promise<void>)[] = []
  const msg = (subject: string) => ({ from: 'ops@example.com', to: 'a@example.org', subject, text: subject })
  const keyed = (subject: string) => async () => {
    for (;;) {
      const r = await post('/v1/messages', msg(subject), `k-${subject}`)
      if (r.status === 202) return void accepted.set(subject, r.json.id)
      await sleep(200) // refused, in use, or the gateway is down: the same key again
    }
  }
  const batch = (n: number) => async () => {
    const emails = Array.from({ length: 5 }, (_, i) => msg(`batch-${n}-${i}`))
    for (;;) {
      const r = await post('/emails/batch', emails, `b-${n}`)
      if (r.status === 200) return r.json.data.forEach((d: { id: string }, i: number) => accepted.set(emails[i].subject, d.id))
      await sleep(200)
    }
  }
  const unkeyed = (subject: string) => async () => {
    const r = await post('/v1/messages', msg(subject), undefined)
    if (r.status === 202) accepted.set(subject, r.json.id) // without a key, an answer lost to a crash is never retried
  }
  for (let i = 0; i < 200; i++) work.push(keyed(`keyed-${i}`))
  for (let i = 0; i < 20; i++) work.push(batch(i))
  for (let i = 0; i < 200; i++) work.push(unkeyed(`plain-${i}`))
  work.sort((a, b) => ((work.indexOf(a) * 7919) % 421) - ((work.indexOf(b) * 7919) % 421)) // interleave the kinds

  let sending = true
  let kills = 0
  // Kills follow progress (one per ~35 accepted messages, then a varying delay), not the wall clock, so a fast
  // machine that finishes the work early still takes its kills in the middle of it.
  const killer = (async () => {
    while (sending && kills < 10) {
      while (sending && accepted.size < (kills + 1) * 35) await sleep(20)
      await sleep((kills * 613) % 300)
      if (!sending) break
      child!.kill('SIGKILL')
      kills++
      await startGateway()
    }
  })()
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < work.length) await work[next++]()
    }),
  )
  sending = false
  await killer

  // Every accepted message is sent in the end (GET until sent).
  const ids = [...accepted.values()]
  const deadline = Date.now() + 120_000
  for (const id of ids) {
    for (;;) {
      const r = await fetch(`${url}/v1/messages/${id}`, { headers: { authorization: `Bearer ${KEY}` } }).then((x) => x.json())
      if (r.status === 'sent') break
      if (Date.now() > deadline) throw new Error(`message ${id} is ${r.status}`)
      await sleep(100)
    }
  }
  const bySubject = new Map<string, Set<string>>()
  let copies = 0
  for (const m of smtp.received) {
    const h = headersOf(m.raw)
    const subject = h.get('subject')![0]
    const set = bySubject.get(subject) ?? new Set()
    if (set.has(h.get('message-id')![0])) copies++
    set.add(h.get('message-id')![0])
    bySubject.set(subject, set)
  }
  const lost = [...accepted].filter(([subject, id]) => !bySubject.get(subject)?.has(`<${id.toLowerCase()}@postern.localhost>`))
  const twoIds = [...bySubject].filter(([, set]) => set.size > 1).map(([s]) => s)
  console.log(
    JSON.stringify({
      kills,
      accepted: accepted.size,
      received: smtp.received.length,
      lost: lost.length,
      sentUnderTwoIds: twoIds.length,
      sameIdRedelivered: copies,
    }),
  )
  expect(kills).toBeGreaterThanOrEqual(5)
  expect(accepted.size).toBeGreaterThanOrEqual(300) // every keyed one, and the unkeyed ones answered
  expect(lost).toEqual([])
  expect(twoIds).toEqual([])
})
