import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pLimit from 'p-limit'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DeliveryEvent, MessageState } from '../../lib/send/records.js'
import { getJson } from '../../lib/store/json.js'
import { messageKeys } from '../../lib/store/keys.js'
import { createSqliteStore } from '../../lib/store/sqlite-store.js'
import { headersOf } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

// Three `npm start` gateways (functions/local.ts, each its own process and port) on one data folder, so one SQLite
// database, relaying to one real SMTP server; two are killed with SIGKILL under load and one is started again.
const ROOT = join(import.meta.dirname, '../..')
const KEY = 'multi-process-key-0123456789'
const TOTAL = 300

interface Gateway {
  name: string
  url: string
  proc: ChildProcess
  alive: boolean
}

let sink: SmtpTestServer
let dir: string
const gateways: Gateway[] = []

async function startGateway(name: string): Promise<Gateway> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'functions/local.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PORT: '0',
      POSTERN_DATA_DIR: dir,
      POSTERN_API_KEY: KEY,
      POSTERN_RELAY_URL: `smtp://${sink.user}:${sink.pass}@localhost:${sink.port}`,
      POSTERN_RELAY_CA_FILE: join(dir, 'relay-ca.pem'),
      POSTERN_LOG_LEVEL: 'error',
    },
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d
      const m = /Postern is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1])
    })
    proc.once('exit', (code) => reject(new Error(`gateway ${name} exited (${code}) before listening: ${out}`)))
  })
  const gw: Gateway = { name, url, proc, alive: true }
  gateways.push(gw)
  return gw
}

function kill(gw: Gateway) {
  gw.alive = false
  gw.proc.kill('SIGKILL')
}

beforeAll(async () => {
  sink = await startSmtp()
  dir = await mkdtemp(join(tmpdir(), 'postern-multi-'))
  await writeFile(join(dir, 'relay-ca.pem'), sink.ca)
})
afterAll(async () => {
  for (const gw of gateways) gw.proc.kill('SIGKILL')
  await sink.close()
  await rm(dir, { recursive: true, force: true })
})

test(
  'three gateways on one database under load, two killed with SIGKILL and one restarted: every accepted message is sent, and only once unless a killed process had claimed it',
  { timeout: 240_000 },
  async () => {
    await Promise.all(['a', 'b', 'c'].map(startGateway))
    const accepted = new Map<string, string>() // Postern id -> Message-ID
    let refused = 0
    let next = 0
    const send = async (i: number) => {
      const live = gateways.filter((g) => g.alive)
      const gw = live[next++ % live.length]
      try {
        const res = await fetch(`${gw.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ from: 'load@example.com', to: `rcpt${i}@example.org`, subject: `load ${i}`, text: `message ${i}` }),
        })
        const body = (await res.json()) as { id: string; messageId: string }
        expect(res.status).toBe(202)
        accepted.set(body.id, body.messageId)
      } catch (err) {
        // Only a gateway killed while the request was open may fail it; it may or may not have stored the message.
        if (gw.alive) throw err
        refused++
      }
      if (i === Math.floor(TOTAL / 3)) kill(gateways[1])
      if (i === Math.floor(TOTAL / 2)) await startGateway('b2')
      if (i === Math.floor((2 * TOTAL) / 3)) kill(gateways[2])
    }
    const limit = pLimit(12)
    await Promise.all(Array.from({ length: TOTAL }, (_, i) => limit(() => send(i))))
    expect(accepted.size + refused).toBe(TOTAL)
    expect(accepted.size).toBeGreaterThan(TOTAL * 0.9)

    const received = () => {
      const counts = new Map<string, number>()
      for (const m of sink.received) {
        const id = headersOf(m.raw).get('message-id')![0]
        counts.set(id, (counts.get(id) ?? 0) + 1)
      }
      return counts
    }
    // The survivors' sweeps (every second) take over what the killed processes left queued or claimed.
    for (let i = 0; i < 600 && [...accepted.values()].some((mid) => !received().has(mid)); i++) await sleep(100)
    await sleep(2000) // room for a late duplicate to show
    const counts = received()
    expect([...accepted.values()].filter((mid) => !counts.has(mid))).toEqual([])

    const store = createSqliteStore(dir)
    try {
      const stored = new Map<string, string>()
      for (const key of await store.list('messages/')) {
        if (!key.endsWith('/request.json')) continue
        const record = (await getJson<{ id: string; messageId: string }>(store, key))!.value
        stored.set(record.messageId, record.id)
      }
      // Every accepted message was stored, and everything the sink got was a stored message (some from refused requests).
      for (const [id, mid] of accepted) expect(stored.get(mid)).toBe(id)
      expect([...counts.keys()].filter((mid) => !stored.has(mid))).toEqual([])
      // Sent twice only where a killed process had claimed an attempt and sent it, then died before its state was
      // written: its attempt left no event, or an event saying `sent` that a later attempt followed. Never more
      // sends than claims.
      let twice = 0
      for (const [mid, n] of counts) {
        const id = stored.get(mid)!
        const state = (await getJson<MessageState>(store, messageKeys(id).state))!.value
        const events = await Promise.all((await store.list(messageKeys(id).events)).map(async (k) => (await getJson<DeliveryEvent>(store, k))!.value))
        expect({ mid, status: state.status }).toEqual({ mid, status: 'sent' })
        expect(n).toBeLessThanOrEqual(state.attempts)
        if (n === 1) continue
        twice++
        expect({ mid, takenOver: events.length < state.attempts || events.slice(0, -1).some((e) => e.outcome === 'sent') }).toEqual({ mid, takenOver: true })
      }
      // At most what the two killed processes had in flight (their runners' concurrency: 10 each).
      expect(twice).toBeLessThanOrEqual(20)
      expect(await store.list('queue/')).toEqual([])
    } finally {
      await store.close()
    }
  },
)
