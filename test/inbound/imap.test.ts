import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { getJson, putJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { newWorkerId } from '../../lib/worker-id.js'
import { deadPid } from '../harness.js'
import { dovecotMailbox, tempFsStore, testDeps } from './harness.js'

const msg = (n: number, extra = '') =>
  Buffer.from(
    `From: Sender <s@example.test>\r\nTo: r@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\n${extra}\r\nBody ${n}\r\n`,
  )

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

describe('IMAP polling', () => {
  test('stores new messages once; a second poll finds nothing new', async () => {
    const u = await dovecot.addUser('second-poll@example.test')
    await dovecot.append(u, 'INBOX', [msg(1), msg(2), msg(3)])
    const { store, close } = await tempFsStore()
    try {
      const mb = dovecotMailbox(dovecot, u, 'imap')
      const deps = testDeps({ mailboxes: [mb] }, store)
      const first = await pollMailbox(deps, deps.config.mailboxes[0])
      expect(first).toMatchObject({ found: 3, stored: 3, duplicates: 0, failed: 0, error: null })
      const id = inboundMessageId(msg(2))
      expect((await store.get(inboundMessageKeys(mb.id, id).raw))?.body.equals(msg(2))).toBe(true)
      const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value
      expect(state.sequence).toBe(3)
      expect(state.folders.INBOX.lastUid).toBe(3)
      // Dovecot offers CONDSTORE (RFC 7162): HIGHESTMODSEQ is remembered to skip unchanged folders.
      expect(state.folders.INBOX.highestModseq).toMatch(/^\d+$/)
      const outbox = await store.list(webhookKeys.outboxPrefix)
      expect(outbox).toEqual([1, 2, 3].map((s) => webhookKeys.outbox(mb.id, s)))
      const second = await pollMailbox(deps, deps.config.mailboxes[0])
      expect(second).toMatchObject({ found: 0, stored: 0, duplicates: 0, error: null })
      await dovecot.append(u, 'INBOX', [msg(4)])
      const third = await pollMailbox(deps, deps.config.mailboxes[0])
      expect(third).toMatchObject({ found: 1, stored: 1, error: null })
      const rec = (await getJson<OutboxRecord>(store, webhookKeys.outbox(mb.id, 4)))!.value
      expect(rec).toMatchObject({ type: 'message.received', sequence: 4, data: { messageId: inboundMessageId(msg(4)), folder: 'INBOX' } })
      // A client re-uploads a stored message under a new UID: recognised, nothing written, no event.
      await dovecot.append(u, 'INBOX', [msg(2)])
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 0, duplicates: 1, error: null })
      expect(await store.list(webhookKeys.outboxPrefix)).toHaveLength(4)
    } finally {
      await close()
    }
  })

  test('a message above 4 MiB is read with download() and stored byte for byte, its attachment decoded', async () => {
    const u = await dovecot.addUser('large@example.test')
    const attachment = Buffer.alloc(4 * 1024 * 1024, 'postern ')
    const raw = Buffer.from(
      'From: s@example.test\r\nSubject: large\r\nMessage-ID: <large@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${attachment.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b--\r\n`,
    )
    await dovecot.append(u, 'INBOX', [raw])
    const { store, close } = await tempFsStore()
    try {
      const mb = dovecotMailbox(dovecot, u, 'imap')
      const deps = testDeps({ mailboxes: [mb] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
      const keys = inboundMessageKeys(mb.id, inboundMessageId(raw))
      expect((await store.get(keys.raw))?.body.equals(raw)).toBe(true)
      const doc = (await getJson<{ attachments: Array<{ key: string; size: number }> }>(store, keys.doc))!.value
      expect(doc.attachments).toMatchObject([{ size: attachment.length }])
      expect((await store.get(doc.attachments[0].key))?.body.equals(attachment)).toBe(true)
    } finally {
      await close()
    }
  })

  test('a UIDVALIDITY change records one mailbox.reset and stores only what is new', async () => {
    const u = await dovecot.addUser('reset@example.test')
    await dovecot.append(u, 'INBOX', [msg(1), msg(2)])
    const { store, close } = await tempFsStore()
    try {
      const mb = dovecotMailbox(dovecot, u, 'imap')
      const deps = testDeps({ mailboxes: [mb] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ stored: 2, error: null })
      const before = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value.folders.INBOX
      await dovecot.setUidValidity(u, 'INBOX', Number(before.uidValidity) + 1000)
      await dovecot.append(u, 'INBOX', [msg(3)])
      const after = await pollMailbox(deps, deps.config.mailboxes[0])
      expect(after).toMatchObject({ resets: 1, found: 3, stored: 1, duplicates: 2, error: null })
      const reset = (await getJson<OutboxRecord>(store, webhookKeys.outbox(mb.id, 3)))!.value
      expect(reset).toMatchObject({
        type: 'mailbox.reset',
        sequence: 3,
        data: {
          folder: 'INBOX',
          previousUidValidity: before.uidValidity,
          uidValidity: String(Number(before.uidValidity) + 1000),
          reason: 'uidvalidity-changed',
        },
      })
      expect((await getJson<OutboxRecord>(store, webhookKeys.outbox(mb.id, 4)))!.value).toMatchObject({
        type: 'message.received',
        data: { messageId: inboundMessageId(msg(3)) },
      })
      expect(await store.list(webhookKeys.outboxPrefix)).toHaveLength(4)
    } finally {
      await close()
    }
  })
})

describe('IMAP options', () => {
  test('afterStore move moves stored messages out of the polled folder; seen sets \\Seen', async () => {
    const u = await dovecot.addUser('after@example.test')
    await dovecot.append(u, 'INBOX', [msg(21), msg(22)])
    await dovecot.append(u, 'Other', [msg(23)])
    const { store, close } = await tempFsStore()
    try {
      const deps = testDeps(
        {
          mailboxes: [
            dovecotMailbox(dovecot, u, 'imap', { id: 'mover', afterStore: 'move', moveTo: 'Processed' }),
            dovecotMailbox(dovecot, u, 'imap', { id: 'seer', folders: ['Other'], afterStore: 'seen' }),
          ],
        },
        store,
      )
      await dovecot.append(u, 'Processed', [])
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ stored: 2, error: null })
      expect(await pollMailbox(deps, deps.config.mailboxes[1])).toMatchObject({ stored: 1, error: null })
      const client = await dovecot.connect(u)
      try {
        expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 0 })
        expect(await client.status('Processed', { messages: true })).toMatchObject({ messages: 2 })
        const lock = await client.getMailboxLock('Other')
        const flags = []
        for await (const m of client.fetch('1:*', { flags: true })) flags.push([...(m.flags ?? [])])
        lock.release()
        expect(flags).toEqual([['\\Seen']])
      } finally {
        await client.logout()
      }
    } finally {
      await close()
    }
  })

  test('backfill since a date takes older mail by INTERNALDATE only on the first poll, never by the Date header later', async () => {
    const u = await dovecot.addUser('since@example.test')
    await dovecot.append(u, 'INBOX', [msg(31)], new Date('2020-01-01T00:00:00Z'))
    await dovecot.append(u, 'INBOX', [msg(32)], new Date('2026-06-01T00:00:00Z'))
    const { store, close } = await tempFsStore()
    try {
      const deps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u, 'imap', { backfill: { since: '2026-01-01' } })] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
      expect(await store.get(inboundMessageKeys('since-example-test', inboundMessageId(msg(31))).raw)).toBeNull()
      // Later arrivals are taken whatever their dates say.
      await dovecot.append(u, 'INBOX', [msg(33)], new Date('2019-01-01T00:00:00Z'))
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
      expect(await store.get(inboundMessageKeys('since-example-test', inboundMessageId(msg(33))).raw)).not.toBeNull()
    } finally {
      await close()
    }
  })

  test('backfill none takes only mail that arrives after the first poll', async () => {
    const u = await dovecot.addUser('none@example.test')
    await dovecot.append(u, 'INBOX', [msg(41)])
    const { store, close } = await tempFsStore()
    try {
      const deps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u, 'imap', { backfill: 'none' })] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, stored: 0, error: null })
      await dovecot.append(u, 'INBOX', [msg(42)])
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
    } finally {
      await close()
    }
  })
})

describe('IMAP failures', () => {
  test('wrong credentials and a missing folder are errors that say what failed', async () => {
    const u = await dovecot.addUser('fail@example.test')
    const { store, close } = await tempFsStore()
    try {
      const deps = testDeps(
        {
          mailboxes: [
            dovecotMailbox(dovecot, { ...u, password: 'wrong' }, 'imap', { id: 'badpw' }),
            dovecotMailbox(dovecot, u, 'imap', { id: 'nofolder', folders: ['INBOX', 'Missing'] }),
          ],
        },
        store,
      )
      const bad = await pollMailbox(deps, deps.config.mailboxes[0])
      expect(bad.error?.message).toBe(`IMAP 127.0.0.1:${dovecot.ports.imap}: login refused: Authentication failed.`)
      const missing = await pollMailbox(deps, deps.config.mailboxes[1])
      expect(missing.error?.message).toMatch(/^IMAP folder Missing: Mailbox doesn't exist: Missing \(/)
      // The lease was given back: the next poll is not "busy".
      expect(await pollMailbox(deps, deps.config.mailboxes[1])).toMatchObject({ busy: false })
    } finally {
      await close()
    }
  })
})

describe('a poll that crashed holding the mailbox lease', () => {
  test('is seen to be gone on this machine: the next poll takes the lease at once; a live holder keeps it', async () => {
    const u = await dovecot.addUser('lease-holder@example.test')
    await dovecot.append(u, 'INBOX', [Buffer.from('From: a@example.test\r\nSubject: held\r\nMessage-ID: <held@example.test>\r\n\r\nbody\r\n')])
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const deps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u, 'imap')] }, store)
    const mb = deps.config.mailboxes[0]
    const leaseKey = inboundMailboxKeys(mb.id).lease
    await putJson(store, leaseKey, { owner: newWorkerId('poll', process.ppid), expiresAt: Date.now() + 300_000 })
    expect(await pollMailbox(deps, mb)).toMatchObject({ busy: true, stored: 0 })
    await putJson(store, leaseKey, { owner: newWorkerId('poll', await deadPid()), expiresAt: Date.now() + 300_000 })
    expect(await pollMailbox(deps, mb)).toMatchObject({ busy: false, stored: 1, error: null })
  })
})
