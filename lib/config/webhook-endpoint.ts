import { z } from 'zod'
import { ResourceId } from './mailbox.js'
import { SsmRef } from './secret-ref.js'

/** Event types Postern sends (docs/inbound.md). */
export const WebhookEventType = z.enum(['message.received', 'mailbox.reset'])
export type WebhookEventType = z.infer<typeof WebhookEventType>

/** One webhook endpoint, signed per the Standard Webhooks spec. */
export const WebhookEndpoint = z.strictObject({
  id: ResourceId,
  url: z.url({ protocol: /^https?$/ }),
  /**
   * Standard Webhooks secret: `whsec_` + base64 of 24-64 random bytes. Give it as `{ "env": "NAME" }`, or as
   * `{ "ssm": "/name" }` to read it at signing time (its form is then checked only when signing).
   */
  secret: z.union([
    z.string().regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by the base64 of 24 to 64 bytes (Standard Webhooks)'),
    SsmRef,
  ]),
  eventTypes: z.array(WebhookEventType).min(1).default(['message.received', 'mailbox.reset']),
  /** Only events of these mailbox ids; omit for all. */
  mailboxes: z.array(ResourceId).min(1).optional(),
  /** One attempt's time limit (connect to the end of the response headers), in ms. */
  timeoutMs: z.number().int().positive().default(15_000),
  /**
   * Exponential backoff: attempt n waits min(maxDelayMs, baseDelayMs * 2^(n-1)) ±20% jitter, or longer when the
   * endpoint sends Retry-After. Defaults span about 20 hours over 14 attempts; then a dead-letter record.
   */
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).default(14),
      baseDelayMs: z.number().int().positive().default(30_000),
      maxDelayMs: z
        .number()
        .int()
        .positive()
        .default(4 * 3600 * 1000),
    })
    .prefault({}),
  /** The endpoint is disabled (with a logged alert) when every attempt for this long has failed, in ms. */
  disableAfterFailingMs: z
    .number()
    .int()
    .positive()
    .default(3 * 24 * 3600 * 1000),
})
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>
