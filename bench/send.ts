// Throughput of the send path: messages per second through the HTTP API (accept, store, deliver) to a loopback
// SMTP sink, against raw pooled nodemailer to the same sink in the same run. Prints the ratio per message size.
// Usage: npm run bench:send [-- <messages per run>]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import pLimit from 'p-limit'
import { hashApiKey } from '../lib/config/api-key-hash.js'
import { Config } from '../lib/config/schema.js'
import { startLocal } from '../lib/local/start-local.js'
import { relayFor } from '../test/harness.js'
import { startSmtp, type SmtpTestServer } from '../test/servers/smtp.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const N = Number(process.argv[2] ?? 400)
const CONCURRENCY = 20
const POOL = 5
const KEY = 'bench-key-0123456789'

const message = (bytes: number, i: number) => ({
  from: 'bench@example.com',
  to: `rcpt${i}@example.org`,
  subject: `bench ${i}`,
  text: 'x'.repeat(bytes - 200).replace(/(.{76})/g, '$1\n'),
})

async function waitFor(smtp: SmtpTestServer, n: number) {
  while (smtp.received.length < n) await new Promise((r) => setTimeout(r, 2))
}

async function runRaw(smtp: SmtpTestServer, bytes: number): Promise<number> {
  const relay = relayFor(smtp)
  const t = nodemailer.createTransport({ pool: true, maxConnections: POOL, host: relay.host, port: relay.port, requireTLS: true, auth: relay.auth, tls: { ca: relay.ca, servername: 'localhost' } })
  smtp.received.length = 0
  const limit = pLimit(CONCURRENCY)
  const start = performance.now()
  await Promise.all(Array.from({ length: N }, (_, i) => limit(() => t.sendMail(message(bytes, i)))))
  await waitFor(smtp, N)
  const ms = performance.now() - start
  t.close()
  return (N / ms) * 1000
}

async function runGateway(smtp: SmtpTestServer, bytes: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bench-'))
  const config = Config.parse({
    port: 0,
    store: { driver: 'fs', dir },
    relay: { ...relayFor(smtp), pool: { maxConnections: POOL, maxMessages: 100 } },
    apiKeys: [{ id: 'bench', hash: hashApiKey(KEY) }],
    rateLimit: { limit: 1_000_000, windowMs: 60_000 },
    logLevel: 'silent',
  })
  const gw = await startLocal(config)
  smtp.received.length = 0
  const limit = pLimit(CONCURRENCY)
  const start = performance.now()
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      limit(async () => {
        const res = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(message(bytes, i)) })
        if (res.status !== 202) throw new Error(`gateway answered ${res.status}: ${await res.text()}`)
        await res.arrayBuffer()
      }),
    ),
  )
  await waitFor(smtp, N)
  const ms = performance.now() - start
  await gw.close()
  await rm(dir, { recursive: true, force: true })
  return (N / ms) * 1000
}

const smtp = await startSmtp()
console.log(`send bench: ${N} messages per run, ${CONCURRENCY} concurrent clients, pool of ${POOL} SMTP connections, fs store`)
for (const bytes of [1024, 100 * 1024]) {
  // Warm up both paths once, then alternate so drift on a shared machine hits both alike; keep the best of each.
  await runRaw(smtp, bytes)
  await runGateway(smtp, bytes)
  const raw: number[] = []
  const gateway: number[] = []
  for (let round = 0; round < 3; round++) {
    raw.push(await runRaw(smtp, bytes))
    gateway.push(await runGateway(smtp, bytes))
  }
  const r = Math.max(...raw)
  const g = Math.max(...gateway)
  console.log(`${String(bytes / 1024).padStart(4)} KB: raw nodemailer ${r.toFixed(0)} msg/s, gateway ${g.toFixed(0)} msg/s, ratio ${(g / r).toFixed(2)} (target >= 0.80)`)
}
await smtp.close()
