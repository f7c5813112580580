import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadConfig } from '../../lib/config/load.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'

// Over real HTTP (@hono/node-server): a body with a Content-Length is checked before it is read and then read
// directly; one sent chunked goes through hono's bodyLimit, which counts as it reads.
let dir: string
let gw: LocalGateway
let limit: number
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-body-limit-'))
  const config = loadConfig({ PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  gw = await startLocal({ ...config, sandbox: { port: 0 }, limits: { ...config.limits, maxMessageBytes: 1000 } })
  // As lib/http/app.ts: room for base64 (4/3) plus 1 MiB of JSON, twice.
  limit = (Math.ceil((1000 * 4) / 3) + 1024 * 1024) * 2
})
afterAll(async () => {
  await gw.close()
  await rm(dir, { recursive: true, force: true })
})

const post = (body: BodyInit, extra: RequestInit = {}) =>
  fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.generatedApiKey}`, 'content-type': 'application/json' },
    body,
    ...extra,
  })
const message = { from: 'me@example.com', to: 'you@example.org', subject: 'hi', text: 'hello' }

test('a body with Content-Length is read directly and accepted', async () => {
  const res = await post(JSON.stringify(message))
  expect(res.status).toBe(202)
  expect(await res.json()).toMatchObject({ status: 'queued' })
})

test('a Content-Length over the limit: 413 payload_too_large, with the limit in bytes', async () => {
  const res = await post(JSON.stringify({ ...message, text: 'x'.repeat(limit) }))
  expect(res.status).toBe(413)
  expect(((await res.json()) as { error: unknown }).error).toEqual({
    code: 'payload_too_large',
    message: `the request body is larger than ${limit} bytes`,
    issues: [],
  })
})

test('a chunked body (no Content-Length) over the limit: the same 413', async () => {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent > limit) return c.close()
      sent += chunk.length
      c.enqueue(chunk)
    },
  })
  const res = await post(body, { duplex: 'half' } as RequestInit)
  expect(res.status).toBe(413)
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
})

test('a chunked body under the limit is read and accepted', async () => {
  const bytes = new TextEncoder().encode(JSON.stringify(message))
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes.subarray(0, 10))
      c.enqueue(bytes.subarray(10))
      c.close()
    },
  })
  const res = await post(body, { duplex: 'half' } as RequestInit)
  expect(res.status).toBe(202)
})

test('a GET carries no body to limit, whatever its Content-Length says', async () => {
  const { request } = await import('node:http')
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${gw.url}/v1/messages/01KB0000000000000000000000`, {
      method: 'GET',
      headers: { authorization: `Bearer ${gw.generatedApiKey}`, 'content-length': String(limit * 2) },
    })
    req.on('response', (res) => (res.resume(), resolve(res.statusCode!)))
    req.on('error', reject)
    req.end()
  })
  expect(status).toBe(404)
})

/** Sends raw bytes to the gateway and resolves with everything it answers before closing. */
async function raw(request: string): Promise<string> {
  const { connect } = await import('node:net')
  const { port } = new URL(gw.url)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const s = connect(Number(port), '127.0.0.1', () => s.write(request))
    s.on('data', (d) => chunks.push(d))
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    s.on('error', reject)
  })
}
const head = (extra: string) =>
  `POST /v1/messages HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gw.generatedApiKey}\r\ncontent-type: application/json\r\n${extra}\r\n`

test('framing that Node refuses is answered in the API error shape, and the connection closed', async () => {
  const body = JSON.stringify(message)
  for (const framing of [`content-length: ${body.length}, ${body.length + 1}\r\n`, `content-length: ${body.length}\r\ntransfer-encoding: chunked\r\n`]) {
    const answer = await raw(`${head(framing)}${body}`)
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(answer).toMatch(/\r\nconnection: close\r\n/i)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'bad_request', message: 'the HTTP request is malformed', issues: [] },
    })
  }
})

test('a transfer coding other than chunked is refused: 415', async () => {
  const body = JSON.stringify(message)
  const answer = await raw(`${head('transfer-encoding: gzip, chunked\r\nconnection: close\r\n')}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`)
  expect(answer).toMatch(/^HTTP\/1\.1 415 /)
  expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('unsupported_media_type')
})

test('headers over the parser limit: 431 headers_too_large, in the API error shape', async () => {
  const answer = await raw(`${head(`x-filler: ${'a'.repeat(20 * 1024)}\r\n`)}`)
  expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('headers_too_large')
})

test('a body of more than 100,000 values is refused by the scan before it is parsed: 400 invalid_json', async () => {
  const res = await post(`[${Array.from({ length: 100_001 }, () => '[]').join(',')}]`)
  expect(res.status).toBe(400)
  expect(((await res.json()) as { error: unknown }).error).toEqual({
    code: 'invalid_json',
    message: 'the body has too many values: at most 100000 arrays, objects, members and elements',
    issues: [],
  })
})
