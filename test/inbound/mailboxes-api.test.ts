import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MailboxSummary, ReconcileReport } from '../../lib/http/openapi-webhooks.js'
import type { StoredMarker } from '../../lib/inbound/ingest.js'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { pollMailboxes } from '../../lib/inbound/poll-all.js'
import { getJson, putJson } from '../../lib/store/json.js'
import { inboundMailboxKeys, inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { startDovecot, type DovecotServer, type DovecotUser } from '../servers/dovecot.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { DRIVERS, opsApp, SEND_KEY } from '../webhooks/ops-harness.js'
import { dovecotMailbox } from './harness.js'

const msg = (n: number) =>
  Buffer.from(
    `From: s@example.test\r\nTo: r@example.test\r\nSubject: m ${n}\r\nMessage-ID: <rec${n}@example.test>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\nBody ${n}\r\n`,
  )

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

describe.each(DRIVERS)('GET /v1/mailboxes and reconcile on $name', (driver) => {
  let store: ObjectStore
  let close: () => Promise<void>
  let receiver: WebhookReceiver
  let ops: ReturnType<typeof opsApp>
  let ids: { imap: string; pop: string; bad: string }
  let users: { imap: DovecotUser; pop: DovecotUser }
  let polledAt: string

  beforeAll(async () => {
    ;({ store, close } = await driver.setup())
    receiver = await startWebhookReceiver()
    const imapUser = await dovecot.addUser(`imap-${driver.name}@example.test`)
    const popUser = await dovecot.addUser(`pop-${driver.name}@example.test`)
    await dovecot.append(imapUser, 'INBOX', [msg(1), msg(2), msg(3)])
    await dovecot.append(popUser, 'INBOX', [msg(11), msg(12)])
    const imap = dovecotMailbox(dovecot, imapUser, 'imap')
    const pop = dovecotMailbox(dovecot, popUser, 'pop3')
    const bad = { ...dovecotMailbox(dovecot, imapUser, 'imap'), id: `bad-${driver.name}`, password: 'wrong-password' }
    ids = { imap: imap.id, pop: pop.id, bad: bad.id }
    users = { imap: imapUser, pop: popUser }
    ops = opsApp(store, { mailboxes: [imap, pop, bad], webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }] })
  })
  afterAll(async () => {
    await receiver?.close()
    await close?.()
  })

  test('before any poll: no last poll, no cursor, no lag; passwords never shown', async () => {
    const res = await ops.call('GET', '/v1/mailboxes')
    expect(res.status).toBe(200)
    expect(
      res.json.data.map((m: { id: string; lastPoll: null; cursor: null; lagMs: null; sequence: number }) => [m.id, m.lastPoll, m.cursor, m.lagMs, m.sequence]),
    ).toEqual([
      [ids.imap, null, null, null, 0],
      [ids.pop, null, null, null, 0],
      [ids.bad, null, null, null, 0],
    ])
    expect(JSON.stringify(res.json)).not.toContain('password')
  })

  test('after a poll: each mailbox with its last poll, cursor and lag; a failed poll says why', async () => {
    polledAt = new Date(ops.clock.now()).toISOString()
    await pollMailboxes(ops.deps)
    ops.clock.advance(5000)
    const listed = (await ops.call('GET', '/v1/mailboxes')).json.data
    for (const m of listed) expect(MailboxSummary.parse(m)).toEqual(m)
    const [imap, pop, bad] = listed
    const ok = { at: polledAt, durationMs: 0, outcome: 'ok', duplicates: 0, failed: 0, resets: 0, error: null, lastSuccessAt: polledAt }
    expect(imap).toMatchObject({ protocol: 'imap', folders: ['INBOX'], sequence: 3, lagMs: 5000, lastPoll: { ...ok, found: 3, stored: 3 } })
    expect(imap.cursor).toEqual({ folders: { INBOX: { uidValidity: expect.stringMatching(/^\d+$/), lastUid: 3 } } })
    expect(pop).toMatchObject({ protocol: 'pop3', folders: null, sequence: 2, lagMs: 5000, cursor: { seenUidls: 2 }, lastPoll: { ...ok, found: 2, stored: 2 } })
    expect(bad).toMatchObject({ cursor: null, lagMs: null, lastPoll: { outcome: 'failed', found: 0, stored: 0, lastSuccessAt: null } })
    expect(bad.lastPoll.error).toMatch(/login refused/i)
  })

  test('reconcile lists every gap: on the server and not stored, not committed, not acknowledged', async () => {
    await createWebhookDispatcher(ops.deps).runAll()
    expect(receiver.received.filter((w) => w.verifyError === null)).toHaveLength(5)
    const clean = await ops.call('GET', `/v1/mailboxes/${ids.imap}/reconcile`)
    expect(clean.status).toBe(200)
    expect(clean.json).toMatchObject({ mailbox: ids.imap, stored: { messages: 3, committed: 3 }, gaps: [] })
    expect(clean.json.server).toEqual({
      protocol: 'imap',
      folders: [
        { folder: 'INBOX', uidValidity: expect.stringMatching(/^\d+$/), messages: 3, cursor: { uidValidity: expect.any(String), lastUid: 3 }, unverified: 0 },
      ],
    })

    // The gaps: a message arrives after the poll; one stored message's delivery record is lost; another's marker.
    await dovecot.append(users.imap, 'INBOX', [msg(4)])
    const [id2, id3] = [inboundMessageId(msg(2)), inboundMessageId(msg(3))]
    const marker2 = (await getJson<StoredMarker>(store, inboundMessageKeys(ids.imap, id2).stored))!.value
    await store.delete(webhookKeys.delivery('app', marker2.eventId))
    await store.delete(inboundMessageKeys(ids.imap, id3).stored)
    const res = await ops.call('GET', `/v1/mailboxes/${ids.imap}/reconcile`)
    expect(ReconcileReport.parse(res.json)).toEqual(res.json)
    expect(res.json.stored).toEqual({ messages: 3, committed: 2 })
    expect(res.json.gaps).toEqual([
      { kind: 'not_stored', folder: 'INBOX', uid: 4, uidl: null, nextPoll: true },
      ...[
        { kind: 'not_acknowledged', messageId: id2, eventId: marker2.eventId, endpointId: 'app', status: 'missing' },
        { kind: 'not_committed', messageId: id3 },
      ].sort((a, b) => a.messageId.localeCompare(b.messageId)),
    ])
  })

  test('reconcile finds a message below the cursor that was never stored; one without Message-ID is unverified', async () => {
    // Two messages arrive and the cursor passes them without storing them (as a lost write or a dated backfill would).
    const noId = Buffer.from('From: s@example.test\r\nSubject: no id\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n')
    await dovecot.append(users.imap, 'INBOX', [msg(5), noId])
    const key = inboundMailboxKeys(ids.imap).state
    const state = (await getJson<MailboxState>(store, key))!
    state.value.folders.INBOX.lastUid = 6
    await putJson(store, key, state.value, { ifMatch: state.etag })
    const res = await ops.call('GET', `/v1/mailboxes/${ids.imap}/reconcile`)
    expect(res.json.server.folders[0]).toMatchObject({ messages: 6, cursor: { lastUid: 6 }, unverified: 1 })
    expect(res.json.gaps.filter((g: { kind: string }) => g.kind === 'not_stored')).toEqual([
      { kind: 'not_stored', folder: 'INBOX', uid: 4, uidl: null, nextPoll: false },
      { kind: 'not_stored', folder: 'INBOX', uid: 5, uidl: null, nextPoll: false },
    ])
  })

  test('reconcile of a POP3 mailbox compares UIDLs and sizes with the seen record', async () => {
    await dovecot.append(users.pop, 'INBOX', [msg(13)])
    const res = await ops.call('GET', `/v1/mailboxes/${ids.pop}/reconcile`)
    expect(res.status).toBe(200)
    expect(ReconcileReport.parse(res.json)).toEqual(res.json)
    expect(res.json.server).toEqual({ protocol: 'pop3', messages: 3, uidl: true, seen: 2 })
    expect(res.json.gaps).toEqual([{ kind: 'not_stored', folder: null, uid: null, uidl: expect.any(String), nextPoll: true }])
  })

  test('an unreachable mailbox is 502 mailbox_unreachable; unknown 404; a send key 403', async () => {
    const bad = await ops.call('GET', `/v1/mailboxes/${ids.bad}/reconcile`)
    expect([bad.status, bad.json.error.code]).toEqual([502, 'mailbox_unreachable'])
    expect(bad.json.error.message).not.toContain('wrong-password')
    expect((await ops.call('GET', '/v1/mailboxes/nope/reconcile')).status).toBe(404)
    for (const path of ['/v1/mailboxes', `/v1/mailboxes/${ids.imap}/reconcile`]) {
      const res = await ops.call('GET', path, SEND_KEY)
      expect([res.status, res.json.error.code]).toEqual([403, 'insufficient_scope'])
    }
  })
})
