import type { Deps } from '../deps.js'

/**
 * Wraps a Lambda handler so the event log is written before the invocation ends (a frozen or recycled
 * environment would lose the buffer): one segment per invocation that logged anything, also when it failed.
 */
export function flushAfter<A extends unknown[], R>(deps: Pick<Deps, 'eventLog'>, handler: (...args: A) => Promise<R> | R): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args)
    } finally {
      await deps.eventLog.flush()
    }
  }
}
