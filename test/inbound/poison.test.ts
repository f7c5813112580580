import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { documentLimitBytes } from '../../lib/inbound/document-size.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import type { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { dovecotMailbox, manualClock, tempFsStore, testDeps } from './harness.js'

const plain = (n: number) =>
  Buffer.from(`From: s@example.test\r\nTo: r@example.test\r\nSubject: plain ${n}\r\nMessage-ID: <plain${n}-${Date.now()}@example.test>\r\n\r\nbody ${n}\r\n`)

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

async function docOf(store: ObjectStore, mailbox: string, raw: Buffer) {
  return (await getJson<InboundMessage>(store, inboundMessageKeys(mailbox, inboundMessageId(raw)).doc))?.value
}
async function events(store: ObjectStore, mailbox: string) {
  const keys = await store.list(`webhooks/outbox/${mailbox}/`)
  return Promise.all(keys.map(async (k) => (await getJson<OutboxRecord>(store, k))!.value))
}
const stateOf = async (store: ObjectStore, mailbox: string) => (await getJson<MailboxState>(store, inboundMailboxKeys(mailbox).state))!.value

/** A real store that refuses any single write over `maxBytes` (as a store with an object size cap would). */
function sizeCappedStore(inner: ObjectStore, maxBytes: number): ObjectStore {
  return {
    ...inner,
    async put(key, body, options) {
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length
      if (size > maxBytes) throw new Error(`EntityTooLarge: ${key} is ${size} bytes, over ${maxBytes}`)
      return inner.put(key, body, options)
    },
  }
}

/** A real store whose writes all fail while `down` is true (reads still work, as with a full disk). */
function switchableStore(inner: ObjectStore) {
  const s = {
    down: false,
    store: {
      ...inner,
      async put(key: string, body: Buffer | Uint8Array | string, options?: Parameters<ObjectStore['put']>[2]) {
        if (s.down) throw new Error(`ENOSPC: no space left writing ${key}`)
        return inner.put(key, body, options)
      },
    } as ObjectStore,
  }
  return s
}

describe('poison messages', () => {
  test(
    'a 45 MB Subject of control bytes (its JSON would pass V8 string limit) is stored with a header-only document, and the mail after it too',
    { timeout: 120_000 },
    async () => {
      const u = await dovecot.addUser('control-bytes@example.test')
      const poison = Buffer.concat([
        Buffer.from(
          'From: Mallory <m@example.test>\r\nTo: r@example.test\r\nMessage-ID: <ctl@example.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nSubject: ',
        ),
        Buffer.alloc(45 * 1024 * 1024, 0x01),
        Buffer.from('\r\n\r\nhello\r\n'),
      ])
      const after = plain(1)
      await dovecot.append(u, 'INBOX', [poison, after])
      const { store, close } = await tempFsStore()
      onTestFinished(close)
      const mb = dovecotMailbox(dovecot, u, 'imap')
      const deps = testDeps({ mailboxes: [mb] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 2, stored: 2, failed: 0, error: null })
      const doc = (await docOf(store, mb.id, poison))!
      expect(doc.parseError).toBe(`document_too_large: its JSON passed ${documentLimitBytes(poison.length)} bytes`)
      expect(doc).toMatchObject({
        size: poison.length,
        subject: null,
        messageId: '<ctl@example.test>',
        from: [{ name: 'Mallory', address: 'm@example.test' }],
        text: null,
      })
      expect(doc.warnings).toContainEqual({ code: 'headers-truncated', detail: 'header block longer than 65536 bytes' })
      expect((await store.get(inboundMessageKeys(mb.id, inboundMessageId(poison)).raw))!.body.equals(poison)).toBe(true)
      expect((await docOf(store, mb.id, after))!.parseError).toBeNull()
      expect((await events(store, mb.id)).map((e) => [e.sequence, e.type === 'message.received' && e.data.parseError !== null])).toEqual([
        [1, true],
        [2, false],
      ])
    },
  )

  test.each(['imap', 'pop3'] as const)(
    '%s: a message whose objects the store refuses fails the poll twice, then is stored raw with a header-only document; the mailbox moves on',
    async (protocol) => {
      const u = await dovecot.addUser(`refused-${protocol}@example.test`)
      const big = Buffer.from(`From: s@example.test\r\nSubject: big\r\nMessage-ID: <big@example.test>\r\n\r\n${'lorem ipsum '.repeat(30_000)}\r\n`)
      const [before, after] = [plain(2), plain(3)]
      await dovecot.append(u, 'INBOX', [before, big, after])
      const { store: inner, close } = await tempFsStore()
      onTestFinished(close)
      const store = sizeCappedStore(inner, 256 * 1024)
      const mb = dovecotMailbox(dovecot, u, protocol)
      const deps = testDeps({ mailboxes: [mb] }, store)
      const poll = () => pollMailbox(deps, deps.config.mailboxes[0])
      const refused = new RegExp(`^EntityTooLarge: inbound/${mb.id}/messages/m[0-9a-f]{32}/message\\.(eml|json) is \\d+ bytes, over 262144$`)
      const first = await poll()
      expect(first).toMatchObject({ stored: 1, failed: 1 })
      expect(first.error?.message).toMatch(refused)
      const key =
        protocol === 'imap'
          ? `imap INBOX ${(await stateOf(inner, mb.id)).folders.INBOX.uidValidity} 2`
          : expect.stringMatching(new RegExp(`^pop3 [0-9a-f]{16} ${big.length}$`))
      expect((await stateOf(inner, mb.id)).inFlight).toEqual({ key, tries: 1, lastError: expect.stringMatching(/^Error: EntityTooLarge: /), running: false })
      expect((await poll()).error?.message).toMatch(refused)
      expect((await stateOf(inner, mb.id)).inFlight).toMatchObject({ tries: 2, running: false })
      expect(await poll()).toMatchObject({ stored: 2, failed: 0, error: null })
      const doc = (await docOf(inner, mb.id, big))!
      expect(doc.parseError).toMatch(/^poison: Error: EntityTooLarge: .* \(3 tries\)$/)
      expect(doc).toMatchObject({ subject: 'big', size: big.length, text: null })
      expect((await inner.get(inboundMessageKeys(mb.id, inboundMessageId(big)).raw))!.body.equals(big)).toBe(true)
      expect((await docOf(inner, mb.id, after))!.parseError).toBeNull()
      const state = await stateOf(inner, mb.id)
      expect(state.inFlight).toBeUndefined()
      if (protocol === 'imap') expect(state.folders.INBOX.lastUid).toBe(3)
      else expect(state.seenUidls).toHaveLength(3)
      expect((await events(inner, mb.id)).map((e) => e.sequence)).toEqual([1, 2, 3])
    },
  )

  test("a store that is down is nobody's poison: polls fail, then every message is stored whole, in order", async () => {
    const u = await dovecot.addUser('store-down@example.test')
    const msgs = [plain(4), plain(5), plain(6)]
    await dovecot.append(u, 'INBOX', msgs)
    const { store: inner, close } = await tempFsStore()
    onTestFinished(close)
    const sw = switchableStore(inner)
    const mb = dovecotMailbox(dovecot, u, 'imap')
    const clock = manualClock()
    const deps = testDeps({ mailboxes: [mb] }, sw.store, { clock })
    const poll = () => pollMailbox(deps, deps.config.mailboxes[0])
    sw.down = true
    for (let i = 0; i < 4; i++) expect((await poll()).error?.message).toMatch(/^ENOSPC/)
    // Down in the middle of a poll, from just after the first message is stored, and for four more polls.
    let markers = 0
    const put = inner.put.bind(inner)
    sw.down = false
    sw.store.put = async (key, body, options) => {
      if (markers > 0) throw new Error(`ENOSPC: no space left writing ${key}`)
      if (key.endsWith('/stored.json')) markers++
      return put(key, body, options)
    }
    expect(await poll()).toMatchObject({ stored: 1 })
    for (let i = 0; i < 4; i++) expect((await poll()).error?.message).toMatch(/^ENOSPC/)
    sw.store.put = put
    // The poll the outage stopped could not give its lease back: it runs out first.
    clock.advance(deps.config.inbound.leaseMs + 1)
    expect(await poll()).toMatchObject({ stored: 2, error: null })
    for (const m of msgs) expect((await docOf(inner, mb.id, m))!.parseError).toBeNull()
    expect((await events(inner, mb.id)).map((e) => e.sequence)).toEqual([1, 2, 3])
    expect((await stateOf(inner, mb.id)).inFlight).toBeUndefined()
  })
})
