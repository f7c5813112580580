import type { ImapFlow, MailboxObject } from 'imapflow'
import type { ImapMailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { mailboxSource } from '../events/event-types.js'
import { recordEvent } from '../events/outbox.js'
import { ingestUids } from './imap-ingest.js'
import type { MailboxLease } from './lease.js'
import type { FolderCursor, MailboxStateHandle } from './mailbox-state.js'
import { webhookEventId } from './message-id.js'
import { PoisonGuard } from './poison-guard.js'
import type { PollProgress, PollSummary } from './poll-summary.js'
import { toSequenceSet } from './sequence-set.js'

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
  const guard = new PoisonGuard(state, deps.config.inbound.poisonMaxTries)
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
        await syncFolder(deps, client, effective, folder, state, lease, guard, summary, progress)
      } catch (err) {
        // Name the folder in a server's refusal (a missing folder, a failed MOVE); store errors pass unchanged.
        const e = err as { responseStatus?: string; responseText?: string; message: string }
        if (e.responseStatus === undefined && e.responseText === undefined) throw err
        throw new Error(`IMAP folder ${folder}: ${e.responseText ?? e.message}`, { cause: err })
      }
    }
    if (guard.finish()) await state.save()
    await client.logout()
  } catch (err) {
    await guard.interrupted()
    throw err
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
  guard: PoisonGuard,
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
      log.warn(
        { previousUidValidity: cursor.uidValidity, uidValidity },
        'UIDVALIDITY changed: resyncing the folder; stored messages are recognised by content, or by Message-ID, Date and From',
      )
      await recordEvent(deps, state.value, {
        id: webhookEventId(mb.id, 'mailbox.reset', `${folder}\n${cursor.uidValidity}\n${uidValidity}`),
        type: 'mailbox.reset',
        source: mailboxSource(mb.id),
        mailbox: mb.id,
        createdAt: new Date(deps.clock.now()).toISOString(),
        data: { folder, previousUidValidity: cursor.uidValidity, uidValidity, reason: 'uidvalidity-changed' },
      })
      // Every UID below UIDNEXT now may be mail stored under the old UIDVALIDITY, possibly with changed bytes.
      cursor = { uidValidity, lastUid: 0, resyncBelowUid: uidNextAtStart }
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
    await ingestUids({ deps, client, mb, folder, state, lease, guard, summary, progress, cursor, sizes, dates }, uids)
    // A dated backfill passes over what it did not take; later polls take every new UID.
    if (since) cursor.lastUid = Math.max(cursor.lastUid, uidNextAtStart - 1)
    // The resync pass went through every UID that was there at the reset.
    delete cursor.resyncBelowUid
    cursor.highestModseq = modseq
    state.value.folders[folder] = cursor
    await state.save()
  } finally {
    lock.release()
  }
}
