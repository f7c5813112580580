import { afterAll, beforeAll, expect, test } from 'vitest'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { rebuildIndexes } from '../../lib/logs/rebuild-indexes.js'
import { harness, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { mail } from './mail.js'

let smtp: SmtpTestServer
let h: Harness
beforeAll(async () => {
  smtp = await startSmtp({ rcpt: (a) => (a.startsWith('fail') ? smtpReply(550, '5.1.1 no such user') : undefined) })
  h = await harness({ smtp })
  const base = { from: 'a@example.com', subject: 's', text: 't' }
  for (const to of ['ok@example.org', 'fail@example.org', 'later@example.org']) {
    const body = to.startsWith('later') ? { ...base, to, sendAt: '2026-11-30T00:00:00Z', tags: ['t1'] } : { ...base, to }
    expect((await h.call('POST', '/v1/messages', body)).status).toBe(202)
    h.clock.advance(60_000)
  }
  await h.runner.drain()
  for (const [i, box] of ['support', 'sales'].entries()) {
    const state = await loadMailboxState(h.store, box)
    await ingestMessage(h.deps, box, state, {
      raw: mail(i, { from: 'c@example.com', to: `${box}@example.org`, subject: `q${i}` }),
      receivedAt: '2026-11-29T12:00:00.000Z',
      folder: 'INBOX',
    })
    await state.save()
  }
})
afterAll(async () => {
  await h?.close()
  await smtp?.close()
})

test('reindex rebuilds exactly the entries the writers made, for data stored without them', async () => {
  const pages = async () => [
    (await h.call('GET', '/v1/messages')).json,
    (await h.call('GET', '/v1/messages?status=failed')).json,
    (await h.call('GET', '/v1/inbound')).json,
  ]
  const before = await pages()
  expect(before.map((p) => p.data.length)).toEqual([3, 1, 2])
  const entries = await h.store.list('indexes/')
  for (const k of entries) await h.store.delete(k)
  expect((await pages()).map((p) => p.data.length)).toEqual([0, 0, 0])
  const progress: unknown[] = []
  expect(await rebuildIndexes(h.deps, (s) => progress.push({ ...s }))).toEqual({ messages: 3, inbound: 2 })
  expect(progress).toEqual([{ messages: 3, inbound: 2 }])
  expect(await h.store.list('indexes/')).toEqual(entries)
  expect(await pages()).toEqual(before)
  // Again: the same entries, nothing more.
  await rebuildIndexes(h.deps)
  expect(await h.store.list('indexes/')).toEqual(entries)
})
