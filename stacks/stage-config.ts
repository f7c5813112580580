// The optional Postern config file deployed with a stage: `postern.config.<stage>.json` beside sst.config.ts.
// It is bundled into every function (copyFiles) and named by POSTERN_CONFIG; at deploy time it also says which
// mailboxes to schedule and which secret references `{ "env": "NAME" }` need an sst.Secret.
import { existsSync, readFileSync } from 'node:fs'

export interface StageConfig {
  /** Path relative to sst.config.ts, or null when the stage has no config file. */
  file: string | null
  /** Every `{ "env": NAME }` reference in the file, sorted, each once. */
  envRefs: string[]
  /** `mailboxes[].id` and `schedule` as written (`"rate(5 minutes)"`, `{ "everyMs": n }` or absent). */
  mailboxes: { id: string; schedule?: unknown }[]
  hasWebhooks: boolean
  /** Whether the file itself sets `relay` and `domain`, which then need no secret. */
  hasRelay: boolean
  hasDomain: boolean
}

export function readStageConfig(stage: string): StageConfig {
  const file = `postern.config.${stage}.json`
  if (!existsSync(file)) return { file: null, envRefs: [], mailboxes: [], hasWebhooks: false, hasRelay: false, hasDomain: false }
  const json = JSON.parse(readFileSync(file, 'utf8'))
  const refs = new Set<string>()
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (!v || typeof v !== 'object') return
    const entries = Object.entries(v)
    if (entries.length === 1 && entries[0][0] === 'env' && typeof entries[0][1] === 'string') refs.add(entries[0][1])
    else entries.forEach(([, x]) => walk(x))
  }
  walk(json)
  return {
    file,
    envRefs: [...refs].sort(),
    mailboxes: Array.isArray(json.mailboxes) ? json.mailboxes : [],
    hasWebhooks: Array.isArray(json.webhooks) && json.webhooks.length > 0,
    hasRelay: json.relay !== undefined,
    hasDomain: typeof json.domain === 'string',
  }
}
