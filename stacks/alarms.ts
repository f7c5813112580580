// One SNS topic for the stage's alarms (subscribe an email or a pager to it), and an alarm per dead-letter queue:
// a message there is mail that could not be delivered or a poll request that could not be read.

export function createAlarms() {
  const topic = new sst.aws.SnsTopic('Alarms')
  return {
    topic,
    /** Alarms as soon as the queue holds a message (maximum of ApproximateNumberOfMessagesVisible over a minute). */
    onDeadLetters(name: string, dlq: sst.aws.Queue) {
      return new aws.cloudwatch.MetricAlarm(`${name}Alarm`, {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: dlq.nodes.queue.name },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmDescription: `messages in ${name}: see docs/deploy.md "Dead letters"`,
        alarmActions: [topic.arn],
      })
    },
  }
}
export type Alarms = ReturnType<typeof createAlarms>
