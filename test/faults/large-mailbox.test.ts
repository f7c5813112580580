import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys } from '../../lib/store/keys.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { dovecotMailbox, tempFsStore, testDeps } from '../inbound/harness.js'
import { startDovecot, type DovecotServer, type DovecotUser } from '../servers/dovecot.js'
import { deliverToMaildir } from './maildir.js'

const COUNT = 5000

let dovecot: DovecotServer
let user: DovecotUser
beforeAll(async () => {
  dovecot = await startDovecot()
  user = await dovecot.addUser('five-thousand@example.test')
  await deliverToMaildir(
    dovecot,
    user,
    Array.from({ length: COUNT }, (_, i) =>
      Buffer.from(
        `From: s@example.test\r\nTo: r@example.test\r\nSubject: bulk ${i}\r\nMessage-ID: <bulk${i}@example.test>\r\n\r\nmessage ${i} of ${COUNT}\r\n`,
      ),
    ),
  )
}, 180_000)
afterAll(() => dovecot?.close())

async function pollAndCheck(protocol: 'imap' | 'pop3') {
  const { store, close } = await tempFsStore()
  onTestFinished(close)
  const mb = dovecotMailbox(dovecot, user, protocol, { id: `big-${protocol}` })
  const deps = testDeps({ mailboxes: [mb] }, store)
  expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: COUNT, stored: COUNT, duplicates: 0, failed: 0, error: null })
  const outbox = await store.list(`webhooks/outbox/${mb.id}/`)
  expect(outbox).toHaveLength(COUNT)
  const sample = await Promise.all([0, 2499, 4999].map(async (i) => (await getJson<OutboxRecord>(store, outbox[i]))!.value.sequence))
  expect(sample).toEqual([1, 2500, 5000])
  const markers = (await store.list(`inbound/${mb.id}/messages/`)).filter((k) => k.endsWith('/stored.json'))
  expect(markers).toHaveLength(COUNT)
  const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value
  expect(state.sequence).toBe(COUNT)
  expect(state.inFlight).toBeUndefined()
  if (protocol === 'imap') expect(state.folders.INBOX.lastUid).toBe(COUNT)
  else expect(new Set(state.seenUidls).size).toBe(COUNT)
  expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, stored: 0, error: null })
}

describe(`a mailbox of ${COUNT} messages`, () => {
  // Both at once (the time goes into store and server round trips, not CPU): one mailbox read over IMAP and POP3.
  test('IMAP and POP3: one poll stores every message once, in order; the next poll fetches nothing', { timeout: 400_000 }, async () => {
    await Promise.all([pollAndCheck('imap'), pollAndCheck('pop3')])
  })
})
