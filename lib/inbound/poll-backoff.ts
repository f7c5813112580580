import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { sweepKeys } from '../store/keys.js'
import { retryDelayMs } from '../webhooks/classify.js'

/** Why and until when a mailbox is not polled on AWS (sweepKeys.pollBackoff); deleted by its next successful poll. */
export interface PollBackoff {
  /** Polls that failed in a row. */
  failures: number
  /** ISO 8601: the tick enqueues the mailbox again at its first poll instant from then on. */
  retryAt: string
  /** The last failure's message. */
  error: string
}

/** Reads at most this many backoff objects at once. */
const READS_IN_FLIGHT = 16

/**
 * Records a failed poll of `mailbox` after `previous` failures in a row: it waits
 * min(errorBackoff.maxDelayMs, errorBackoff.baseDelayMs * 2^(n-1)) with ±20% jitter, as the long-running poller does
 * (docs/inbound.md "Failures"). Only the mailbox's poller writes it, under the mailbox lease.
 */
export async function recordPollFailure(deps: Pick<Deps, 'store' | 'clock' | 'random' | 'config'>, mailbox: string, previous: number, error: string) {
  const failures = previous + 1
  const retryAt = new Date(deps.clock.now() + retryDelayMs(failures, deps.config.inbound.errorBackoff, deps.random, null)).toISOString()
  const backoff: PollBackoff = { failures, retryAt, error }
  await putJson(deps.store, sweepKeys.pollBackoff(mailbox), backoff)
  return backoff
}

/** Ends a mailbox's backoff after a successful poll (DELETE: free on S3, and harmless when there is none). */
export const clearPollFailure = (deps: Pick<Deps, 'store'>, mailbox: string) => deps.store.delete(sweepKeys.pollBackoff(mailbox))

/**
 * The backoffs of the mailboxes in `due` that have one: one LIST of the backoff folder, then a GET only for each
 * mailbox both due and backing off, so a tick costs no request per healthy mailbox.
 */
export async function backoffsOf(deps: Pick<Deps, 'store'>, due: string[]): Promise<Map<string, PollBackoff>> {
  const listed = new Set(await deps.store.list(sweepKeys.pollBackoffPrefix))
  const failing = due.filter((mb) => listed.has(sweepKeys.pollBackoff(mb)))
  const out = new Map<string, PollBackoff>()
  for (let i = 0; i < failing.length; i += READS_IN_FLIGHT) {
    const got = await Promise.all(failing.slice(i, i + READS_IN_FLIGHT).map((mb) => getJson<PollBackoff>(deps.store, sweepKeys.pollBackoff(mb))))
    got.forEach((g, j) => g && out.set(failing[i + j], g.value))
  }
  return out
}
