// Lambda entry points for delivery on AWS: batches of the delivery queue (S3 notifications of new `queue/` entries,
// sent to SQS), and a one-minute sweep that enqueues entries further ahead than SQS can hold them (docs/deploy.md).
import type { SqsEvent } from '../lib/aws/sqs-event.js'
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { flushAfter } from '../lib/logs/flush-after.js'
import { createSqsDelivery } from '../lib/send/sqs-delivery.js'
import { sweepDelivery } from '../lib/send/sqs-sweep.js'

const deps = createDeps(loadConfig(process.env))
const delivery = createSqsDelivery(deps)

/** SQS event source mapping (ReportBatchItemFailures on): one attempt per due message; the answer keeps the rest. */
export const records = flushAfter(deps, (event: SqsEvent) => delivery.handle(event))

/** EventBridge Scheduler (CronV2), every minute. */
export const sweep = flushAfter(deps, () => sweepDelivery(deps))
