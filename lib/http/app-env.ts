import type { Logger } from 'pino'
import type { ApiKeyConfig } from '../config/schema.js'

/**
 * Hono context variables: the key set by the auth middleware, the logger set for every request, and `signedUrl`
 * when a signed URL (lib/signed-url.ts) was accepted instead of a key: then there is no `apiKey`.
 */
export type AppEnv = { Variables: { apiKey: ApiKeyConfig; logger: Logger; signedUrl?: boolean } }
