// Receiving: one schedule (EventBridge Scheduler, CronV2) ticks every minute and enqueues the mailboxes due on the
// poll queue; the poll function consumes it with bounded concurrency, each poll under the mailbox lease. No AWS
// resource per mailbox, so the stage scales to thousands (test/aws/synth.test.ts). Webhooks: stacks/webhooks.ts.
import type { Alarms } from './alarms.js'
import type { FunctionDefaults } from './function-defaults.js'
import { POLL_BATCH, POLL_MAX_RECEIVES, POLL_TIMEOUT_S, POLL_VISIBILITY_S, pollInstances, sourceConcurrency } from './plan.js'
import type { StageConfig } from './stage-config.js'

export function createInbound(defaults: FunctionDefaults, config: StageConfig, alarms: Alarms) {
  if (config.mailboxes.length === 0) return { poll: null }

  const dlq = new sst.aws.Queue('PollDlq')
  const queue = new sst.aws.Queue('Poll', { visibilityTimeout: `${POLL_VISIBILITY_S} seconds`, dlq: { queue: dlq.arn, retry: POLL_MAX_RECEIVES } })
  const environment = { ...defaults.environment, POSTERN_POLL_QUEUE_URL: queue.url }
  const instances = pollInstances(config.aws.pollers)
  const poller = queue.subscribe(
    {
      ...defaults,
      handler: 'functions/poll.records',
      timeout: `${POLL_TIMEOUT_S} seconds`,
      memory: '1024 MB',
      environment,
      concurrency: { reserved: instances },
    },
    {
      batch: { size: POLL_BATCH, partialResponses: true },
      transform: {
        eventSourceMapping: (args) => {
          args.scalingConfig = { maximumConcurrency: sourceConcurrency(instances) }
        },
      },
    },
  )
  const tick = new sst.aws.CronV2('PollTick', {
    schedule: 'rate(1 minute)',
    function: { ...defaults, handler: 'functions/poll.tick', timeout: '1 minute', environment, link: [...defaults.link, queue] },
  })
  alarms.onDeadLetters('PollDlq', dlq)
  return { poll: { queue, dlq, poller, tick } }
}
