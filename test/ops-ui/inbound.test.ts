import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startHitRecorder, startOpsUi, tableRows, type OpsUi } from './browser.js'

let dovecot: DovecotServer
let ui: OpsUi
let remote: Awaited<ReturnType<typeof startHitRecorder>>
let hostile: Buffer
let mailbox: string

/** A message whose HTML tries every way to run script or reach the network, with an attachment named like a path. */
const hostileMessage = (remoteUrl: string) =>
  Buffer.from(
    [
      'From: Mallory <mallory@example.test>',
      'To: ops@example.test',
      'Subject: You won',
      'Message-ID: <hostile-1@example.test>',
      'Date: Wed, 02 Dec 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Plain words for you.',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<html><head><meta http-equiv="refresh" content="0;url=${remoteUrl}/refresh"><link rel="stylesheet" href="${remoteUrl}/css"><base href="${remoteUrl}/base/"></head>`,
      `<body><script>try { parent.__pwned = 'script' } catch (e) {} window.__pwned = 'script'; alert('script')</script>`,
      `<img src="${remoteUrl}/pixel.png" onerror="parent.__pwned='onerror'; alert('onerror')" onload="alert('onload')">`,
      `<img src="relative.png"><style>p { background: url(${remoteUrl}/bg) }</style>`,
      `<iframe src="${remoteUrl}/frame"></iframe><form action="${remoteUrl}/form"><button>go</button></form>`,
      '<p id="greeting">Hello <b>winner</b></p></body></html>',
      '--alt--',
      '--outer',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="../../etc/notes.txt"',
      '',
      'attached text',
      '--outer--',
      '',
    ].join('\r\n'),
  )

beforeAll(async () => {
  dovecot = await startDovecot()
  remote = await startHitRecorder()
  const u = await dovecot.addUser('ops-inbound@example.test')
  const mb = dovecotMailbox(dovecot, u, 'imap')
  mailbox = mb.id
  ui = await startOpsUi({ config: { mailboxes: [mb] as never } })
  hostile = hostileMessage(remote.url)
  await dovecot.append(u, 'INBOX', [hostile])
  expect(await pollMailbox(ui.h.deps, ui.h.deps.config.mailboxes[0])).toMatchObject({ stored: 1, error: null })
})
afterAll(async () => {
  await ui?.close()
  await remote?.close()
  await dovecot?.close()
})

describe('/ops/inbound/:mailbox/:id', () => {
  test('a hostile HTML email: shown in a sandboxed frame, no script runs, nothing is fetched from the network', async () => {
    const id = inboundMessageId(hostile)
    const page = await ui.page('read')
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    const finished: string[] = []
    const blocked: string[] = []
    page.context().on('requestfinished', (r) => finished.push(r.url()))
    page.context().on('requestfailed', (r) => blocked.push(`${new URL(r.url()).pathname} ${r.failure()?.errorText}`))
    await page.goto(`${ui.url}/ops/inbound/${mailbox}/${id}`)
    expect(await page.textContent('h1')).toBe('You won')
    const frameEl = await page.waitForSelector('iframe.mail')
    expect(await frameEl.getAttribute('sandbox')).toBe('')
    const frame = (await frameEl.contentFrame())!
    await frame.waitForSelector('#greeting')
    // The HTML is displayed, in the frame only.
    expect(await frame.textContent('#greeting')).toBe('Hello winner')
    await page.waitForTimeout(1500)
    expect(dialogs).toEqual([])
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined()
    expect(remote.hits).toEqual([])
    // Chromium saw the remote URLs and the CSP blocked each one before it left; only the dashboard's own origin answered.
    expect(finished.filter((u) => !u.startsWith(`${ui.url}/`))).toEqual([])
    // (a relative image too: it would have been a request to the dashboard itself).
    expect(blocked.sort()).toEqual(['/bg csp', '/css csp', `/ops/inbound/${mailbox}/${id}/relative.png csp`, '/pixel.png csp'])
    // The page itself never contains the message's markup.
    const html = await page.content()
    expect(html).not.toContain('onerror')
    expect(html).not.toContain('<script')
    expect(await page.textContent('#text')).toBe('Plain words for you.')
    // The frame's document answers with its own CSP and sandbox.
    const res = await page.request.get(`${ui.url}/ops/inbound/${mailbox}/${id}/html`)
    expect(res.headers()['content-security-policy']).toBe(
      "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    )
    await ui.shot(page, 'inbound-hostile')
    await page.context().close()
  })

  test('raw download is byte-exact; the attachment downloads with a safe name and its content type', async () => {
    const id = inboundMessageId(hostile)
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/inbound/${mailbox}/${id}`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#raw')])
    expect(download.suggestedFilename()).toBe(`${id}.eml`)
    const { readFile } = await import('node:fs/promises')
    expect((await readFile((await download.path())!)).equals(hostile)).toBe(true)
    expect(await tableRows(page, 'attachments')).toEqual([['../../etc/notes.txt', 'text/plain', '13', expect.stringMatching(/^[0-9a-f]{16}…$/)]])
    const res = await page.request.get(`${ui.url}/ops/inbound/${mailbox}/${id}/attachments/att-1`)
    expect(res.status()).toBe(200)
    expect(res.headers()['content-type']).toBe('text/plain')
    expect(res.headers()['content-disposition']).toBe('attachment; filename="etc_notes.txt"')
    expect(await res.text()).toBe('attached text')
    expect((await page.request.get(`${ui.url}/ops/inbound/${mailbox}/${id}/attachments/att-9`)).status()).toBe(404)
    expect((await page.request.get(`${ui.url}/ops/inbound/nope/${id}`)).status()).toBe(404)
    await page.context().close()
  })
})
