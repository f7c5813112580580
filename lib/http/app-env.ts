import type { Logger } from 'pino'
import type { ApiKeyConfig } from '../config/schema.js'

/** Hono context variables: the key set by the auth middleware, the logger set for every request. */
export type AppEnv = { Variables: { apiKey: ApiKeyConfig; logger: Logger } }
