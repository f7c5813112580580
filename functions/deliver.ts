// Lambda entry points for delivery: an S3 notification for each new queue entry, and a schedule that sweeps
// whatever is due (scheduled and deferred messages, and anything a lost notification left behind).
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { createQueueRunner } from '../lib/send/queue-runner.js'
import { queueKeys } from '../lib/store/keys.js'

const deps = createDeps(loadConfig(process.env))

/** S3 `ObjectCreated` events under `queue/`: attempt each message now (a future entry is left for the sweep). */
export async function queued(event: { Records?: { s3?: { object?: { key?: string } } }[] }) {
  const runner = createQueueRunner(deps)
  for (const r of event.Records ?? []) {
    const entry = queueKeys.parse(decodeURIComponent((r.s3?.object?.key ?? '').replace(/\+/g, ' ')))
    if (entry) runner.kick(entry.id)
  }
  await runner.stop()
}

/** Scheduled sweep: attempts every due message. */
export async function sweep() {
  return { attempted: await createQueueRunner(deps).drain() }
}
