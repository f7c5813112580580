import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { Config, type ConfigInput } from '../../lib/config/schema.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { relayFor } from '../harness.js'
import type { SmtpTestServer } from '../servers/smtp.js'

export const READ_KEY = 'cli-read-key-0123456789'
export const SEND_KEY = 'cli-send-key-0123456789'
export const BIN = join(import.meta.dirname, '../../bin/postern.js')

/** A whole gateway as `npm start` runs it (fs store unless `extra.store.driver` says sqlite, in a temp folder, real HTTP on a free port) relaying to `smtp`; the log flushed every 50 ms. */
export async function startGateway(smtp: SmtpTestServer, extra: Partial<ConfigInput> = {}): Promise<LocalGateway & { dir: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-cli-'))
  const gw = await startLocal(
    Config.parse({
      port: 0,
      relay: relayFor(smtp),
      apiKeys: [
        { id: 'ops', hash: hashApiKey(READ_KEY), scopes: ['read', 'send'] },
        { id: 'app', hash: hashApiKey(SEND_KEY), scopes: ['send'] },
      ],
      logLevel: 'silent',
      logs: { flushEvents: 1000, flushMs: 50 },
      ...extra,
      store: { driver: extra.store?.driver ?? 'fs', dir },
    }),
  )
  let stopped: Promise<void> | undefined
  const stop = () => (stopped ??= gw.close())
  return {
    ...gw,
    dir,
    /** Stops the gateway as `npm start` does on Ctrl-C, keeping its data folder. */
    stop,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** POSTs a message to the gateway over HTTP; returns its Postern id. */
export async function sendVia(gw: LocalGateway, to: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${READ_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'shop@example.com', to, subject: `to ${to}`, text: 'hi', ...extra }),
  })
  if (res.status !== 202) throw new Error(`send answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** A running `postern` CLI process whose stdout lines are collected as they come. */
export interface CliProcess {
  child: ChildProcess
  lines: string[]
  stderr(): string
  exited: Promise<number | null>
}

export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn('node', [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let buf = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8')
    const parts = buf.split('\n')
    buf = parts.pop()!
    lines.push(...parts)
  })
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, lines, stderr: () => err, exited }
}

/** Runs the CLI to its end: exit code, stdout and stderr. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const p = spawnCli(args, env)
  const code = await p.exited
  return { code, stdout: p.lines.join('\n'), stderr: p.stderr() }
}
