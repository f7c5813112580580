import { z } from 'zod'

/** Settings shared by every mailbox and webhook endpoint (docs/inbound.md). */
export const InboundSettings = z.strictObject({
  /** Attachments up to this decoded size (bytes) are inlined as base64 in webhooks; larger ones get a URL. 0: never. */
  inlineAttachmentMaxBytes: z
    .number()
    .int()
    .min(0)
    .default(64 * 1024),
  /** Largest webhook body, in bytes; larger payloads drop their largest parts first and say so in `truncated`. */
  maxPayloadBytes: z
    .number()
    .int()
    .min(4096)
    .default(256 * 1024),
  /**
   * Largest message, in bytes (IMAP RFC822.SIZE, POP3 LIST size), that is parsed. A larger one is streamed into the
   * store raw, never held whole in memory, and reported with a header-only document whose `parseError` is
   * `too_large` (docs/inbound.md "Size limit"). Default 50 MiB.
   */
  maxMessageBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(50 * 1024 * 1024),
  /**
   * Tries before a message that cannot be stored is passed with its raw copy and a header-only document
   * (`parseError` `poison: ...`): failed attempts to build or store its document, or polls that died on it
   * (docs/inbound.md "Poison messages").
   */
  poisonMaxTries: z.number().int().min(1).max(100).default(3),
  /** Lifetime of presigned URLs in webhooks, in seconds (S3 allows at most 7 days). */
  urlExpiresInS: z.number().int().min(60).max(604_800).default(604_800),
  /** A poll's lease on its mailbox, in ms; renewed while it runs. */
  leaseMs: z.number().int().min(1000).default(300_000),
  /** Backoff of a mailbox whose poll fails: min(maxDelayMs, baseDelayMs * 2^(n-1)), in ms. */
  errorBackoff: z
    .strictObject({ baseDelayMs: z.number().int().positive().default(30_000), maxDelayMs: z.number().int().positive().default(3_600_000) })
    .prefault({}),
  /** How often due webhook deliveries are looked for, in ms. */
  webhookTickMs: z.number().int().min(10).default(5000),
  /** Attempts in flight at once per endpoint. */
  webhookConcurrency: z.number().int().min(1).max(64).default(4),
  /** Most attempts one endpoint makes per delivery run. */
  webhookBatch: z.number().int().min(1).default(100),
})
export type InboundSettings = z.infer<typeof InboundSettings>
