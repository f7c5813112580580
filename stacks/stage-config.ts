// The optional Postern config file deployed with a stage: `postern.config.<stage>.json` beside sst.config.ts.
// It is bundled into every function (copyFiles) and named by POSTERN_CONFIG; at deploy time it also says which
// mailboxes to schedule and which secret references `{ "env": "NAME" }` need an sst.Secret.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AwsConfig } from '../lib/config/schema.js'

export interface StageConfig {
  /** Path relative to sst.config.ts, or null when the stage has no config file. */
  file: string | null
  /** Every `{ "env": NAME }` reference in the file, sorted, each once. */
  envRefs: string[]
  /** Every `{ "ssm": name }` reference (read at run time; the functions get `ssm:GetParameter` on them), sorted, each once. */
  ssmRefs: string[]
  /** The file's `aws` section with its defaults (lib/config/schema.ts AwsConfig). */
  aws: AwsConfig
  /** `relay.pool.maxConnections` of the file (default 5): SMTP connections per delivery instance. */
  relayPool: number
  /** `mailboxes[].id` and `schedule` as written (`"rate(5 minutes)"`, `{ "everyMs": n }` or absent). */
  mailboxes: { id: string; schedule?: unknown }[]
  hasWebhooks: boolean
  /** Whether the file itself sets `relay` and `domain`, which then need no secret. */
  hasRelay: boolean
  hasDomain: boolean
}

/** Reads `postern.config.<stage>.json` in `dir` (the app's folder; tests pass another). */
export function readStageConfig(stage: string, dir = '.'): StageConfig {
  const file = `postern.config.${stage}.json`
  const aws = AwsConfig.parse({})
  if (!existsSync(join(dir, file)))
    return { file: null, envRefs: [], ssmRefs: [], aws, relayPool: 5, mailboxes: [], hasWebhooks: false, hasRelay: false, hasDomain: false }
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  const refs = new Set<string>()
  const ssm = new Set<string>()
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (!v || typeof v !== 'object') return
    const entries = Object.entries(v)
    if (entries.length === 1 && entries[0][0] === 'env' && typeof entries[0][1] === 'string') refs.add(entries[0][1])
    else if (entries.length === 1 && entries[0][0] === 'ssm' && typeof entries[0][1] === 'string') ssm.add(entries[0][1])
    else entries.forEach(([, x]) => walk(x))
  }
  walk(json)
  return {
    file,
    envRefs: [...refs].sort(),
    ssmRefs: [...ssm].sort(),
    aws: AwsConfig.parse(json.aws ?? {}),
    relayPool: typeof json.relay?.pool?.maxConnections === 'number' ? json.relay.pool.maxConnections : 5,
    mailboxes: Array.isArray(json.mailboxes) ? json.mailboxes : [],
    hasWebhooks: Array.isArray(json.webhooks) && json.webhooks.length > 0,
    hasRelay: json.relay !== undefined,
    hasDomain: typeof json.domain === 'string',
  }
}
