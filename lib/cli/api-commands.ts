import type { Command } from 'commander'
import { apiGet, CliApiError, formatApiError, type ApiTarget } from './api-client.js'
import { LIST_COMMANDS, type ListCommand } from './list-commands.js'
import { parseTimeOption } from './relative-time.js'
import { formatTable } from './table.js'
import { tail } from './tail.js'

/** What the commands read and write: the environment, the clock and the output streams (tests pass their own). */
export interface CliIo {
  env: NodeJS.ProcessEnv
  now(): number
  out(line: string): void
  err(line: string): void
  /** Called once per `tail`: abort the signal to stop it (Ctrl-C). */
  onInterrupt(stop: () => void): void
}

interface TargetOptions {
  url?: string
  key?: string
  json?: boolean
}

/** The gateway and key from `--url`/`POSTERN_URL` (default the local gateway) and `--key`/`POSTERN_KEY`. */
function targetOf(o: TargetOptions, env: NodeJS.ProcessEnv): ApiTarget {
  const key = o.key ?? env.POSTERN_KEY
  if (!key) throw new Error('no API key: pass --key or set POSTERN_KEY (a key with the read scope)')
  return { url: o.url ?? env.POSTERN_URL ?? 'http://127.0.0.1:3000', key }
}

const withTarget = (cmd: Command) =>
  cmd
    .option('--url <url>', 'the gateway (default: $POSTERN_URL, else http://127.0.0.1:3000)')
    .option('--key <key>', 'API key with the read scope (default: $POSTERN_KEY)')
    .option('--json', 'print JSON lines, one object per line')

/** Runs an action; an API refusal prints its code, message and bad fields, and exits 1. */
const guarded =
  <A extends unknown[]>(io: CliIo, action: (...args: A) => Promise<void>) =>
  async (...args: A) => {
    try {
      await action(...args)
    } catch (err) {
      if (!(err instanceof CliApiError)) throw err
      io.err(formatApiError(err))
      process.exitCode = 1
    }
  }

async function runList(io: CliIo, def: ListCommand, o: TargetOptions & Record<string, string | undefined>) {
  const target = targetOf(o, io.env)
  const filters = Object.fromEntries(
    def.filters.map((f) => [f.param, o[f.param] === undefined ? undefined : f.time ? parseTimeOption(o[f.param]!, io.now()) : o[f.param]]),
  )
  const wanted = Math.max(1, Number(o.limit ?? 20) || 20)
  const rows: Record<string, unknown>[] = []
  let cursor = o.cursor
  do {
    const page = await apiGet<{ data: Record<string, unknown>[]; nextCursor: string | null }>(target, def.path, {
      ...filters,
      limit: Math.min(100, wanted - rows.length),
      cursor,
    })
    rows.push(...page.data)
    cursor = page.nextCursor ?? undefined
  } while (cursor && rows.length < wanted)
  if (o.json) rows.forEach((r) => io.out(JSON.stringify(r)))
  else io.out(rows.length ? formatTable(rows, def.columns) : `no ${def.name} match`)
  if (cursor) io.err(`more: add --cursor ${cursor}`)
}

/** Adds the commands that read a gateway over its HTTP API: `messages`, `inbound`, `webhooks` and `tail`. */
export function registerApiCommands(program: Command, io: CliIo): void {
  for (const def of LIST_COMMANDS) {
    const cmd = withTarget(program.command(def.name).description(def.description))
    for (const f of def.filters) cmd.option(f.flag, f.help)
    cmd.option('--limit <n>', 'how many to print (default 20)').option('--cursor <cursor>', 'continue after an earlier listing')
    cmd.action(guarded(io, (o: TargetOptions & Record<string, string | undefined>) => runList(io, def, o)))
  }

  withTarget(program.command('tail').description('follow events as they are logged (GET /v1/events); Ctrl-C stops'))
    .option('--since <time>', 'start at: 30m, 1h, 2d (ago) or ISO 8601 (default: now)')
    .option('--types <types>', 'comma-separated event types (message.failed,webhook.attempt,...)')
    .option('--interval <ms>', 'wait between polls once caught up, in ms (default 1000)')
    .action(
      guarded(io, async (o: TargetOptions & { since?: string; types?: string; interval?: string }) => {
        const target = targetOf(o, io.env)
        const ac = new AbortController()
        io.onInterrupt(() => ac.abort())
        const since = o.since ? parseTimeOption(o.since, io.now()) : new Date(io.now()).toISOString()
        await tail({
          target,
          since,
          types: o.types?.split(',').map((t) => t.trim()),
          json: Boolean(o.json),
          intervalMs: Math.max(50, Number(o.interval ?? 1000) || 1000),
          signal: ac.signal,
          write: io.out,
          following: () => io.err(`following ${target.url} from ${since}; Ctrl-C stops`),
        })
      }),
    )
}
