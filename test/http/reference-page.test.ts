import { afterAll, beforeAll, expect, test } from 'vitest'
import { ERROR_CODES } from '../../lib/errors.js'
import { EVENT_TYPES } from '../../lib/events/event-types.js'
import { harness, type Harness } from '../harness.js'

let h: Harness
let page: string
let doc: { paths: Record<string, Record<string, { summary: string }>>; components: { schemas: Record<string, unknown> } }
beforeAll(async () => {
  h = await harness()
  const res = await h.call('GET', '/docs', undefined, { authorization: '' })
  expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html; charset=UTF-8'])
  page = res.json
  doc = (await h.call('GET', '/openapi.json')).json
})
afterAll(() => h.close())

/** The text of the page with tags removed and entities decoded, as a reader sees it. */
const text = () =>
  page
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

test('/docs is self-contained: no script, no stylesheet link, no external URL, every link inside the gateway', () => {
  expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i)
  expect(page).not.toMatch(/https?:\/\//i)
  const targets = [...page.matchAll(/\s(?:href|src|action)="([^"]*)"/g)].map((m) => m[1])
  expect(targets.filter((t) => !t.startsWith('#') && !t.startsWith('/'))).toEqual([])
  // Every in-page link lands on an element with that id.
  const ids = new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]))
  expect(targets.filter((t) => t.startsWith('#') && !ids.has(t.slice(1)))).toEqual([])
})

test('every route of the OpenAPI document is on the page with its method and summary', () => {
  const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => [m, path, op.summary]))
  expect(routes.length).toBeGreaterThanOrEqual(7)
  for (const [method, path, summary] of routes) {
    expect(page).toContain(`<h3><span class="m ${method}">${method}</span> <code>${path}</code></h3>`)
    expect(text()).toContain(`${summary}.`)
  }
  for (const name of Object.keys(doc.components.schemas)) expect(page).toContain(`id="schema-${name.toLowerCase()}"`)
})

test('request fields and query parameters are described with an example, from the zod schemas', () => {
  const t = text()
  expect(t).toContain('attachments[].filename required')
  expect(t).toContain('File name shown to the recipient (1 to 255 characters; no CR/LF, no encoded-words).')
  expect(t).toContain('"invoice-1042.pdf"')
  expect(t).toContain('sendAt')
  expect(t).toContain('"2026-12-03T09:00:00+01:00"')
  expect(t).toContain('since (query)')
  expect(t).toContain('Only events at or after this time (ISO 8601).')
  expect(t).toContain('"2026-12-02T14:00:00Z"')
  // Response schemas given by reference ($ref into zod's $defs) are resolved too.
  expect(t).toContain('SMTP reply code of the attempt (RFC 5321 §4.2); null when none came.')
})

test('the guide: authentication and scopes, idempotency, rate-limit headers, every error code, every event payload', () => {
  const t = text()
  for (const words of [
    'Authorization: Bearer <key>',
    'insufficient_scope',
    'Idempotency-Key',
    'Idempotent-Replayed: true',
    'RateLimit-Policy',
    'Retry-After',
  ]) {
    expect(t).toContain(words)
  }
  for (const code of ERROR_CODES) expect(page).toMatch(new RegExp(`<td><code>${code}</code></td>\\s*<td>\\d{3}</td>`))
  for (const type of EVENT_TYPES) expect(page).toContain(`<h3><code>${type}</code></h3>`)
  expect(t).toContain('data.recipients')
  expect(t).toContain('webhook-signature')
})
