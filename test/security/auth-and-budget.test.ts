import { Writable } from 'node:stream'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { Config } from '../../lib/config/schema.js'
import { startLocal } from '../../lib/local/start-local.js'
import { harness, TEST_KEY } from '../harness.js'
import { startSmtp } from '../servers/smtp.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }
const recording = () => {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }))
  return { lines, logger }
}

describe('failed authentication is rate-limited per client address', () => {
  test('past 20 failures in a minute, the address gets 429 with Retry-After, even with a good key; one warn line, no key in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'postern-authfail-'))
    const { lines, logger } = recording()
    const config = Config.parse({ port: 0, sandbox: { port: 0 }, store: { driver: 'fs', dir }, apiKeys: [{ id: 'good', hash: hashApiKey(TEST_KEY) }] })
    const gw = await startLocal(config, { logger })
    cleanups.push(
      () => rm(dir, { recursive: true, force: true }),
      () => gw.close(),
    )
    const call = (key: string) => fetch(`${gw.url}/v1/messages/01M8TQQAH0D6EJH2EM399J7TGW`, { headers: { authorization: `Bearer ${key}` } })
    const statuses: number[] = []
    for (let i = 0; i < 25; i++) statuses.push((await call(`wrong-key-${i}`)).status)
    expect(statuses).toEqual([...Array(20).fill(401), ...Array(5).fill(429)])
    const good = await call(TEST_KEY)
    expect(good.status).toBe(429)
    expect(Number(good.headers.get('retry-after'))).toBeGreaterThan(0)
    const warned = lines.filter((l) => l.alert === 'auth-failures')
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatchObject({ level: 40, clientAddress: '127.0.0.1', failures: 20 })
    expect(JSON.stringify(lines)).not.toContain('wrong-key')
    expect(JSON.stringify(lines)).not.toContain(TEST_KEY)
  })
})

describe("a key's budget counts messages and recipients, not requests", () => {
  test('one batch may not carry more messages or recipients than the key may send in its window', async () => {
    const smtp = await startSmtp()
    const h = await harness({
      smtp,
      config: { apiKeys: [{ id: 'test', hash: hashApiKey(TEST_KEY), rateLimit: { limit: 100, windowMs: 60_000, messages: 10, recipients: 20 } }] },
    })
    cleanups.push(
      () => smtp.close(),
      () => h.close(),
    )
    const batch = (n: number, rcpts: number) => ({
      messages: Array.from({ length: n }, () => ({ ...MSG, to: Array.from({ length: rcpts }, (_, i) => `r${i}@example.org`) })),
    })
    const tooMany = await h.call('POST', '/v1/messages/batch', batch(11, 1))
    expect([tooMany.status, tooMany.json.error.code]).toEqual([429, 'rate_limited'])
    const tooWide = await h.call('POST', '/v1/messages/batch', batch(5, 5))
    expect(tooWide.status).toBe(429)
    expect(tooWide.json.error.message).toBe('this API key may send 10 messages to 20 recipients per 60 s; this request would pass that')
    // Nothing was taken by the refused requests: 4 x 5 recipients fit, then one more message does not.
    expect((await h.call('POST', '/v1/messages/batch', batch(4, 5))).status).toBe(200)
    expect((await h.call('POST', '/v1/messages', MSG)).status).toBe(429)
    expect((await h.store.list('messages/')).filter((k) => k.endsWith('request.json'))).toHaveLength(4)
    h.clock.advance(60_000)
    expect((await h.call('POST', '/v1/messages', MSG)).status).toBe(202)
  })
})
