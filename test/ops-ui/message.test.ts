import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { smtpReply } from '../servers/smtp.js'
import { chartBars, overflowsX, postForm, startOpsUi, tableRows, totals, type OpsUi } from './browser.js'

let ui: OpsUi
const ids: Record<string, string> = {}
const created: Record<string, string> = {}
beforeAll(async () => {
  ui = await startOpsUi({
    smtp: {
      rcpt: (address) =>
        address.startsWith('nobody@')
          ? smtpReply(550, '5.1.1 <nobody@example.org>: user unknown')
          : address.startsWith('later@')
            ? smtpReply(451, '4.7.1 greylisted, try later')
            : undefined,
    },
  })
  for (const [name, from, to, tags] of [
    ['sent', 'ops@example.com', 'bob@example.org', ['t1']],
    ['failed', 'ops@example.com', 'nobody@example.org', ['t1', 'urgent']],
    ['deferred', 'alerts@example.com', 'later@example.org', ['t2']],
  ] as const) {
    const res = await ui.api('send', 'POST', '/v1/messages', { from, to, subject: `to ${name}`, text: 'hello', tags })
    expect(res.status).toBe(202)
    ids[name] = res.json.id
    created[name] = new Date(ui.h.clock.now()).toISOString()
    ui.h.clock.advance(60_000)
  }
  await ui.h.runner.drain()
})
afterAll(() => ui?.close())

/** The subjects of the listed rows, in order. */
const subjects = async (path: string) => {
  const page = await ui.page('read')
  await page.goto(`${ui.url}${path}`)
  const rows = (await tableRows(page, 'messages')).map((r) => r[2])
  await page.context().close()
  return rows
}

describe('/ops/messages', () => {
  test('newest first, with status badges, the envelope and attempts', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/messages`)
    expect(await tableRows(page, 'messages')).toEqual([
      [created.deferred.slice(0, 19).replace('T', ' '), 'deferred', 'to deferred', 'later@example.org', 'alerts@example.com', 't2', '1'],
      [created.failed.slice(0, 19).replace('T', ' '), 'failed', 'to failed', 'nobody@example.org', 'ops@example.com', 't1, urgent', '1'],
      [created.sent.slice(0, 19).replace('T', ' '), 'sent', 'to sent', 'bob@example.org', 'ops@example.com', 't1', '1'],
    ])
    await ui.shot(page, 'messages')
    await page.click('text=to failed')
    expect(new URL(page.url()).pathname).toBe(`/ops/messages/${ids.failed}`)
    await page.context().close()
  })

  test('each filter narrows the list to exactly the matching rows', async () => {
    expect(await subjects('/ops/messages?status=failed')).toEqual(['to failed'])
    expect(await subjects('/ops/messages?status=sent')).toEqual(['to sent'])
    expect(await subjects('/ops/messages?status=bounced')).toEqual([])
    expect(await subjects('/ops/messages?to=BOB@example.org')).toEqual(['to sent'])
    expect(await subjects('/ops/messages?from=alerts@example.com')).toEqual(['to deferred'])
    expect(await subjects('/ops/messages?tag=t1')).toEqual(['to failed', 'to sent'])
    expect(await subjects('/ops/messages?tag=urgent&status=sent')).toEqual([])
    expect(await subjects(`/ops/messages?since=${created.failed}`)).toEqual(['to deferred', 'to failed'])
    expect(await subjects(`/ops/messages?until=${created.failed}`)).toEqual(['to failed', 'to sent'])
    // The empty fields a submitted form sends are no filter.
    expect(await subjects('/ops/messages?status=&to=&from=&tag=t2&since=&until=')).toEqual(['to deferred'])
  })

  test('the filter form submits the filters; pages follow the cursor with the filters kept', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/messages`)
    await page.selectOption('select[name=status]', 'failed')
    await page.click('form.filters button')
    expect(await page.$$eval('#messages tbody tr', (rows) => rows.length)).toBe(1)
    expect(await page.$eval('select[name=status]', (s) => (s as HTMLSelectElement).value)).toBe('failed')
    await page.goto(`${ui.url}/ops/messages?tag=t1&limit=1`)
    expect((await tableRows(page, 'messages')).map((r) => r[2])).toEqual(['to failed'])
    await page.click('a[rel=next]')
    expect(new URL(page.url()).searchParams.get('tag')).toBe('t1')
    expect((await tableRows(page, 'messages')).map((r) => r[2])).toEqual(['to sent'])
    // A full page may have an empty page after it (the index cannot tell without reading on); the list ends there.
    const next = await page.$('a[rel=next]')
    if (next) {
      await next.click()
      expect(await tableRows(page, 'messages')).toEqual([])
    }
    expect(await page.$('a[rel=next]')).toBeNull()
    await page.context().close()
  })

  test('a bad filter is a 400 page naming the parameter', async () => {
    const page = await ui.page('read')
    const res = await page.goto(`${ui.url}/ops/messages?status=lost&since=yesterday`)
    expect(res!.status()).toBe(400)
    expect(await page.$$eval('#issues li', (li) => li.map((l) => l.textContent))).toEqual([
      'query.status: not one of scheduled, queued, sent, deferred, failed, bounced, canceled: lost',
      'query.since: ISO 8601 (2026-12-02T09:00:00Z), a date (2026-12-02) or a time ago (15m, 1h, 7d)',
    ])
    await page.context().close()
  })

  test('375 px wide: the list does not make the page scroll sideways', async () => {
    const page = await ui.page('read', 375)
    await page.goto(`${ui.url}/ops/messages`)
    expect(await overflowsX(page)).toBe(false)
    await ui.shot(page, 'messages-375')
    await page.context().close()
  })
})

describe('/ops overview', () => {
  test('totals of the last 24 hours and one bar per hour and status, in the hour each message was accepted', async () => {
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops`)
    expect(await totals(page)).toEqual({ sent: '1', deferred: '1', failed: '1', bounced: '0', received: '0' })
    const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`
    expect(await chartBars(page)).toEqual(
      (['sent', 'failed', 'deferred'] as const)
        .map((s) => ({ hour: hourOf(created[s]), series: s, count: 1 }))
        .sort((a, b) => a.hour.localeCompare(b.hour) || ['sent', 'deferred', 'failed'].indexOf(a.series) - ['sent', 'deferred', 'failed'].indexOf(b.series)),
    )
    expect(await page.$$eval('#hourly-chart g[data-hour]', (g) => g.length)).toBe(24)
    await ui.shot(page, 'overview')
    await page.click('#totals [data-series=failed]')
    expect((await tableRows(page, 'messages')).map((r) => r[2])).toEqual(['to failed'])
    const narrow = await ui.page('read', 375)
    await narrow.goto(`${ui.url}/ops`)
    expect(await overflowsX(narrow)).toBe(false)
    await ui.shot(narrow, 'overview-375')
    await narrow.context().close()
    await page.context().close()
  })
})

describe('/ops/messages/:id', () => {
  test('a failed message: status, the exact SMTP reply in its attempt and timeline, no cancel button', async () => {
    const api = (await ui.api('read', 'GET', `/v1/messages/${ids.failed}`)).json
    expect(api.status).toBe('failed')
    expect(api.attempts[0]).toMatchObject({ reply: 550, enhancedStatus: '5.1.1' })
    const page = await ui.page('read')
    await page.goto(`${ui.url}/ops/messages/${ids.failed}`)
    expect(await page.textContent('h1')).toBe('to failed')
    expect(await page.textContent('#message .badge')).toBe('failed')
    const [attempt] = await tableRows(page, 'attempts')
    expect(attempt.slice(3, 7)).toEqual(['failed', '550', '5.1.1', api.attempts[0].response])
    expect(attempt[6]).toBe('550 5.1.1 <nobody@example.org>: user unknown')
    expect(attempt[8]).toBe('nobody@example.org: 550 5.1.1 <nobody@example.org>: user unknown')
    const timeline = await tableRows(page, 'timeline')
    expect(timeline.map((r) => r.slice(1, 3))).toEqual([
      ['accepted', 'queued'],
      ['attempt 1', 'failed'],
    ])
    expect(timeline[1][3]).toBe('550 5.1.1 <nobody@example.org>: user unknown')
    expect(await page.$('form[action$="/cancel"]')).toBeNull()
    await ui.shot(page, 'message-failed')
    await page.context().close()
  })

  test('a deferred message: a read key gets no cancel button and is refused; admin cancels it through the page', async () => {
    const reader = await ui.page('read')
    await reader.goto(`${ui.url}/ops/messages/${ids.deferred}`)
    expect(await reader.textContent('#message .badge')).toBe('deferred')
    expect(await reader.$('form[action$="/cancel"]')).toBeNull()
    expect((await postForm(reader, ui.url, `/ops/messages/${ids.deferred}/cancel`)).status).toBe(403)
    await reader.context().close()

    const page = await ui.page('admin')
    await page.goto(`${ui.url}/ops/messages/${ids.deferred}`)
    await page.click('form[action$="/cancel"] button')
    expect(await page.textContent('[role=status]')).toBe('Canceled.')
    expect(await page.textContent('#message .badge')).toBe('canceled')
    expect((await tableRows(page, 'timeline')).map((r) => r.slice(1, 3))).toEqual([
      ['accepted', 'queued'],
      ['attempt 1', 'deferred'],
      ['canceled', 'canceled'],
    ])
    expect((await ui.api('read', 'GET', `/v1/messages/${ids.deferred}`)).json).toMatchObject({ status: 'canceled', reason: 'canceled_by_api' })
    expect(await page.$('form[action$="/cancel"]')).toBeNull()
    await ui.shot(page, 'message-canceled')
    await page.context().close()
  })

  test('an unknown id is a 404 page', async () => {
    const page = await ui.page('read')
    const res = await page.goto(`${ui.url}/ops/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV`)
    expect(res!.status()).toBe(404)
    expect(await page.textContent('[role=alert]')).toBe('not_found: no message has this id')
    await page.context().close()
  })
})
