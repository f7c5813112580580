import type { ApiKeyConfig, Config, RateLimitConfig } from '../config/schema.js'
import type { Clock } from '../deps.js'
import { ApiError } from '../errors.js'

interface Window {
  start: number
  messages: number
  recipients: number
}

/** How many recipients to, cc and bcc name in a request not yet validated (a list, or one address). */
export const rawRecipientCount = (body: unknown) =>
  (['to', 'cc', 'bcc'] as const).reduce((n, field) => {
    const v = (body as Record<string, unknown> | null)?.[field]
    return n + (Array.isArray(v) ? v.length : v === undefined ? 0 : 1)
  }, 0)

/**
 * Each API key's budget of messages and recipients per window (fixed windows, this process's memory, like the
 * request limit), so one batch of 100 messages to 50 recipients each is not one request's worth. All or nothing: a
 * request that would pass the budget takes none of it.
 */
export function createSendBudget(config: Pick<Config, 'rateLimit'>, clock: Clock) {
  const windows = new Map<string, Window>()
  return {
    /**
     * Takes `messages` and `recipients` from the key's budget.
     * @throws ApiError rate_limited (429, Retry-After in s) when the window has not that much left.
     */
    take(key: ApiKeyConfig, messages: number, recipients: number): void {
      const rl: RateLimitConfig = key.rateLimit ?? config.rateLimit
      const maxMessages = rl.messages ?? rl.limit
      const maxRecipients = rl.recipients ?? rl.limit * 10
      const now = clock.now()
      let w = windows.get(key.id)
      if (!w || now - w.start >= rl.windowMs) windows.set(key.id, (w = { start: now, messages: 0, recipients: 0 }))
      if (w.messages + messages > maxMessages || w.recipients + recipients > maxRecipients) {
        const retryAfter = String(Math.max(1, Math.ceil((w.start + rl.windowMs - now) / 1000)))
        throw new ApiError(
          'rate_limited',
          `this API key may send ${maxMessages} messages to ${maxRecipients} recipients per ${rl.windowMs / 1000} s; this request would pass that`,
          [],
          { 'Retry-After': retryAfter },
        )
      }
      w.messages += messages
      w.recipients += recipients
    },
  }
}
export type SendBudget = ReturnType<typeof createSendBudget>
