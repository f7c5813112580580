import { Unknown, type Recorded } from './fake-sst.js'

/**
 * AWS limits a stage must stay within, as documented (2026): Lambda "Lambda quotas" (environment variables 4 KB in
 * all, resource-based policy 20 KB), EventBridge "quotas" (300 rules per event bus), EventBridge Scheduler
 * (1,000,000 schedules per account and region), IAM (a role's inline policies 10,240 characters in all), SSM
 * Parameter Store (10,000 standard or 100,000 advanced parameters per account and region), Lambda deployment package (250 MB unzipped).
 */
export const LIMITS = {
  lambdaEnvBytes: 4096,
  lambdaPolicyBytes: 20_480,
  rulesPerBus: 300,
  schedules: 1_000_000,
  roleInlinePolicyChars: 10_240,
  ssmStandardParameters: 10_000,
  ssmAdvancedParameters: 100_000,
  packageBytes: 250 * 1024 * 1024,
}

/**
 * Bytes of one resource-policy statement Lambda adds per invoking service (an `AddPermission` statement with a
 * source ARN, as `aws lambda get-policy` shows one: about 350-400 bytes); 20 KB holds about 50.
 */
export const POLICY_STATEMENT_BYTES = 400
/** Characters of one IAM statement around its resource ARNs (Effect, Action list, braces). */
const IAM_STATEMENT_OVERHEAD = 120

const size = (v: unknown): number => (v instanceof Unknown ? v.maxLength : Buffer.byteLength(String(v)))

export interface LimitReport {
  /** Per function: worst-case environment bytes, resource-policy bytes, inline role policy characters. */
  functions: { name: string; envBytes: number; policyBytes: number; roleChars: number }[]
  rules: number
  schedules: number
  ssmParameters: number
  /** Every limit passed, as a sentence. */
  violations: string[]
  /** What deploys, but costs or needs a setting: SSM parameters past the standard tier. */
  notes: string[]
}

/**
 * Checks the components the stacks made (recorded by fake-sst.ts) against LIMITS. Lambda resource-policy
 * statements: one for a function URL, one for each EventBridge rule (sst.aws.Cron) or S3 notification invoking
 * the function; EventBridge Scheduler (CronV2) and SQS event sources invoke through roles and add none.
 */
export function checkAwsLimits(made: Recorded[], ssmParameters: number, configFileBytes: number): LimitReport {
  const functions = made.filter((r) => r.type === 'sst.aws.Function')
  const crons = made.filter((r) => r.type === 'sst.aws.Cron')
  const cronV2 = made.filter((r) => r.type === 'sst.aws.CronV2')
  const inline = [...cronV2.map((c) => ({ name: c.name, args: c.args.function })), ...functions]
  const notified = made.filter((r) => r.type === 'sst.aws.BucketNotification').flatMap((n) => n.args.notifications.filter((x: any) => x.function))
  const violations: string[] = []
  const report = inline.map((f) => {
    const env = f.args.environment ?? {}
    const envBytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + size(v), 0)
    const invokers = crons.filter((c) => c.args.function === f.args || c.args.function?.fakeName === f.name).length + (f.args.url ? 1 : 0)
    const policyBytes = invokers * POLICY_STATEMENT_BYTES
    const grants = (f.args.permissions ?? []) as { resources: string[] }[]
    const linked = (f.args.link ?? []).length
    const roleChars = [...grants, ...Array.from({ length: linked }, () => ({ resources: [new Unknown('arn', 256), new Unknown('arn/*', 258)] }))].reduce(
      (n, s) => n + IAM_STATEMENT_OVERHEAD + s.resources.reduce((m: number, r: unknown) => m + size(r) + 3, 0),
      0,
    )
    if (envBytes > LIMITS.lambdaEnvBytes) violations.push(`${f.name}: environment may reach ${envBytes} bytes (limit ${LIMITS.lambdaEnvBytes})`)
    if (policyBytes > LIMITS.lambdaPolicyBytes)
      violations.push(`${f.name}: resource policy of ${invokers} statements, about ${policyBytes} bytes (limit ${LIMITS.lambdaPolicyBytes})`)
    if (roleChars > LIMITS.roleInlinePolicyChars)
      violations.push(`${f.name}: role policy about ${roleChars} characters (limit ${LIMITS.roleInlinePolicyChars})`)
    return { name: f.name, envBytes, policyBytes, roleChars }
  })
  if (notified.length) violations.push(`S3 notifications invoke functions directly (${notified.length}); expected queues`)
  violations.push(...notificationConflicts(made))
  if (crons.length > LIMITS.rulesPerBus) violations.push(`${crons.length} EventBridge rules on the default bus (limit ${LIMITS.rulesPerBus})`)
  if (cronV2.length > LIMITS.schedules) violations.push(`${cronV2.length} schedules (limit ${LIMITS.schedules})`)
  const notes: string[] = []
  if (ssmParameters > LIMITS.ssmAdvancedParameters) violations.push(`${ssmParameters} SSM parameters (limit ${LIMITS.ssmAdvancedParameters})`)
  else if (ssmParameters > LIMITS.ssmStandardParameters)
    notes.push(`${ssmParameters} SSM parameters: more than the ${LIMITS.ssmStandardParameters} of the standard tier, so some must be advanced-tier parameters`)
  if (configFileBytes > LIMITS.packageBytes) violations.push(`config file of ${configFileBytes} bytes in every package`)
  return { functions: report, rules: crons.length, schedules: cronV2.length, ssmParameters, violations, notes }
}

/**
 * A bucket has one notification configuration (S3 PutBucketNotificationConfiguration replaces it whole; two
 * `notify` calls fight over it), and S3 refuses two of its notifications for the same event type whose prefixes
 * overlap ("Configuration is ambiguously defined").
 */
function notificationConflicts(made: Recorded[]): string[] {
  const calls = made.filter((r) => r.type === 'sst.aws.BucketNotification')
  const out: string[] = []
  if (calls.length > 1) out.push(`${calls.length} notification configurations on one bucket (S3 keeps one)`)
  const all = calls.flatMap((c) => c.args.notifications as { name: string; events: string[]; filterPrefix?: string }[])
  for (const [i, a] of all.entries())
    for (const b of all.slice(i + 1)) {
      const [pa, pb] = [a.filterPrefix ?? '', b.filterPrefix ?? '']
      if (a.events.some((e) => b.events.includes(e)) && (pa.startsWith(pb) || pb.startsWith(pa)))
        out.push(`S3 notifications ${a.name} and ${b.name} overlap (prefixes "${pa}" and "${pb}")`)
    }
  return out
}
