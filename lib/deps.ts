import { S3Client } from '@aws-sdk/client-s3'
import type { Transporter } from 'nodemailer'
import { pino, type Logger } from 'pino'
import type { ImapFlow } from 'imapflow'
import type { WorkQueue } from './aws/sqs.js'
import type { ImapMailbox, Pop3Mailbox } from './config/mailbox.js'
import type { Config, RelayConfig } from './config/schema.js'
import { createEventBus, type EventBus } from './events/bus.js'
import { createIdFactory } from './id.js'
import type { Pop3Client } from './inbound/pop3-client.js'
import { createEventLog, type EventLog } from './logs/event-log.js'
import { logRecordedEvents } from './logs/log-recorded-events.js'
import { createSecretCache, type Secrets } from './secrets/secret-cache.js'
import { createFsStore } from './store/fs-store.js'
import type { UrlSigner } from './signed-url.js'
import type { ObjectStore } from './store/object-store.js'
import { createS3Store } from './store/s3-store.js'
import { createGuardedFetch } from './webhooks/guarded-fetch.js'
import { createSqliteStore } from './store/sqlite-store.js'

/** Time source in ms since the epoch; tests may pass a fake. */
export interface Clock {
  now(): number
}

/** The part of a nodemailer transport delivery uses. */
export type Relay = Pick<Transporter, 'sendMail' | 'close'>

/**
 * Every I/O client and source of time or randomness, built once per process (per cold start on Lambda)
 * and passed down. Tests build it with clients pointed at real local servers. Clients a function may not need
 * (SMTP, IMAP, POP3, SQS, SSM) load their libraries on first use, so the HTTP function's bundle and cold start
 * carry none of them (test/functions/bundle.test.ts).
 */
export interface Deps {
  config: Config
  store: ObjectStore
  /** Outbound relay; absent until a relay is configured (local mode fills it with the sandbox). */
  relay: Relay | null
  clock: Clock
  /** Time-sortable unique ids (ULID, 26 characters of Crockford base32). */
  newId(): string
  /** Uniform [0, 1), for retry jitter. */
  random(): number
  logger: Logger
  /** In-process listeners of recorded events (lib/events/bus.ts). */
  events: EventBus
  /**
   * The event log for DuckDB and Athena (lib/logs/event-log.ts): every recorded event and webhook attempt, buffered.
   * Entry points call `eventLog.flush()` before they end (local stop, the end of a Lambda invocation).
   */
  eventLog: EventLog
  /**
   * Where the event log's segments are (docs/logs.md): the store, except for `npm start` over sqlite, where they are
   * files in the data folder, so DuckDB reads them as they lie.
   */
  logStore: ObjectStore
  /** fetch for webhook delivery: refuses addresses `allowPrivateWebhookTargets` does not allow (lib/webhooks/guarded-fetch.ts). */
  fetch: typeof fetch
  /** A new, unconnected IMAP client for one mailbox (one per poll), its password resolved. */
  imap(mailbox: ImapMailbox): Promise<ImapFlow>
  /** A new POP3 client for one mailbox (one per poll; unusable after QUIT), its password resolved. */
  pop3(mailbox: Pop3Mailbox): Promise<Pop3Client>
  /** Secrets of the config that are read at run time (`{ "ssm": ... }`), cached. */
  secrets: Secrets
  /** The SQS queue of `aws.deliveryQueueUrl`, `aws.pollQueueUrl` or `aws.webhookQueueUrl`; throws when that URL is not configured. */
  queue(name: QueueName): WorkQueue
  /** Local mode: signs and checks the gateway URLs that stand in for presigned ones (lib/signed-url.ts); else absent. */
  urlSigner?: UrlSigner
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

/** A pooled relay transport whose nodemailer is imported on the first send. */
export function lazyRelay(config: RelayConfig): Relay {
  let transport: Promise<Transporter> | undefined
  const load = () => (transport ??= import('./send/transport.js').then((m) => m.createRelayTransport(config)))
  return {
    sendMail: (async (mail: Parameters<Transporter['sendMail']>[0]) => (await load()).sendMail(mail)) as Transporter['sendMail'],
    close: () => void transport?.then((t) => t.close()),
  }
}

/** The SQS queues Postern uses on AWS (stacks/), each with its URL in `aws`. */
export type QueueName = 'delivery' | 'poll' | 'webhooks'
const QUEUE_URLS = { delivery: 'deliveryQueueUrl', poll: 'pollQueueUrl', webhooks: 'webhookQueueUrl' } as const
const QUEUE_ENV = { delivery: 'POSTERN_DELIVERY_QUEUE_URL', poll: 'POSTERN_POLL_QUEUE_URL', webhooks: 'POSTERN_WEBHOOK_QUEUE_URL' } as const

/** A queue whose SQS client is built on its first call; the endpoint is the queue URL's origin, as the SDK would pick. */
function lazyQueue(config: Config, name: QueueName): WorkQueue {
  const url = config.aws[QUEUE_URLS[name]]
  if (!url) throw new Error(`no ${name} queue is configured (${QUEUE_ENV[name]})`)
  let queue: Promise<WorkQueue> | undefined
  const load = () => (queue ??= import('./aws/sqs.js').then((m) => m.createSqsQueue(url, { region: config.aws.region, endpoint: new URL(url).origin })))
  return {
    send: async (messages) => (await load()).send(messages),
    hide: async (handle, seconds) => (await load()).hide(handle, seconds),
  }
}

/** Builds the process's dependencies from a validated config; `overrides` replace any part (tests, local mode). */
export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { app: 'postern' } })
  const clock = overrides.clock ?? { now: () => Date.now() }
  const secrets =
    overrides.secrets ??
    createSecretCache(
      () => import('./aws/ssm.js').then((m) => m.createSsmReader({ region: config.aws.region, endpoint: config.aws.ssmEndpoint })),
      clock,
      config.aws.secretCacheMs,
    )
  const queues = new Map<string, WorkQueue>()
  const store = overrides.store ?? createStore(config)
  const events = overrides.events ?? createEventBus((err) => logger.error({ err }, 'an event listener failed'))
  const logStore = overrides.logStore ?? store
  const eventLog = overrides.eventLog ?? createEventLog({ store: logStore, clock, logger }, config.logs)
  logRecordedEvents(events, store, eventLog)
  return {
    config,
    store,
    relay: overrides.relay !== undefined ? overrides.relay : config.relay ? lazyRelay(config.relay) : null,
    clock,
    // Ids keep the time of the clock that stamps `createdAt`, so list indexes ordered by id agree with it.
    newId: overrides.newId ?? createIdFactory(() => clock.now()),
    random: overrides.random ?? Math.random,
    logger,
    events,
    eventLog,
    logStore,
    fetch: overrides.fetch ?? createGuardedFetch(config.allowPrivateWebhookTargets),
    imap: overrides.imap ?? (async (mb) => (await import('./inbound/imap-client.js')).createImapClient({ ...mb, password: await secrets.text(mb.password) })),
    pop3: overrides.pop3 ?? (async (mb) => (await import('./inbound/pop3-client.js')).createPop3Client({ ...mb, password: await secrets.text(mb.password) })),
    secrets,
    queue:
      overrides.queue ??
      ((name) => {
        const q = queues.get(name) ?? lazyQueue(config, name)
        queues.set(name, q)
        return q
      }),
    urlSigner: overrides.urlSigner,
  }
}
