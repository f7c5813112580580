// Lambda entry points for receiving on AWS: one schedule ticks every minute and enqueues the mailboxes due; the
// poll function consumes the poll queue (docs/deploy.md "Mailboxes by the thousand").
import type { SqsEvent } from '../lib/aws/sqs-event.js'
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { flushAfter } from '../lib/logs/flush-after.js'
import { createPollConsumer } from '../lib/inbound/poll-queue.js'
import { pollTick } from '../lib/inbound/poll-tick.js'

const deps = createDeps(loadConfig(process.env))
const consumer = createPollConsumer(deps)

/** EventBridge Scheduler (CronV2), every minute. */
export const tick = flushAfter(deps, () => pollTick(deps))

/** SQS event source mapping of the poll queue (ReportBatchItemFailures on). */
export const records = flushAfter(deps, (event: SqsEvent) => consumer.handle(event))
