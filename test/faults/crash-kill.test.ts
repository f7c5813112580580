import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { StoredMarker } from '../../lib/inbound/ingest.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { DIED } from '../../lib/inbound/poison-guard.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import type { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { deliverToMaildir } from './maildir.js'
import { runPoller } from './poller-process.js'

const COUNT = 500
const KILLS = 12
const LIMIT = 64 * 1024

/** Seeded PRNG (mulberry32): the kill moments are random but the same on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 500 messages, one in fifty over the 64 KiB limit used here, so some kills land while one streams. */
const messages = (tag: string) =>
  Array.from({ length: COUNT }, (_, i) =>
    Buffer.from(
      `From: s@example.test\r\nTo: r@example.test\r\nSubject: ${tag} ${i}\r\nMessage-ID: <${tag}${i}@example.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n${i % 50 === 7 ? 'z'.repeat(100_000) : `body ${i}`}\r\n`,
    ),
  )

let dovecot: DovecotServer
let dir: string
beforeAll(async () => {
  dovecot = await startDovecot()
  dir = await mkdtemp(join(tmpdir(), 'postern-kill-'))
})
afterAll(async () => {
  await dovecot?.close()
  // POSTERN_KEEP_TEST_DATA=1 keeps the data folder of a failed run for a look.
  if (dir && !process.env.POSTERN_KEEP_TEST_DATA) await rm(dir, { recursive: true, force: true })
  else if (dir) console.log('kept the test data in', dir)
})

const diedOnIt = new RegExp(`^poison: ${DIED.replace(/[()]/g, '\\$&')} \\([3-9] tries\\)$`)

async function audit(store: ObjectStore, mailbox: string, sent: Buffer[]) {
  const events = await Promise.all((await store.list(`webhooks/outbox/${mailbox}/`)).map(async (k) => (await getJson<OutboxRecord>(store, k))!.value))
  const received = events.filter((e) => e.type === 'message.received')
  const byMessage = new Map<string, string[]>()
  for (const e of received) byMessage.set(e.data.messageId, [...(byMessage.get(e.data.messageId) ?? []), e.id])
  let lost = 0
  let eventMissing = 0
  let newId = 0
  let poisoned = 0
  const otherErrors: string[] = []
  for (const raw of sent) {
    const id = inboundMessageId(raw)
    const keys = inboundMessageKeys(mailbox, id)
    const marker = (await getJson<StoredMarker>(store, keys.stored))?.value
    const stored = (await store.get(keys.raw))?.body
    if (!marker || !stored?.equals(raw)) {
      lost++
      // What a failure needs: the message, and the events of messages that were never sent (bytes changed on the way).
      const foreign = received.filter((e) => !sent.some((r) => inboundMessageId(r) === e.data.messageId))
      console.log('lost', { mailbox, head: raw.toString('latin1').slice(0, 200), marker: !!marker, raw: !!stored, foreign })
    }
    const ids = byMessage.get(id) ?? []
    if (ids.length === 0) eventMissing++
    if (marker && ids.some((e) => e !== marker.eventId)) newId++
    const parseError = (await getJson<InboundMessage>(store, keys.doc))?.value.parseError ?? null
    // Kills that land on the same message three polls running look like a message that kills its poller: it is
    // stored raw with a header-only document (the kill may land on that too, hence 3 or more tries).
    if (parseError !== null && diedOnIt.test(parseError)) poisoned++
    else if (parseError !== (raw.length > LIMIT ? 'too_large' : null)) otherErrors.push(`${id}: ${parseError}`)
  }
  const storedTwice = [...byMessage.values()].filter((ids) => ids.length > 1).length
  const sequences = events.map((e) => e.sequence)
  const state = (await getJson<MailboxState>(store, inboundMailboxKeys(mailbox).state))!.value
  return {
    lost,
    storedTwice,
    eventMissing,
    newId,
    poisoned,
    otherErrors,
    events: received.length,
    ordered: sequences.every((s, i) => i === 0 || s > sequences[i - 1]),
    inFlight: state.inFlight ?? null,
  }
}

describe('kill -9 at random moments while ingesting', () => {
  test(`${COUNT} messages over IMAP and ${COUNT} over POP3 (deleteAfterStore), ${KILLS} kills: nothing lost, nothing twice`, { timeout: 600_000 }, async () => {
    const imapUser = await dovecot.addUser('kill-imap@example.test')
    const popUser = await dovecot.addUser('kill-pop@example.test')
    const [imapMail, popMail] = [messages('imap'), messages('pop')]
    await deliverToMaildir(dovecot, imapUser, imapMail)
    await deliverToMaildir(dovecot, popUser, popMail)
    const storeDir = join(dir, 'store')
    const configPath = join(dir, 'config.json')
    await writeFile(
      configPath,
      JSON.stringify({
        store: { driver: 'fs', dir: storeDir },
        logLevel: 'silent',
        inbound: { maxMessageBytes: LIMIT },
        mailboxes: [dovecotMailbox(dovecot, imapUser, 'imap', { id: 'imap' }), dovecotMailbox(dovecot, popUser, 'pop3', { id: 'pop', deleteAfterStore: true })],
      }),
    )
    const random = seeded(8)
    const kills: Array<{ afterMs: number; signal: string | null }> = []
    for (let i = 0; i < KILLS; i++) {
      const afterMs = Math.round(random() * 1500)
      const r = await runPoller(configPath, { killAfterMs: afterMs })
      kills.push({ afterMs, signal: r.signal })
    }
    expect(await runPoller(configPath)).toMatchObject({ code: 0, signal: null })
    const store = createFsStore(storeDir)
    const imap = await audit(store, 'imap', imapMail)
    const pop = await audit(store, 'pop', popMail)
    // The figures docs/reliability.md reports.
    console.log(JSON.stringify({ kills, imap, pop }))
    expect(kills.filter((k) => k.signal === 'SIGKILL').length).toBeGreaterThanOrEqual(KILLS - 2)
    for (const r of [imap, pop]) {
      expect(r).toEqual({
        lost: 0,
        storedTwice: 0,
        eventMissing: 0,
        newId: 0,
        poisoned: expect.any(Number),
        otherErrors: [],
        events: COUNT,
        ordered: true,
        inFlight: null,
      })
      expect(r.poisoned).toBeLessThan(COUNT / 100)
    }
    const left = new Set((await store.list('inbound/pop/messages/')).filter((k) => k.endsWith('/stored.json'))).size
    expect(left).toBe(COUNT)
  })

  test(
    'a message that kills its poller every time (out of memory) is stored raw after 3 deaths, and the mail after it is stored',
    { timeout: 300_000 },
    async () => {
      const u = await dovecot.addUser('oom@example.test')
      // 40 MB of text: a heap of 64 MiB cannot hold its body as a string, so parsing it kills the process.
      const killer = Buffer.from(`From: s@example.test\r\nSubject: killer\r\nMessage-ID: <killer@example.test>\r\n\r\n${'word '.repeat(8_000_000)}\r\n`)
      const after = Buffer.from('From: s@example.test\r\nSubject: after\r\nMessage-ID: <after@example.test>\r\n\r\nafter\r\n')
      await dovecot.append(u, 'INBOX', [killer, after])
      const storeDir = join(dir, 'oom-store')
      const configPath = join(dir, 'oom-config.json')
      const mb = dovecotMailbox(dovecot, u, 'imap', { id: 'oom' })
      await writeFile(
        configPath,
        JSON.stringify({ store: { driver: 'fs', dir: storeDir }, logLevel: 'silent', inbound: { maxMessageBytes: 100 * 1024 * 1024 }, mailboxes: [mb] }),
      )
      const runs: Array<{ code: number | null; signal: string | null }> = []
      for (let i = 0; i < 8 && runs.at(-1)?.code !== 0; i++) {
        const { code, signal } = await runPoller(configPath, { nodeArgs: ['--max-old-space-size=64'] })
        runs.push({ code, signal })
      }
      // A first death in normal mode, three charged in careful mode, then the run that stores it raw.
      expect(runs.slice(0, -1).every((r) => r.code !== 0)).toBe(true)
      expect(runs).toHaveLength(5)
      expect(runs.at(-1)).toEqual({ code: 0, signal: null })
      const store = createFsStore(storeDir)
      const keys = inboundMessageKeys('oom', inboundMessageId(killer))
      expect((await store.get(keys.raw))!.body.equals(killer)).toBe(true)
      expect((await getJson<InboundMessage>(store, keys.doc))!.value).toMatchObject({ subject: 'killer', parseError: `poison: ${DIED} (3 tries)`, text: null })
      expect((await getJson<InboundMessage>(store, inboundMessageKeys('oom', inboundMessageId(after)).doc))!.value.parseError).toBeNull()
      expect(await audit(store, 'oom', [killer, after])).toMatchObject({
        lost: 0,
        storedTwice: 0,
        eventMissing: 0,
        newId: 0,
        poisoned: 1,
        ordered: true,
        inFlight: null,
      })
    },
  )
})
