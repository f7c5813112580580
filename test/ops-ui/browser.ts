import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { chromium, type Browser, type Page } from 'playwright-core'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import type { ConfigInput } from '../../lib/config/schema.js'
import { createApp } from '../../lib/http/app.js'
import { harness, type Harness } from '../harness.js'
import { startSmtp, type SmtpBehaviour, type SmtpTestServer } from '../servers/smtp.js'

/** Keys of the dashboard tests: one per scope. */
export const KEYS = {
  admin: 'ops-admin-key-0123456789',
  read: 'ops-read-key-0123456789',
  send: 'ops-send-key-0123456789',
} as const

export const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'ops-ui')

export interface OpsUi {
  h: Harness
  smtp: SmtpTestServer
  /** The gateway's base URL (http://127.0.0.1:<port>). */
  url: string
  browser: Browser
  /** A fresh browser context and page at `width` px (default 1200), signed in with `key` unless it is null. */
  page(key: keyof typeof KEYS | null, width?: number): Promise<Page>
  /** Calls the HTTP API in-process as `key`. */
  api(key: keyof typeof KEYS, method: string, path: string, body?: unknown): ReturnType<Harness['call']>
  /** Saves a full-page screenshot to test-output/ops-ui/<name>.png. */
  shot(page: Page, name: string): Promise<void>
  close(): Promise<void>
}

/**
 * The whole gateway app served by @hono/node-server on 127.0.0.1 (port 0), over a real SMTP server and an fs store,
 * with three keys (admin, read, send-only), and Debian's chromium driven by playwright-core.
 */
export async function startOpsUi(opts: { smtp?: SmtpBehaviour; config?: Partial<ConfigInput> } = {}): Promise<OpsUi> {
  const smtp = await startSmtp(opts.smtp ?? {})
  const h = await harness({
    smtp,
    clockStart: Date.now(),
    config: {
      apiKeys: [
        { id: 'ops-admin', hash: hashApiKey(KEYS.admin), scopes: ['admin', 'send'] },
        { id: 'ops-read', hash: hashApiKey(KEYS.read), scopes: ['read'] },
        { id: 'app', hash: hashApiKey(KEYS.send), scopes: ['send'] },
      ],
      ...opts.config,
    },
  })
  const app = createApp(h.deps)
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  mkdirSync(SHOTS, { recursive: true })
  const ui: OpsUi = {
    h,
    smtp,
    url,
    browser,
    async page(key, width = 1200) {
      const context = await browser.newContext({ viewport: { width, height: 900 } })
      context.setDefaultTimeout(5000)
      const page = await context.newPage()
      if (key) await signIn(page, url, KEYS[key])
      return page
    },
    api: (key, method, path, body) => h.call(method, path, body, { authorization: `Bearer ${KEYS[key]}` }),
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
    },
    async close() {
      await browser.close()
      await new Promise((r) => server.close(r))
      await h.close()
      await smtp.close()
    },
  }
  return ui
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/ops/login`)
  await page.fill('input[name=key]', key)
  await Promise.all([page.waitForURL((u) => u.pathname !== '/ops/login', { waitUntil: 'load' }), page.click('button[type=submit]')])
}

/** The text of every cell of the table `#id`, row by row. */
export const tableRows = (page: Page, id: string) =>
  page.$$eval(`#${id} tbody tr`, (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => (td.textContent ?? '').trim())))

/** Whether the page scrolls sideways (body wider than the viewport). */
export const overflowsX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

/** An HTTP server on 127.0.0.1 that answers 200 to everything and records each request's path: what must stay empty. */
export async function startHitRecorder(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    res.end('x')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** The bars of the overview chart: hour, series and count of each, in document order. */
export const chartBars = (page: Page) =>
  page.$$eval('#hourly-chart g[data-hour] rect', (rects) =>
    rects.map((r) => ({
      hour: r.parentElement!.getAttribute('data-hour')!,
      series: r.getAttribute('data-series')!,
      count: Number(r.getAttribute('data-count')),
    })),
  )

/** The overview's totals cards, by series. */
export const totals = (page: Page) =>
  page.$$eval('#totals [data-series]', (cards) =>
    Object.fromEntries(cards.map((c) => [c.getAttribute('data-series'), c.querySelector('b')!.textContent!.trim()])),
  )

/**
 * POSTs a form from a signed-in page as a script of the same origin could: the page's CSRF token (from the sign-out
 * form) unless `form` gives another, `Origin` the dashboard's unless `origin` is given. Returns the status and body.
 */
export async function postForm(page: Page, url: string, path: string, form: Record<string, string> = {}, origin = url) {
  const token = await page.getAttribute('header input[name=_csrf]', 'value')
  const res = await page.request.post(`${url}${path}`, { form: { _csrf: token!, ...form }, headers: { origin }, maxRedirects: 0 })
  return { status: res.status(), text: await res.text() }
}
