import { S3Client } from '@aws-sdk/client-s3'
import type { Transporter } from 'nodemailer'
import { pino, type Logger } from 'pino'
import type { ImapFlow } from 'imapflow'
import type { ImapMailbox, Pop3Mailbox } from './config/mailbox.js'
import type { Config } from './config/schema.js'
import { createIdFactory } from './id.js'
import { createImapClient } from './inbound/imap-client.js'
import { createPop3Client, type Pop3Client } from './inbound/pop3-client.js'
import { createFsStore } from './store/fs-store.js'
import type { ObjectStore } from './store/object-store.js'
import { createS3Store } from './store/s3-store.js'
import { createSqliteStore } from './store/sqlite-store.js'
import { createRelayTransport } from './send/transport.js'

/** Time source in ms since the epoch; tests may pass a fake. */
export interface Clock {
  now(): number
}

/**
 * Every I/O client and source of time or randomness, built once per process (per cold start on Lambda)
 * and passed down. Tests build it with clients pointed at real local servers.
 */
export interface Deps {
  config: Config
  store: ObjectStore
  /** Outbound relay; absent until a relay is configured (local mode fills it with the sandbox). */
  relay: Transporter | null
  clock: Clock
  /** Time-sortable unique ids (ULID, 26 characters of Crockford base32). */
  newId(): string
  /** Uniform [0, 1), for retry jitter. */
  random(): number
  logger: Logger
  fetch: typeof fetch
  /** A new, unconnected IMAP client for one mailbox (one per poll). */
  imap(mailbox: ImapMailbox): ImapFlow
  /** A new POP3 client for one mailbox (one per poll; unusable after QUIT). */
  pop3(mailbox: Pop3Mailbox): Pop3Client
}

export function createStore(config: Config): ObjectStore {
  const s = config.store
  if (s.driver === 'sqlite') return createSqliteStore(s.dir)
  if (s.driver === 'fs') return createFsStore(s.dir)
  const client = new S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
    // S3-compatible services differ on the 2025 default checksums; send them only where an API requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  return createS3Store(client, s.bucket)
}

/** Builds the process's dependencies from a validated config; `overrides` replace any part (tests, local mode). */
export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  return {
    config,
    store: overrides.store ?? createStore(config),
    relay: overrides.relay !== undefined ? overrides.relay : config.relay ? createRelayTransport(config.relay) : null,
    clock: overrides.clock ?? { now: () => Date.now() },
    newId: overrides.newId ?? createIdFactory(),
    random: overrides.random ?? Math.random,
    logger: overrides.logger ?? pino({ level: config.logLevel, base: { app: 'postern' } }),
    fetch: overrides.fetch ?? globalThis.fetch,
    imap: overrides.imap ?? createImapClient,
    pop3: overrides.pop3 ?? createPop3Client,
  }
}
