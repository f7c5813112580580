import { setTimeout as sleep } from 'node:timers/promises'
import type { ImapFlow, MailboxObject } from 'imapflow'
import type { ImapMailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { mailboxSource } from '../events/event-types.js'
import { recordEvent } from '../events/outbox.js'
import { commitMessage, prepareMessage, type PreparedMessage } from './ingest.js'
import type { MailboxLease } from './lease.js'
import type { FolderCursor, MailboxStateHandle } from './mailbox-state.js'
import { webhookEventId } from './message-id.js'
import { countOutcome, type PollProgress, type PollSummary } from './poll-summary.js'
import { batchUids, toSequenceSet } from './sequence-set.js'

/** A message announced by SEARCH may not be fetchable yet (EmailEngine PR #210): wait this long, once. */
const REFETCH_DELAY_MS = 500
/** A batch of one message larger than this (bytes) is streamed with download() instead of FETCH. */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024
/** Messages whose objects are written ahead of the one being committed. */
const PIPELINE = 4

/**
 * The bytes of a stream, copied into one buffer of `size` bytes (RFC822.SIZE) as they come: keeping the chunks and
 * concatenating them would hold the message twice. A size that is too small falls back to the chunks.
 */
async function readAll(stream: AsyncIterable<unknown>, size: number): Promise<Buffer> {
  let buf: Buffer | null = size > 0 ? Buffer.allocUnsafe(size) : null
  const chunks: Buffer[] = []
  let length = 0
  for await (const c of stream) {
    const chunk = c as Buffer
    if (buf && length + chunk.length <= buf.length) chunk.copy(buf, length)
    else {
      if (buf) chunks.push(buf.subarray(0, length))
      buf = null
      chunks.push(chunk)
    }
    length += chunk.length
  }
  return buf ? buf.subarray(0, length) : Buffer.concat(chunks, length)
}

/**
 * Polls every configured folder of an IMAP mailbox (RFC 3501) once: new UIDs past the folder's cursor, fetched
 * in bounded batches; each message is stored (ingest.ts) before the cursor moves past it, commits in UID order.
 * Throws on connection, login or store errors; what was stored before stays stored.
 */
export async function syncImap(deps: Deps, mb: ImapMailbox, state: MailboxStateHandle, lease: MailboxLease, summary: PollSummary, progress: PollProgress) {
  const client = await deps.imap(mb)
  client.on('error', (err: Error) => deps.logger.warn({ mailbox: mb.id, err: err.message }, 'IMAP connection error'))
  try {
    await client.connect()
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; responseText?: string; code?: string; message: string }
    const why = e.authenticationFailed ? `login refused: ${e.responseText ?? e.message}` : (e.code ?? e.message)
    throw new Error(`IMAP ${mb.host}:${mb.port}: ${why}`, { cause: err })
  }
  try {
    let effective = mb
    if (mb.afterStore === 'move' && !client.capabilities.has('MOVE') && !client.capabilities.has('UIDPLUS')) {
      // Without MOVE (RFC 6851) or UID EXPUNGE (RFC 4315) a move ends in a plain EXPUNGE, which would also remove
      // every other message flagged \Deleted in the folder: leave the messages in place instead.
      deps.logger.error({ mailbox: mb.id }, 'server offers neither MOVE nor UIDPLUS: afterStore "move" is not applied')
      effective = { ...mb, afterStore: 'nothing' }
    }
    for (const folder of mb.folders) {
      try {
        await syncFolder(deps, client, effective, folder, state, lease, summary, progress)
      } catch (err) {
        // Name the folder in a server's refusal (a missing folder, a failed MOVE); store errors pass unchanged.
        const e = err as { responseText?: string; responseStatus?: string; message: string }
        if (e.responseStatus === undefined && e.responseText === undefined) throw err
        throw new Error(`IMAP folder ${folder}: ${e.responseText ?? e.message}`, { cause: err })
      }
    }
    await client.logout()
  } finally {
    client.close()
  }
}

async function syncFolder(
  deps: Deps,
  client: ImapFlow,
  mb: ImapMailbox,
  folder: string,
  state: MailboxStateHandle,
  lease: MailboxLease,
  summary: PollSummary,
  progress: PollProgress,
) {
  const log = deps.logger.child({ mailbox: mb.id, folder })
  const lock = await client.getMailboxLock(folder, { readOnly: mb.afterStore === 'nothing' })
  try {
    const box = client.mailbox as MailboxObject
    const uidValidity = box.uidValidity.toString()
    const modseq = box.highestModseq?.toString()
    const uidNextAtStart = box.uidNext
    let cursor: FolderCursor | undefined = state.value.folders[folder]
    let since: Date | undefined
    if (!cursor) {
      log.info({ backfill: mb.backfill }, 'first poll of this folder; backfill as configured')
      if (mb.backfill === 'none') {
        state.value.folders[folder] = { uidValidity, lastUid: uidNextAtStart - 1, highestModseq: modseq }
        await state.save()
        return
      }
      if (typeof mb.backfill === 'object') since = new Date(`${mb.backfill.since}T00:00:00Z`)
      cursor = { uidValidity, lastUid: 0 }
    } else if (cursor.uidValidity !== uidValidity) {
      log.warn({ previousUidValidity: cursor.uidValidity, uidValidity }, 'UIDVALIDITY changed: resyncing the folder; stored messages are recognised by content')
      await recordEvent(deps, state.value, {
        id: webhookEventId(mb.id, 'mailbox.reset', `${folder}\n${cursor.uidValidity}\n${uidValidity}`),
        type: 'mailbox.reset',
        source: mailboxSource(mb.id),
        mailbox: mb.id,
        createdAt: new Date(deps.clock.now()).toISOString(),
        data: { folder, previousUidValidity: cursor.uidValidity, uidValidity, reason: 'uidvalidity-changed' },
      })
      cursor = { uidValidity, lastUid: 0 }
      state.value.folders[folder] = cursor
      await state.save()
      summary.resets++
    } else if (uidNextAtStart - 1 <= cursor.lastUid || (modseq !== undefined && cursor.highestModseq === modseq)) {
      return
    }

    const from = cursor.lastUid + 1
    const found = (await client.search(since ? { uid: `${from}:*`, since } : { uid: `${from}:*` }, { uid: true })) || []
    // `n:*` includes the highest UID even when it is below n (imapflow #93).
    const uids = found.filter((u) => u >= from).sort((a, b) => a - b)
    summary.found += uids.length
    progress.onFound?.(uids.length)
    const sizes = new Map<number, number>()
    const dates = new Map<number, Date | string | undefined>()
    if (uids.length) {
      for await (const m of client.fetch(toSequenceSet(uids), { uid: true, size: true, internalDate: true }, { uid: true })) {
        sizes.set(m.uid, m.size ?? 0)
        dates.set(m.uid, m.internalDate)
      }
    }

    let cursorSaved: Promise<void> = Promise.resolve()
    for (const batch of batchUids(uids, sizes, mb.batch.maxMessages, mb.batch.maxBytes)) {
      const fetched = new Map<number, { source: Buffer; internalDate: Date | string | undefined }>()
      for (let round = 0; round < 2; round++) {
        const missing = batch.filter((u) => !fetched.has(u))
        if (!missing.length) break
        if (round) await sleep(REFETCH_DELAY_MS)
        if (missing.length === 1 && (sizes.get(missing[0]) ?? 0) > STREAM_ABOVE_BYTES) {
          // One large message: imapflow's download() reads it in partial fetches, holding fewer copies.
          const { content } = await client.download(String(missing[0]), undefined, { uid: true })
          if (content) fetched.set(missing[0], { source: await readAll(content, sizes.get(missing[0]) ?? 0), internalDate: dates.get(missing[0]) })
          continue
        }
        for await (const m of client.fetch(toSequenceSet(missing), { uid: true, source: true, internalDate: true }, { uid: true })) {
          if (m.source && batch.includes(m.uid)) fetched.set(m.uid, { source: m.source, internalDate: m.internalDate })
        }
      }
      // Objects of the next messages are written while earlier ones commit; commits stay in UID order.
      const prepared = new Map<number, Promise<PreparedMessage | null>>()
      const prepare = (uid: number) => {
        const m = fetched.get(uid)
        fetched.delete(uid)
        const receivedAt = m && new Date(m.internalDate ?? deps.clock.now()).toISOString()
        const p = m ? prepareMessage(deps, mb.id, { raw: m.source, receivedAt: receivedAt!, folder }) : Promise.resolve(null)
        p.catch(() => {}) // observed when its turn comes
        prepared.set(uid, p)
      }
      batch.slice(0, PIPELINE).forEach(prepare)
      for (const [i, uid] of batch.entries()) {
        if (batch[i + PIPELINE] !== undefined) prepare(batch[i + PIPELINE])
        await lease.renew()
        let outcome
        try {
          const p = await prepared.get(uid)!
          prepared.delete(uid)
          outcome = p && (await commitMessage(deps, mb.id, state, p))
        } catch (err) {
          summary.failed++
          progress.onMessage?.('failed')
          // Let writes already started finish before the lease is given back.
          await Promise.allSettled([...prepared.values(), cursorSaved])
          throw err
        }
        if (outcome) {
          if (mb.afterStore === 'seen') await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
          if (mb.afterStore === 'move') await client.messageMove(String(uid), mb.moveTo!, { uid: true })
          countOutcome(summary, progress, outcome)
        } else {
          log.warn({ uid }, 'message expunged before it could be fetched')
        }
        cursor.lastUid = uid
        state.value.folders[folder] = cursor
        // The cursor is written while the next messages commit; saves waiting their turn fold into one.
        cursorSaved = state.saveSoon()
        cursorSaved.catch(() => {}) // awaited below
      }
    }
    await cursorSaved
    // A dated backfill passes over what it did not take; later polls take every new UID.
    if (since) cursor.lastUid = Math.max(cursor.lastUid, uidNextAtStart - 1)
    cursor.highestModseq = modseq
    state.value.folders[folder] = cursor
    await state.save()
  } finally {
    lock.release()
  }
}
