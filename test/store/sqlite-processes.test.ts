import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { expect, onTestFinished, test } from 'vitest'
import { openDatabase } from '../../lib/store/sqlite/open-database.js'
import { createSqliteStore } from '../../lib/store/sqlite-store.js'
import { bodyFor } from './sqlite-bodies.js'

const ROOT = join(import.meta.dirname, '../..')
const PROCS = join(import.meta.dirname, 'procs')

/** Runs a test/store/procs script in its own Node process (through tsx); `lines` gets each stdout line. */
function run(script: string, args: string[], lines: (line: string) => void = () => {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROCS, script), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  createInterface({ input: child.stdout }).on('line', lines)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  )
  onTestFinished(() => void child.kill('SIGKILL'))
  return { child, exited }
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'postern-sqlite-procs-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test(
  'three processes racing on the same keys: each create-only write has one winner, and no compare-and-swap increment is lost',
  { timeout: 120_000 },
  async () => {
    const dir = await tempDir()
    const KEYS = 40
    const INCREMENTS = 10
    const outputs: { won: string[]; retries: number }[] = []
    let ready = 0
    const procs = ['a', 'b', 'c'].map((name) =>
      run('contend.ts', [dir, name, String(KEYS), String(INCREMENTS)], (l) => (l === 'ready' ? ready++ : outputs.push(JSON.parse(l)))),
    )
    await expect.poll(() => ready, { timeout: 60_000 }).toBe(3)
    for (const p of procs) p.child.stdin!.end('go\n')
    const exits = await Promise.all(procs.map((p) => p.exited))
    expect(exits.map((e) => [e.code, e.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ])
    const keys = Array.from({ length: KEYS }, (_, i) => `k${String(i).padStart(3, '0')}`)
    expect(outputs.flatMap((o) => o.won).sort()).toEqual(keys)
    const store = createSqliteStore(dir)
    onTestFinished(() => store.close())
    for (const key of keys) expect((await store.get(`counters/${key}`))?.body.toString()).toBe(String(3 * INCREMENTS))
    // The processes did contend: some compare-and-swaps lost and were retried.
    expect(outputs.reduce((n, o) => n + o.retries, 0)).toBeGreaterThan(0)
  },
)

test('a process killed (SIGKILL) while writing loses no acknowledged write, and its leftover files are swept', { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  const acknowledged: string[] = []
  const writer = run('write-until-killed.ts', [dir], (line) => acknowledged.push(line))
  while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 20))
  writer.child.kill('SIGKILL')
  expect((await writer.exited).signal).toBe('SIGKILL')

  const store = createSqliteStore(dir, { orphanAgeMs: 0, sweepEveryMs: 60_000 })
  onTestFinished(() => store.close())
  for (const line of acknowledged) {
    const [key, size] = line.split(' ')
    const i = Number(key.split('/')[1])
    const got = await store.get(key)
    expect(got?.body.length).toBe(Number(size))
    expect(got?.body.equals(bodyFor(i, 'second'))).toBe(true)
  }
  // The sweep at open (orphan age 0 here) leaves exactly the body files some row names.
  const db = openDatabase(join(dir, 'postern.db'), { busyTimeoutMs: 1000 })
  onTestFinished(() => void db.close())
  const named = () => (db.prepare('SELECT file FROM objects WHERE file IS NOT NULL').pluck().all() as string[]).sort()
  await expect.poll(async () => (await readdir(join(dir, 'bodies'))).sort(), { timeout: 10_000 }).toEqual(named())
  expect(named().length).toBeGreaterThanOrEqual(Math.floor(acknowledged.length / 3))
})
