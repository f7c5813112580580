// Real-shaped events for invoking each bundled Lambda handler once (test/functions/bundle.test.ts, bench/coldstart.ts).

/** A Lambda function URL (API Gateway v2 payload) request. */
export function functionUrlEvent(method: string, rawPath: string, body: unknown, token: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'x.lambda-url.us-east-1.on.aws', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'x',
      domainName: 'x.lambda-url.us-east-1.on.aws',
      domainPrefix: 'x',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'coldstart' },
      requestId: 'c0ffee00-0000-4000-8000-000000000000',
      routeKey: '$default',
      stage: '$default',
      time: '29/Nov/2026:12:00:00 +0000',
      timeEpoch: Date.parse('2026-11-29T12:00:00Z'),
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  }
}

/** An SQS batch as Lambda's event source mapping delivers it. */
export function sqsEvent(queue: string, bodies: string[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `00000000-0000-4000-8000-00000000000${i}`,
      receiptHandle: `AQEB-receipt-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1796040000000',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1796040000001',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
      awsRegion: 'us-east-1',
    })),
  }
}

/** The test event S3 sends to a queue when its notification configuration is set up. */
export const s3TestEvent = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-29T12:00:00.000Z',
  Bucket: 'mail',
  RequestId: 'R1',
  HostId: 'H1',
})

/** The queue URLs the stacks give the functions; nothing listens there (the invocations send nothing). */
export const unusedQueueUrls = {
  POSTERN_DELIVERY_QUEUE_URL: 'http://127.0.0.1:9/000000000000/delivery',
  POSTERN_POLL_QUEUE_URL: 'http://127.0.0.1:9/000000000000/poll',
  POSTERN_WEBHOOK_QUEUE_URL: 'http://127.0.0.1:9/000000000000/webhooks',
}

/** Every handler the stacks deploy, with one event each. `token`: the API key the HTTP event carries. */
export function handlerInvocations(token: string) {
  return [
    {
      entry: 'functions/http.ts',
      export: 'handler',
      event: functionUrlEvent('POST', '/v1/messages', { from: 'ops@example.com', to: 'a@example.org', subject: 'cold', text: 'x' }, token),
    },
    { entry: 'functions/deliver.ts', export: 'records', event: sqsEvent('delivery', [s3TestEvent]) },
    { entry: 'functions/deliver.ts', export: 'sweep', event: {} },
    { entry: 'functions/poll.ts', export: 'tick', event: {} },
    { entry: 'functions/poll.ts', export: 'records', event: sqsEvent('poll', [JSON.stringify({ mailbox: 'gone', due: '2026-11-29T12:00:00.000Z' })]) },
    { entry: 'functions/webhooks.ts', export: 'records', event: sqsEvent('webhooks', [s3TestEvent]) },
    { entry: 'functions/webhooks.ts', export: 'sweep', event: {} },
  ]
}
