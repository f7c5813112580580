import type { Pop3Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { preparedOrPoison, rawOnlyReason } from './guarded-prepare.js'
import { commitMessage, prepareMessage, type PreparedMessage } from './ingest.js'
import type { MailboxLease } from './lease.js'
import type { MailboxStateHandle } from './mailbox-state.js'
import { PoisonGuard } from './poison-guard.js'
import { countOutcome, type PollProgress, type PollSummary } from './poll-summary.js'
import type { Pop3Client } from './pop3-client.js'
import { isSeen, pruneSeen, seenEntry, type ListedMessage } from './pop3-seen.js'
import { storeRawOnly, type RawSource } from './store-raw.js'

/**
 * Polls a POP3 mailbox (RFC 1939) once. A message is known by its UIDL and size (pop3-seen.ts): those in the seen
 * record are skipped; each other message is RETRieved, stored (ingest.ts), recorded as seen, and only then, with
 * `deleteAfterStore`, marked with DELE (committed by QUIT). With `deleteAfterStore` every listed message is
 * RETRieved, seen or not, so a DELE only ever names a message retrieved and found stored in the same session:
 * servers that reuse UIDLs cannot make it delete unread mail. Servers without UIDL: every message is retrieved
 * each poll and recognised by its content (docs/inbound.md "POP3 without UIDL"). Throws on connection, login or
 * store errors.
 */
export async function syncPop3(deps: Deps, mb: Pop3Mailbox, state: MailboxStateHandle, lease: MailboxLease, summary: PollSummary, progress: PollProgress) {
  const log = deps.logger.child({ mailbox: mb.id })
  const client = await deps.pop3(mb)
  // node-pop3 emits 'error' for -ERR replies; commands reject on them, this keeps a stray one from throwing.
  client.on('error', () => {})
  const guard = new PoisonGuard(state, deps.config.inbound.poisonMaxTries)
  let ahead: ReturnType<typeof readAhead> | undefined
  try {
    await client.login()
    const uidls = await client.uidls()
    if (!uidls) log.warn('server has no UIDL: every message is retrieved and recognised by its content')
    const sizes = await client.sizes()
    const listed: ListedMessage[] = [...sizes.keys()].sort((a, b) => a - b).map((n) => ({ number: n, size: sizes.get(n)!, uidl: uidls?.get(n) ?? null }))
    const s = state.value
    if (s.seenUidls === undefined) {
      log.info({ backfill: mb.backfill }, 'first poll of this mailbox; backfill as configured')
      s.seenUidls = []
      if (mb.backfill === 'none') {
        if (uidls) {
          s.seenUidls = listed.flatMap((m) => (m.uidl === null ? [] : [seenEntry({ ...m, uidl: m.uidl })]))
          await state.save()
          return
        }
        log.warn('backfill "none" needs UIDL; taking every message instead')
      }
    }
    if (uidls) {
      // Bounded record: only messages the server still lists can come back.
      const kept = pruneSeen(s.seenUidls, listed)
      if (kept.length !== s.seenUidls.length) {
        s.seenUidls = kept
        await state.save()
      }
    }
    const seen = new Set(s.seenUidls)
    const todo = mb.deleteAfterStore ? listed : listed.filter((m) => !isSeen(seen, m))
    summary.found += todo.length
    progress.onFound?.(todo.length)
    let saved: Promise<void> = Promise.resolve()
    let sinceSave = 0
    ahead = readAhead(deps, mb, client, guard, todo)
    for (let p = await ahead.next(); p; p = await ahead.next()) {
      const { m } = p
      await lease.renew()
      let outcome
      try {
        const source: RawSource = { open: () => client.retrStream(m.number) }
        const prepared = p.rawOnly
          ? await storeRawOnly(deps, mb.id, source, p.meta, p.rawOnly)
          : await preparedOrPoison(deps, mb.id, guard, p.key, p.prepared!, source, p.meta)
        outcome = prepared && (await commitMessage(deps, mb.id, state, prepared))
      } catch (err) {
        summary.failed++
        progress.onMessage?.('failed')
        throw err
      }
      if (m.uidl !== null && !isSeen(seen, m)) {
        s.seenUidls.push(seenEntry({ ...m, uidl: m.uidl }))
        if (s.seenUidls.length > mb.maxSeenUidls) s.seenUidls.splice(0, s.seenUidls.length - mb.maxSeenUidls)
      }
      // The seen record only saves downloads (a message is recognised by its content anyway), and rewriting it
      // costs in proportion to its length: it is saved every SAVE_EVERY messages, not awaited, and at the end.
      if (++sinceSave >= SAVE_EVERY) {
        sinceSave = 0
        saved = state.saveSoon()
        saved.catch(() => {})
      }
      // Retrieved and stored (or found stored) in this session: only now may it be deleted.
      if (mb.deleteAfterStore && outcome) await client.dele(m.number)
      if (outcome) countOutcome(summary, progress, outcome)
      else log.warn({ number: m.number }, 'message gone from the server before it could be retrieved')
    }
    await saved
    if (guard.finish() || sinceSave) await state.save()
  } catch (err) {
    // Let writes already started finish before the lease is given back.
    await ahead?.settle()
    await guard.interrupted()
    throw err
  } finally {
    // QUIT commits the DELEs (RFC 1939 §6), each of a message already stored; after an error it may fail.
    await client.quit().catch(() => {})
    client._socket?.destroy()
  }
}

/** One listed message on its way: read and being written (`prepared`), or to be stored raw-only when its turn comes. */
interface Pending {
  m: ListedMessage
  key: string
  meta: { receivedAt: string; folder: null }
  rawOnly: string | null
  prepared: Promise<PreparedMessage> | null
}

/** Messages stored between two saves of the seen record. */
const SAVE_EVERY = 50

/** Messages RETRieved and written ahead of the one being committed (one in careful mode). */
const PIPELINE = 4

/**
 * The messages of `todo` in order, each RETRieved while earlier ones commit, so the store's latency overlaps the
 * server's. Every POP3 command is issued by the caller's loop, one at a time: `next()` reads ahead, then yields the
 * head. A message to be stored raw-only (too large, poison) needs the connection for two RETRs of its own at its
 * turn, so nothing is read past it until then.
 */
function readAhead(deps: Deps, mb: Pop3Mailbox, client: Pop3Client, guard: PoisonGuard, todo: ListedMessage[]) {
  const queue: Pending[] = []
  let i = 0
  return {
    async next(): Promise<Pending | undefined> {
      while (queue.length < (guard.careful ? 1 : PIPELINE) && i < todo.length && !queue.some((q) => q.rawOnly)) {
        const m = todo[i++]
        const key = `pop3 ${m.uidl ?? `#${m.number}`} ${m.size}`
        const meta = { receivedAt: new Date(deps.clock.now()).toISOString(), folder: null }
        const rawOnly = rawOnlyReason(deps, m.size, await guard.begin(key))
        let prepared = null
        if (!rawOnly) {
          const raw = await client.retr(m.number)
          prepared = prepareMessage(deps, mb.id, { raw, ...meta })
          prepared.catch(() => {}) // observed when its turn comes
        }
        queue.push({ m, key, meta, rawOnly, prepared })
      }
      return queue.shift()
    },
    /** Lets writes already started finish (before the lease is given back). */
    async settle() {
      await Promise.allSettled(queue.map((q) => q.prepared))
    },
  }
}
