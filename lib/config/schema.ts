import { z } from 'zod'
import { InboundSettings } from './inbound-settings.js'
import { Mailbox } from './mailbox.js'
import { WebhookEndpoint } from './webhook-endpoint.js'
import { parseCidr, targetChecker } from '../webhooks/target-guard.js'

const Port = z.number().int().min(0).max(65535)

/** SMTP relay that every outbound message goes through, with AUTH and TLS (RFC 3207 STARTTLS or implicit TLS). */
export const RelayConfig = z.strictObject({
  host: z.string().min(1),
  port: Port.default(587),
  /** `starttls`: plain connect, then STARTTLS, required (nodemailer `requireTLS`); `tls`: implicit TLS (port 465). */
  tls: z.enum(['starttls', 'tls']).default('starttls'),
  auth: z.union([
    z.strictObject({ method: z.enum(['PLAIN', 'LOGIN']).optional(), user: z.string().min(1), pass: z.string().min(1) }),
    z.strictObject({ method: z.literal('XOAUTH2'), user: z.string().min(1), accessToken: z.string().min(1) }),
  ]),
  /** PEM CA bundle trusted for the relay's certificate, in addition to the system's (for private relays). */
  ca: z.string().optional(),
  /** Only for test relays with self-signed certificates; never in production. */
  rejectUnauthorized: z.boolean().default(true),
  /** TLS server name to verify, when it differs from `host`. */
  servername: z.string().optional(),
  pool: z.strictObject({ maxConnections: z.number().int().min(1).max(100).default(5), maxMessages: z.number().int().min(1).default(100) }).prefault({}),
  /** Timeouts in ms: TCP connect, server greeting, and socket inactivity. */
  timeouts: z
    .strictObject({
      connectionMs: z.number().int().positive().default(10_000),
      greetingMs: z.number().int().positive().default(10_000),
      socketMs: z.number().int().positive().default(60_000),
    })
    .prefault({}),
})
export type RelayConfig = z.infer<typeof RelayConfig>

/** The embedded default: one SQLite database (plus files for large bodies) in `dir`; several processes may share it. */
export const SqliteStoreConfig = z.strictObject({ driver: z.literal('sqlite'), dir: z.string().min(1).default('./.postern') })
/** One file per object in `dir`, laid out like the bucket, for people who want to browse their data. */
export const FsStoreConfig = z.strictObject({ driver: z.literal('fs'), dir: z.string().min(1).default('./.postern') })
export const S3StoreConfig = z.strictObject({
  driver: z.literal('s3'),
  bucket: z.string().min(3),
  region: z.string().default('us-east-1'),
  /** For S3-compatible services; omit for AWS. */
  endpoint: z.url().optional(),
  forcePathStyle: z.boolean().default(false),
  /** Omit to use the AWS default credential chain (Lambda role, env, profile). */
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
})
export const StoreConfig = z.discriminatedUnion('driver', [SqliteStoreConfig, FsStoreConfig, S3StoreConfig])
export type StoreConfig = z.infer<typeof StoreConfig>

/**
 * Running on AWS (docs/deploy.md): the queues the stacks create, and the bounds the stacks turn into Lambda
 * concurrency. Local mode (`npm start`) uses none of it.
 */
export const AwsConfig = z.strictObject({
  /** Region of the SQS queues and SSM parameters; defaults to Lambda's AWS_REGION. */
  region: z.string().default('us-east-1'),
  /** SQS queue the delivery function consumes (POSTERN_DELIVERY_QUEUE_URL); set by the stacks. */
  deliveryQueueUrl: z.url().optional(),
  /** SQS queue of mailboxes due for a poll (POSTERN_POLL_QUEUE_URL); set by the stacks. */
  pollQueueUrl: z.url().optional(),
  /** SQS queue of recorded webhook events (POSTERN_WEBHOOK_QUEUE_URL); set by the stacks. */
  webhookQueueUrl: z.url().optional(),
  /** An SSM-compatible endpoint instead of AWS's (POSTERN_SSM_ENDPOINT; tests). */
  ssmEndpoint: z.url().optional(),
  /** SMTP connections the relay allows from all delivery instances together: instances × relay.pool.maxConnections stays within it. */
  relayConnections: z.number().int().min(1).max(10_000).default(10),
  /**
   * Webhook consumer instances at most (the function's reserved concurrency); they share
   * `inbound.webhookConcurrency` attempts in flight per endpoint (lib/webhooks/sqs-plan.ts).
   */
  webhookConsumers: z.number().int().min(1).max(100).default(2),
  /** Mailboxes polled at once, across all poll instances. */
  pollers: z.number().int().min(1).max(1000).default(10),
  /** How long a secret read from SSM is kept by a warm instance, in ms (default 5 minutes). */
  secretCacheMs: z.number().int().min(0).default(300_000),
})
export type AwsConfig = z.infer<typeof AwsConfig>

/**
 * Per API key and window: `limit` requests (IETF RateLimit headers report it), at most `messages` messages and
 * `recipients` recipients accepted (a batch counts each message and every to, cc and bcc address). Omitted:
 * `messages` is `limit`, `recipients` ten times `limit`.
 */
export const RateLimitConfig = z.strictObject({
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
  messages: z.number().int().positive().optional(),
  recipients: z.number().int().positive().optional(),
})
export type RateLimitConfig = z.infer<typeof RateLimitConfig>

export const ApiKeyConfig = z.strictObject({
  /** Public id of the key, shown in logs; never the secret. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** `sha256:<hex>` of the bearer token (`npx postern hash-key <token>`), so the config holds no secret. */
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>'),
  /** Sender addresses (`a@example.com`) or domains (`example.com`, `@example.com`) this key may use; omit for any. */
  allowedFrom: z
    .array(z.string().regex(/^(?:[^@\s]+@|@)?[^@\s.]+(?:\.[^@\s.]+)+$/, 'must be an address (a@example.com) or a domain (example.com or @example.com)'))
    .min(1)
    .optional(),
  rateLimit: RateLimitConfig.optional(),
  /**
   * `send`, `read`, `admin` (lib/scopes.ts); omit to keep the behaviour of keys before scopes: send, plus read and
   * admin when `allowedFrom` is not set.
   */
  scopes: z
    .array(z.enum(['send', 'read', 'admin']))
    .min(1)
    .optional(),
})
export type ApiKeyConfig = z.infer<typeof ApiKeyConfig>

export const Config = z
  .strictObject({
    port: Port.default(3000),
    /** Address the local server binds to. */
    host: z.string().default('127.0.0.1'),
    /**
     * Local mode with the fs or sqlite store: the gateway's address as webhook consumers reach it, for the signed
     * URLs in webhook payloads (docs/api.md "Signed URLs"). Default `http://<host>:<port>` of the listening server.
     */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Right-hand side of every generated Message-ID (RFC 5322 §3.6.4). */
    domain: z
      .string()
      .regex(/^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/, 'must be a host name like mail.example.com')
      .default('postern.localhost'),
    store: StoreConfig.default({ driver: 'sqlite', dir: './.postern' }),
    /** Omit in local mode to send through the built-in sandbox SMTP server. */
    relay: RelayConfig.optional(),
    sandbox: z.strictObject({ port: Port.default(2525) }).prefault({}),
    apiKeys: z.array(ApiKeyConfig).default([]),
    limits: z
      .strictObject({
        maxRecipients: z.number().int().min(1).default(50),
        /** Decoded size of text, html and attachments, in bytes. */
        maxMessageBytes: z
          .number()
          .int()
          .min(1024)
          .default(25 * 1024 * 1024),
        maxBatch: z.number().int().min(1).max(1000).default(100),
        /** How far ahead `sendAt` may be, in ms. */
        maxScheduleMs: z
          .number()
          .int()
          .positive()
          .default(7 * 24 * 3600 * 1000),
      })
      .prefault({}),
    rateLimit: RateLimitConfig.default({ limit: 600, windowMs: 60_000 }),
    /** Failed authentications (a missing or unknown API key) per client address and window; past it, 429 for that address. */
    authFailureLimit: z.strictObject({ limit: z.number().int().positive(), windowMs: z.number().int().positive() }).default({ limit: 20, windowMs: 60_000 }),
    retry: z
      .strictObject({
        /** Attempts in all, the first included, before a deferred message fails. */
        maxAttempts: z.number().int().min(1).default(8),
        baseDelayMs: z.number().int().positive().default(60_000),
        maxDelayMs: z.number().int().positive().default(3_600_000),
      })
      .prefault({}),
    /**
     * How long a request with an Idempotency-Key may run before a retry with the same key takes it over as crashed,
     * in ms (until then the retry gets 409 idempotency_key_in_use).
     */
    idempotencyInProgressMs: z.number().int().positive().default(60_000),
    /** How long an Idempotency-Key is remembered, in ms (default 24 h). */
    idempotencyTtlMs: z
      .number()
      .int()
      .positive()
      .default(24 * 3600 * 1000),
    /**
     * The suppression list (hard bounces, complaints, manual entries): `domain` keeps one list per sending domain,
     * `global` one list for every sender.
     */
    suppressions: z.strictObject({ scope: z.enum(['domain', 'global']).default('domain') }).prefault({}),
    /**
     * VERP return path (the envelope MAIL FROM) with `{id}` where the Postern id goes, lower-case:
     * `"bounces+{id}@mail.example.com"`. A bounce sent there names the message it answers. Omit to use the From address.
     */
    returnPath: z
      .string()
      .regex(/^[^@\s{}]*\{id\}[^@\s{}]*@[^@\s]+$/, 'must be an address with {id} in its local part, like bounces+{id}@mail.example.com')
      .optional(),
    mailboxes: z.array(Mailbox).default([]),
    webhooks: z.array(WebhookEndpoint).default([]),
    /**
     * Webhook URLs may reach only public addresses unless allowed here: `true` allows every address, a list of CIDRs
     * (`["127.0.0.1/32", "10.1.0.0/16"]`) allows those. Checked on the address each connection is made to.
     */
    allowPrivateWebhookTargets: z
      .union([z.boolean(), z.array(z.string().refine((c) => parseCidr(c) !== null, 'must be a CIDR like 10.0.0.0/8 or an IP address'))])
      .default(false),
    inbound: InboundSettings.prefault({}),
    aws: AwsConfig.prefault({}),
    /**
     * The event log for DuckDB and Athena (docs/logs.md): one segment object per flush, at `flushEvents` lines or
     * `flushMs` after the first unwritten one; a crash loses at most the unwritten lines.
     */
    logs: z
      .strictObject({
        enabled: z.boolean().default(true),
        flushEvents: z.number().int().min(1).max(100_000).default(1000),
        flushMs: z.number().int().min(10).max(3_600_000).default(5000),
      })
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((cfg, ctx) => {
    // Ids name records (rate limits, idempotency, message visibility, cursors): two entries may not share one.
    for (const list of ['apiKeys', 'mailboxes', 'webhooks'] as const) {
      const seen = new Set<string>()
      cfg[list].forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate id ${JSON.stringify(item.id)}` })
        seen.add(item.id)
      })
    }
    // A URL whose host is an address literal is refused now, not at its first delivery.
    const check = targetChecker(cfg.allowPrivateWebhookTargets)
    cfg.webhooks.forEach((ep, i) => {
      const host = new URL(ep.url).hostname.replace(/^\[|\]$/g, '')
      const why = host === 'localhost' || host.endsWith('.localhost') ? check('127.0.0.1') : /^[\d.]+$|:/.test(host) ? check(host) : null
      if (why) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'url'], message: why })
    })
    if (cfg.retry.baseDelayMs > cfg.retry.maxDelayMs) {
      ctx.addIssue({ code: 'custom', path: ['retry', 'baseDelayMs'], message: 'must not be more than retry.maxDelayMs' })
    }
  })
export type Config = z.infer<typeof Config>
export type ConfigInput = z.input<typeof Config>
