// Time from starting the gateway to its first answer: runs a command (default `npm start`) with PORT=0 and a fresh
// data folder, reads the URL from its banner, polls GET /healthz every 2 ms until it answers 200, prints the
// milliseconds since the start, and stops the command's whole process group.
// Usage: node bench/first-answer.mjs [command ...]   e.g. node bench/first-answer.mjs node dist/local.js
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [cmd, ...args] = process.argv.length > 2 ? process.argv.slice(2) : ['npm', 'start']
const dir = mkdtempSync(join(tmpdir(), 'postern-first-answer-'))
const t0 = performance.now()
const child = spawn(cmd, args, {
  detached: true,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' },
})
let out = ''
const url = await new Promise((resolve, reject) => {
  child.stdout.on('data', (d) => {
    out += d
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
    if (m) resolve(m[1])
  })
  child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before listening: ${out}`)))
})
for (;;) {
  const ok = await fetch(`${url}/healthz`).then(
    (r) => r.status === 200,
    () => false,
  )
  if (ok) break
  await new Promise((r) => setTimeout(r, 2))
}
console.log(`first answer after ${(performance.now() - t0).toFixed(0)} ms`)
process.kill(-child.pid, 'SIGKILL')
rmSync(dir, { recursive: true, force: true })
