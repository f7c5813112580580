// What every Postern function shares: the runtime, the bucket grant, and the environment lib/config/load.ts
// reads (README table). One place, so the HTTP API, delivery and inbound functions cannot drift apart.
import type { Secrets } from './secrets.js'
import type { StageConfig } from './stage-config.js'

export function functionDefaults(bucket: sst.aws.Bucket, secrets: Secrets, config: StageConfig) {
  return {
    runtime: 'nodejs20.x',
    link: [bucket],
    environment: {
      POSTERN_S3_BUCKET: bucket.name,
      POSTERN_S3_REGION: aws.getRegionOutput().region,
      POSTERN_RELAY_URL: secrets.relayUrl.value,
      POSTERN_DOMAIN: secrets.domain.value,
      POSTERN_API_KEY: secrets.apiKey.value,
      ...(config.file ? { POSTERN_CONFIG: config.file } : {}),
      ...Object.fromEntries(Object.entries(secrets.refs).map(([name, s]) => [name, s.value])),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    copyFiles: config.file ? [{ from: config.file, to: config.file }] : [],
  } satisfies Omit<sst.aws.FunctionArgs, 'handler'>
}
export type FunctionDefaults = ReturnType<typeof functionDefaults>
