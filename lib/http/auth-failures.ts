import type { Context } from 'hono'
import type { Logger } from 'pino'
import type { Clock } from '../deps.js'
import { ApiError } from '../errors.js'

/** The client's address: the socket's peer (@hono/node-server), or the Lambda function URL's sourceIp. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; event?: { requestContext?: { http?: { sourceIp?: string } } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? env?.event?.requestContext?.http?.sourceIp ?? 'unknown'
}

/**
 * Failed authentications per client address (fixed windows, this process's memory): past `limit` in `windowMs`,
 * every request from that address is refused with 429 before its key is even looked at, until the window ends. One
 * `warn` line per address and window when it starts being refused, with the count, never the key.
 */
export function createAuthFailureLimiter(opts: { limit: number; windowMs: number }, clock: Clock, logger: Logger) {
  const windows = new Map<string, { start: number; failures: number; warned: boolean }>()
  const current = (address: string) => {
    const now = clock.now()
    let w = windows.get(address)
    if (!w || now - w.start >= opts.windowMs) {
      if (windows.size > 10_000) windows.clear() // bounded: a window is short, and losing counts only lets some through
      windows.set(address, (w = { start: now, failures: 0, warned: false }))
    }
    return w
  }
  return {
    /** @throws ApiError rate_limited (429, Retry-After) while `address` is over its failures. */
    check(address: string): void {
      const w = current(address)
      if (w.failures < opts.limit) return
      if (!w.warned) {
        w.warned = true
        logger.warn(
          { alert: 'auth-failures', clientAddress: address, failures: w.failures, windowMs: opts.windowMs },
          'too many failed API authentications: refusing this address',
        )
      }
      const retryAfter = String(Math.max(1, Math.ceil((w.start + opts.windowMs - clock.now()) / 1000)))
      throw new ApiError('rate_limited', 'too many failed authentications from this address; retry later', [], { 'Retry-After': retryAfter })
    },
    failed(address: string): void {
      current(address).failures++
    },
  }
}
