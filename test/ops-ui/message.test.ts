import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { smtpReply } from '../servers/smtp.js'
import { startOpsUi, tableRows, type OpsUi } from './browser.js'

let ui: OpsUi
const ids: Record<string, string> = {}
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
  for (const [name, to] of [
    ['sent', 'bob@example.org'],
    ['failed', 'nobody@example.org'],
    ['deferred', 'later@example.org'],
  ]) {
    const res = await ui.api('send', 'POST', '/v1/messages', { from: 'ops@example.com', to, subject: `to ${name}`, text: 'hello', tags: ['t1'] })
    expect(res.status).toBe(202)
    ids[name] = res.json.id
  }
  await ui.h.runner.drain()
})
afterAll(() => ui?.close())

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
    const token = await reader.getAttribute('header input[name=_csrf]', 'value')
    const refused = await reader.request.post(`${ui.url}/ops/messages/${ids.deferred}/cancel`, {
      form: { _csrf: token! },
      headers: { origin: ui.url },
      maxRedirects: 0,
    })
    expect(refused.status()).toBe(403)
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
