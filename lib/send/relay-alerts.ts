import type { Logger } from 'pino'
import type { DeliveryOutcome } from './classify.js'

interface Failing {
  since: number
  problem: string
}

const failing = new WeakMap<object, Failing>()

/**
 * Alerts about the relay itself (AUTH refused, TLS failure, refused connection, 421 at the greeting): one `error`
 * line with `alert: "relay-failing"` when such failures start, one `info` line with `alert: "relay-recovered"`
 * when an attempt gets through again, never one per message. `scope` is the process's config object, so each
 * gateway (and each test) keeps its own. Returns true while the relay is failing (callers then log messages at debug).
 */
export function trackRelay(scope: object, logger: Logger, outcome: DeliveryOutcome, now: number): boolean {
  const current = failing.get(scope)
  if (outcome.relayProblem) {
    if (!current) {
      failing.set(scope, { since: now, problem: outcome.relayProblem })
      logger.error(
        { alert: 'relay-failing', problem: outcome.relayProblem, reply: outcome.reply, response: outcome.response },
        'the SMTP relay is failing: messages are deferred until it recovers',
      )
    }
    return true
  }
  if (current && (outcome.reply !== null || outcome.accepted.length)) {
    failing.delete(scope)
    logger.info({ alert: 'relay-recovered', problem: current.problem, failedForMs: now - current.since }, 'the SMTP relay works again')
  }
  return false
}
