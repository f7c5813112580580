import { getJson, putJson } from '../store/json.js'
import { inboundMailboxKeys } from '../store/keys.js'
import { isPreconditionFailed, type ObjectStore } from '../store/object-store.js'
import { LeaseLostError } from './lease.js'
import type { InFlight } from './poison-guard.js'

/** IMAP cursor of one folder (RFC 3501 §2.3.1.1): UIDs are only comparable under the same UIDVALIDITY. */
export interface FolderCursor {
  /** Decimal string (UIDVALIDITY is a 32-bit unsigned number). */
  uidValidity: string
  /** Highest UID already stored (or deliberately passed over by backfill); 0 when none. */
  lastUid: number
  /** HIGHESTMODSEQ at the last poll when the server offers CONDSTORE (RFC 7162), as a decimal string. */
  highestModseq?: string
  /**
   * Set while a folder is resynced after a UIDVALIDITY change: UIDNEXT when the change was seen. UIDs below it may
   * be stored mail with changed bytes, so they are also recognised by Message-ID, Date and From (resync-dedupe.ts).
   */
  resyncBelowUid?: number
}

/** Everything a mailbox's polls remember, in one object written by compare-and-swap as messages are stored. */
export interface MailboxState {
  /** Sequence number of the mailbox's last recorded webhook event; events count from 1. */
  sequence: number
  folders: Record<string, FolderCursor>
  /**
   * POP3 messages already stored, oldest first, each as `"<uidl> <size>"` (pop3-seen.ts; entries written before
   * sizes were recorded are a bare UIDL); absent before the first poll.
   */
  seenUidls?: string[]
  /** What a poll is working on, for poison-message handling (poison-guard.ts); absent between clean polls. */
  inFlight?: InFlight
}

/** The mailbox state loaded by the poll that holds the lease, and how to save it. */
export interface MailboxStateHandle {
  readonly value: MailboxState
  /** True until the first save of a mailbox never polled before. */
  readonly isNew: boolean
  /**
   * Writes `value` as it is now by compare-and-swap, after any earlier save; throws LeaseLostError when someone else
   * wrote it meanwhile. A caller may go on before it resolves (the IMAP pipeline) as long as it awaits it later.
   */
  save(): Promise<void>
  /**
   * Like save (a snapshot of `value` as it is now), but while such a save waits its turn, further calls fold into
   * it (it writes the latest call's snapshot), and the write is not fsync'd: for the cursor after each message,
   * where losing a save to a power failure only means the next poll finds those messages already stored.
   * Resolves when that write is done.
   */
  saveSoon(): Promise<void>
}

export async function loadMailboxState(store: ObjectStore, mailbox: string): Promise<MailboxStateHandle> {
  const key = inboundMailboxKeys(mailbox).state
  const found = await getJson<MailboxState>(store, key)
  let etag = found?.etag ?? null
  const value: MailboxState = found?.value ?? { sequence: 0, folders: {} }
  let queue: Promise<void> = Promise.resolve()
  // The save that saveSoon calls fold into until it starts, with the snapshot it will write: the latest call's.
  let folded: { snapshot: MailboxState; written: Promise<void> } | null = null
  const write = async (snapshot: MailboxState, durable = true) => {
    try {
      etag = (await putJson(store, key, snapshot, { ...(etag ? { ifMatch: etag } : { ifNoneMatch: '*' as const }), durable })).etag
    } catch (err) {
      if (isPreconditionFailed(err)) throw new LeaseLostError(mailbox)
      throw err
    }
  }
  return {
    value,
    get isNew() {
      return etag === null
    },
    save() {
      const snapshot = structuredClone(value)
      folded = null // a later saveSoon must not write before this older snapshot
      // Saves run one after another (each needs the ETag of the last); a failed one fails every later one.
      queue = queue.then(() => write(snapshot))
      return queue
    },
    saveSoon() {
      // Snapshot now, between commits, where the cursor and the sequence agree; later, a message's commit may be
      // half done (its event recorded, its marker not yet written).
      const snapshot = structuredClone(value)
      if (folded) {
        folded.snapshot = snapshot
        return folded.written
      }
      const slot: { snapshot: MailboxState; written: Promise<void> } = { snapshot, written: Promise.resolve() }
      slot.written = queue.then(() => {
        if (folded === slot) folded = null
        return write(slot.snapshot, false)
      })
      folded = slot
      queue = slot.written
      return slot.written
    },
  }
}
