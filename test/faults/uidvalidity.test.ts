import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import type { StoredMarker } from '../../lib/inbound/ingest.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys } from '../../lib/store/keys.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { dovecotMailbox, tempFsStore, testDeps } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'

const mail = (n: number, date = 'Tue, 1 Dec 2026 10:00:00 +0000') =>
  Buffer.from(
    `From: Ann <ann@example.test>\r\nTo: r@example.test\r\nSubject: reset ${n}\r\nMessage-ID: <reset${n}@example.test>\r\nDate: ${date}\r\n\r\nbody ${n}\r\n`,
  )
/** The same message as a rebuilt server hands it back: one header more. */
const rebuilt = (raw: Buffer) => Buffer.concat([Buffer.from('X-Rebuilt-By: migration-tool\r\n'), raw])

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

describe('UIDVALIDITY change with mail handed back changed', () => {
  test('a re-uploaded copy with a header added is a duplicate of the stored message, by Message-ID, Date and From', async () => {
    const u = await dovecot.addUser('rebuild@example.test')
    const [m1, m2, m3] = [mail(1), mail(2), mail(3)]
    await dovecot.append(u, 'INBOX', [m1, m2, m3])
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const mb = dovecotMailbox(dovecot, u, 'imap')
    const deps = testDeps({ mailboxes: [mb] }, store)
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ stored: 3, error: null })
    const before = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value.folders.INBOX

    // The server is rebuilt: the folder is emptied and refilled, two messages with a header added, one as it
    // was; a genuinely new message that shares m1's Message-ID but has another Date; and a new message.
    const client = await dovecot.connect(u)
    await client.mailboxOpen('INBOX')
    await client.messageDelete('1:*', { uid: true })
    await client.logout()
    const sameIdOtherDate = mail(1, 'Wed, 2 Dec 2026 09:00:00 +0000')
    const m4 = mail(4)
    await dovecot.append(u, 'INBOX', [rebuilt(m1), rebuilt(m2), m3, sameIdOtherDate, m4])
    await dovecot.setUidValidity(u, 'INBOX', Number(before.uidValidity) + 7)

    const after = await pollMailbox(deps, deps.config.mailboxes[0])
    expect(after).toMatchObject({ resets: 1, found: 5, stored: 2, duplicates: 3, error: null })
    const outbox = await store.list(`webhooks/outbox/${mb.id}/`)
    const events = await Promise.all(outbox.map(async (k) => (await getJson<OutboxRecord>(store, k))!.value))
    expect(events.map((e) => [e.sequence, e.type, e.type === 'message.received' ? e.data.messageId : null])).toEqual([
      [1, 'message.received', inboundMessageId(m1)],
      [2, 'message.received', inboundMessageId(m2)],
      [3, 'message.received', inboundMessageId(m3)],
      [4, 'mailbox.reset', null],
      [5, 'message.received', inboundMessageId(sameIdOtherDate)],
      [6, 'message.received', inboundMessageId(m4)],
    ])
    // The match is recorded on the changed copy's marker; its bytes are not stored again.
    for (const [copy, original, sequence] of [
      [rebuilt(m1), m1, 1],
      [rebuilt(m2), m2, 2],
    ] as const) {
      const keys = inboundMessageKeys(mb.id, inboundMessageId(copy))
      expect((await getJson<StoredMarker>(store, keys.stored))!.value).toEqual({
        eventId: events[sequence - 1].id,
        sequence,
        duplicateOf: inboundMessageId(original),
      })
      expect(await store.get(keys.raw)).toBeNull()
    }
    const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value.folders.INBOX
    expect(state.resyncBelowUid).toBeUndefined()

    // Outside a resync the same Message-ID, Date and From with other bytes is new mail (a list copy, say).
    const listCopy = Buffer.concat([Buffer.from('List-Id: <team.example.test>\r\n'), m3])
    await dovecot.append(u, 'INBOX', [listCopy])
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ stored: 1, duplicates: 0, error: null })
  })
})
