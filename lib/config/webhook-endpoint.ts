import { z } from 'zod'
import { EVENT_TYPES, EventType } from '../events/event-types.js'
import { ResourceId } from './mailbox.js'
import { SsmRef } from './secret-ref.js'

/** One webhook endpoint, signed per the Standard Webhooks spec (or as Resend signs, with `format: "resend"`). */
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
  /** Event types delivered to this endpoint (docs/events.md); all of them by default. */
  eventTypes: z
    .array(EventType)
    .min(1)
    .default([...EVENT_TYPES]),
  /**
   * `standard`: Postern's payloads with Standard Webhooks headers (`webhook-id`, ...). `resend`: the same events in
   * Resend's webhook shapes (`email.sent`, `email.bounced`, ...), signed as Resend signs them (`svix-id`,
   * `svix-timestamp`, `svix-signature`), so a handler written for Resend verifies and reads them unchanged.
   */
  format: z.enum(['standard', 'resend']).default('standard'),
  /** Only events of these mailbox ids (mailbox events only; outbound events always pass); omit for all. */
  mailboxes: z.array(ResourceId).min(1).optional(),
  /** One attempt's time limit (connect to the end of the response headers), in ms. */
  timeoutMs: z.number().int().positive().default(15_000),
  /**
   * Exponential backoff: attempt n waits min(maxDelayMs, baseDelayMs * 2^(n-1)) ±20% jitter, or longer when the
   * endpoint sends Retry-After (at most maxRetryAfterMs). Defaults span about 20 hours over 14 attempts; an event
   * still undelivered after maxAttempts, or maxWindowMs after its first attempt, is dead-lettered.
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
      /** The longest wait a Retry-After header may ask for, in ms; longer ones are cut to this. */
      maxRetryAfterMs: z
        .number()
        .int()
        .positive()
        .default(3600 * 1000),
      /** How long after its first attempt an event may still be retried, in ms; then it is dead-lettered. */
      maxWindowMs: z
        .number()
        .int()
        .positive()
        .default(3 * 24 * 3600 * 1000),
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
