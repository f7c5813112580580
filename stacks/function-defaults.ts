// What every Postern function shares: the runtime, the bucket grant, and the environment lib/config/load.ts
// reads (README table). One place, so the HTTP API, delivery and inbound functions cannot drift apart.
import { ssmGrantPatterns } from './plan.js'
import type { Secrets } from './secrets.js'
import type { StageConfig } from './stage-config.js'

/**
 * Node 22, not the Node 20 the tests run on: Lambda deprecated nodejs20.x on 2026-04-30 (Node 20's end of life)
 * and its deprecation schedule then blocks creating and updating functions on it. nodejs22.x is the nearest
 * supported runtime; Lambda deprecates it on 2027-04-30, so move to nodejs24.x before then.
 */
const RUNTIME = 'nodejs22.x'

export function functionDefaults(bucket: sst.aws.Bucket, secrets: Secrets, config: StageConfig) {
  return {
    runtime: RUNTIME,
    // Dynamically imported modules (SMTP, IMAP, POP3, SQS, SSM clients) go in chunks of their own, loaded on first
    // use: the HTTP function starts without them (bench/coldstart.ts).
    nodejs: { format: 'esm' as const, splitting: true },
    link: [bucket] as unknown[],
    // `{ "ssm": name }` secrets are read at run time: one statement per parameter folder, however many parameters.
    permissions: config.ssmRefs.length ? [{ actions: ['ssm:GetParameter'], resources: ssmGrantPatterns(config.ssmRefs) }] : [],
    environment: {
      POSTERN_S3_BUCKET: bucket.name,
      POSTERN_S3_REGION: aws.getRegionOutput().region,
      POSTERN_RELAY_URL: secrets.relayUrl.value,
      POSTERN_DOMAIN: secrets.domain.value,
      POSTERN_API_KEY: secrets.apiKey.value,
      ...(config.file ? { POSTERN_CONFIG: config.file } : {}),
      ...Object.fromEntries(Object.entries(secrets.refs).map(([name, s]) => [name, s.value])),
    },
    copyFiles: config.file ? [{ from: config.file, to: config.file }] : [],
  } satisfies Omit<sst.aws.FunctionArgs, 'handler'>
}
export type FunctionDefaults = ReturnType<typeof functionDefaults>
