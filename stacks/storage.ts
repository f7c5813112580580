// The one bucket that holds everything Postern stores (layout: docs/storage.md). Private: SST blocks public
// access by default, and CORS is off because only the functions touch it, through the IAM grants `link` adds.
// Versioning stays off: compare-and-swap rewrites state objects often, and old versions would pile up unbilled-for.
// Idempotency records are kept 24 h by default (`idempotencyTtlMs`); S3 expires them after 2 days, in daily steps.

export function createStorage() {
  const bucket = new sst.aws.Bucket('Mail', {
    cors: false,
    lifecycle: [{ id: 'expire-idempotency', prefix: 'idempotency/', expiresIn: '2 days' }],
  })
  return { bucket }
}

/** A notification of new objects under `prefix` to `queue`; stacks/app.ts sets all of the bucket's at once. */
export const newObjectsTo = (name: string, queue: sst.aws.Queue, prefix: string) => ({
  name,
  queue,
  events: ['s3:ObjectCreated:*' as const],
  filterPrefix: prefix,
})
