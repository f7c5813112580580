// The shapes Lambda's SQS event source mapping passes and expects (AWS Lambda Developer Guide, "Using Lambda with
// Amazon SQS": the event, and "Reporting batch item failures"). Types only: no SDK is loaded for them.

/** One SQS message as Lambda hands it over. */
export interface SqsRecord {
  messageId: string
  /** For ChangeMessageVisibility on this receive. */
  receiptHandle: string
  body: string
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string; ApproximateFirstReceiveTimestamp?: string; SenderId?: string }
  messageAttributes?: Record<string, unknown>
  md5OfBody?: string
  eventSource: 'aws:sqs'
  /** `arn:aws:sqs:<region>:<account>:<queue>` */
  eventSourceARN: string
  awsRegion: string
}

export interface SqsEvent {
  Records: SqsRecord[]
}

/**
 * The partial batch response (needs `ReportBatchItemFailures` on the event source mapping): the listed messages
 * stay in the queue and come back after their visibility timeout; every other message of the batch is deleted.
 */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

/** Runs `handle` on every record, at most `concurrency` at once; a record whose handler throws or answers false is reported failed. */
export async function eachRecord(
  records: SqsRecord[],
  concurrency: number,
  handle: (record: SqsRecord) => Promise<boolean>,
  onError: (record: SqsRecord, err: unknown) => void,
): Promise<SqsBatchResponse> {
  const failed: string[] = []
  let next = 0
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++]
      let ok = false
      try {
        ok = await handle(record)
      } catch (err) {
        onError(record, err)
      }
      if (!ok) failed.push(record.messageId)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, records.length)) }, worker))
  return { batchItemFailures: records.filter((r) => failed.includes(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) }
}
