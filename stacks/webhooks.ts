// Webhooks: each new outbox record in the bucket becomes an SQS message (S3 event notification to SQS), so an
// event is delivered as soon as it is recorded; the webhook function consumes the queue in batches, hiding events
// that wait for a retry. A sweep every 5 minutes brings back events parked beyond SQS's 12 hours and records whose
// notification was lost. Only when the stage config lists webhook endpoints (docs/deploy.md).
import { webhookKeys } from '../lib/store/keys.js'
import type { Alarms } from './alarms.js'
import type { FunctionDefaults } from './function-defaults.js'
import { WEBHOOK_BATCH, WEBHOOK_MAX_RECEIVES, WEBHOOK_TIMEOUT_S, WEBHOOK_VISIBILITY_S } from './plan.js'
import { consume, queueWithDlq } from './queues.js'
import type { StageConfig } from './stage-config.js'
import { newObjectsTo } from './storage.js'

export function createWebhooks(defaults: FunctionDefaults, config: StageConfig, alarms: Alarms) {
  if (!config.hasWebhooks) return null
  const { queue, dlq } = queueWithDlq('Webhooks', WEBHOOK_VISIBILITY_S, WEBHOOK_MAX_RECEIVES, alarms)
  const environment = { ...defaults.environment, POSTERN_WEBHOOK_QUEUE_URL: queue.url }
  // Together the instances keep inbound.webhookConcurrency attempts in flight per endpoint (lib/webhooks/sqs-plan.ts).
  const instances = config.aws.webhookConsumers
  const consumer = consume(
    queue,
    { ...defaults, handler: 'functions/webhooks.records', timeout: `${WEBHOOK_TIMEOUT_S} seconds`, environment, link: [...defaults.link, queue] },
    WEBHOOK_BATCH,
    instances,
  )
  const sweep = new sst.aws.CronV2('WebhookSweep', {
    schedule: 'rate(5 minutes)',
    function: { ...defaults, handler: 'functions/webhooks.sweep', timeout: '5 minutes', environment, link: [...defaults.link, queue] },
  })
  return { queue, dlq, consumer, sweep, notification: newObjectsTo('Outbox', queue, webhookKeys.outboxPrefix) }
}
