// Sending: each new `queue/` entry triggers an immediate attempt (S3 notification), and a one-minute sweep
// delivers what is due later (scheduled sends, retries) and whatever a lost or late notification left behind.
// Both may see one message: delivery claims it by compare-and-swap, so overlaps are harmless.
import type { FunctionDefaults } from './function-defaults.js'

export function createDelivery(bucket: sst.aws.Bucket, defaults: FunctionDefaults) {
  const notifications = bucket.notify({
    notifications: [
      {
        name: 'Queued',
        function: { ...defaults, handler: 'functions/deliver.queued', timeout: '5 minutes' },
        events: ['s3:ObjectCreated:*'],
        filterPrefix: 'queue/',
      },
    ],
  })
  const sweep = new sst.aws.Cron('DeliverySweep', {
    schedule: 'rate(1 minute)',
    function: { ...defaults, handler: 'functions/deliver.sweep', timeout: '5 minutes' },
  })
  return { notifications, sweep }
}
