import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadConfig } from '../../lib/config/load.js'
import { duplicateKey } from '../../lib/json/duplicate-keys.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { startStallProbe } from './stall-probe.js'

let dir: string
let gw: LocalGateway
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-bad-json-'))
  const config = loadConfig({ PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  gw = await startLocal({ ...config, sandbox: { port: 0 } })
})
afterAll(async () => {
  await gw?.close()
  await rm(dir, { recursive: true, force: true })
})

const OK = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't' }
const okFor = (path: string): unknown =>
  ({ '/v1/messages/batch': { messages: [OK] }, '/emails/batch': [OK], '/v1/suppressions': { address: 'x@example.org', domain: 'example.com' } })[path] ?? OK
const ENDPOINTS = ['/v1/messages', '/v1/messages/batch', '/emails', '/emails/batch', '/v1/suppressions']

function post(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gw.url}${path}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.generatedApiKey}`, 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const text = (s: string) => Buffer.from(s, 'utf8')
const CASES: [string, (path: string) => { body: Buffer; headers?: Record<string, string> }][] = [
  ['truncated', (p) => ({ body: text(JSON.stringify(okFor(p)).slice(0, 12)) })],
  ['trailing garbage', (p) => ({ body: text(JSON.stringify(okFor(p)) + ' garbage') })],
  ['two documents', (p) => ({ body: text(JSON.stringify(okFor(p)) + JSON.stringify(okFor(p))) })],
  ['top level array/object swapped', (p) => ({ body: text(JSON.stringify(Array.isArray(okFor(p)) ? OK : [okFor(p)])) })],
  ['top level string', () => ({ body: text('"hello"') })],
  ['top level number', () => ({ body: text('42') })],
  ['top level null', () => ({ body: text('null') })],
  ['top level true', () => ({ body: text('true') })],
  ['BOM', (p) => ({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(JSON.stringify(okFor(p)))]) })],
  ['NaN literal', () => ({ body: text('{"from": NaN}') })],
  ['Infinity literal', () => ({ body: text('{"from": -Infinity}') })],
  ['huge number', (p) => ({ body: text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '1e999}')) })],
  ['huge integer', (p) => ({ body: text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '123456789012345678901234567890123456789}')) })],
  ['lone surrogate escape', (p) => ({ body: text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '"a\\ud800b"}')) })],
  [
    'lone surrogate bytes (CESU-8)',
    (p) => ({ body: Buffer.concat([text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '"a')), Buffer.from([0xed, 0xa0, 0x80]), text('b"}')]) }),
  ],
  [
    'invalid UTF-8 bytes',
    (p) => ({ body: Buffer.concat([text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '"a')), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), text('b"}')]) }),
  ],
  ['1,000 levels of nesting', () => ({ body: text('['.repeat(1000) + ']'.repeat(1000)) })],
  ['1,000 levels inside a field', (p) => ({ body: text(JSON.stringify(okFor(p)).replace(/"[^"]*"\s*}/, '['.repeat(1000) + ']'.repeat(1000) + '}')) })],
  ['10,000 keys', () => ({ body: text(JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])))) })],
  ['duplicate keys', (p) => ({ body: text(JSON.stringify(okFor(p)).replace(/\{"([^"]+)":/, '{"$1":"duplicate","$1":')) })],
  ['empty body', () => ({ body: Buffer.alloc(0) })],
  ['whitespace only', () => ({ body: text(' \r\n\t ') })],
  ['wrong Content-Type', (p) => ({ body: text(JSON.stringify(okFor(p))), headers: { 'content-type': 'text/plain' } })],
  ['form Content-Type', () => ({ body: text('from=ops%40example.com'), headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
  ['gzip Content-Encoding', (p) => ({ body: gzipSync(text(JSON.stringify(okFor(p)))), headers: { 'content-encoding': 'gzip' } })],
  ['NUL bytes', () => ({ body: Buffer.from([0x7b, 0x00, 0x7d]) })],
]

type Answer = { status: number; code: string; paths?: unknown[] }

/** Status and machine-readable code of an answer: `error.code` (/v1), `name` (Resend); a /v1 batch's first item. */
function answerOf(path: string, res: { status: number; body: string }): Answer {
  const b = JSON.parse(res.body)
  if (path.startsWith('/emails')) return { status: res.status, code: b.name ?? 'accepted' }
  const item = path === '/v1/messages/batch' && res.status === 200 ? b.results[0] : { status: res.status, error: b.error }
  if (!item.error) return { status: item.status, code: 'accepted' }
  return { status: item.status, code: item.error.code, paths: item.error.issues.map((i: { path: unknown[] }) => i.path) }
}

const V1 = ['/v1/messages', '/v1/messages/batch', '/v1/suppressions']
const each = (v1: Answer, resend: Answer) => Object.fromEntries(ENDPOINTS.map((p) => [p, V1.includes(p) ? v1 : resend]))
const notJson = each({ status: 400, code: 'invalid_json', paths: [] }, { status: 400, code: 'validation_error' })
const notJsonType = each({ status: 415, code: 'unsupported_media_type', paths: [] }, { status: 415, code: 'validation_error' })
const wrongType = (field: string | null) => ({
  '/v1/messages': { status: 400, code: 'validation_failed', paths: [field ? [field] : []] },
  '/v1/messages/batch': { status: 400, code: 'validation_failed', paths: [field ? ['messages', 0, field] : ['messages']] },
  '/emails': { status: 400, code: 'validation_error' },
  '/emails/batch': { status: 400, code: 'validation_error' },
  '/v1/suppressions': { status: 400, code: 'validation_failed', paths: [field ? ['domain'] : []] },
})

// What each endpoint answers each bad body. The /v1 batch answers per item (200 with the item's error) once its
// envelope is right. A BOM is accepted: RFC 8259 §8.1 lets a parser ignore it, and some clients (PowerShell) send one.
const EXPECTED: Record<string, Record<string, Answer>> = {
  truncated: notJson,
  'trailing garbage': notJson,
  'two documents': notJson,
  // An array where an object belongs: wrong type, and no text or html in it.
  'top level array/object swapped': { ...wrongType(null), '/v1/messages': { status: 400, code: 'validation_failed', paths: [[], ['text']] } },
  'top level string': wrongType(null),
  'top level number': wrongType(null),
  'top level null': wrongType(null),
  'top level true': wrongType(null),
  BOM: {
    '/v1/messages': { status: 202, code: 'accepted' },
    '/v1/messages/batch': { status: 202, code: 'accepted' },
    '/emails': { status: 200, code: 'accepted' },
    '/emails/batch': { status: 200, code: 'accepted' },
    '/v1/suppressions': { status: 201, code: 'accepted' },
  },
  'NaN literal': notJson,
  'Infinity literal': notJson,
  'huge number': wrongType('text'),
  'huge integer': wrongType('text'),
  'lone surrogate escape': wrongType('text'),
  'lone surrogate bytes (CESU-8)': notJson,
  'invalid UTF-8 bytes': notJson,
  '1,000 levels of nesting': notJson,
  '1,000 levels inside a field': notJson,
  '10,000 keys': {
    '/v1/messages': { status: 400, code: 'validation_failed', paths: [] },
    '/v1/messages/batch': { status: 400, code: 'validation_failed', paths: [] },
    '/emails': { status: 422, code: 'missing_required_field' },
    '/emails/batch': { status: 400, code: 'validation_error' },
    '/v1/suppressions': { status: 400, code: 'validation_failed', paths: [] },
  },
  'duplicate keys': {
    ...each({ status: 400, code: 'invalid_json' }, { status: 400, code: 'validation_error' }),
    '/v1/messages': { status: 400, code: 'invalid_json', paths: [['from']] },
    '/v1/messages/batch': { status: 400, code: 'invalid_json', paths: [['messages']] },
    '/v1/suppressions': { status: 400, code: 'invalid_json', paths: [['address']] },
  },
  'empty body': notJson,
  'whitespace only': notJson,
  'wrong Content-Type': notJsonType,
  'form Content-Type': notJsonType,
  'gzip Content-Encoding': notJsonType,
  'NUL bytes': notJson,
}

test('bad JSON of every kind to every POST endpoint, over real HTTP: a 4xx with a code, never a 500, no stall over 100 ms', { timeout: 120_000 }, async () => {
  const got: Record<string, Record<string, Answer>> = {}
  const worst = { blockedMs: 0, delayMs: 0, bytes: 0 }
  for (const [name, make] of CASES) {
    got[name] = {}
    for (const path of ENDPOINTS) {
      const { body, headers } = make(path)
      const probe = startStallProbe()
      const res = await post(path, body, headers)
      let f = probe.stop()
      // A hold the code causes comes back when the request is repeated; one from sharing the cores with the rest of
      // the suite does not. So a hold over the bound is measured twice more and the least of the three counts.
      for (let i = 0; i < 2 && f.maxBlockedMs >= 100; i++) {
        const again = startStallProbe()
        await post(path, body, headers)
        const g = again.stop()
        if (g.maxBlockedMs < f.maxBlockedMs) f = g
      }
      worst.blockedMs = Math.max(worst.blockedMs, f.maxBlockedMs)
      worst.delayMs = Math.max(worst.delayMs, f.maxDelayMs)
      worst.bytes = Math.max(worst.bytes, res.body.length)
      const a = answerOf(path, res)
      // 10,000 bad keys: the first MAX_ISSUES (100) are listed, not 10,000.
      if (name === '10,000 keys' && a.paths) {
        expect(a.paths.length).toBeLessThanOrEqual(100)
        a.paths = []
      }
      got[name][path] = a
    }
  }
  console.log(JSON.stringify(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v['/v1/suppressions']]))))
  expect(got).toEqual(EXPECTED)
  expect(worst.blockedMs).toBeLessThan(100)
  // No answer repeats the input: the largest is a list of at most 100 issues.
  expect(worst.bytes).toBeLessThan(16_384)
  console.log(`bad JSON: ${CASES.length} bodies x ${ENDPOINTS.length} endpoints; longest hold ${worst.blockedMs} ms (delay ${worst.delayMs} ms)`)
})

test('POST /v1/suppressions: a domain that is not a host name is 400 invalid_domain, never a key segment; IDN is stored as sends look it up', async () => {
  // Before: "../x" answered 500 (an unsafe store key), "a/b" was stored as another folder, "Exämple.com" under a
  // scope no send (which looks in the IDNA ASCII form) would ever read.
  const add = async (domain: string) => answerOf('/v1/suppressions', await post('/v1/suppressions', text(JSON.stringify({ address: 'y@example.org', domain }))))
  for (const domain of ['../x', 'a/b', '..', 'not a domain!', 'example.com.'])
    expect(await add(domain)).toEqual({ status: 400, code: 'validation_failed', paths: [['domain']] })
  expect(await add('Exämple.COM')).toEqual({ status: 201, code: 'accepted' })
  const res = await fetch(`${gw.url}/v1/suppressions?domain=xn--exmple-cua.com`, { headers: { authorization: `Bearer ${gw.generatedApiKey}` } })
  expect(((await res.json()) as { data: { address: string; scope: string }[] }).data.map((e) => [e.address, e.scope])).toEqual([
    ['y@example.org', 'xn--exmple-cua.com'],
  ])
})

test('duplicateKey: keys compared after unescaping, per object; colons and braces inside strings do not count', () => {
  const dup = (t: string) => duplicateKey(t, JSON.parse(t))
  expect(dup('{"a":{"x":1},"b":{"x":2},"s":"a: {\\"x\\": 1, \\"x\\": 2}"}')).toBeNull()
  expect(dup('{"to":"a","\\u0074o":"b"}')).toEqual({ path: [], key: 'to' })
  expect(dup('{"m":[{"h":{"X":"1:2","X":"3"}}]}')).toEqual({ path: ['m', 0, 'h'], key: 'X' })
  expect(dup('{"__proto__":1,"__proto__":2}')).toEqual({ path: [], key: '__proto__' })
  expect(dup('[{"a":1},{"a":2}]')).toBeNull()
  // Escaped quotes and backslashes at a string's end: the scan finds where each string really closes.
  expect(dup('{"a":"say \\"b\\": 1","b":2}')).toBeNull()
  expect(dup('{"a":"ends in \\\\","a":1}')).toEqual({ path: [], key: 'a' })
  expect(dup('{"a":"\\\\\\":x","b":{"c":1,"c":2}}')).toEqual({ path: ['b'], key: 'c' })
})

test('a parse error does not quote the body: the text V8 puts around the error (a password, a name) stays out', async () => {
  const res = await post('/v1/messages', text('{"from":"ops@example.com","text":"my password is hunter2", "x": NaN}'))
  expect(res.status).toBe(400)
  expect(JSON.parse(res.body).error).toEqual({ code: 'invalid_json', message: "the body is not valid JSON: Unexpected token 'N'", issues: [] })
})
