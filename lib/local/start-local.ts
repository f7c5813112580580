import { randomBytes } from 'node:crypto'
import { chmodSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { hashApiKey } from '../config/api-key-hash.js'
import type { Config } from '../config/schema.js'
import { createDeps, createStore, type Deps } from '../deps.js'
import { createApp } from '../http/app.js'
import { answerClientErrors } from '../http/client-error.js'
import { startInboundPolling } from '../inbound/start-polling.js'
import { linkLocalReport } from '../feedback/local-report.js'
import { startSmtpSandbox, type SmtpSandbox } from '../sandbox/smtp-sandbox.js'
import { startQueueRunner } from '../send/queue-runner.js'
import { startWebhookDelivery } from '../webhooks/start-delivery.js'
import { ConfigError } from '../config/load.js'
import { createFsStore } from '../store/fs-store.js'
import { dataPrefixes, localKeys, urlSigningKey } from '../store/keys.js'
import { createUrlSigner } from '../signed-url.js'
import { withGatewayUrls } from './gateway-urls.js'
import { firstFsKey } from '../store/migrate.js'
import { isPreconditionFailed, type ObjectStore } from '../store/object-store.js'

export interface LocalGateway {
  url: string
  port: number
  deps: Deps
  /** Set when no relay is configured. */
  sandbox: SmtpSandbox | null
  /** The development API key, when the config named none (kept under `local/` in the store). */
  generatedApiKey: string | null
  close(): Promise<void>
}

/**
 * A secret kept in the local files (create-only, readable by its owner only), made by `make` on first start: the
 * development API key, the URL signing key.
 */
async function localSecret(store: ObjectStore, fsDir: string | null, key: string, make: () => string): Promise<string> {
  const existing = await store.get(key)
  if (existing) return existing.body.toString('utf8').trim()
  const value = make()
  try {
    await store.put(key, `${value}\n`, { ifNoneMatch: '*', contentType: 'text/plain' })
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    return (await store.get(key))!.body.toString('utf8').trim()
  }
  // A secret in a folder: readable by its owner only.
  if (fsDir) chmodSync(join(fsDir, ...key.split('/')), 0o600)
  return value
}

/** The local key made on first start when no API key is configured, so the quickstart needs no config file. */
const localApiKey = (store: ObjectStore, fsDir: string | null) =>
  localSecret(store, fsDir, localKeys.apiKey, () => `pk_local_${randomBytes(24).toString('base64url')}`)

/**
 * With the fs or sqlite store, the store whose `urlFor` gives signed gateway URLs for inbound objects (webhook
 * payloads link to them; lib/local/gateway-urls.ts), and its signer; with s3, presigned URLs already work.
 * `baseUrl` is read at each signing: config `publicUrl`, else the address the server listens on.
 */
async function gatewayUrls(cfg: Config, store: ObjectStore, files: ObjectStore, dir: string | null, baseUrl: () => string, now: () => number) {
  if (cfg.store.driver === 's3') return { store, urlSigner: undefined }
  const key = await localSecret(files, dir, urlSigningKey, () => randomBytes(32).toString('base64url'))
  const urlSigner = createUrlSigner(Buffer.from(key, 'base64url'), () => cfg.publicUrl?.replace(/\/+$/, '') ?? baseUrl(), now)
  return { store: withGatewayUrls(store, urlSigner), urlSigner }
}

/**
 * Where the development key and the sandbox's messages go: files in the data folder (an fs store over it) when the
 * store is sqlite, so `cat .postern/local/api-key.txt` and the kept `.eml` files work with either local driver;
 * the store itself otherwise. Refuses a sqlite store over a folder the fs driver filled, which would start empty.
 * @throws ConfigError when the folder holds fs-driver data and no database yet.
 */
async function localFiles(config: Config, store: ObjectStore): Promise<{ files: ObjectStore; dir: string | null }> {
  const s = config.store
  if (s.driver === 's3') return { files: store, dir: null }
  if (s.driver === 'fs') return { files: store, dir: s.dir }
  // Only an empty database is checked: after a migration the fs data stays where it was.
  if ((await store.list('', { limit: 1 })).length === 0) {
    const key = await firstFsKey(s.dir, dataPrefixes)
    if (key) {
      throw new ConfigError([
        {
          path: ['store', 'dir'],
          message: `${resolve(s.dir)} holds data of the fs store driver (${key}, ...) and the sqlite store there is empty: copy it over with \`npx postern migrate --from fs\`, or keep the fs driver (POSTERN_STORE=fs npm start)`,
        },
      ])
    }
  }
  return { files: createFsStore(s.dir), dir: s.dir }
}

/**
 * Runs the whole gateway in one process, as `npm start` does: the HTTP API, the delivery queue runner, the sandbox
 * relay when no relay is configured, and inbound polling when mailboxes are. `extra` replaces parts of Deps (tests).
 */
export async function startLocal(config: Config, extra: Partial<Deps> = {}): Promise<LocalGateway> {
  const store = extra.store ?? createStore(config)
  // A store made here is closed here (the sqlite driver's writer thread), also when starting fails.
  const closeStore = () => (extra.store ? Promise.resolve() : (store.close?.() ?? Promise.resolve()))
  try {
    return await startWith(config, extra, store, closeStore)
  } catch (err) {
    await closeStore()
    throw err
  }
}

async function startWith(config: Config, extra: Partial<Deps>, store: ObjectStore, closeStore: () => Promise<void>): Promise<LocalGateway> {
  const { files, dir } = extra.store ? { files: store, dir: null } : await localFiles(config, store)
  let generatedApiKey: string | null = null
  let cfg = config
  if (cfg.apiKeys.length === 0) {
    generatedApiKey = await localApiKey(files, dir)
    cfg = { ...cfg, apiKeys: [{ id: 'local', hash: hashApiKey(generatedApiKey) }] }
  }
  let sandbox: SmtpSandbox | null = null
  if (!cfg.relay) {
    sandbox = await startSmtpSandbox(files, cfg.sandbox.port)
    cfg = { ...cfg, relay: sandbox.relay }
  }
  let listening = `http://${cfg.host}:${cfg.port}`
  const clock = extra.clock ?? { now: () => Date.now() }
  const signed = await gatewayUrls(
    cfg,
    store,
    files,
    dir,
    () => listening,
    () => clock.now(),
  )
  // Over sqlite the event log goes to files beside the database, which DuckDB reads (docs/logs.md).
  const deps = createDeps(cfg, { logStore: config.store.driver === 'sqlite' ? files : store, ...extra, clock, ...signed })
  sandbox?.onReport((raw) => void linkLocalReport(deps, raw))
  const runner = startQueueRunner(deps)
  const app = createApp(deps, { onAccepted: (record) => runner.kick(record.id, record) })
  const webhooks = cfg.webhooks.length ? startWebhookDelivery(deps) : null
  const inbound = cfg.mailboxes.length ? startInboundPolling(deps) : null
  let server: ServerType
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: cfg.port, hostname: cfg.host }, () => resolve(s))
      s.once('error', reject)
      answerClientErrors(s as Server)
    })
  } catch (err) {
    await inbound?.stop()
    await webhooks?.stop()
    await runner.stop()
    deps.relay?.close()
    await sandbox?.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${cfg.port} on ${cfg.host} is already in use: stop the other process or choose another port (PORT=3100 npm start)`, { cause: err })
    }
    throw err
  }
  const port = (server.address() as AddressInfo).port
  listening = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`
  return {
    url: `http://${cfg.host}:${port}`,
    port,
    deps,
    sandbox,
    generatedApiKey,
    async close() {
      await new Promise<void>((r) => server.close(() => r()))
      await inbound?.stop()
      await runner.stop()
      await webhooks?.stop()
      // The event log's buffer is written before the store closes (docs/logs.md "Crash safety").
      await deps.eventLog.flush()
      deps.relay?.close()
      await sandbox?.close()
      await closeStore()
    },
  }
}
