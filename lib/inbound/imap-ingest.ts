import type { ImapFlow } from 'imapflow'
import type { ImapMailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { preparedOrPoison, rawOnlyReason } from './guarded-prepare.js'
import { fetchSources, imapRawSource } from './imap-fetch.js'
import { commitMessage, prepareMessage, type PreparedMessage } from './ingest.js'
import type { MailboxLease } from './lease.js'
import type { FolderCursor, MailboxStateHandle } from './mailbox-state.js'
import type { PoisonGuard } from './poison-guard.js'
import { countOutcome, type PollProgress, type PollSummary } from './poll-summary.js'
import { batchUids } from './sequence-set.js'
import { storeRawOnly } from './store-raw.js'

/** Messages whose objects are written ahead of the one being committed. */
const PIPELINE = 4

/** One poll of one selected folder, as the ingestion loop needs it. */
export interface FolderRun {
  deps: Deps
  client: ImapFlow
  mb: ImapMailbox
  folder: string
  state: MailboxStateHandle
  lease: MailboxLease
  guard: PoisonGuard
  summary: PollSummary
  progress: PollProgress
  /** The folder's cursor: `lastUid` moves as messages are stored; saved by this loop. */
  cursor: FolderCursor
  /** RFC822.SIZE and INTERNALDATE of each UID to take. */
  sizes: Map<number, number>
  dates: Map<number, Date | string | undefined>
}

/**
 * Stores `uids` (ascending) of the selected folder: fetched in batches (`batch` bounds; one message per batch in
 * careful mode, poison-guard.ts), written ahead of their commits (up to 4), committed in UID order, each followed
 * by `afterStore` and the cursor. A message over `maxMessageBytes`, or one that has failed too often, is stored
 * raw-only by streaming (store-raw.ts). Throws on connection or store errors; what was committed stays committed.
 */
export async function ingestUids(run: FolderRun, uids: number[]): Promise<void> {
  const { deps, client, mb, folder, state, guard, cursor, sizes, dates } = run
  const log = deps.logger.child({ mailbox: mb.id, folder })
  const key = (uid: number) => `imap ${folder} ${cursor.uidValidity} ${uid}`
  const meta = (uid: number) => ({
    receivedAt: new Date(dates.get(uid) ?? deps.clock.now()).toISOString(),
    folder,
    resync: cursor.resyncBelowUid !== undefined && uid < cursor.resyncBelowUid,
  })
  let cursorSaved: Promise<void> = Promise.resolve()
  for (const batch of batchUids(uids, sizes, guard.careful ? 1 : mb.batch.maxMessages, mb.batch.maxBytes)) {
    const rawOnly = new Map<number, string>()
    for (const uid of batch) {
      const reason = rawOnlyReason(deps, sizes.get(uid) ?? 0, await guard.begin(key(uid)))
      if (reason) rawOnly.set(uid, reason)
    }
    const fetched = await fetchSources(
      client,
      batch.filter((u) => !rawOnly.has(u)),
      sizes,
      dates,
    )
    // Objects of the next messages are written while earlier ones commit; commits stay in UID order.
    const prepared = new Map<number, Promise<PreparedMessage | null>>()
    const prepare = (uid: number) => {
      const m = fetched.get(uid)
      fetched.delete(uid)
      const p = m && !rawOnly.has(uid) ? prepareMessage(deps, mb.id, { raw: m.source, ...meta(uid) }) : Promise.resolve(null)
      p.catch(() => {}) // observed when its turn comes
      prepared.set(uid, p)
    }
    batch.slice(0, PIPELINE).forEach(prepare)
    for (const [i, uid] of batch.entries()) {
      if (batch[i + PIPELINE] !== undefined) prepare(batch[i + PIPELINE])
      await run.lease.renew()
      let outcome
      try {
        const reason = rawOnly.get(uid)
        const source = imapRawSource(client, uid)
        const p = reason
          ? await storeRawOnly(deps, mb.id, source, meta(uid), reason)
          : await preparedOrPoison(deps, mb.id, guard, key(uid), prepared.get(uid)!, source, meta(uid))
        prepared.delete(uid)
        outcome = p && (await commitMessage(deps, mb.id, state, p))
      } catch (err) {
        run.summary.failed++
        run.progress.onMessage?.('failed')
        // Let writes already started finish before the lease is given back.
        await Promise.allSettled([...prepared.values(), cursorSaved])
        throw err
      }
      if (outcome) {
        if (mb.afterStore === 'seen') await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
        if (mb.afterStore === 'move') await client.messageMove(String(uid), mb.moveTo!, { uid: true })
        countOutcome(run.summary, run.progress, outcome)
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
}
