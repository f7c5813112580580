import type { Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { lastPollKey } from '../store/keys.js'
import type { PollProgress, PollSummary } from './poll-summary.js'

/** The last poll of a mailbox (lastPollKey), as `GET /v1/mailboxes` shows it. Times ISO 8601 UTC. */
export interface LastPoll {
  /** When the poll started. */
  at: string
  durationMs: number
  /** `ok`: it completed; `failed`: it stopped early (see `error`). */
  outcome: 'ok' | 'failed'
  found: number
  stored: number
  duplicates: number
  failed: number
  resets: number
  error: string | null
  /** Start of the last poll that completed (this one when `ok`); null when none has. */
  lastSuccessAt: string | null
}

/**
 * Records how a poll went (after it, whatever its outcome). A poll skipped because another poller held the lease
 * records nothing: that poller records its own. Bookkeeping: not fsync'd.
 * @throws whatever the store throws.
 */
export async function recordLastPoll(deps: Pick<Deps, 'store' | 'clock'>, summary: PollSummary, startedAtMs: number): Promise<void> {
  if (summary.busy) return
  const key = lastPollKey(summary.mailbox)
  const at = new Date(startedAtMs).toISOString()
  const ok = summary.error === null
  const previous = ok ? null : ((await getJson<LastPoll>(deps.store, key))?.value.lastSuccessAt ?? null)
  const record: LastPoll = {
    at,
    durationMs: deps.clock.now() - startedAtMs,
    outcome: ok ? 'ok' : 'failed',
    found: summary.found,
    stored: summary.stored,
    duplicates: summary.duplicates,
    failed: summary.failed,
    resets: summary.resets,
    error: summary.error?.message ?? null,
    lastSuccessAt: ok ? at : previous,
  }
  await putJson(deps.store, key, record, { durable: false })
}

export async function readLastPoll(deps: Pick<Deps, 'store'>, mailbox: string): Promise<LastPoll | null> {
  return (await getJson<LastPoll>(deps.store, lastPollKey(mailbox)))?.value ?? null
}

/**
 * pollMailbox, then recordLastPoll: what every poller (the local loop, the AWS poll queue, `postern poll`) calls.
 * Losing the record costs only the ops view, so a store failure writing it is logged, never the poll's error.
 */
export async function pollAndRecord(deps: Deps, mb: Mailbox, progress: PollProgress = {}): Promise<PollSummary> {
  const startedAt = deps.clock.now()
  // Loaded here, not at the top: GET /v1/mailboxes reads last polls in the HTTP function, which starts without the mail clients.
  const { pollMailbox } = await import('./poll-mailbox.js')
  const summary = await pollMailbox(deps, mb, progress)
  await recordLastPoll(deps, summary, startedAt).catch((err: Error) => deps.logger.warn({ mailbox: mb.id, err: err.message }, 'last poll not recorded'))
  return summary
}
