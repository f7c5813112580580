// Receiving: one schedule (EventBridge Scheduler, CronV2) ticks every minute and enqueues the mailboxes due on the
// poll queue; the poll function consumes it with bounded concurrency, each poll under the mailbox lease. No AWS
// resource per mailbox, so the stage scales to thousands (test/aws/synth.test.ts). Webhooks: stacks/webhooks.ts.
import type { Alarms } from './alarms.js'
import type { FunctionDefaults } from './function-defaults.js'
import { POLL_BATCH, POLL_MAX_RECEIVES, POLL_TIMEOUT_S, POLL_VISIBILITY_S, pollInstances } from './plan.js'
import { consume, queueWithDlq } from './queues.js'
import type { StageConfig } from './stage-config.js'

export function createInbound(defaults: FunctionDefaults, config: StageConfig, alarms: Alarms) {
  if (config.mailboxes.length === 0) return { poll: null }

  const { queue, dlq } = queueWithDlq('Poll', POLL_VISIBILITY_S, POLL_MAX_RECEIVES, alarms)
  const environment = { ...defaults.environment, POSTERN_POLL_QUEUE_URL: queue.url }
  const instances = pollInstances(config.aws.pollers)
  const poller = consume(
    queue,
    { ...defaults, handler: 'functions/poll.records', timeout: `${POLL_TIMEOUT_S} seconds`, memory: '1024 MB', environment },
    POLL_BATCH,
    instances,
  )
  const tick = new sst.aws.CronV2('PollTick', {
    schedule: 'rate(1 minute)',
    function: { ...defaults, handler: 'functions/poll.tick', timeout: '1 minute', environment, link: [...defaults.link, queue] },
  })
  return { poll: { queue, dlq, poller, tick } }
}
