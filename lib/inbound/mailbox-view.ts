import type { Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { getJson } from '../store/json.js'
import { inboundMailboxKeys } from '../store/keys.js'
import { readLastPoll, type LastPoll } from './last-poll.js'
import type { MailboxState } from './mailbox-state.js'

/** A mailbox as `GET /v1/mailboxes` shows it (no password). */
export interface MailboxView {
  id: string
  protocol: 'imap' | 'pop3'
  host: string
  port: number | null
  user: string
  /** IMAP folders polled; null for POP3. */
  folders: string[] | null
  lastPoll: LastPoll | null
  /**
   * IMAP: per folder, the UIDVALIDITY and the highest UID passed (RFC 3501 §2.3.1.1); POP3: how many UIDLs the
   * seen record holds. Null before the first poll.
   */
  cursor: { folders: Record<string, { uidValidity: string; lastUid: number }> } | { seenUidls: number } | null
  /** Sequence number of the mailbox's last recorded webhook event. */
  sequence: number
  /** ms since the start of the last poll that completed: how stale the stored view of the mailbox may be. */
  lagMs: number | null
}

function cursorOf(mb: Mailbox, s: MailboxState | undefined): MailboxView['cursor'] {
  if (!s) return null
  if (mb.protocol === 'pop3') return s.seenUidls === undefined ? null : { seenUidls: s.seenUidls.length }
  return { folders: Object.fromEntries(Object.entries(s.folders).map(([f, c]) => [f, { uidValidity: c.uidValidity, lastUid: c.lastUid }])) }
}

export async function mailboxView(deps: Pick<Deps, 'store' | 'clock'>, mb: Mailbox): Promise<MailboxView> {
  const [lastPoll, state] = await Promise.all([readLastPoll(deps, mb.id), getJson<MailboxState>(deps.store, inboundMailboxKeys(mb.id).state)])
  return {
    id: mb.id,
    protocol: mb.protocol,
    host: mb.host,
    port: mb.port ?? null,
    user: mb.user,
    folders: mb.protocol === 'imap' ? [...mb.folders] : null,
    lastPoll,
    cursor: cursorOf(mb, state?.value),
    sequence: state?.value.sequence ?? 0,
    lagMs: lastPoll?.lastSuccessAt ? deps.clock.now() - Date.parse(lastPoll.lastSuccessAt) : null,
  }
}

/** Every configured mailbox, in configuration order: two reads each. */
export const listMailboxes = (deps: Pick<Deps, 'store' | 'clock' | 'config'>) => Promise.all(deps.config.mailboxes.map((mb) => mailboxView(deps, mb)))
