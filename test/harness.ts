import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashApiKey } from '../lib/config/api-key-hash.js'
import { Config, type ConfigInput } from '../lib/config/schema.js'
import { createDeps, type Deps } from '../lib/deps.js'
import { createApp } from '../lib/http/app.js'
import { createQueueRunner, type QueueRunner } from '../lib/send/queue-runner.js'
import { createFsStore } from '../lib/store/fs-store.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import type { SmtpTestServer } from './servers/smtp.js'

export const TEST_KEY = 'test-key-0123456789'

/** A clock the test moves by hand; everything else is real. */
export function manualClock(start = Date.parse('2026-11-29T12:00:00.000Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) }
}

export interface Harness {
  deps: Deps
  store: ObjectStore
  runner: QueueRunner
  clock: ReturnType<typeof manualClock>
  /** Calls the HTTP app in-process. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>
  /** Calls the HTTP app in-process and returns the Response as it is (for bytes and headers); the test key unless `headers` say otherwise. */
  fetch(path: string, headers?: Record<string, string>): Promise<Response>
  close(): Promise<void>
}

/** Relay settings pointing at a test SMTP server (STARTTLS + AUTH, trusting its self-signed certificate). */
export const relayFor = (smtp: SmtpTestServer) => ({
  host: smtp.host,
  port: smtp.port,
  tls: 'starttls' as const,
  auth: { user: smtp.user, pass: smtp.pass },
  ca: smtp.ca,
  servername: 'localhost',
  pool: { maxConnections: 2, maxMessages: 100 },
  timeouts: { connectionMs: 5000, greetingMs: 5000, socketMs: 5000 },
})

/** The gateway's parts over a real SMTP server and a real store (fs in a temp folder unless `store` is given). */
export async function harness(opts: { smtp?: SmtpTestServer; store?: ObjectStore; config?: Partial<ConfigInput>; clockStart?: number } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-test-'))
  const store = opts.store ?? createFsStore(dir)
  const clock = manualClock(opts.clockStart)
  const config = Config.parse({
    store: { driver: 'fs', dir },
    relay: opts.smtp ? relayFor(opts.smtp) : undefined,
    apiKeys: [{ id: 'test', hash: hashApiKey(TEST_KEY) }],
    logLevel: 'silent',
    retry: { maxAttempts: 4, baseDelayMs: 60_000, maxDelayMs: 3_600_000 },
    // The tests' webhook receivers listen on loopback, which webhook delivery refuses unless allowed.
    allowPrivateWebhookTargets: ['127.0.0.1/32'],
    ...opts.config,
  })
  const deps = createDeps(config, { store, clock, random: () => 0.5 })
  const runner = createQueueRunner(deps)
  const app = createApp(deps)
  return {
    deps,
    store,
    runner,
    clock,
    async call(method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${TEST_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await res.text()
      let json: unknown = text
      try {
        json = JSON.parse(text)
      } catch {}
      return { status: res.status, headers: res.headers, json }
    },
    fetch: async (path, headers = {}) => app.request(path, { headers: { authorization: `Bearer ${TEST_KEY}`, ...headers } }),
    async close() {
      await runner.stop()
      await deps.eventLog.flush()
      deps.relay?.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The header block of a raw message, unfolded, as name -> values (lower-cased names). */
export function headersOf(raw: Buffer): Map<string, string[]> {
  const text = raw.toString('latin1')
  const head = text.slice(0, text.indexOf('\r\n\r\n'))
  const map = new Map<string, string[]>()
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':')
    const name = line.slice(0, i).toLowerCase()
    map.set(name, [...(map.get(name) ?? []), line.slice(i + 1).trim()])
  }
  return map
}

/** The pid of a real process that has already exited (a worker that crashed). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((r) => child.once('exit', r))
  return child.pid!
}
