// SQS queues with what every Postern queue has: a dead-letter queue with an alarm, and a consumer that takes
// batches with partial batch responses at bounded concurrency.
import type { Alarms } from './alarms.js'
import { sourceConcurrency } from './plan.js'

/** Queue `name` whose messages move to `<name>Dlq` after `maxReceives` receives; an alarm fires when one does. */
export function queueWithDlq(name: string, visibilityS: number, maxReceives: number, alarms: Alarms) {
  const dlq = new sst.aws.Queue(`${name}Dlq`)
  const queue = new sst.aws.Queue(name, { visibilityTimeout: `${visibilityS} seconds`, dlq: { queue: dlq.arn, retry: maxReceives } })
  alarms.onDeadLetters(`${name}Dlq`, dlq)
  return { queue, dlq }
}

/**
 * Subscribes `fn` to `queue` in batches of `batch` with partial batch responses (`batchItemFailures`), at most
 * `instances` at once: the function's reserved concurrency and the event source's `maximumConcurrency`.
 */
export function consume(queue: sst.aws.Queue, fn: sst.aws.FunctionArgs, batch: number, instances: number) {
  return queue.subscribe(
    { ...fn, concurrency: { reserved: instances } },
    {
      batch: { size: batch, partialResponses: true },
      transform: {
        eventSourceMapping: (args) => {
          args.scalingConfig = { maximumConcurrency: sourceConcurrency(instances) }
        },
      },
    },
  )
}
