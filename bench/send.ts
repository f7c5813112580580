// Throughput of the send path: messages per second from an app through the gateway's HTTP API (validate, store
// durably, deliver) to an SMTP sink, against the same app sending with raw pooled nodemailer to the same sink, in
// the same run. App, gateway and sink are separate processes, as in a deployment. Prints the ratio per size.
// Usage: npm run bench:send [-- <messages per run>]
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import nodemailer from 'nodemailer'
import pLimit from 'p-limit'

const N = Number(process.argv[2] ?? 500)
const CONCURRENCY = 20
const POOL = 5
const KEY = 'bench-key-0123456789'

/** A child process running a bench/procs script, with a line-based reply channel. */
function child(script: string, args: string[] = []) {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'procs', script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  })
  const lines = createInterface({ input: proc.stdout! })
  const waiting: ((l: string) => void)[] = []
  lines.on('line', (l) => waiting.shift()?.(l))
  const next = () => new Promise<string>((r) => waiting.push(r))
  return {
    next,
    ask: (cmd: string) => {
      const p = next()
      proc.stdin!.write(`${cmd}\n`)
      return p
    },
    stop: () =>
      new Promise<void>((r) => {
        proc.once('exit', () => r())
        proc.stdin!.end()
      }),
  }
}

const message = (bytes: number, i: number) => ({
  from: 'bench@example.com',
  to: `rcpt${i}@example.org`,
  subject: `bench ${i}`,
  text: `${'x'.repeat(75)}\n`.repeat(Math.ceil((bytes - 200) / 76)),
})

const sink = child('sink.ts')
const relay = JSON.parse(await sink.next()) as { port: number; user: string; pass: string; ca: string }

async function delivered(n: number) {
  while (Number(await sink.ask('count')) < n) await new Promise((r) => setTimeout(r, 5))
}

async function runRaw(bytes: number): Promise<number> {
  const t = nodemailer.createTransport({
    pool: true,
    maxConnections: POOL,
    host: '127.0.0.1',
    port: relay.port,
    requireTLS: true,
    auth: { user: relay.user, pass: relay.pass },
    tls: { ca: relay.ca, servername: 'localhost' },
  })
  await sink.ask('reset')
  const limit = pLimit(CONCURRENCY)
  const start = performance.now()
  await Promise.all(Array.from({ length: N }, (_, i) => limit(() => t.sendMail(message(bytes, i)))))
  await delivered(N)
  const ms = performance.now() - start
  t.close()
  return (N / ms) * 1000
}

async function runGateway(bytes: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bench-'))
  const gw = child('gateway.ts', [dir, JSON.stringify(relay)])
  const { url } = JSON.parse(await gw.next()) as { url: string }
  await sink.ask('reset')
  const limit = pLimit(CONCURRENCY)
  const start = performance.now()
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      limit(async () => {
        const res = await fetch(`${url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(message(bytes, i)),
        })
        if (res.status !== 202) throw new Error(`gateway answered ${res.status}: ${await res.text()}`)
        await res.arrayBuffer()
      }),
    ),
  )
  await delivered(N)
  const ms = performance.now() - start
  await gw.stop()
  await rm(dir, { recursive: true, force: true })
  return (N / ms) * 1000
}

console.log(`send bench: ${N} messages per run, ${CONCURRENCY} concurrent senders, pool of ${POOL} SMTP connections (STARTTLS + AUTH), fs store with fsync`)
for (const bytes of [1024, 100 * 1024]) {
  await runRaw(bytes)
  await runGateway(bytes)
  const raw: number[] = []
  const gateway: number[] = []
  // Alternate, so drift on a shared machine hits both alike; keep the median of each.
  for (let round = 0; round < 3; round++) {
    raw.push(await runRaw(bytes))
    gateway.push(await runGateway(bytes))
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const r = median(raw)
  const g = median(gateway)
  console.log(
    `${String(bytes / 1024).padStart(4)} KB: raw nodemailer ${r.toFixed(0)} msg/s, gateway ${g.toFixed(0)} msg/s, ratio ${(g / r).toFixed(2)} (target >= 0.80)`,
  )
}
await sink.stop()
