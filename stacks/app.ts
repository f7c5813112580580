// The whole stage, as sst.config.ts run() builds it; `dir` holds postern.config.<stage>.json (tests pass another).
import { createAlarms } from './alarms.js'
import { createApi } from './api.js'
import { createDelivery } from './delivery.js'
import { functionDefaults } from './function-defaults.js'
import { createInbound } from './inbound.js'
import { createSecrets } from './secrets.js'
import { readStageConfig } from './stage-config.js'
import { createStorage } from './storage.js'
import { createWebhooks } from './webhooks.js'

export function createStage(stage: string, dir = '.') {
  const config = readStageConfig(stage, dir)
  const { bucket } = createStorage()
  const secrets = createSecrets(config)
  const defaults = functionDefaults(bucket, secrets, config)
  const alarms = createAlarms()
  const { api } = createApi(defaults)
  const delivery = createDelivery(defaults, config, alarms)
  const inbound = createInbound(defaults, config, alarms)
  const webhooks = createWebhooks(defaults, config, alarms)
  // A bucket has one notification configuration: every prefix's notification is set here, in one call.
  bucket.notify({ notifications: [delivery.notification, ...(webhooks ? [webhooks.notification] : [])] })
  return {
    api: api.url,
    bucket: bucket.name,
    alarms: alarms.topic.arn,
    deliveryQueue: delivery.queue.url,
    config: config.file ?? 'none (no postern.config.<stage>.json)',
    polledMailboxes: config.mailboxes.length,
    pollQueue: inbound.poll?.queue.url ?? null,
    webhookQueue: webhooks?.queue.url ?? null,
  }
}
