import type { MiddlewareHandler } from 'hono'
import { rateLimiter } from 'hono-rate-limiter'
import type { ApiKeyConfig, Config } from '../config/schema.js'
import { ApiError } from '../errors.js'
import type { AppEnv } from './app-env.js'

/**
 * Per-API-key rate limits (fixed window, in this process's memory) with the IETF RateLimit-Policy and RateLimit
 * headers (draft-ietf-httpapi-ratelimit-headers-07) and `Retry-After` on a 429. On Lambda each warm instance
 * counts on its own, so the effective limit is per instance.
 */
export function perKeyRateLimit(config: Config): MiddlewareHandler<AppEnv> {
  const limiters = new Map<string, MiddlewareHandler<AppEnv>>()
  const limiterFor = (key: ApiKeyConfig) => {
    let l = limiters.get(key.id)
    if (!l) {
      const { limit, windowMs } = key.rateLimit ?? config.rateLimit
      l = rateLimiter<AppEnv>({
        windowMs,
        limit,
        standardHeaders: 'draft-7',
        keyGenerator: () => key.id,
        handler: () => {
          throw new ApiError('rate_limited', `rate limit of ${limit} requests per ${windowMs / 1000} s exceeded for this API key`)
        },
      })
      limiters.set(key.id, l)
    }
    return l
  }
  // Requests made with signed URLs share one budget under a name no key id can have (they start with a letter or digit).
  const signed = { id: '_signed-urls' } as ApiKeyConfig
  return (c, next) => limiterFor(c.get('signedUrl') ? signed : c.get('apiKey'))(c, next)
}
