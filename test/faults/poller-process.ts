import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { StallFigures } from '../security/stall-probe.js'

export interface PollerRun {
  code: number | null
  signal: string | null
  /** What poller-child.ts printed on stdout, line by line. */
  lines: string[]
  /** Its last line's figures when it ran to the end. */
  stats: ({ maxRssBytes: number } & StallFigures) | null
}

/**
 * Runs test/faults/poller-child.ts on a config file, in a Node process of its own (`nodeArgs` before the script),
 * and waits for its exit; with `killAfterMs`, sends it SIGKILL that long after it printed `ready`. Awaiting the exit
 * reaps the child, so its pid is free and the next poller takes its lease over at once.
 */
export async function runPoller(configPath: string, options: { killAfterMs?: number; nodeArgs?: string[] } = {}): Promise<PollerRun> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(import.meta.dirname, 'poller-child.ts'), configPath], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  })
  let out = ''
  const ready = new Promise<void>((r) =>
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('ready\n')) r()
    }),
  )
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })))
  if (options.killAfterMs !== undefined) {
    await Promise.race([ready, exited])
    await Promise.race([sleep(options.killAfterMs), exited])
    child.kill('SIGKILL')
  }
  const { code, signal } = await exited
  const lines = out.split('\n').filter(Boolean)
  const last = lines.at(-1)
  const stats = last?.startsWith('{"stats"') ? (JSON.parse(last) as { stats: PollerRun['stats'] }).stats : null
  return { code, signal, lines, stats }
}
