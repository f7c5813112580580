// Sending: each new `queue/` entry in the bucket becomes an SQS message (S3 event notification to SQS); the delivery
// function consumes the queue in batches, hiding not-yet-due messages until their time. A one-minute sweep
// (EventBridge Scheduler) enqueues sends scheduled further ahead than SQS can hold a message, and entries whose
// notification was lost. Duplicates are harmless: delivery claims each attempt by compare-and-swap (docs/deploy.md).
import { queueKeys } from '../lib/store/keys.js'
import type { Alarms } from './alarms.js'
import type { FunctionDefaults } from './function-defaults.js'
import { DELIVERY_MAX_RECEIVES, DELIVERY_TIMEOUT_S, DELIVERY_VISIBILITY_S, deliveryInstances } from './plan.js'
import { consume, queueWithDlq } from './queues.js'
import type { StageConfig } from './stage-config.js'
import { newObjectsTo } from './storage.js'

export function createDelivery(defaults: FunctionDefaults, config: StageConfig, alarms: Alarms) {
  const { queue, dlq } = queueWithDlq('Delivery', DELIVERY_VISIBILITY_S, DELIVERY_MAX_RECEIVES, alarms)
  const environment = { ...defaults.environment, POSTERN_DELIVERY_QUEUE_URL: queue.url }
  // Bounds SMTP connections to the relay: instances × relay.pool.maxConnections <= aws.relayConnections.
  const instances = deliveryInstances(config.aws.relayConnections, config.relayPool)
  const consumer = consume(
    queue,
    { ...defaults, handler: 'functions/deliver.records', timeout: `${DELIVERY_TIMEOUT_S} seconds`, environment, link: [...defaults.link, queue] },
    10,
    instances,
  )
  const sweep = new sst.aws.CronV2('DeliverySweep', {
    schedule: 'rate(1 minute)',
    function: { ...defaults, handler: 'functions/deliver.sweep', timeout: '5 minutes', environment, link: [...defaults.link, queue] },
  })
  // The bucket's notification for new `queue/` entries; stacks/app.ts sets all of the bucket's notifications at once.
  return { queue, dlq, consumer, sweep, notification: newObjectsTo('Queued', queue, queueKeys.prefix) }
}
