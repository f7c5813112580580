import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { SqsBatchResponse, SqsEvent } from '../../lib/aws/sqs-event.js'

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }

/** An SDK client for a test SQS server (any credentials: the server checks the SigV4 header is there, not its key). */
export const testSqsClient = (queueUrl: string) => new SQSClient({ region: 'us-east-1', endpoint: new URL(queueUrl).origin, credentials })

/**
 * What Lambda's SQS event source mapping does, for tests: receive up to `batchSize` messages, hand them to the
 * handler as a real-shaped SQS event, then delete every message the answer does not list in `batchItemFailures`
 * (none when the handler throws). Returns the event and the answer; `null` when the queue had nothing visible.
 */
export async function pollOnce(
  queueUrl: string,
  handler: (event: SqsEvent) => Promise<SqsBatchResponse>,
  batchSize = 10,
): Promise<{ event: SqsEvent; response: SqsBatchResponse | Error } | null> {
  const client = testSqsClient(queueUrl)
  try {
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batchSize, MessageSystemAttributeNames: ['All'] }))
    if (!got.Messages?.length) return null
    const name = new URL(queueUrl).pathname.split('/').pop()
    const event: SqsEvent = {
      Records: got.Messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: {
          ApproximateReceiveCount: m.Attributes!.ApproximateReceiveCount!,
          SentTimestamp: m.Attributes!.SentTimestamp!,
          ApproximateFirstReceiveTimestamp: m.Attributes!.ApproximateFirstReceiveTimestamp,
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
        awsRegion: 'us-east-1',
      })),
    }
    let response: SqsBatchResponse | Error
    try {
      response = await handler(event)
    } catch (err) {
      return { event, response: err as Error }
    }
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier))
    const done = event.Records.filter((r) => !failed.has(r.messageId))
    if (done.length)
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }))
    return { event, response }
  } finally {
    client.destroy()
  }
}

/** Sends one raw message body to a test queue (a poisoned message, or what another producer would send). */
export async function sendRaw(queueUrl: string, body: string): Promise<string> {
  const client = testSqsClient(queueUrl)
  try {
    return (await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))).MessageId!
  } finally {
    client.destroy()
  }
}

/**
 * S3 event notifications to SQS, as a bucket's notification configuration does: each `ObjectCreated:*` event from
 * s3rver for a key under `prefix` becomes one message whose body is the event, with the object key URL-encoded
 * (`+` for a space) as S3 sends it. Returns a function that waits until every forwarded send finished.
 */
export function notifyS3ToSqs(onEvent: (listener: (event: any) => void) => void, queueUrl: string, prefix: string) {
  const client = testSqsClient(queueUrl)
  const pending = new Set<Promise<unknown>>()
  onEvent((event) => {
    const rec = event.Records?.[0]
    if (!rec?.eventName?.startsWith('ObjectCreated:') || !rec.s3.object.key.startsWith(prefix)) return
    const encoded = {
      ...rec,
      s3: { ...rec.s3, object: { ...rec.s3.object, key: encodeURIComponent(rec.s3.object.key).replace(/%2F/g, '/').replace(/%20/g, '+') } },
    }
    const p = client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ Records: [encoded] }) }))
    pending.add(p)
    void p.finally(() => pending.delete(p))
  })
  return {
    settled: async () => {
      while (pending.size) await Promise.all([...pending])
    },
    close: () => client.destroy(),
  }
}
