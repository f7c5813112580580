import type { ImapFlow, MailboxObject } from 'imapflow'
import type { ImapMailbox, Mailbox, Pop3Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { subscribes } from '../events/outbox.js'
import { getJson } from '../store/json.js'
import { fingerprintListing, inboundMessageKeys, webhookKeys } from '../store/keys.js'
import { normalizeMessage } from '../normalize/normalize.js'
import { deliveryStatus } from '../webhooks/delivery-index.js'
import type { DeliveryRecord } from '../webhooks/delivery-record.js'
import type { StoredMarker } from './ingest.js'
import { loadMailboxState, type MailboxState } from './mailbox-state.js'
import { messageFingerprint } from './fingerprint.js'
import { isSeen, type ListedMessage } from './pop3-seen.js'
import { toSequenceSet } from './sequence-set.js'

/**
 * One gap between the mailbox, what Postern stored and what the webhook endpoints acknowledged:
 * - `not_stored`: on the server and not stored. `nextPoll: true`: past the cursor (or under another UIDVALIDITY),
 *   the next poll takes it; `false`: at or below the cursor with no stored message of its Message-ID, Date and
 *   From (fingerprint.ts): passed over by a dated backfill, or missed; no poll will take it;
 * - `uidvalidity_changed`: the folder's UIDVALIDITY is not the cursor's (its UIDs were renumbered);
 * - `not_committed`: stored objects without the `stored.json` marker (a poll stopped mid-message; the next poll
 *   that sees the message again completes it), so no event was recorded for it;
 * - `not_acknowledged`: stored with an event that `endpointId` has not acknowledged with a 2xx: `status` is the
 *   delivery's (pending, failed, dead), or `missing` when no delivery record exists and the event is no longer
 *   in the outbox (it was never attempted for this endpoint: replay will not find it; re-send it by hand).
 */
export type ReconcileGap =
  | { kind: 'not_stored'; folder: string | null; uid: number | null; uidl: string | null; nextPoll: boolean }
  | { kind: 'uidvalidity_changed'; folder: string; cursorUidValidity: string; serverUidValidity: string }
  | { kind: 'not_committed'; messageId: string }
  | { kind: 'not_acknowledged'; messageId: string; eventId: string; endpointId: string; status: 'pending' | 'failed' | 'dead' | 'missing' | 'queued' }

/** What the mailbox holds now, per folder (IMAP) or as a maildrop (POP3). */
export type ServerView =
  | {
      protocol: 'imap'
      folders: {
        folder: string
        uidValidity: string
        messages: number
        cursor: { uidValidity: string; lastUid: number } | null
        /** Messages at or below the cursor that cannot be checked: no Message-ID, or neither Date nor From. */
        unverified: number
      }[]
    }
  | { protocol: 'pop3'; messages: number; uidl: boolean; seen: number }

export interface ReconcileReport {
  mailbox: string
  /** ISO 8601 UTC. */
  checkedAt: string
  server: ServerView
  stored: { messages: number; committed: number }
  gaps: ReconcileGap[]
}

/** The mailbox server could not be read (connection, TLS, login, a missing folder); `cause` is the client's error. */
export class MailboxUnreachableError extends Error {
  constructor(mailbox: string, cause: unknown) {
    const e = cause as { code?: string; responseText?: string; message?: string }
    super(`could not read mailbox ${mailbox}: ${e?.responseText ?? e?.code ?? e?.message ?? String(cause)}`, { cause })
    this.name = 'MailboxUnreachableError'
  }
}

/**
 * The fingerprints (fingerprint.ts) of messages by UID, from their Message-ID, Date and From headers only (no
 * bodies are read); null for a message too weakly identified to check.
 */
async function headerFingerprints(client: ImapFlow, mailbox: string, uids: number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>()
  if (!uids.length) return out
  for await (const m of client.fetch(toSequenceSet(uids), { uid: true, headers: ['message-id', 'date', 'from'] }, { uid: true })) {
    const head = Buffer.concat([m.headers ?? Buffer.alloc(0), Buffer.from('\r\n')])
    const { document } = await normalizeMessage(head, { id: 'reconcile', mailbox, receivedAt: new Date(0).toISOString(), attachmentKey: () => 'none' })
    out.set(m.uid, messageFingerprint(document))
  }
  return out
}

/**
 * IMAP: each folder's UIDVALIDITY and UIDs now (UID SEARCH ALL, read-only), against the folder cursors; UIDs at or
 * below a cursor are checked against the stored messages' fingerprints (one listing).
 */
async function imapGaps(deps: Deps, mb: ImapMailbox, state: MailboxState, gaps: ReconcileGap[]): Promise<ServerView> {
  const prints = fingerprintListing(mb.id)
  const stored = new Set((await deps.store.list(prints.prefix)).map(prints.parse))
  const client = await deps.imap(mb)
  client.on('error', () => {}) // a dropped connection fails the command in flight, which reports it
  await client.connect()
  const folders: Extract<ServerView, { protocol: 'imap' }>['folders'] = []
  try {
    for (const folder of mb.folders) {
      const lock = await client.getMailboxLock(folder, { readOnly: true })
      try {
        const uidValidity = (client.mailbox as MailboxObject).uidValidity.toString()
        const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b)
        const cursor = state.folders[folder] ?? null
        const sameValidity = cursor?.uidValidity === uidValidity
        if (cursor && !sameValidity) gaps.push({ kind: 'uidvalidity_changed', folder, cursorUidValidity: cursor.uidValidity, serverUidValidity: uidValidity })
        const below = sameValidity ? uids.filter((u) => u <= cursor.lastUid) : []
        const found = await headerFingerprints(client, mb.id, below)
        let unverified = 0
        for (const uid of uids) {
          if (!sameValidity || uid > cursor.lastUid) {
            gaps.push({ kind: 'not_stored', folder, uid, uidl: null, nextPoll: true })
            continue
          }
          const print = found.get(uid) ?? null
          if (print === null) unverified++
          else if (!stored.has(print)) gaps.push({ kind: 'not_stored', folder, uid, uidl: null, nextPoll: false })
        }
        folders.push({ folder, uidValidity, messages: uids.length, cursor: cursor && { uidValidity: cursor.uidValidity, lastUid: cursor.lastUid }, unverified })
      } finally {
        lock.release()
      }
    }
    await client.logout()
  } finally {
    client.close()
  }
  return { protocol: 'imap', folders }
}

/** POP3: UIDL and LIST now, against the seen record (the UIDLs and sizes of what was stored). */
async function pop3Gaps(deps: Deps, mb: Pop3Mailbox, state: MailboxState, gaps: ReconcileGap[]): Promise<ServerView> {
  const client = await deps.pop3(mb)
  client.on('error', () => {})
  try {
    await client.login()
    const uidls = await client.uidls()
    const sizes = await client.sizes()
    const seen = new Set(state.seenUidls ?? [])
    const listed: ListedMessage[] = [...sizes.keys()].sort((a, b) => a - b).map((n) => ({ number: n, size: sizes.get(n)!, uidl: uidls?.get(n) ?? null }))
    for (const m of listed) if (!isSeen(seen, m)) gaps.push({ kind: 'not_stored', folder: null, uid: null, uidl: m.uidl, nextPoll: true })
    return { protocol: 'pop3', messages: listed.length, uidl: uidls !== null, seen: state.seenUidls?.length ?? 0 }
  } finally {
    await client.quit().catch(() => {})
  }
}

/** Stored messages of the mailbox: committed or not, and each committed one's event against every endpoint. */
async function storedGaps(deps: Deps, mb: Mailbox, gaps: ReconcileGap[]) {
  const prefix = `inbound/${mb.id}/messages/`
  const ids = new Set<string>()
  for (const key of await deps.store.list(prefix)) ids.add(key.slice(prefix.length, key.indexOf('/', prefix.length)))
  const endpoints = deps.config.webhooks.filter((ep) => subscribes(ep, { type: 'message.received', source: `mailbox:${mb.id}`, mailbox: mb.id }))
  let committed = 0
  for (const id of [...ids].sort()) {
    const marker = (await getJson<StoredMarker>(deps.store, inboundMessageKeys(mb.id, id).stored))?.value
    if (!marker) {
      gaps.push({ kind: 'not_committed', messageId: id })
      continue
    }
    committed++
    if (marker.duplicateOf) continue // a changed copy of another stored message: no event of its own
    for (const ep of endpoints) {
      const d = (await getJson<DeliveryRecord>(deps.store, webhookKeys.delivery(ep.id, marker.eventId)))?.value
      const status = d ? deliveryStatus(d) : (await deps.store.get(webhookKeys.outbox(mb.id, marker.sequence))) ? 'queued' : 'missing'
      if (status !== 'succeeded') gaps.push({ kind: 'not_acknowledged', messageId: id, eventId: marker.eventId, endpointId: ep.id, status })
    }
  }
  return { messages: ids.size, committed }
}

/**
 * Answers "did we miss anything?" for one mailbox: connects to it now, compares what it holds with the poll state,
 * and every stored message with its event's deliveries (gap kinds: ReconcileGap). Reads every stored message's
 * marker and delivery records, so it costs O(stored messages x endpoints) reads: for an operator, not a loop.
 * @throws MailboxUnreachableError when the server cannot be read; store errors as the store throws them.
 */
export async function reconcileMailbox(deps: Deps, mb: Mailbox): Promise<ReconcileReport> {
  const gaps: ReconcileGap[] = []
  const state = (await loadMailboxState(deps.store, mb.id)).value
  let server: ServerView
  try {
    server = mb.protocol === 'imap' ? await imapGaps(deps, mb, state, gaps) : await pop3Gaps(deps, mb, state, gaps)
  } catch (err) {
    throw new MailboxUnreachableError(mb.id, err)
  }
  const stored = await storedGaps(deps, mb, gaps)
  return { mailbox: mb.id, checkedAt: new Date(deps.clock.now()).toISOString(), server, stored, gaps }
}
