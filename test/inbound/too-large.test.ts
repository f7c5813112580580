import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import type { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMessageKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { dovecotMailbox, tempFsStore, testDeps } from './harness.js'

const LIMIT = 64 * 1024
// One line of 200 KB: over the limit, and no line breaks for a reader to split on.
const large = Buffer.from(
  `From: Big Sender <big@example.test>\r\nTo: r@example.test\r\nSubject: =?UTF-8?Q?gro=C3=9F?=\r\nMessage-ID: <large@example.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n${'x'.repeat(200_000)}\r\n`,
)
const small = Buffer.from('From: s@example.test\r\nSubject: small\r\nMessage-ID: <small@example.test>\r\n\r\nsmall body\r\n')

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

/** A real store that remembers how each key was written. */
function recordingStore(inner: ObjectStore) {
  const how = new Map<string, 'put' | 'putStream'>()
  const store: ObjectStore = {
    ...inner,
    put: (k, b, o) => (how.set(k, 'put'), inner.put(k, b, o)),
    putStream: (k, b, o) => (how.set(k, 'putStream'), inner.putStream(k, b, o)),
  }
  return { store, how }
}

async function expectStoredRaw(store: ObjectStore, how: Map<string, string>, mailbox: string) {
  const keys = inboundMessageKeys(mailbox, inboundMessageId(large))
  expect((await store.get(keys.raw))!.body.equals(large)).toBe(true)
  expect(how.get(keys.raw)).toBe('putStream')
  const doc = (await getJson<InboundMessage>(store, keys.doc))!.value
  expect(doc).toMatchObject({
    parseError: 'too_large',
    size: large.length,
    sha256: createHash('sha256').update(large).digest('hex'),
    subject: 'groß',
    messageId: '<large@example.test>',
    date: '2026-12-01T10:00:00.000Z',
    from: [{ name: 'Big Sender', address: 'big@example.test', group: null }],
    text: null,
    html: null,
    attachments: [],
    warnings: [],
  })
  const outbox = await store.list(`webhooks/outbox/${mailbox}/`)
  const first = (await getJson<OutboxRecord>(store, outbox[0]))!.value
  expect(first).toMatchObject({ type: 'message.received', sequence: 1, data: { messageId: inboundMessageId(large), parseError: 'too_large' } })
  expect(outbox).toHaveLength(2)
  expect((await getJson<InboundMessage>(store, inboundMessageKeys(mailbox, inboundMessageId(small)).doc))!.value.parseError).toBeNull()
}

describe('inbound size limit (inbound.maxMessageBytes)', () => {
  test('IMAP: a message over the limit is streamed into the store raw, reported too_large, and passed', async () => {
    const u = await dovecot.addUser('too-large-imap@example.test')
    await dovecot.append(u, 'INBOX', [large, small])
    const { store: inner, close } = await tempFsStore()
    onTestFinished(close)
    const { store, how } = recordingStore(inner)
    const mb = dovecotMailbox(dovecot, u, 'imap')
    const deps = testDeps({ mailboxes: [mb], inbound: { maxMessageBytes: LIMIT } }, store)
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 2, stored: 2, error: null })
    await expectStoredRaw(store, how, mb.id)
    // Recognised by its content on a later resync, like any message.
    await dovecot.append(u, 'INBOX', [large])
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 0, duplicates: 1, error: null })
  })

  test('POP3 with deleteAfterStore: streamed raw from RETR, reported too_large, then deleted', async () => {
    const u = await dovecot.addUser('too-large-pop@example.test')
    await dovecot.append(u, 'INBOX', [large, small])
    const { store: inner, close } = await tempFsStore()
    onTestFinished(close)
    const { store, how } = recordingStore(inner)
    const mb = dovecotMailbox(dovecot, u, 'pop3', { deleteAfterStore: true })
    const deps = testDeps({ mailboxes: [mb], inbound: { maxMessageBytes: LIMIT } }, store)
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 2, stored: 2, error: null })
    await expectStoredRaw(store, how, mb.id)
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, error: null })
  })

  test('the default limit is 50 MiB', () => {
    expect(testDeps({}, {} as ObjectStore).config.inbound.maxMessageBytes).toBe(52_428_800)
  })
})
