// Throughput of the send path: messages per second from an app through the gateway's HTTP API (validate, store
// durably, deliver) to an SMTP sink, against the same app sending with raw pooled nodemailer to the same sink, in
// the same run. App, gateway and sink are separate processes, as in a deployment; the gateway is long-lived, as a
// server is, and warmed by a first run like the app's nodemailer. Prints the ratio per size, and the CPU time each
// process spent per message, which says where the difference goes.
// Usage: npm run bench:send [-- <messages per run>]; BENCH_GATEWAY_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the gateway.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import nodemailer from 'nodemailer'
import pLimit from 'p-limit'
import { Pool } from 'undici'

const N = Number(process.argv[2] ?? 1000)
const CONCURRENCY = 20
const POOL = 5
const KEY = 'bench-key-0123456789'

/** A child process running a bench/procs script, with a line-based command channel (bench/procs/commands.ts). */
function child(script: string, args: string[] = [], nodeArgs: string[] = []) {
  const proc: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(import.meta.dirname, 'procs', script), ...args], {
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
type Child = ReturnType<typeof child>

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

/** CPU time as "<user> <system>" µs (bench/procs/commands.ts). */
const cpuTimes = (line: string) => line.split(' ').map(Number) as [number, number]
const ownCpu = () => {
  const { user, system } = process.cpuUsage()
  return `${user} ${system}`
}

/** One run's rate (msg/s) and the CPU each process spent per message (µs), with the part in the kernel. */
interface Run {
  rate: number
  cpu: Record<'app' | 'gateway' | 'sink', { total: number; system: number }>
}

/** Sends N messages with `send`, waits until the sink has them all; measures rate and CPU per message. */
async function measure(send: (i: number) => Promise<unknown>, gateway?: Child): Promise<Run> {
  await sink.ask('reset')
  const cpuOf = async () => ({
    app: cpuTimes(ownCpu()),
    gateway: cpuTimes(gateway ? await gateway.ask('cpu') : '0 0'),
    sink: cpuTimes(await sink.ask('cpu')),
  })
  const before = await cpuOf()
  const limit = pLimit(CONCURRENCY)
  const start = performance.now()
  await Promise.all(Array.from({ length: N }, (_, i) => limit(() => send(i))))
  await delivered(N)
  const ms = performance.now() - start
  const after = await cpuOf()
  const per = (k: keyof Run['cpu']) => {
    const [user, system] = [0, 1].map((i) => (after[k][i] - before[k][i]) / N)
    return { total: user + system, system }
  }
  return { rate: (N / ms) * 1000, cpu: { app: per('app'), gateway: per('gateway'), sink: per('sink') } }
}

async function runRaw(bytes: number): Promise<Run> {
  const t = nodemailer.createTransport({
    pool: true,
    maxConnections: POOL,
    host: '127.0.0.1',
    port: relay.port,
    requireTLS: true,
    auth: { user: relay.user, pass: relay.pass },
    tls: { ca: relay.ca, servername: 'localhost' },
  })
  const run = await measure((i) => t.sendMail(message(bytes, i)))
  t.close()
  return run
}

/**
 * Sends through the gateway's HTTP API with a lean keep-alive client (undici's Pool, as load generators use): the
 * app's CPU should go to the messages, not to the client. `fetch` costs about as much CPU per request as the raw
 * run's whole nodemailer send, on the same two cores as the gateway.
 */
async function runGateway(gw: Child, url: string, bytes: number): Promise<Run> {
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 })
  const run = await measure(async (i) => {
    const res = await pool.request({
      path: '/v1/messages',
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(message(bytes, i)),
    })
    const text = await res.body.text()
    if (res.statusCode !== 202) throw new Error(`gateway answered ${res.statusCode}: ${text}`)
  }, gw)
  await pool.close()
  return run
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const cpuLine = (runs: Run[]) =>
  (['app', 'gateway', 'sink'] as const)
    .filter((k) => runs.some((r) => r.cpu[k].total > 0))
    .map((k) => `${k} ${median(runs.map((r) => r.cpu[k].total)).toFixed(0)} (kernel ${median(runs.map((r) => r.cpu[k].system)).toFixed(0)})`)
    .join(', ')

const nodeArgs = process.env.BENCH_GATEWAY_ARGS?.split(' ').filter(Boolean) ?? []
const DRIVERS = (process.env.BENCH_DRIVERS?.split(',') ?? ['sqlite', 'fs']) as ('sqlite' | 'fs')[]
console.log(
  `send bench: ${N} messages per run, ${CONCURRENCY} concurrent senders, pool of ${POOL} SMTP connections (STARTTLS + AUTH); gateway on the sqlite and the fs store, both durable before the 202`,
)
for (const bytes of [1024, 100 * 1024]) {
  const gateways = []
  for (const driver of DRIVERS) {
    const dir = await mkdtemp(join(tmpdir(), 'postern-bench-'))
    const gw = child('gateway.ts', [dir, JSON.stringify(relay), driver], nodeArgs)
    const { url } = JSON.parse(await gw.next()) as { url: string }
    gateways.push({ driver, dir, gw, url, runs: [] as Run[] })
  }
  await runRaw(bytes)
  for (const g of gateways) await runGateway(g.gw, g.url, bytes)
  const raw: Run[] = []
  // Alternate, so drift on a shared machine hits all alike; keep the median of each.
  for (let round = 0; round < 3; round++) {
    raw.push(await runRaw(bytes))
    for (const g of gateways) g.runs.push(await runGateway(g.gw, g.url, bytes))
  }
  const r = median(raw.map((x) => x.rate))
  console.log(`${String(bytes / 1024).padStart(4)} KB: raw nodemailer ${r.toFixed(0)} msg/s; CPU per message (µs): ${cpuLine(raw)}`)
  for (const g of gateways) {
    await g.gw.stop()
    await rm(g.dir, { recursive: true, force: true })
    const rate = median(g.runs.map((x) => x.rate))
    console.log(
      `        ${g.driver.padEnd(6)} gateway ${rate.toFixed(0)} msg/s, ratio ${(rate / r).toFixed(2)} (target >= 0.80); CPU per message (µs): ${cpuLine(g.runs)}`,
    )
  }
}
await sink.stop()
