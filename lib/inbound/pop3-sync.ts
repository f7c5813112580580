import type { Pop3Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { preparedOrPoison, rawOnlyReason } from './guarded-prepare.js'
import { commitMessage, prepareMessage, type IngestOutcome } from './ingest.js'
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
  const client = deps.pop3(mb)
  // node-pop3 emits 'error' for -ERR replies; commands reject on them, this keeps a stray one from throwing.
  client.on('error', () => {})
  const guard = new PoisonGuard(state, deps.config.inbound.poisonMaxTries)
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
    for (const m of todo) {
      await lease.renew()
      let outcome
      try {
        outcome = await ingestListed(deps, mb, client, guard, state, m)
      } catch (err) {
        summary.failed++
        progress.onMessage?.('failed')
        throw err
      }
      if (m.uidl !== null && !isSeen(seen, m)) {
        s.seenUidls.push(seenEntry({ ...m, uidl: m.uidl }))
        if (s.seenUidls.length > mb.maxSeenUidls) s.seenUidls.splice(0, s.seenUidls.length - mb.maxSeenUidls)
      }
      // Not awaited per message: the seen record only saves downloads (the message is stored and recognised by
      // its content); it is awaited before QUIT commits any DELE.
      saved = state.saveSoon()
      saved.catch(() => {})
      // Retrieved and stored (or found stored) in this session: only now may it be deleted.
      if (mb.deleteAfterStore && outcome) await client.dele(m.number)
      if (outcome) countOutcome(summary, progress, outcome)
      else log.warn({ number: m.number }, 'message gone from the server before it could be retrieved')
    }
    await saved
    if (guard.finish()) await state.save()
  } catch (err) {
    await guard.interrupted()
    throw err
  } finally {
    // QUIT commits the DELEs (RFC 1939 §6), each of a message already stored; after an error it may fail.
    await client.quit().catch(() => {})
    client._socket?.destroy()
  }
}

/** Stores one listed message: RETR and parse, or raw-only (too large, poison) from two RETRs; null when gone. */
async function ingestListed(
  deps: Deps,
  mb: Pop3Mailbox,
  client: Pop3Client,
  guard: PoisonGuard,
  state: MailboxStateHandle,
  m: ListedMessage,
): Promise<IngestOutcome | null> {
  const key = `pop3 ${m.uidl ?? `#${m.number}`} ${m.size}`
  const meta = { receivedAt: new Date(deps.clock.now()).toISOString(), folder: null }
  const source: RawSource = { open: () => client.retrStream(m.number) }
  const reason = rawOnlyReason(deps, m.size, await guard.begin(key))
  let prepared
  if (reason) prepared = await storeRawOnly(deps, mb.id, source, meta, reason)
  else {
    const raw = await client.retr(m.number)
    prepared = await preparedOrPoison(deps, mb.id, guard, key, prepareMessage(deps, mb.id, { raw, ...meta }), source, meta)
  }
  return prepared && commitMessage(deps, mb.id, state, prepared)
}
