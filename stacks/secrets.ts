// Per-stage values set with `npx sst secret set <Name> <value> --stage <stage>` (docs/deploy.md). The functions
// get them as environment variables, the only way lib/config reads settings, so lib/ never imports `sst`.
import { pascalName } from './names.js'

export function createSecrets(envRefs: string[]) {
  return {
    /** `smtp://user:pass@host:587` or `smtps://...:465` (POSTERN_RELAY_URL). Required. */
    relayUrl: new sst.Secret('RelayUrl'),
    /** Right-hand side of generated Message-IDs (POSTERN_DOMAIN): a domain you own. Required. */
    domain: new sst.Secret('Domain'),
    /** One full-access API key (POSTERN_API_KEY). Optional: empty means only the config file's hashed keys. */
    apiKey: new sst.Secret('ApiKey', ''),
    /** One secret per `{ "env": NAME }` in the stage config file (mailbox passwords, webhook secrets). */
    refs: Object.fromEntries(envRefs.map((name) => [name, new sst.Secret(pascalName(name))])),
  }
}
export type Secrets = ReturnType<typeof createSecrets>
