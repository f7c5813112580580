import type { Pop3Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { ingestMessage } from './ingest.js'
import type { MailboxLease } from './lease.js'
import type { MailboxStateHandle } from './mailbox-state.js'
import { countOutcome, type PollProgress, type PollSummary } from './poll-summary.js'

/**
 * Polls a POP3 mailbox (RFC 1939) once. Messages whose UIDL is in the seen record are skipped; each other message
 * is RETRieved, stored (ingest.ts), its UIDL recorded, and only then, with `deleteAfterStore`, marked with DELE
 * (committed by QUIT). Servers without UIDL: every message is retrieved each poll and recognised by content
 * (docs/inbound.md "POP3 without UIDL"). Throws on connection, login or store errors.
 */
export async function syncPop3(deps: Deps, mb: Pop3Mailbox, state: MailboxStateHandle, lease: MailboxLease, summary: PollSummary, progress: PollProgress) {
  const log = deps.logger.child({ mailbox: mb.id })
  const client = await deps.pop3(mb)
  // node-pop3 emits 'error' for -ERR replies; commands reject on them, this keeps a stray one from throwing.
  client.on('error', () => {})
  try {
    await client.login()
    const uidls = await client.uidls()
    if (!uidls) log.warn('server has no UIDL: every message is retrieved and recognised by its content')
    const numbers = [...(await client.sizes()).keys()].sort((a, b) => a - b)
    const s = state.value
    if (s.seenUidls === undefined) {
      log.info({ backfill: mb.backfill }, 'first poll of this mailbox; backfill as configured')
      s.seenUidls = []
      if (mb.backfill === 'none') {
        if (uidls) {
          s.seenUidls = numbers.map((n) => uidls.get(n)!).filter(Boolean)
          await state.save()
          return
        }
        log.warn('backfill "none" needs UIDL; taking every message instead')
      }
    }
    const seen = new Set(s.seenUidls)
    if (uidls) {
      // Bounded record: only UIDLs the server still lists can come back.
      const listed = new Set(uidls.values())
      const kept = s.seenUidls.filter((u) => listed.has(u))
      if (kept.length !== s.seenUidls.length) {
        s.seenUidls = kept
        await state.save()
      }
    }
    const isSeen = (n: number) => uidls !== null && seen.has(uidls.get(n) ?? '')
    // Seen means stored: a DELE lost to a crash before QUIT is redone.
    if (mb.deleteAfterStore) for (const n of numbers.filter(isSeen)) await client.dele(n)
    const todo = numbers.filter((n) => !isSeen(n))
    summary.found += todo.length
    progress.onFound?.(todo.length)
    for (const n of todo) {
      await lease.renew()
      let outcome
      try {
        const raw = await client.retr(n)
        outcome = await ingestMessage(deps, mb.id, state, { raw, receivedAt: new Date(deps.clock.now()).toISOString(), folder: null })
      } catch (err) {
        summary.failed++
        progress.onMessage?.('failed')
        throw err
      }
      const uidl = uidls?.get(n)
      if (uidl) {
        s.seenUidls.push(uidl)
        if (s.seenUidls.length > mb.maxSeenUidls) s.seenUidls.splice(0, s.seenUidls.length - mb.maxSeenUidls)
      }
      await state.save()
      if (mb.deleteAfterStore) await client.dele(n)
      countOutcome(summary, progress, outcome)
    }
  } finally {
    // QUIT commits the DELEs (RFC 1939 §6), each of a message already stored; after an error it may fail.
    await client.quit().catch(() => {})
    client._socket?.destroy()
  }
}
