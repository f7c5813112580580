import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, onTestFinished, test } from 'vitest'

const ROOT = join(import.meta.dirname, '../..')

test.each(['SIGTERM', 'SIGKILL'] as const)(
  'stopping `npm start` with %s stops the gateway too (npm does not pass it on)',
  { timeout: 60_000 },
  async (signal) => {
    const dir = await mkdtemp(join(tmpdir(), 'postern-npm-start-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' } })
    onTestFinished(() => void npm.kill('SIGKILL'))
    let out = ''
    const url = await new Promise<string>((resolve, reject) => {
      npm.stdout.on('data', (d) => {
        out += d
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out)
        if (m) resolve(m[0])
      })
      npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening: ${out}`)))
    })
    expect((await fetch(`${url}/healthz`)).status).toBe(200)

    npm.kill(signal)
    let stillUp = true
    for (let i = 0; i < 40 && stillUp; i++) {
      await sleep(250)
      stillUp = await fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      )
    }
    expect(stillUp).toBe(false)
  },
)
