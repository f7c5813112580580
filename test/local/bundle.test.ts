import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { ensureBuilt } from '../../scripts/build.mjs'

test('the bundle npm start runs (dist/local.js) takes the README quickstart to "sent", its writer thread included', { timeout: 120_000 }, async () => {
  const bundle = await ensureBuilt('local')
  expect(bundle.endsWith(join('dist', 'local.js'))).toBe(true)
  const dir = await mkdtemp(join(tmpdir(), 'postern-bundle-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const gw = spawn(process.execPath, [bundle], { env: { ...process.env, PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' } })
  onTestFinished(() => void gw.kill('SIGKILL'))
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    gw.stdout.on('data', (d) => {
      out += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1])
    })
    gw.once('exit', (code) => reject(new Error(`the bundle exited (${code}): ${out}`)))
  })
  const key = (await readFile(join(dir, 'local', 'api-key.txt'), 'utf8')).trim()
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ from: 'you@example.com', to: 'friend@example.com', subject: 'Hello', text: 'Sent through Postern' }),
  })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }
  let view = { status: 'queued', attempts: [] as { response: string }[] }
  for (let i = 0; i < 100 && view.status === 'queued'; i++) {
    await new Promise((r) => setTimeout(r, 50))
    view = (await (await fetch(`${url}/v1/messages/${id}`, { headers })).json()) as typeof view
  }
  expect(view.status).toBe('sent')
  const kept = /Kept in the sandbox as (sandbox\/\S+\.eml)/.exec(view.attempts[0].response)![1]
  expect(await readFile(join(dir, ...kept.split('/')), 'utf8')).toMatch(/^From: you@example\.com\r\nTo: friend@example\.com\r\nSubject: Hello\r\n/)
  expect((await stat(join(dir, 'postern.db'))).size).toBeGreaterThan(0)
})
