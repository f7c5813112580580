import type { Mailbox } from '../config/mailbox.js'
import type { Deps } from '../deps.js'
import { retryDelayMs } from '../webhooks/classify.js'
import { pollAndRecord } from './last-poll.js'
import type { PollSummary } from './poll-summary.js'

export interface InboundPolling {
  /** Stops scheduling and waits for polls and deliveries in flight. */
  stop(): Promise<void>
}

/**
 * Long-running mode (`npm start`): polls every configured mailbox on its own schedule (webhook delivery of what it
 * stores is lib/webhooks/start-delivery.ts, told of each event as it is recorded). A mailbox
 * whose poll fails (refused connection, wrong credentials) is logged and retried after
 * min(maxDelayMs, baseDelayMs * 2^(n-1)) (`inbound.errorBackoff`); other mailboxes and endpoints go on.
 */
export function startInboundPolling(deps: Deps, options: { onPoll?(summary: PollSummary): void } = {}): InboundPolling {
  const { config, logger } = deps
  const timers = new Set<NodeJS.Timeout>()
  const inflight = new Set<Promise<unknown>>()
  const failures = new Map<string, number>()
  let stopped = false

  const track = (p: Promise<unknown>) => {
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  const later = (ms: number, fn: () => Promise<void>) => {
    if (stopped) return
    const t = setTimeout(() => {
      timers.delete(t)
      if (!stopped) track(fn())
    }, ms)
    timers.add(t)
  }
  const poll = (mb: Mailbox) => async () => {
    const summary = await pollAndRecord(deps, mb)
    let delay = mb.schedule.everyMs
    if (summary.error) {
      const n = (failures.get(mb.id) ?? 0) + 1
      failures.set(mb.id, n)
      delay = retryDelayMs(n, config.inbound.errorBackoff, deps.random, null)
      logger.error({ mailbox: mb.id, err: summary.error.message, consecutiveFailures: n, retryInMs: delay }, 'poll failed; backing off')
    } else failures.delete(mb.id)
    options.onPoll?.(summary)
    later(delay, poll(mb))
  }
  for (const mb of config.mailboxes) later(0, poll(mb))
  logger.info({ mailboxes: config.mailboxes.map((m) => m.id) }, 'inbound polling started')

  return {
    async stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
      while (inflight.size) await Promise.allSettled([...inflight])
    },
  }
}
