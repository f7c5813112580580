import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import type { StoredMarker } from '../../lib/inbound/ingest.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMessageKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { manualClock, tempFsStore, testDeps } from '../inbound/harness.js'
import { startDovecot, type DovecotServer, type DovecotUser } from '../servers/dovecot.js'
import { startTcpProxy, type Fault } from './tcp-proxy.js'

// Twelve messages of about 20 KB each: a cut after 30 KB of a batch's answer falls inside the second one.
const mail = (user: string, n: number) =>
  Buffer.from(`From: s@example.test\r\nSubject: drop ${n}\r\nMessage-ID: <drop${n}.${user}>\r\n\r\n${`line ${n} `.repeat(2000)}\r\n`)
const LARGE_LIMIT = 64 * 1024
const large = (user: string) => Buffer.from(`From: s@example.test\r\nSubject: large\r\nMessage-ID: <large.${user}>\r\n\r\n${'y'.repeat(300_000)}\r\n`)

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

/** Each message stored exactly once: one marker each, one message.received event each, in one run of sequences. */
async function expectStoredOnce(store: ObjectStore, mailbox: string, messages: Buffer[]) {
  const events = await Promise.all((await store.list(`webhooks/outbox/${mailbox}/`)).map(async (k) => (await getJson<OutboxRecord>(store, k))!.value))
  expect(events.map((e) => e.sequence)).toEqual(messages.map((_, i) => i + 1))
  expect(new Set(events.map((e) => e.type === 'message.received' && e.data.messageId))).toEqual(new Set(messages.map(inboundMessageId)))
  for (const m of messages) {
    const keys = inboundMessageKeys(mailbox, inboundMessageId(m))
    expect((await store.get(keys.raw))!.body.equals(m)).toBe(true)
    expect((await getJson<StoredMarker>(store, keys.stored))!.value.eventId).toBe(
      events.find((e) => e.type === 'message.received' && e.data.messageId === inboundMessageId(m))!.id,
    )
  }
}

async function setup(protocol: 'imap' | 'pop3', name: string, messages: Buffer[], extra: Record<string, unknown> = {}) {
  const u: DovecotUser = await dovecot.addUser(`${name}@example.test`)
  await dovecot.append(u, 'INBOX', messages)
  const proxy = await startTcpProxy(protocol === 'imap' ? dovecot.ports.imap : dovecot.ports.pop3)
  onTestFinished(() => proxy.close())
  const { store, close } = await tempFsStore()
  onTestFinished(close)
  const clock = manualClock()
  const mb = { id: name, protocol, host: '127.0.0.1', port: proxy.port, tls: 'none', user: u.user, password: u.password, timeoutMs: 1500, ...extra }
  const deps = testDeps({ mailboxes: [mb], inbound: { maxMessageBytes: LARGE_LIMIT } }, store, { clock })
  const poll = async () => {
    const s = await pollMailbox(deps, deps.config.mailboxes[0])
    // A poll cut off cannot always give its lease back: let it run out.
    clock.advance(deps.config.inbound.leaseMs + 1)
    return s
  }
  return { proxy, store, poll, user: u }
}

const FETCH_BODY = /BODY\.PEEK\[\]/
const RETR = /^RETR /m

describe.each([
  ['imap', FETCH_BODY],
  ['pop3', RETR],
] as const)('%s: faults in the middle of a message', (protocol, command) => {
  for (const kind of ['cut', 'stall'] as const) {
    test(
      `connection ${kind === 'cut' ? 'dropped' : 'gone silent'} mid-transfer: the poll fails, the next stores every message once`,
      { timeout: 60_000 },
      async () => {
        const name = `${protocol}-${kind}`
        const messages = Array.from({ length: 12 }, (_, i) => mail(name, i))
        const { proxy, store, poll } = await setup(protocol, name, messages)
        proxy.fault = { afterCommand: command, afterBytes: 30_000, kind } satisfies Fault
        const t0 = Date.now()
        const failed = await poll()
        expect(proxy.fired).toBe(1)
        expect(failed.error).not.toBeNull()
        expect(failed.stored).toBeLessThan(12)
        // A stall ends by the 1.5 s socket timeout, not by waiting forever.
        expect(Date.now() - t0).toBeLessThan(20_000)
        expect(await poll()).toMatchObject({ error: null })
        await expectStoredOnce(store, name, messages)
      },
    )
  }

  test(
    'dropped while a message over the size limit streams into the store: no partial message.eml, stored whole on the next poll',
    { timeout: 60_000 },
    async () => {
      const name = `${protocol}-large-cut`
      const big = large(name)
      const { proxy, store, poll } = await setup(protocol, name, [big])
      // The first read hashes the message; cut the second, which streams into the store, half-way.
      proxy.fault = { afterCommand: command, afterBytes: big.length + 150_000, kind: 'cut' }
      const failed = await poll()
      expect(proxy.fired).toBe(1)
      expect(failed.error).not.toBeNull()
      expect(await store.list(`inbound/${name}/messages/`)).toEqual([])
      expect(await poll()).toMatchObject({ stored: 1, error: null })
      await expectStoredOnce(store, name, [big])
    },
  )
})
