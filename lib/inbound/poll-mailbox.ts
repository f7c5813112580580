import type { Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { newWorkerId } from '../worker-id.js'
import { syncImap } from './imap-sync.js'
import { acquireLease } from './lease.js'
import { loadMailboxState } from './mailbox-state.js'
import { emptySummary, type PollProgress, type PollSummary } from './poll-summary.js'
import { syncPop3 } from './pop3-sync.js'

/**
 * Polls one mailbox once under its lease (lease.ts): IMAP or POP3 by its protocol. Never throws for the mailbox's
 * own failures (refused connection, wrong credentials, a store error): they are in `summary.error`, and the
 * caller backs off. Returns `busy: true` without polling when another poller holds the lease.
 */
export async function pollMailbox(deps: Deps, mb: Mailbox, progress: PollProgress = {}): Promise<PollSummary> {
  const summary = emptySummary(mb.id)
  try {
    const lease = await acquireLease(deps.store, deps.clock, mb.id, newWorkerId('poll'), deps.config.inbound.leaseMs, deps.logger)
    if (!lease) {
      summary.busy = true
      deps.logger.info({ mailbox: mb.id }, 'mailbox is being polled elsewhere; skipped')
      return summary
    }
    try {
      const state = await loadMailboxState(deps.store, mb.id)
      if (mb.protocol === 'imap') await syncImap(deps, mb, state, lease, summary, progress)
      else await syncPop3(deps, mb, state, lease, summary, progress)
    } finally {
      await lease.release()
    }
  } catch (err) {
    summary.error = err instanceof Error ? err : new Error(String(err))
  }
  return summary
}
