import { afterEach, describe, expect, onTestFinished, test } from 'vitest'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { tempFsStore, testDeps } from '../inbound/harness.js'
import { startPop3Server, type Pop3TestServer, type UidlMode } from './pop3-server.js'

// Bodies of different lengths, so that no two messages have the same size.
const mail = (name: string) =>
  Buffer.from(`From: s@example.test\r\nSubject: ${name}\r\nMessage-ID: <${name}@example.test>\r\n\r\n${name} ${'x'.repeat(name.charCodeAt(0))}\r\n`)
const [A, B, C, D, E, F] = ['A', 'B', 'C', 'D', 'E', 'F'].map(mail)

let server: Pop3TestServer | undefined
afterEach(() => server?.close())

async function setup(mode: UidlMode, extra: Record<string, unknown> = {}) {
  server = await startPop3Server(mode)
  const { store, close } = await tempFsStore()
  onTestFinished(close)
  const mb = { id: 'pop', protocol: 'pop3', host: '127.0.0.1', port: server.port, tls: 'none', user: 'u', password: 'p', timeoutMs: 5000, ...extra }
  const deps = testDeps({ mailboxes: [mb] }, store)
  return { srv: server, store, poll: () => pollMailbox(deps, deps.config.mailboxes[0]) }
}

const isStored = async (store: ObjectStore, raw: Buffer) => (await store.get(inboundMessageKeys('pop', inboundMessageId(raw)).stored)) !== null

/** Each DELE of a session names a message that session RETRieved before. */
function deletesOnlyRetrieved(log: Array<[number, string]>) {
  const retrieved = new Map<number, Set<string>>()
  const bad: string[] = []
  for (const [session, line] of log) {
    const [cmd, n] = line.split(' ')
    if (!retrieved.has(session)) retrieved.set(session, new Set())
    if (cmd === 'RETR') retrieved.get(session)!.add(n)
    if (cmd === 'DELE' && !retrieved.get(session)!.has(n)) bad.push(`session ${session}: DELE ${n}`)
  }
  return bad
}

describe('POP3 server that reuses UIDLs (the message number as UIDL)', () => {
  test('deleteAfterStore never deletes new mail that took the numbers and UIDLs of deleted mail', async () => {
    const { srv, store, poll } = await setup('number', { deleteAfterStore: true })
    srv.add(A, B, C)
    expect(await poll()).toMatchObject({ stored: 3, error: null })
    expect(srv.messages).toEqual([])
    // New mail arrives under the numbers, and so the UIDLs "1", "2", "3", of the mail just deleted.
    srv.add(D, E, F)
    expect(await poll()).toMatchObject({ found: 3, stored: 3, error: null })
    for (const m of [A, B, C, D, E, F]) expect(await isStored(store, m)).toBe(true)
    expect(srv.messages).toEqual([])
    expect(deletesOnlyRetrieved(srv.log)).toEqual([])
    expect(await store.list(webhookKeys.outboxPrefix)).toHaveLength(6)
  })

  test('without delete: a new message listed under a remembered UIDL, with another size, is taken', async () => {
    const { srv, store, poll } = await setup('number')
    srv.add(A, B, C)
    expect(await poll()).toMatchObject({ stored: 3, error: null })
    // Another client deletes A; D arrives: B, C, D are now 1, 2, 3, the UIDLs already seen.
    srv.remove(0)
    srv.add(D)
    const s = await poll()
    expect(s).toMatchObject({ stored: 1, error: null })
    expect(await isStored(store, D)).toBe(true)
    expect(srv.log.filter(([, l]) => l.startsWith('DELE'))).toEqual([])
    expect(await store.list(webhookKeys.outboxPrefix)).toHaveLength(4)
  })
})

describe('POP3 server without UIDL', () => {
  test('every message is retrieved and recognised by its content; none is stored twice', async () => {
    const { srv, store, poll } = await setup('none')
    srv.add(A, B)
    expect(await poll()).toMatchObject({ stored: 2, duplicates: 0, error: null })
    srv.add(C)
    expect(await poll()).toMatchObject({ found: 3, stored: 1, duplicates: 2, error: null })
    expect(await store.list(webhookKeys.outboxPrefix)).toHaveLength(3)
    expect(srv.messages).toHaveLength(3)
  })

  test('with deleteAfterStore: each message is retrieved, stored, then deleted in the same session', async () => {
    const { srv, store, poll } = await setup('none', { deleteAfterStore: true })
    srv.add(A, B)
    expect(await poll()).toMatchObject({ stored: 2, error: null })
    srv.add(C, D)
    expect(await poll()).toMatchObject({ stored: 2, error: null })
    for (const m of [A, B, C, D]) expect(await isStored(store, m)).toBe(true)
    expect(srv.messages).toEqual([])
    expect(deletesOnlyRetrieved(srv.log)).toEqual([])
  })
})

describe('a server whose replies arrive cut inside their status line', () => {
  test('every message is stored byte-exact and deleted; none gets the status line in its bytes', async () => {
    server = await startPop3Server('stable', { splitReplies: true })
    const { store, close } = await tempFsStore()
    onTestFinished(close)
    const mb = {
      id: 'pop',
      protocol: 'pop3',
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      user: 'u',
      password: 'p',
      timeoutMs: 5000,
      deleteAfterStore: true,
    }
    const deps = testDeps({ mailboxes: [mb] }, store)
    server.add(A, B, C)
    await pollMailbox(deps, deps.config.mailboxes[0])
    expect(await Promise.all([A, B, C].map((m) => isStored(store, m)))).toEqual([true, true, true])
    const raws = (await store.list('inbound/pop/messages/')).filter((k) => k.endsWith('/message.eml'))
    expect(raws.sort()).toEqual([A, B, C].map((m) => inboundMessageKeys('pop', inboundMessageId(m)).raw).sort())
    expect(server.messages).toEqual([])
  })
})
