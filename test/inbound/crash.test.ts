import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { Pop3Client } from '../../lib/inbound/pop3-client.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startWebhookReceiver } from '../servers/webhook-receiver.js'
import { crashingStore, dovecotMailbox, InjectedCrash, manualClock, tempFsStore, testDeps } from './harness.js'

const withAttachment = Buffer.from(
  'From: a@example.test\r\nSubject: crash 1\r\nMessage-ID: <crash1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--zz\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nthe notes\r\n--zz--\r\n',
)
const plain = Buffer.from('From: b@example.test\r\nSubject: crash 2\r\nMessage-ID: <crash2@example.test>\r\n\r\nplain body\r\n')

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

async function snapshot(store: ObjectStore, mailbox: string) {
  const out: Record<string, string> = {}
  for (const k of await store.list(`inbound/${mailbox}/messages/`)) out[k] = (await store.get(k))!.body.toString('base64')
  const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mailbox).state))!.value
  return { objects: out, sequence: state.sequence, lastUid: state.folders.INBOX.lastUid }
}

describe('a crash between any two effects, then a restart', () => {
  test('loses nothing, rewrites the same objects and repeats the same event ids', { timeout: 180_000 }, async () => {
    const u = await dovecot.addUser('crash@example.test')
    await dovecot.append(u, 'INBOX', [withAttachment, plain])
    const mb = dovecotMailbox(dovecot, u, 'imap')
    const receiver = await startWebhookReceiver()
    onTestFinished(() => receiver.close())
    const config = { mailboxes: [mb], webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }] }

    // Reference: one clean poll, recording every write in order.
    const ref = await tempFsStore()
    onTestFinished(ref.close)
    const recorder = crashingStore(ref.store, Infinity)
    const refDeps = testDeps(config, recorder.store)
    expect(await pollMailbox(refDeps, refDeps.config.mailboxes[0])).toMatchObject({ stored: 2, error: null })
    const expected = await snapshot(ref.store, mb.id)
    await createWebhookDispatcher(testDeps(config, ref.store)).runAll()
    const refEvents = receiver.received.map((r) => [r.id, r.payload!.data.sequence])
    expect(refEvents).toHaveLength(2)
    // The lease first and last; then the poll's in-flight record (poison-guard.ts), dropped by the state write
    // before the lease's. Per message: raw, attachments, JSON, fingerprint and list index entries (concurrently, and possibly ahead of
    // the previous message's commit), then the outbox record, then the marker, then the cursor.
    const w = recorder.writes
    const at = (k: string | RegExp, from = 0) => w.findIndex((x, i) => i >= from && (typeof k === 'string' ? x === k : k.test(x)))
    expect(w[0]).toBe('inbound/crash-example-test/lease.json')
    expect(w[1]).toBe('inbound/crash-example-test/state.json')
    expect(w.at(-2)).toBe('inbound/crash-example-test/state.json')
    expect(w.at(-1)).toBe('inbound/crash-example-test/lease.json')
    expect(w.filter((k) => k.startsWith('inbound/crash-example-test/fingerprints/'))).toHaveLength(2)
    // Index entries per message: all, mailbox, the From address, and the id lookup (lib/logs/inbound-index.ts).
    expect(w.filter((k) => k.startsWith('indexes/inbound/'))).toHaveLength(8)
    expect(w).toHaveLength(26)
    for (const [seq, id] of [
      [1, 'm'],
      [2, 'm'],
    ] as const) {
      const outbox = at(`webhooks/outbox/crash-example-test/${String(seq).padStart(12, '0')}.json`)
      const base = w
        .slice(outbox + 1)
        .find((x) => x.endsWith('/stored.json'))!
        .replace('/stored.json', '')
      expect(base.startsWith(`inbound/crash-example-test/messages/${id}`)).toBe(true)
      const marker = at(`${base}/stored.json`)
      for (const k of w.filter((x) => x.startsWith(`${base}/`) && !x.endsWith('/stored.json'))) expect(at(k), k).toBeLessThan(outbox)
      expect(at(`${base}/message.eml`)).toBeGreaterThanOrEqual(0)
      expect(at(`${base}/message.json`)).toBeGreaterThanOrEqual(0)
      expect(outbox).toBeLessThan(marker)
      const indexed = w.filter((x) => x.startsWith('indexes/inbound/') && x.includes(base.slice(base.lastIndexOf('/') + 1)))
      expect(indexed).toHaveLength(4)
      for (const k of indexed) expect(at(k), k).toBeLessThan(marker)
      expect(at('inbound/crash-example-test/state.json', marker)).toBeGreaterThan(marker)
    }

    for (let n = 2; n <= recorder.writes.length; n++) {
      receiver.received.length = 0
      const { store, close } = await tempFsStore()
      try {
        const clock = manualClock()
        const crash = crashingStore(store, n)
        const crashed = await pollMailbox(testDeps(config, crash.store, { clock }), testDeps(config, store).config.mailboxes[0])
        expect(crashed.error, `crash at write ${n}`).toBeInstanceOf(InjectedCrash)
        // Whatever reached the outbox before the crash is delivered meanwhile.
        const deps = testDeps(config, store, { clock })
        await createWebhookDispatcher(deps).runAll()
        // The dead poller's lease runs out; the restarted poller takes it over.
        clock.advance(deps.config.inbound.leaseMs + 1)
        const restarted = await pollMailbox(deps, deps.config.mailboxes[0])
        expect(restarted.error, `restart after crash at write ${n}`).toBeNull()
        expect(await snapshot(store, mb.id), `crash at write ${n}`).toEqual(expected)
        await createWebhookDispatcher(deps).runAll()
        const seen = new Map(receiver.received.map((r) => [r.id, r.payload!.data.sequence]))
        expect([...seen.entries()].sort(), `crash at write ${n}`).toEqual([...refEvents].sort())
        expect(receiver.received.every((r) => r.verifyError === null)).toBe(true)
        expect(await store.list('webhooks/outbox/')).toEqual([])
      } finally {
        await close()
      }
    }
  })
})

describe('POP3 with deleteAfterStore: a crash at any write, then a restart', () => {
  test('deletes only stored messages and ends with every message stored once', { timeout: 180_000 }, async () => {
    const msgs = [withAttachment, plain]
    const clean = await tempFsStore()
    onTestFinished(clean.close)
    const u0 = await dovecot.addUser('pop-crash-0@example.test')
    await dovecot.append(u0, 'INBOX', msgs)
    const recorder = crashingStore(clean.store, Infinity)
    const refDeps = testDeps({ mailboxes: [dovecotMailbox(dovecot, u0, 'pop3', { id: 'pc', deleteAfterStore: true })] }, recorder.store)
    expect(await pollMailbox(refDeps, refDeps.config.mailboxes[0])).toMatchObject({ stored: 2, error: null })
    const expected = (await snapshotPop(clean.store)).objects

    for (let n = 2; n <= recorder.writes.length; n++) {
      const u = await dovecot.addUser(`pop-crash-${n}@example.test`)
      await dovecot.append(u, 'INBOX', msgs)
      const { store, close } = await tempFsStore()
      try {
        const clock = manualClock()
        const config = { mailboxes: [dovecotMailbox(dovecot, u, 'pop3', { id: 'pc', deleteAfterStore: true })] }
        const crashed = await pollMailbox(testDeps(config, crashingStore(store, n).store, { clock }), testDeps(config, store).config.mailboxes[0])
        expect(crashed.error, `crash at write ${n}`).toBeInstanceOf(InjectedCrash)
        // Whatever the crashed poll deleted was already stored.
        const left = await popCount(u)
        const stored = (await store.list('inbound/pc/messages/')).filter((k) => k.endsWith('/stored.json')).length
        expect(left + stored, `crash at write ${n}`).toBeGreaterThanOrEqual(2)
        const deps = testDeps(config, store, { clock })
        clock.advance(deps.config.inbound.leaseMs + 1)
        expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ error: null })
        expect((await snapshotPop(store)).objects, `crash at write ${n}`).toEqual(expected)
        expect(await popCount(u)).toBe(0)
      } finally {
        await close()
      }
    }
  })
})

async function snapshotPop(store: ObjectStore) {
  const objects: Record<string, string> = {}
  // receivedAt of a POP3 message is when it was retrieved: compare the bytes-derived objects, not the JSON.
  for (const k of await store.list('inbound/pc/messages/')) if (!k.endsWith('/message.json')) objects[k] = (await store.get(k))!.body.toString('base64')
  return { objects }
}

async function popCount(u: { user: string; password: string }) {
  const c = new Pop3Client({
    host: '127.0.0.1',
    port: dovecot.ports.pop3s,
    tls: true,
    user: u.user,
    password: u.password,
    servername: 'localhost',
    tlsOptions: { ca: dovecot.ca },
  })
  const n = (await c.sizes()).size
  await c.QUIT()
  return n
}

/**
 * A real fs store where cursor writes (state.json) are slow now and then, as S3's latency tail is, marker writes
 * take a round trip, and the `crashAtMarker`th marker write dies with the process (every write after it fails).
 */
function slowCursorStore(inner: ObjectStore, slowStateMs: number, crashAtMarker: number): ObjectStore {
  let markers = 0
  let states = 0
  let crashed = false
  return {
    ...inner,
    async put(key, body, options) {
      if (crashed) throw new InjectedCrash(key)
      if (key.endsWith('/stored.json')) {
        await sleep(30)
        if (++markers === crashAtMarker) crashed = true
      }
      // The 3rd cursor write is the slow one: the pipeline goes on committing later messages meanwhile.
      if (key.endsWith('/state.json')) await sleep(++states === 3 ? slowStateMs : 2)
      if (key.startsWith('webhooks/outbox/')) await sleep(5)
      if (crashed) throw new InjectedCrash(key)
      return inner.put(key, body, options)
    },
    async delete(key) {
      if (crashed) throw new InjectedCrash(key)
      return inner.delete(key)
    },
  }
}

describe('cursor saves folded while later messages commit (found by QA: a snapshot taken mid-commit)', () => {
  for (const slowMs of [60, 150])
    for (const crashAt of [3, 5, 7])
      test(`a crash at marker ${crashAt} while a cursor write takes ${slowMs} ms: every event is recorded once, in order`, { timeout: 60_000 }, async () => {
        const u = await dovecot.addUser(`fold-${slowMs}-${crashAt}@example.test`)
        const messages = Array.from({ length: 8 }, (_, i) =>
          Buffer.from(`From: a@example.test\r\nSubject: m${i}\r\nMessage-ID: <m${i}-${slowMs}-${crashAt}@example.test>\r\n\r\nbody ${i}\r\n`),
        )
        await dovecot.append(u, 'INBOX', messages)
        const mb = dovecotMailbox(dovecot, u, 'imap')
        const { store, close } = await tempFsStore()
        onTestFinished(close)
        const clock = manualClock()
        const crashing = testDeps({ mailboxes: [mb] }, slowCursorStore(store, slowMs, crashAt), { clock })
        expect((await pollMailbox(crashing, crashing.config.mailboxes[0])).error).toBeInstanceOf(InjectedCrash)
        const deps = testDeps({ mailboxes: [mb] }, store, { clock })
        clock.advance(deps.config.inbound.leaseMs + 1)
        expect((await pollMailbox(deps, deps.config.mailboxes[0])).error).toBeNull()
        const outbox = await store.list(`webhooks/outbox/${mb.id}/`)
        const events = await Promise.all(outbox.map(async (k) => (await getJson<{ id: string; sequence: number }>(store, k))!.value))
        expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
        expect(new Set(events.map((e) => e.id)).size).toBe(8)
      })
})
