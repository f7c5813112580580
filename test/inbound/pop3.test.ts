import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { Pop3Client } from '../../lib/inbound/pop3-client.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { dovecotMailbox, tempFsStore, testDeps } from './harness.js'

// Lines that start with a dot are dot-stuffed on the wire (RFC 1939 §3) and must come back as sent.
const msg = (n: number) =>
  Buffer.from(
    `From: s@example.test\r\nTo: r@example.test\r\nSubject: pop ${n}\r\nMessage-ID: <pop${n}@example.test>\r\n\r\n.leading dot ${n}\r\n..two dots\r\n.\r\nend \xe9\r\n`,
    'latin1',
  )

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

async function countOnServer(dovecotUser: { user: string; password: string }) {
  const c = new Pop3Client({
    host: '127.0.0.1',
    port: dovecot.ports.pop3s,
    tls: true,
    user: dovecotUser.user,
    password: dovecotUser.password,
    servername: 'localhost',
    tlsOptions: { ca: dovecot.ca },
  })
  const n = (await c.sizes()).size
  await c.QUIT()
  return n
}

describe('POP3 polling', () => {
  test('without delete: stores byte-exact copies once, keeps them on the server, and dedupes by UIDL', async () => {
    const u = await dovecot.addUser('pop-keep@example.test')
    await dovecot.append(u, 'INBOX', [msg(1), msg(2)])
    const { store, close } = await tempFsStore()
    try {
      const mb = dovecotMailbox(dovecot, u, 'pop3')
      const deps = testDeps({ mailboxes: [mb] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 2, stored: 2, duplicates: 0, error: null })
      for (const n of [1, 2]) expect((await store.get(inboundMessageKeys(mb.id, inboundMessageId(msg(n))).raw))?.body.equals(msg(n))).toBe(true)
      const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value
      expect(state.seenUidls).toHaveLength(2)
      // UIDL and size: Dovecot's UIDL (pop3_uidl_format %08Xu%08Xv) and the LIST size of the message.
      expect(state.seenUidls![0]).toMatch(new RegExp(`^00000001[0-9a-f]{8} ${msg(1).length}$`))
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, stored: 0, error: null })
      expect(await countOnServer(u)).toBe(2)
      await dovecot.append(u, 'INBOX', [msg(3)])
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
      expect(await store.list(webhookKeys.outboxPrefix)).toEqual([1, 2, 3].map((s) => webhookKeys.outbox(mb.id, s)))
    } finally {
      await close()
    }
  })

  test('with deleteAfterStore: DELE after the objects are stored, and the seen record is pruned', async () => {
    const u = await dovecot.addUser('pop-delete@example.test')
    await dovecot.append(u, 'INBOX', [msg(4), msg(5), msg(6)])
    const { store, close } = await tempFsStore()
    try {
      const mb = dovecotMailbox(dovecot, u, 'pop3', { deleteAfterStore: true })
      const deps = testDeps({ mailboxes: [mb] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 3, stored: 3, error: null })
      expect(await countOnServer(u)).toBe(0)
      for (const n of [4, 5, 6]) expect(await store.get(inboundMessageKeys(mb.id, inboundMessageId(msg(n))).stored)).not.toBeNull()
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, error: null })
      expect((await getJson<MailboxState>(store, inboundMailboxKeys(mb.id).state))!.value.seenUidls).toEqual([])
    } finally {
      await close()
    }
  })

  test('backfill none remembers what is there and takes only later mail', async () => {
    const u = await dovecot.addUser('pop-none@example.test')
    await dovecot.append(u, 'INBOX', [msg(7)])
    const { store, close } = await tempFsStore()
    try {
      const deps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u, 'pop3', { backfill: 'none' })] }, store)
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, stored: 0, error: null })
      await dovecot.append(u, 'INBOX', [msg(8)])
      expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 1, stored: 1, error: null })
    } finally {
      await close()
    }
  })
})

/** Feeds `wire` to the multi-line reader: the first `cut` bytes in one chunk, then chunks of `step`; returns what it passed on. */
async function readReply(wire: Buffer, cut: number, step: number): Promise<Buffer[]> {
  const c = new Pop3Client({ host: '127.0.0.1', user: 'u', password: 'p' })
  const stream = c._updateStream()
  const out: Buffer[] = []
  stream.on('data', (d: Buffer) => out.push(d))
  const ended = new Promise((r) => stream.on('end', r))
  c.on('end', () => {})
  c._pushStream(wire.subarray(0, cut))
  for (let i = cut; i < wire.length; i += step) c._pushStream(wire.subarray(i, Math.min(wire.length, i + step)))
  await ended
  return out
}

describe('POP3 multi-line reader', () => {
  test('un-stuffs dots and finds the terminator split across chunks at every position', async () => {
    const wire = Buffer.from('Subject: x\r\n\r\n..dot\r\nline\r\n...\r\n\r\n.\r\n', 'latin1')
    const expected = Buffer.from('Subject: x\r\n\r\n.dot\r\nline\r\n..\r\n\r\n', 'latin1')
    for (let cut = 1; cut < wire.length; cut++) {
      for (const step of [1, 3, cut]) {
        const out = await readReply(wire, cut, step)
        expect(Buffer.concat(out).toString('latin1'), `cut ${cut} step ${step}`).toBe(expected.toString('latin1'))
      }
    }
  })

  test('a line over 64 KiB is passed on as it comes; its CRLF and the terminator are found wherever the chunks split', async () => {
    const long = 'a'.repeat(100_000)
    // On the wire: a long line, a dot-stuffed line, a long line starting with a stuffed dot, the terminator.
    const wire = Buffer.from(`${long}\r\n..dot\r\n..${long}\r\n.\r\n`, 'latin1')
    const expected = `${long}\r\n.dot\r\n.${long}\r\n`
    const cuts = [1, 65_535, 100_000, 100_001, 100_002, 100_003, 100_007, 100_008, 200_008, 200_009, wire.length - 3, wire.length - 2, wire.length - 1]
    for (const cut of cuts) {
      for (const step of [16_384, 999, 70_000]) {
        const out = await readReply(wire, cut, step)
        const got = Buffer.concat(out).toString('latin1')
        expect(got.length, `cut ${cut} step ${step}`).toBe(expected.length)
        expect(got === expected, `cut ${cut} step ${step}`).toBe(true)
        // Within the long line only a final CR is ever held back, not the line so far.
        expect(out.every((d) => d.length <= Math.max(step, cut) + 65_536 + 16)).toBe(true)
      }
    }
  })
})

describe('POP3 server that stops answering', () => {
  test('a stalled command ends the poll with a timeout instead of hanging', async () => {
    // A real TCP peer that logs in and then never answers: node-pop3 alone would wait forever.
    const server = createServer((s) => {
      s.write('+OK ready\r\n')
      s.on('data', (d) => {
        const cmd = d.toString()
        if (cmd.startsWith('USER') || cmd.startsWith('PASS')) s.write('+OK\r\n')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
    const port = (server.address() as AddressInfo).port
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const deps = testDeps(
      { mailboxes: [{ id: 'stall', protocol: 'pop3', host: '127.0.0.1', port, tls: 'none', user: 'u', password: 'p', timeoutMs: 500 }] },
      store,
    )
    const t0 = Date.now()
    const s = await pollMailbox(deps, deps.config.mailboxes[0])
    expect(s.error?.message).toBe(`POP3 UIDL: no answer from 127.0.0.1:${port} within 500 ms`)
    expect(Date.now() - t0).toBeLessThan(5000)
  })
})
