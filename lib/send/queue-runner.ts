import pLimit from 'p-limit'
import type { Deps } from '../deps.js'
import { newWorkerId } from '../worker-id.js'
import { queueKeys } from '../store/keys.js'
import { deliverMessage, type DeliverResult } from './deliver.js'
import type { AcceptedRequest } from './records.js'
import { decodedBytes } from './send-request.js'

/** How many bytes (decoded) of just-stored requests attempts waiting for a slot may hold in memory (default). */
export const QUEUED_RECORD_BUDGET = 32 * 1024 * 1024

export interface QueueRunner {
  /**
   * Attempts one message now (right after it was accepted), within the runner's concurrency. `record`: the
   * request this process just stored, used instead of reading it back when a slot is free at once.
   */
  kick(id: string, record?: AcceptedRequest): void
  /** Attempts every message whose queue entry is due; resolves with how many attempts were made. */
  drain(): Promise<number>
  /** Stops the timer and waits for attempts under way. */
  stop(): Promise<void>
}

/**
 * Delivers queued, scheduled and deferred messages: `kick` attempts one message at once, `drain` every entry
 * under `queue/` that is due. At most `concurrency` attempts run at once. No timer: Lambda calls `drain` from a
 * schedule and `kick` from S3 notifications; startQueueRunner adds the timer for a long-running process.
 */
export function createQueueRunner(deps: Deps, opts: { concurrency?: number; queuedRecordBudget?: number } = {}): QueueRunner {
  const budget = opts.queuedRecordBudget ?? QUEUED_RECORD_BUDGET
  const owner = newWorkerId('worker')
  const limit = pLimit(opts.concurrency ?? Math.max(2, (deps.config.relay?.pool.maxConnections ?? 5) * 2))
  // An id already being attempted shares that attempt's promise, so a sweep and a kick never race.
  const inFlight = new Map<string, Promise<DeliverResult | null>>()
  let stopped = false
  let held = 0 // bytes of requests held by attempts waiting for a slot

  /** One attempt of one message; `null` when it could not be recorded (logged, retried by a later sweep). */
  const attempt = (id: string, record?: AcceptedRequest): Promise<DeliverResult | null> => {
    const running = inFlight.get(id)
    if (running) return running
    if (stopped) return Promise.resolve(null)
    // The record saves reading the request back. One queued behind busy slots holds its request (attachments and
    // all) while it waits, so queued records share a budget; past it they wait as bare ids.
    const size = record ? decodedBytes(record.request) : 0
    const startsNow = limit.activeCount + limit.pendingCount < limit.concurrency
    const inMemory = record && (startsNow || held + size <= budget) ? record : undefined
    const heldHere = inMemory && !startsNow ? size : 0
    held += heldHere
    const p = limit(async () => {
      held -= heldHere
      try {
        return await deliverMessage(deps, id, owner, inMemory)
      } catch (err) {
        deps.logger.error({ err, id }, 'delivery attempt could not be recorded; it will be retried')
        return null
      } finally {
        inFlight.delete(id)
      }
    })
    inFlight.set(id, p)
    return p
  }

  async function drain(): Promise<number> {
    const now = deps.clock.now()
    const due = new Map<string, string[]>()
    for (const key of await deps.store.list(queueKeys.prefix, { limit: 1000 })) {
      const entry = queueKeys.parse(key)
      if (!entry) continue
      if (entry.dueAtMs > now) break
      due.set(entry.id, [...(due.get(entry.id) ?? []), key])
    }
    const results = await Promise.all(
      [...due].map(async ([id, keys]) => {
        const r = await attempt(id)
        // An entry left behind by a crash after the final state (or one whose request is gone) would be due forever.
        if (r && !r.attempted && (r.reason === 'final' || r.reason === 'missing')) await Promise.all(keys.map((k) => deps.store.delete(k)))
        return r?.attempted ?? false
      }),
    )
    return results.filter(Boolean).length
  }

  return {
    kick: (id, record) => void attempt(id, record),
    drain,
    async stop() {
      stopped = true
      await Promise.all(inFlight.values())
    },
  }
}

/**
 * A queue runner for a long-running process (`npm start`): a sweep every `intervalMs`, and one at start, so a
 * restart resumes what was queued, scheduled or deferred.
 */
export function startQueueRunner(deps: Deps, opts: { intervalMs?: number; concurrency?: number } = {}): QueueRunner {
  const runner = createQueueRunner(deps, opts)
  let sweeping: Promise<unknown> = Promise.resolve()
  const sweep = () => {
    sweeping = sweeping.then(runner.drain).catch((err) => deps.logger.error({ err }, 'queue sweep failed; next sweep retries'))
  }
  const timer = setInterval(sweep, opts.intervalMs ?? 1000)
  timer.unref()
  sweep()
  return {
    ...runner,
    async stop() {
      clearInterval(timer)
      await sweeping
      await runner.stop()
    },
  }
}
