// Cold start of each Lambda function (issue 13): bundles it as SST does (scripts/bundle-functions.ts), then starts
// a fresh Node process that imports the bundle and answers one real-shaped event, alternating with a bare Hono
// handler (bench/fixtures/bare-hono.ts) answering a POST, and prints medians and the paired ratio to it.
// Usage: npm run bench:coldstart [-- --runs 9]
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleFunction } from '../scripts/bundle-functions.js'
import { functionUrlEvent, handlerInvocations, unusedQueueUrls } from '../scripts/lambda-events.js'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7
const dir = await mkdtemp(join(tmpdir(), 'postern-coldstart-'))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const env = {
  ...process.env,
  POSTERN_API_KEY: 'coldstart-key-123456',
  ...unusedQueueUrls,
  POSTERN_LOG_LEVEL: 'silent',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
}

/** One fresh process: wall ms from spawn to exit, and the import and invoke times it measured itself. */
function invoke(file: string, name: string, eventFile: string, dataDir: string) {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, ['scripts/invoke-bundle.mjs', file, name, eventFile], { env: { ...env, POSTERN_DATA_DIR: dataDir }, encoding: 'utf8' })
  const wallMs = performance.now() - t0
  if (r.status !== 0) throw new Error(`${file} ${name} failed: ${r.stderr}`)
  const out = JSON.parse(r.stdout) as { importMs: number; invokeMs: number }
  return { wallMs, importMs: out.importMs, invokeMs: out.invokeMs }
}

try {
  const bare = await bundleFunction('bench/fixtures/bare-hono.ts', join(dir, 'bare'))
  const bareEvent = join(dir, 'bare-event.json')
  await writeFile(bareEvent, JSON.stringify(functionUrlEvent('POST', '/v1/messages', { from: 'a@example.com', to: 'b@example.org' }, 'x')))
  console.log(`node ${process.version}, ${runs} fresh processes each, alternating with bare Hono; medians`)
  console.log('function                 start KB  total KB   wall ms  import ms  invoke ms  wall ratio to bare Hono')
  const bundles = new Map<string, Awaited<ReturnType<typeof bundleFunction>>>()
  for (const [i, inv] of handlerInvocations('coldstart-key-123456').entries()) {
    const b = bundles.get(inv.entry) ?? (await bundleFunction(inv.entry, join(dir, `f${i}`)))
    bundles.set(inv.entry, b)
    const eventFile = join(dir, `event-${i}.json`)
    await writeFile(eventFile, JSON.stringify(inv.event))
    const a: ReturnType<typeof invoke>[] = []
    const ratios: number[] = []
    const baseWall: number[] = []
    for (let n = 0; n < runs + 1; n++) {
      const x = invoke(b.file, inv.export, eventFile, join(dir, `data-${i}-${n}`))
      const y = invoke(bare.file, 'handler', bareEvent, join(dir, 'bare-data'))
      if (n === 0) continue // warm-up: the first run reads the files from disk
      a.push(x)
      baseWall.push(y.wallMs)
      ratios.push(x.wallMs / y.wallMs)
    }
    const name = `${inv.entry.replace('functions/', '').replace('.ts', '')}.${inv.export}`
    console.log(
      `${name.padEnd(24)} ${(b.startBytes / 1024).toFixed(0).padStart(8)} ${(b.totalBytes / 1024).toFixed(0).padStart(9)} ${median(a.map((r) => r.wallMs))
        .toFixed(0)
        .padStart(9)} ${median(a.map((r) => r.importMs))
        .toFixed(0)
        .padStart(10)} ${median(a.map((r) => r.invokeMs))
        .toFixed(0)
        .padStart(10)}  ${median(ratios).toFixed(2)}× (bare ${median(baseWall).toFixed(0)} ms)`,
    )
  }
  console.log(`bare Hono                ${(bare.startBytes / 1024).toFixed(0).padStart(8)} ${(bare.totalBytes / 1024).toFixed(0).padStart(9)}`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
