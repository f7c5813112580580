import type { ApiKeyConfig } from '../config/schema.js'

/** Hono context variables set by the auth middleware. */
export type AppEnv = { Variables: { apiKey: ApiKeyConfig } }
