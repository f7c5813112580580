// Inbound benchmark: messages per second from Dovecot to stored JSON with webhooks acknowledged, against raw
// imapflow FETCH + mailparser of the same mailbox in the same run, on the sqlite and the fs store (or s3rver with
// --s3); then peak RSS while ingesting a 25 MB attachment, on each.
// Usage: npx tsx --expose-gc bench/ingest.ts [count=2000] [--s3]
// Needs Debian dovecot-imapd and dovecot-pop3d (test/servers/dovecot.ts starts a private instance).
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { pino } from 'pino'
import { Config } from '../lib/config/schema.js'
import { createDeps, type Deps } from '../lib/deps.js'
import { pollMailbox } from '../lib/inbound/poll-mailbox.js'
import { createFsStore } from '../lib/store/fs-store.js'
import { createS3Store } from '../lib/store/s3-store.js'
import { createSqliteStore } from '../lib/store/sqlite-store.js'
import type { ObjectStore } from '../lib/store/object-store.js'
import { createWebhookDispatcher } from '../lib/webhooks/dispatcher.js'
import { startDovecot, type DovecotServer, type DovecotUser } from '../test/servers/dovecot.js'
import { startS3 } from '../test/servers/s3.js'
import { startWebhookReceiver } from '../test/servers/webhook-receiver.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const COUNT = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000)
const USE_S3 = process.argv.includes('--s3')
const CORPUS = process.env.POSTERN_CORPUS ?? join(import.meta.dirname, '../../shared/corpus')
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

const mailbox = (d: DovecotServer, u: DovecotUser, id: string) => ({
  id,
  protocol: 'imap',
  host: '127.0.0.1',
  servername: 'localhost',
  port: d.ports.imap,
  tls: 'starttls',
  user: u.user,
  password: u.password,
  ca: d.ca,
})

/** `COUNT` distinct messages made from the corpus: each gets a header of its own so none is a duplicate. */
async function corpusDerived(count: number): Promise<Buffer[]> {
  const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort()
  const bodies = await Promise.all(files.map((f) => readFile(join(CORPUS, f))))
  return Array.from({ length: count }, (_, i) => Buffer.concat([Buffer.from(`X-Postern-Bench: ${i}\r\n`), bodies[i % bodies.length]]))
}

async function rawBaseline(d: DovecotServer, u: DovecotUser): Promise<number> {
  const client = await d.connect(u)
  const t0 = performance.now()
  const lock = await client.getMailboxLock('INBOX', { readOnly: true })
  let n = 0
  for await (const m of client.fetch('1:*', { uid: true, source: true }, { uid: true })) {
    await simpleParser(m.source!)
    n++
  }
  lock.release()
  const s = (performance.now() - t0) / 1000
  await client.logout()
  return n / s
}

async function postern(deps: Deps, expected: number, received: () => number): Promise<{ rate: number; stored: number }> {
  const dispatcher = createWebhookDispatcher(deps)
  const t0 = performance.now()
  let polling = true
  const poll = pollMailbox(deps, deps.config.mailboxes[0]).finally(() => (polling = false))
  // Delivery runs beside polling, as startInboundPolling does, until every webhook is acknowledged.
  while (polling || received() < expected) {
    const r = await dispatcher.runAll()
    if (!r.attempted) await new Promise((res) => setTimeout(res, 20))
  }
  const summary = await poll
  if (summary.error) throw summary.error
  return { rate: expected / ((performance.now() - t0) / 1000), stored: summary.stored }
}

async function peakRss(d: DovecotServer, driver: 'sqlite' | 'fs'): Promise<{ idleMb: number; peakMb: number; rawMb: number }> {
  const u = await d.addUser(`big-${driver}@example.test`)
  const attachment = randomBytes(25 * 1024 * 1024)
  const raw = Buffer.concat([
    Buffer.from(
      'From: big@example.test\r\nSubject: 25 MB\r\nMessage-ID: <big@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbig one\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n',
    ),
    Buffer.from(attachment.toString('base64').replace(/.{76}/g, '$&\r\n')),
    Buffer.from('\r\n--b--\r\n'),
  ])
  await d.append(u, 'INBOX', [raw])
  const rawMb = raw.length / 2 ** 20
  const dir = await mkdtemp(join(tmpdir(), 'bench-rss-'))
  const store = driver === 'sqlite' ? createSqliteStore(dir) : createFsStore(dir)
  const deps = createDeps(Config.parse({ mailboxes: [mailbox(d, u, 'big')] }), { store, logger: pino({ level: 'silent' }) })
  gc()
  await new Promise((r) => setTimeout(r, 200))
  const idle = process.memoryUsage().rss
  let peak = idle
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  const s = await pollMailbox(deps, deps.config.mailboxes[0])
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  await store.close?.()
  await rm(dir, { recursive: true, force: true })
  if (s.error || s.stored !== 1) throw new Error(`25 MB poll failed: ${s.error?.message}`)
  return { idleMb: idle / 2 ** 20, peakMb: peak / 2 ** 20, rawMb }
}

const dovecot = await startDovecot()
const receiver = await startWebhookReceiver()
const s3 = USE_S3 ? await startS3() : null
const fsDir = await mkdtemp(join(tmpdir(), 'bench-ingest-'))
try {
  const u = await dovecot.addUser('bench@example.test')
  const messages = await corpusDerived(COUNT)
  const tAppend = performance.now()
  for (let i = 0; i < messages.length; i += 200) await dovecot.append(u, 'INBOX', messages.slice(i, i + 200))
  console.log(`appended ${COUNT} corpus-derived messages in ${((performance.now() - tAppend) / 1000).toFixed(1)} s`)

  const stores: ObjectStore[] = []
  const storeIn = async (name: string, driver: string): Promise<ObjectStore> => {
    const dir = await mkdtemp(join(fsDir, `${name}-`))
    const store = driver === 's3' ? createS3Store(s3!.client, s3!.bucket) : driver === 'sqlite' ? createSqliteStore(dir) : createFsStore(dir)
    stores.push(store)
    return store
  }
  const depsFor = async (name: string, driver: string, webhooks: boolean) =>
    createDeps(
      Config.parse({
        // A fresh store per run, and a mailbox id of its own, so each run ingests the whole mailbox.
        mailboxes: [mailbox(dovecot, u, name)],
        webhooks: webhooks ? [{ id: 'bench', url: receiver.url, secret: receiver.secret, mailboxes: [name] }] : [],
        inbound: { webhookBatch: 10_000 },
      }),
      { store: await storeIn(name, driver), logger: pino({ level: 'silent' }) },
    )
  const raw = await rawBaseline(dovecot, u)
  console.log(`raw imapflow FETCH + mailparser: ${raw.toFixed(1)} msg/s`)
  for (const driver of s3 ? ['s3'] : ['sqlite', 'fs']) {
    const storedOnly = await postern(await depsFor(`stored-${driver}`, driver, false), COUNT, () => COUNT)
    const before = receiver.received.length
    const ours = await postern(await depsFor(`hooked-${driver}`, driver, true), COUNT, () => receiver.received.length - before)
    const hooks = receiver.received.slice(before)
    const bad = hooks.filter((r) => r.verifyError || r.status !== 200).length
    const where = driver === 's3' ? 's3rver' : driver
    console.log(
      `${where.padEnd(7)} stored JSON (${storedOnly.stored} stored, no webhooks): ${storedOnly.rate.toFixed(1)} msg/s, ratio ${(storedOnly.rate / raw).toFixed(2)}; with webhooks acknowledged (${ours.stored} stored, ${hooks.length} acknowledged, ${bad} bad): ${ours.rate.toFixed(1)} msg/s, ratio ${(ours.rate / raw).toFixed(2)} (target >= 0.5)`,
    )
  }
  for (const store of stores) await store.close?.()

  for (const driver of ['sqlite', 'fs'] as const) {
    const rss = await peakRss(dovecot, driver)
    console.log(
      `25 MB attachment (${rss.rawMb.toFixed(1)} MB message), ${driver} store: idle RSS ${rss.idleMb.toFixed(0)} MB, peak ${rss.peakMb.toFixed(0)} MB, +${(rss.peakMb - rss.idleMb).toFixed(0)} MB (target < 150 MB)`,
    )
  }
} finally {
  await receiver.close()
  await s3?.close()
  await dovecot.close()
  await rm(fsDir, { recursive: true, force: true })
}
