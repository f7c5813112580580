import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { sweepKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { backoffsOf } from './poll-backoff.js'
import { pollDueIn } from './poll-schedule.js'

/** The body of one poll-queue message: the mailbox to poll and the instant it was due (ISO 8601). */
export interface PollRequest {
  mailbox: string
  due: string
  /** Polls of it that failed in a row before this one (poll-backoff.ts); absent when none. */
  failures?: number
}

/** A first tick (no cursor) looks back this far (ms). */
const FIRST_WINDOW_MS = 60_000

/**
 * The poll tick on AWS (one EventBridge Scheduler schedule, every minute): sends to the poll queue every mailbox
 * with a poll instant since the last tick (poll-schedule.ts: a fixed phase per mailbox within its own period). It
 * reads one object and writes one (the tick cursor), whatever the number of mailboxes, and sends ⌈due / 10⌉
 * SendMessageBatch requests. A mailbox whose last poll failed is skipped until its error backoff has passed
 * (poll-backoff.ts: one LIST, and a GET per mailbox both due and failing).
 * @returns the mailboxes enqueued and those skipped while backing off, in config order.
 * @throws what the store or SQS throws; the cursor then stays, so the next tick enqueues the same mailboxes.
 */
export async function pollTick(deps: Deps): Promise<{ enqueued: string[]; backingOff: string[] }> {
  const now = deps.clock.now()
  const found = await getJson<{ through: string }>(deps.store, sweepKeys.pollTick)
  const from = found ? Date.parse(found.value.through) : now - FIRST_WINDOW_MS
  const instants: { mailbox: string; at: number }[] = []
  for (const mb of deps.config.mailboxes) {
    const at = pollDueIn(mb.id, mb.schedule.everyMs, from, now)
    if (at !== null) instants.push({ mailbox: mb.id, at })
  }
  const backoffs = await backoffsOf(
    deps,
    instants.map((i) => i.mailbox),
  )
  const due: PollRequest[] = []
  const backingOff: string[] = []
  for (const { mailbox, at } of instants) {
    const b = backoffs.get(mailbox)
    if (b && Date.parse(b.retryAt) > at) backingOff.push(mailbox)
    else due.push({ mailbox, due: new Date(at).toISOString(), ...(b ? { failures: b.failures } : {}) })
  }
  await deps.queue('poll').send(due.map((r) => ({ body: JSON.stringify(r) })))
  try {
    await putJson(deps.store, sweepKeys.pollTick, { through: new Date(now).toISOString() }, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' })
  } catch (err) {
    // Another tick ran at the same time and moved the cursor; the mailboxes it enqueued overlap ours harmlessly.
    if (!isPreconditionFailed(err)) throw err
  }
  return { enqueued: due.map((r) => r.mailbox), backingOff }
}
