import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { KEYS, overflowsX, startOpsUi, tableRows, type OpsUi } from './browser.js'

let ui: OpsUi
beforeAll(async () => {
  ui = await startOpsUi()
})
afterAll(() => ui?.close())

describe('/ops sign-in', () => {
  test('a send-only key is refused: 401, the reason on the page, no cookie', async () => {
    const page = await ui.page(null)
    await page.goto(`${ui.url}/ops/login`)
    await page.fill('input[name=key]', KEYS.send)
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')])
    expect(res.status()).toBe(401)
    expect(await page.textContent('[role=alert]')).toBe('The key app has no read or admin scope: the dashboard needs one.')
    expect(await page.context().cookies()).toEqual([])
    await page.fill('input[name=key]', 'not-a-key-at-all')
    await page.click('button[type=submit]')
    expect(await page.textContent('[role=alert]')).toBe('That key is not valid.')
    expect(await page.context().cookies()).toEqual([])
    await page.context().close()
  })

  test('a read key signs in: back to the page asked for, an HttpOnly SameSite=Strict cookie on /ops, strict headers', async () => {
    const page = await ui.page(null)
    const first = await page.goto(`${ui.url}/ops/suppressions?domain=x`)
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/ops/login?next=%2Fops%2Fsuppressions%3Fdomain%3Dx')
    expect(first!.status()).toBe(200)
    await page.fill('input[name=key]', KEYS.read)
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/ops/suppressions')), page.click('button[type=submit]')])
    expect(page.url()).toBe(`${ui.url}/ops/suppressions?domain=x`)
    const cookies = await page.context().cookies()
    expect(cookies.map((c) => ({ name: c.name, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure }))).toEqual([
      { name: 'postern_ops', path: '/ops', httpOnly: true, sameSite: 'Strict', secure: false },
    ])
    // The key itself is nowhere in the cookie.
    expect(cookies[0].value).not.toContain(KEYS.read)
    const h = res.headers()
    expect(h['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/]{22}=='; img-src data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    )
    expect([h['x-frame-options'], h['referrer-policy'], h['x-content-type-options'], h['cache-control']]).toEqual([
      'DENY',
      'no-referrer',
      'nosniff',
      'no-store',
    ])
    // The stylesheet applied under the nonce (the header is dark), so the CSP let the page's own style in.
    expect(await page.$eval('header', (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(27, 31, 36)')
    await page.context().close()
  })

  test('a forged or cut cookie counts as none; sign-out ends the session', async () => {
    const page = await ui.page('read')
    const [cookie] = await page.context().cookies()
    await page.context().clearCookies()
    await page.context().addCookies([{ ...cookie, value: cookie.value.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')) }])
    await page.goto(`${ui.url}/ops/suppressions`)
    expect(new URL(page.url()).pathname).toBe('/ops/login')
    await page.context().clearCookies()
    await page.context().addCookies([cookie])
    await page.goto(`${ui.url}/ops/suppressions`)
    expect(new URL(page.url()).pathname).toBe('/ops/suppressions')
    await page.click('header button')
    expect(new URL(page.url()).pathname).toBe('/ops/login')
    expect(await page.context().cookies()).toEqual([])
    await page.context().close()
  })
})

describe('/ops forms', () => {
  test('a POST without the CSRF token, or from another origin, is refused and changes nothing', async () => {
    const page = await ui.page('admin')
    await page.goto(`${ui.url}/ops/suppressions`)
    const token = await page.getAttribute('#add-suppression input[name=_csrf]', 'value')
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const noToken = await page.request.post(`${ui.url}/ops/suppressions`, { form: { address: 'x@example.net' }, headers: { origin: ui.url }, maxRedirects: 0 })
    expect(noToken.status()).toBe(403)
    expect(await noToken.text()).toContain('csrf_failed')
    const wrongToken = await page.request.post(`${ui.url}/ops/suppressions`, {
      form: { address: 'x@example.net', _csrf: 'A'.repeat(43) },
      headers: { origin: ui.url },
      maxRedirects: 0,
    })
    expect(wrongToken.status()).toBe(403)
    const otherOrigin = await page.request.post(`${ui.url}/ops/suppressions`, {
      form: { address: 'x@example.net', _csrf: token! },
      headers: { origin: 'http://evil.example' },
      maxRedirects: 0,
    })
    expect(otherOrigin.status()).toBe(403)
    expect((await ui.api('admin', 'GET', '/v1/suppressions')).json).toEqual({ data: [], nextCursor: null })
    await page.context().close()
  })

  test('admin adds and removes a suppression through the page; the list shows it; a read key sees no form and is refused', async () => {
    const page = await ui.page('admin')
    await page.goto(`${ui.url}/ops/suppressions`)
    await page.fill('#add-suppression input[name=address]', 'Carol@Example.NET')
    await page.fill('#add-suppression input[name=domain]', 'Example.com')
    await page.fill('#add-suppression input[name=note]', 'asked to stop')
    await page.click('#add-suppression button')
    expect(await page.textContent('[role=status]')).toBe('Suppressed Carol@example.net.')
    const rows = await tableRows(page, 'suppressions')
    expect(rows.map((r) => r.slice(0, 3).concat(r.slice(4, 6)))).toEqual([['Carol@example.net', 'example.com', 'manual', '—', 'asked to stop']])
    expect((await ui.api('read', 'GET', '/v1/suppressions')).json.data.map((s: { address: string }) => s.address)).toEqual(['Carol@example.net'])
    await ui.shot(page, 'suppressions')

    const reader = await ui.page('read')
    await reader.goto(`${ui.url}/ops/suppressions`)
    expect(await reader.$('#add-suppression')).toBeNull()
    expect(await reader.$$('#suppressions button')).toEqual([])
    const token = await reader.getAttribute('header input[name=_csrf]', 'value')
    const refused = await reader.request.post(`${ui.url}/ops/suppressions/remove`, {
      form: { address: 'Carol@example.net', _csrf: token! },
      headers: { origin: ui.url },
      maxRedirects: 0,
    })
    expect(refused.status()).toBe(403)
    expect(await refused.text()).toContain('insufficient_scope')
    await reader.context().close()

    await page.click('#suppressions button')
    expect(await page.textContent('[role=status]')).toBe('Removed Carol@example.net.')
    expect(await tableRows(page, 'suppressions')).toEqual([])
    await page.fill('#add-suppression input[name=address]', 'no-at-sign')
    await page.fill('#add-suppression input[name=domain]', 'example.com')
    await page.click('#add-suppression button')
    expect(await page.textContent('[role=alert]')).toMatch(/^the request has invalid fields; address: /)
    await page.context().close()
  })

  test('375 px wide: the page does not scroll sideways', async () => {
    await ui.api('admin', 'POST', '/v1/suppressions', {
      address: 'a-very-long-address-that-would-push-the-table-wide@subdomain.example.org',
      domain: 'example.com',
      note: 'x'.repeat(80),
    })
    const page = await ui.page('admin', 375)
    await page.goto(`${ui.url}/ops/suppressions`)
    expect(await overflowsX(page)).toBe(false)
    await ui.shot(page, 'suppressions-375')
    await page.context().close()
  })
})
