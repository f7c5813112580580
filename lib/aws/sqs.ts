// The one module that calls Amazon SQS (AWS JSON 1.0 protocol, `X-Amz-Target: AmazonSQS.SendMessageBatch`, ...).
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { AwsClientOptions } from './ssm.js'

import { SQS_MAX_BATCH } from './sqs-limits.js'

/** One message to send: a UTF-8 body and an optional delay in seconds (0 to 900). */
export interface OutgoingMessage {
  body: string
  delaySeconds?: number
}

/** The calls Postern makes on one queue. */
export interface WorkQueue {
  /** Sends messages in batches of 10 (SendMessageBatch). Throws naming the entries SQS refused, after sending the rest. */
  send(messages: OutgoingMessage[]): Promise<void>
  /** Hides a received message for `seconds` more (ChangeMessageVisibility, 0 to 43,200 counted from now). */
  hide(receiptHandle: string, seconds: number): Promise<void>
}

/**
 * The queue at `url` (`https://sqs.<region>.amazonaws.com/<account>/<name>`). The SDK sends each call to the
 * queue URL's host (its `useQueueUrlAsEndpoint`), so a test points `url` at its own server.
 */
export function createSqsQueue(url: string, opts: AwsClientOptions): WorkQueue {
  const client = new SQSClient({ region: opts.region, endpoint: opts.endpoint, credentials: opts.credentials })
  return {
    async send(messages) {
      const refused: string[] = []
      for (let i = 0; i < messages.length; i += SQS_MAX_BATCH) {
        const chunk = messages.slice(i, i + SQS_MAX_BATCH)
        const out = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: m.body, DelaySeconds: m.delaySeconds })),
          }),
        )
        for (const f of out.Failed ?? []) refused.push(`${chunk[Number(f.Id)].body}: ${f.Code} ${f.Message ?? ''}`.trim())
      }
      if (refused.length) throw new Error(`SQS refused ${refused.length} of ${messages.length} messages: ${refused.slice(0, 3).join('; ')}`)
    },
    async hide(receiptHandle, seconds) {
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }))
    },
  }
}
