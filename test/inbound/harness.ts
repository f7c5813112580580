import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Config, type ConfigInput } from '../../lib/config/schema.js'
import { createDeps, type Deps } from '../../lib/deps.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import type { ObjectStore, PutOptions } from '../../lib/store/object-store.js'
import { manualClock as baseManualClock } from '../harness.js'
import type { DovecotServer, DovecotUser } from '../servers/dovecot.js'

export { CORPUS } from '../corpus.js'

/** A mailbox config entry for a Dovecot user (IMAP over STARTTLS, or POP3 over implicit TLS). */
export function dovecotMailbox(dovecot: DovecotServer, u: DovecotUser, protocol: 'imap' | 'pop3', extra: Record<string, unknown> = {}) {
  return {
    id: u.user.replace(/[^A-Za-z0-9_-]/g, '-'),
    protocol,
    host: '127.0.0.1',
    servername: 'localhost',
    port: protocol === 'imap' ? dovecot.ports.imap : dovecot.ports.pop3s,
    tls: protocol === 'imap' ? 'starttls' : 'implicit',
    user: u.user,
    password: u.password,
    ca: dovecot.ca,
    timeoutMs: 20_000,
    ...extra,
  }
}

/** A fake clock the test moves by hand, starting at the real time: receivers check Standard Webhooks timestamps against their own clock (±5 min). */
export const manualClock = (start = Date.now()) => baseManualClock(start)

/** Deps over a real store, config parsed by the real schema, a silent logger (or one that records). */
export function testDeps(config: ConfigInput | Record<string, unknown>, store: ObjectStore, overrides: Partial<Deps> = {}): Deps {
  // The tests' webhook receivers listen on loopback, which webhook delivery refuses unless allowed. The event log
  // is off unless a test asks for it: its timed flush would write into a store the test counts or has removed.
  return createDeps(Config.parse({ allowPrivateWebhookTargets: ['127.0.0.1/32'], logs: { enabled: false }, ...config }), {
    store,
    logger: pino({ level: 'silent' }),
    ...overrides,
  })
}

/** A fresh fs store in a temp dir. */
export async function tempFsStore(): Promise<{ store: ObjectStore; dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-inbound-'))
  return { store: createFsStore(dir), dir, close: () => rm(dir, { recursive: true, force: true }) }
}

/** Thrown by the fault injector: stands for the process dying at that point. */
export class InjectedCrash extends Error {
  constructor(readonly key: string) {
    super(`injected crash before writing ${key}`)
  }
}

/**
 * Fault injector around a real store: the `n`th put (1-based) throws before writing, and every write after it
 * fails too, as a dead process writes nothing more. `writes` records the keys of the puts that happened.
 */
export function crashingStore(inner: ObjectStore, n: number) {
  let count = 0
  let crashed = false
  const writes: string[] = []
  const store: ObjectStore = {
    ...inner,
    get: (k) => inner.get(k),
    list: (p, o) => inner.list(p, o),
    urlFor: (k, s) => inner.urlFor(k, s),
    async put(key: string, body: Buffer | Uint8Array | string, options?: PutOptions) {
      if (crashed || ++count === n) {
        crashed = true
        throw new InjectedCrash(key)
      }
      const r = await inner.put(key, body, options)
      writes.push(key)
      return r
    },
    async putStream(key, body, options) {
      if (crashed || ++count === n) {
        crashed = true
        body.destroy()
        throw new InjectedCrash(key)
      }
      const r = await inner.putStream(key, body, options)
      writes.push(key)
      return r
    },
    async delete(key: string) {
      if (crashed) throw new InjectedCrash(key)
      return inner.delete(key)
    },
  }
  return {
    store,
    writes,
    get crashed() {
      return crashed
    },
  }
}
