import { createHash } from 'node:crypto'

/** `sha256:<hex>` of a bearer token: the form API keys take in the config, so it never holds the secret. */
export const hashApiKey = (token: string) => `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`
