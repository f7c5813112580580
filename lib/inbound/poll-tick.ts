import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { sweepKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { pollDueIn } from './poll-schedule.js'

/** The body of one poll-queue message: the mailbox to poll and the instant it was due (ISO 8601). */
export interface PollRequest {
  mailbox: string
  due: string
}

/** A first tick (no cursor) looks back this far (ms). */
const FIRST_WINDOW_MS = 60_000

/**
 * The poll tick on AWS (one EventBridge Scheduler schedule, every minute): sends to the poll queue every mailbox
 * with a poll instant since the last tick (poll-schedule.ts: a fixed phase per mailbox within its own period). It
 * reads one object and writes one (the tick cursor), whatever the number of mailboxes, and sends ⌈due / 10⌉
 * SendMessageBatch requests; whether a poll succeeded is the poller's own business (its state and lease).
 * @returns the mailboxes enqueued, in config order.
 * @throws what the store or SQS throws; the cursor then stays, so the next tick enqueues the same mailboxes.
 */
export async function pollTick(deps: Deps): Promise<{ enqueued: string[] }> {
  const now = deps.clock.now()
  const found = await getJson<{ through: string }>(deps.store, sweepKeys.pollTick)
  const from = found ? Date.parse(found.value.through) : now - FIRST_WINDOW_MS
  const due: PollRequest[] = []
  for (const mb of deps.config.mailboxes) {
    const at = pollDueIn(mb.id, mb.schedule.everyMs, from, now)
    if (at !== null) due.push({ mailbox: mb.id, due: new Date(at).toISOString() })
  }
  await deps.queue('poll').send(due.map((r) => ({ body: JSON.stringify(r) })))
  try {
    await putJson(deps.store, sweepKeys.pollTick, { through: new Date(now).toISOString() }, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' })
  } catch (err) {
    // Another tick ran at the same time and moved the cursor; the mailboxes it enqueued overlap ours harmlessly.
    if (!isPreconditionFailed(err)) throw err
  }
  return { enqueued: due.map((r) => r.mailbox) }
}
