// The build that `npm start` and bin/postern.js run: functions/local.ts, functions/cli.ts and the sqlite store's
// writer thread bundled by esbuild into dist/, dependencies included, so a start loads three files instead of
// compiling TypeScript through tsx (docs/performance.md, "Start-up"). Plain JavaScript: it must run before
// anything is built. `node scripts/build.mjs` builds (npm runs it on install, as `prepare`); ensureBuilt() builds
// only when a source is newer than the last build.
import { mkdirSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(ROOT, 'dist')
/** Written last by a build: its mtime says when the bundles were made from the sources. */
const STAMP = join(DIST, '.built')
/** What the bundles are made of: a change to any of these makes them stale. */
const SOURCES = ['lib', 'functions', 'package-lock.json', 'scripts/build.mjs']

// Bundled CommonJS packages call require() and read __filename; an ES module has neither until given them.
const BANNER = [
  "import { createRequire as __posternRequire } from 'node:module';",
  "import { fileURLToPath as __posternPath } from 'node:url';",
  'const require = __posternRequire(import.meta.url);',
  'const __filename = __posternPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ')

/** The newest mtime (ms) under `path`, a file or a folder. */
function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false })
  if (!st) return 0
  if (!st.isDirectory()) return st.mtimeMs
  let latest = st.mtimeMs
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)))
  return latest
}

/** Whether dist/ is missing or older than a source. */
export function isStale() {
  const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0
  return SOURCES.some((s) => newest(join(ROOT, s)) > built)
}

/**
 * Bundles the entry points into dist/ (ES modules for Node 20, source maps beside them). better-sqlite3 stays
 * outside: it is a native module, loaded at run time from node_modules. Each file is written under a temp name and
 * renamed, so a process starting meanwhile (or a second build at once) never reads half a file.
 */
export async function build() {
  // The stamp takes the build's start time: a source saved while the build runs still counts as newer.
  const started = new Date()
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { local: 'functions/local.ts', cli: 'functions/cli.ts', 'writer-thread': 'lib/store/sqlite/writer-thread.ts' },
    outdir: DIST,
    bundle: true,
    platform: 'node',
    // ES module builds first, as SST bundles: jsonc-parser's UMD build requires its parts by computed paths esbuild cannot follow.
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    banner: { js: BANNER },
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  })
  mkdirSync(DIST, { recursive: true })
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`
    writeFileSync(tmp, file.contents)
    renameSync(tmp, file.path)
  }
  const tmp = `${STAMP}.${process.pid}.tmp`
  writeFileSync(tmp, `${started.toISOString()}\n`)
  utimesSync(tmp, started, started)
  renameSync(tmp, STAMP)
}

/** Builds when the bundles are missing or older than the sources; returns the path of the bundle `name`. */
export async function ensureBuilt(name) {
  if (isStale()) await build()
  return join(DIST, `${name}.js`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
