// Per-stage values set with `npx sst secret set <Name> <value> --stage <stage>` (docs/deploy.md). The functions
// get them as environment variables, the only way lib/config reads settings, so lib/ never imports `sst`.
// A secret without a placeholder must be set before `sst deploy` succeeds; an empty placeholder makes it optional
// (lib/config/load.ts ignores an empty variable).
import { pascalName } from './names.js'
import type { StageConfig } from './stage-config.js'

export function createSecrets(config: StageConfig) {
  return {
    /** `smtp://user:pass@host:587` or `smtps://...:465` (POSTERN_RELAY_URL); optional when the file sets `relay`. */
    relayUrl: new sst.Secret('RelayUrl', config.hasRelay ? '' : undefined),
    /** Right-hand side of generated Message-IDs (POSTERN_DOMAIN); optional when the file sets `domain`. */
    domain: new sst.Secret('Domain', config.hasDomain ? '' : undefined),
    /** One full-access API key (POSTERN_API_KEY). Optional: empty means only the config file's hashed keys. */
    apiKey: new sst.Secret('ApiKey', ''),
    /** One secret per `{ "env": NAME }` in the stage config file (mailbox passwords, webhook secrets). Required. */
    refs: Object.fromEntries(config.envRefs.map((name) => [name, new sst.Secret(pascalName(name))])),
  }
}
export type Secrets = ReturnType<typeof createSecrets>
