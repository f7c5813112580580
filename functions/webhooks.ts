// Lambda entry points for webhooks on AWS: batches of the webhook queue (S3 notifications of new outbox records,
// sent to SQS), and a sweep every 5 minutes for parked events and lost notifications (docs/deploy.md).
import type { SqsEvent } from '../lib/aws/sqs-event.js'
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { flushAfter } from '../lib/logs/flush-after.js'
import { createSqsWebhooks } from '../lib/webhooks/sqs-webhooks.js'
import { sweepWebhooks } from '../lib/webhooks/webhook-sweep.js'

const deps = createDeps(loadConfig(process.env))
const consumer = createSqsWebhooks(deps)

/** SQS event source mapping (ReportBatchItemFailures on); the context bounds attempts by the time left. */
export const records = flushAfter(deps, (event: SqsEvent, context?: { getRemainingTimeInMillis?: () => number }) =>
  consumer.handle(event, { timeLeftMs: context?.getRemainingTimeInMillis?.bind(context) }),
)

/** EventBridge Scheduler (CronV2), every 5 minutes. */
export const sweep = flushAfter(deps, () => sweepWebhooks(deps))
