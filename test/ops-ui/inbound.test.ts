import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pollAndRecord } from '../../lib/inbound/last-poll.js'
import type { DovecotUser } from '../servers/dovecot.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { chartBars, overflowsX, startHitRecorder, startOpsUi, tableRows, totals, type OpsUi } from './browser.js'

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

const plain = (from: string, to: string, subject: string, n: number) =>
  Buffer.from(
    `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <plain-${n}@example.test>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\nbody ${n}\r\n`,
  )
let other: string
let reportsUser: DovecotUser
// Three hours in the last 24 (the overview's window; the gateway's clock is the real time), on the hour.
const base = Math.floor(Date.now() / 3600_000) * 3600_000 - 5 * 3600_000
const at = (h: number) => new Date(base + h * 3600_000).toISOString()
const shown = (h: number) => at(h).slice(0, 19).replace('T', ' ')

beforeAll(async () => {
  dovecot = await startDovecot()
  remote = await startHitRecorder()
  const [u, v] = await Promise.all([dovecot.addUser('ops-inbound@example.test'), dovecot.addUser('ops-reports@example.test')])
  const [mb, mb2] = [dovecotMailbox(dovecot, u, 'imap'), dovecotMailbox(dovecot, v, 'imap')]
  mailbox = mb.id
  other = mb2.id
  ui = await startOpsUi({ config: { mailboxes: [mb, mb2] as never } })
  hostile = hostileMessage(remote.url)
  // INTERNALDATE is receivedAt: one hour apart, oldest first.
  await dovecot.append(u, 'INBOX', [hostile], new Date(base))
  await dovecot.append(u, 'INBOX', [plain('Carol <carol@example.test>', 'ops@example.test', 'Invoice 42', 1)], new Date(base + 3600_000))
  await dovecot.append(v, 'INBOX', [plain('bob@example.test', 'team@example.test', 'Weekly report', 2)], new Date(base + 7200_000))
  for (const m of ui.h.deps.config.mailboxes) expect(await pollAndRecord(ui.h.deps, m)).toMatchObject({ error: null })
  reportsUser = v
})
afterAll(async () => {
  await ui?.close()
  await remote?.close()
  await dovecot?.close()
})

/** Subjects of the listed rows, in order. */
const listed = async (query: string) => {
  const page = await ui.page('read')
  await page.goto(`${ui.url}/ops/inbound${query}`)
  const rows = (await tableRows(page, 'inbound-list')).map((r) => r[1])
  await page.context().close()
  return rows
}

describe('/ops/inbound', () => {
  test('newest first; each filter narrows to exactly the matching rows', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/inbound`)
    expect(await tableRows(page, 'inbound-list')).toEqual([
      [shown(2), 'Weekly report', 'bob@example.test', 'team@example.test', other, expect.stringMatching(/^\d+$/), '0'],
      [shown(1), 'Invoice 42', 'carol@example.test', 'ops@example.test', mailbox, expect.stringMatching(/^\d+$/), '0'],
      [shown(0), 'You won', 'mallory@example.test', 'ops@example.test', mailbox, String(hostile.length), '1'],
    ])
    await ui.shot(page, 'inbound-list')
    await page.context().close()
    expect(await listed(`?mailbox=${mailbox}`)).toEqual(['Invoice 42', 'You won'])
    expect(await listed(`?mailbox=${other}`)).toEqual(['Weekly report'])
    expect(await listed('?from=CAROL@example.test')).toEqual(['Invoice 42'])
    expect(await listed('?to=ops@example.test')).toEqual(['Invoice 42', 'You won'])
    expect(await listed('?subject=invoice')).toEqual(['Invoice 42'])
    expect(await listed(`?since=${at(1)}`)).toEqual(['Weekly report', 'Invoice 42'])
    expect(await listed(`?until=${new Date(base + 1800_000).toISOString()}`)).toEqual(['You won'])
    expect(await listed(`?mailbox=${mailbox}&subject=&from=&to=&since=&until=`)).toEqual(['Invoice 42', 'You won'])
  })

  test('the overview counts each received message in the hour it arrived', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops`)
    expect(await totals(page)).toEqual({ sent: '0', deferred: '0', failed: '0', bounced: '0', received: '3' })
    expect(await chartBars(page)).toEqual([0, 1, 2].map((h) => ({ hour: at(h), series: 'received', count: 1 })))
    await page.context().close()
  })

  test('375 px wide: no sideways scroll; a row opens the message', async () => {
    const page = await ui.page('read', 375)
    await page.goto(`${ui.url}/ops/inbound`)
    expect(await overflowsX(page)).toBe(false)
    await page.click('text=You won')
    expect(new URL(page.url()).pathname).toBe(`/ops/inbound/${mailbox}/${inboundMessageId(hostile)}`)
    expect(await overflowsX(page)).toBe(false)
    await ui.shot(page, 'inbound-375')
    await page.context().close()
  })
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
    expect(res.headers()['content-security-policy']).toBe("sandbox; default-src 'none'")
    expect(await res.text()).toBe('attached text')
    expect((await page.request.get(`${ui.url}/ops/inbound/${mailbox}/${id}/attachments/att-9`)).status()).toBe(404)
    expect((await page.request.get(`${ui.url}/ops/inbound/nope/${id}`)).status()).toBe(404)
    await page.context().close()
  })
})

describe('/ops/mailboxes', () => {
  test('each mailbox with its last poll and cursor; reconcile lists the message the server has and Postern has not', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/mailboxes`)
    const rows = await tableRows(page, 'mailboxes')
    expect(rows.map((r) => [r[0], r[3], r[4], r[5], r[6], r[7], r[8]])).toEqual([
      [mailbox, 'ok', '2', '2', '0', '0', '—'],
      [other, 'ok', '1', '1', '0', '0', '—'],
    ])
    expect(rows[1][10]).toMatch(/^INBOX: UIDVALIDITY \d+, UID 1$/)
    await ui.shot(page, 'mailboxes')
    await page.click(`a[href="/ops/mailboxes/${other}/reconcile"]`)
    expect(await page.textContent('#gap-count')).toBe('0')
    expect(await page.textContent('[role=status]')).toBe('Nothing missing: everything on the server is stored and every event was acknowledged.')
    await dovecot.append(reportsUser, 'INBOX', [plain('bob@example.test', 'team@example.test', 'Late report', 3)])
    await page.reload()
    expect(await page.textContent('#gap-count')).toBe('1')
    expect(await tableRows(page, 'gaps')).toEqual([['not_stored', 'INBOX UID 2: the next poll takes it']])
    await ui.shot(page, 'reconcile')
    expect((await page.goto(`${ui.url}/ops/mailboxes/nope/reconcile`))!.status()).toBe(404)
    await page.context().close()
  })
})
