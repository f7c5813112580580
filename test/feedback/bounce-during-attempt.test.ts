import { afterEach, expect, test } from 'vitest'
import { recordBounce } from '../../lib/feedback/record-feedback.js'
import { getJson } from '../../lib/store/json.js'
import { messageKeys } from '../../lib/store/keys.js'
import type { AcceptedRequest } from '../../lib/send/records.js'
import { harness } from '../harness.js'
import { startSmtp } from '../servers/smtp.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

test('a bounce recorded while the attempt is still in DATA: the attempt is recorded once, and the message ends bounced', async () => {
  let release!: () => void
  const held = new Promise<void>((r) => (release = r))
  let inData!: () => void
  const arrived = new Promise<void>((r) => (inData = r))
  const smtp = await startSmtp({ hold: () => (inData(), held) })
  const h = await harness({ smtp })
  cleanups.push(
    () => smtp.close(),
    () => h.close(),
  )
  const res = await h.call('POST', '/v1/messages', { from: 'ops@example.com', to: 'gone@example.org', subject: 'fast bounce', text: 'x' })
  const id = res.json.id as string
  const attempt = h.runner.drain()
  await arrived
  // The relay bounces at once: the report is linked before the attempt has recorded its 250.
  const record = (await getJson<AcceptedRequest>(h.store, messageKeys(id).request))!.value
  await recordBounce(h.deps, record, 'gone@example.org', {
    type: 'hard',
    action: 'failed',
    status: '5.1.1',
    diagnosticCode: 'smtp; 550 5.1.1 no such user',
    remoteMta: null,
    reportingMta: null,
    format: 'dsn',
    matchedBy: 'message-id',
    reportId: null,
    mailbox: null,
    receivedAt: new Date(h.clock.now()).toISOString(),
  })
  release()
  expect(await attempt).toBe(1)
  const v = (await h.call('GET', `/v1/messages/${id}`)).json
  expect(v).toMatchObject({ status: 'bounced', accepted: ['gone@example.org'], bounces: { 'gone@example.org': { type: 'hard' } } })
  expect(v.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['sent'])
  expect(smtp.received).toHaveLength(1)
})
