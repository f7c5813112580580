import type { IngestOutcome } from './ingest.js'

/** Counts of one poll of one mailbox (`postern poll` prints them). */
export interface PollSummary {
  mailbox: string
  /** New messages seen on the server (not yet passed by the cursor). */
  found: number
  stored: number
  /** Recognised as already stored (resync, re-upload, repeat after a crash). */
  duplicates: number
  /** Could not be stored this time; the cursor stays before them, so the next poll retries. */
  failed: number
  /** `mailbox.reset` events recorded (UIDVALIDITY changes). */
  resets: number
  /** True when another poller held the mailbox's lease, so this poll did nothing. */
  busy: boolean
  /** Why the poll stopped early (connection, credentials, store); null when it completed. */
  error: Error | null
}

/** Progress callbacks for a poll (the CLI's progress bar). */
export interface PollProgress {
  /** `n` more messages to process. */
  onFound?(n: number): void
  onMessage?(outcome: IngestOutcome | 'failed'): void
}

export const emptySummary = (mailbox: string): PollSummary => ({ mailbox, found: 0, stored: 0, duplicates: 0, failed: 0, resets: 0, busy: false, error: null })

export function countOutcome(summary: PollSummary, progress: PollProgress, outcome: IngestOutcome) {
  if (outcome.kind === 'stored') summary.stored++
  else summary.duplicates++
  progress.onMessage?.(outcome)
}

/** One line for people: `found 3, stored 2, skipped as duplicate 1, failed 0` (+ resets, busy, or why the poll failed). */
export function formatSummary(s: PollSummary): string {
  const parts = [`found ${s.found}`, `stored ${s.stored}`, `skipped as duplicate ${s.duplicates}`, `failed ${s.failed}`]
  if (s.resets) parts.push(`UIDVALIDITY resets ${s.resets}`)
  if (s.busy) parts.push('skipped: another poller holds the lease')
  if (s.error) return `${s.mailbox}: poll failed (${s.error.message}); before that ${parts.join(', ')}`
  return `${s.mailbox}: ${parts.join(', ')}`
}
