// Bundles Lambda entry points as SST does for `nodejs` functions (esbuild, ESM, node22 target, minified, code
// splitting on as stacks/function-defaults.ts sets it), for the bundle test and bench/coldstart.ts.
import { build, type Metafile } from 'esbuild'
import { join } from 'node:path'

export interface FunctionBundle {
  /** The entry file to import. */
  file: string
  /** Bytes of the entry and the chunks it imports statically: what a cold start loads before the first event. */
  startBytes: number
  /** Bytes of every output file, lazily loaded chunks included. */
  totalBytes: number
  /** npm packages in what a cold start loads, sorted. */
  startPackages: string[]
  /** npm packages anywhere in the bundle, sorted. */
  allPackages: string[]
}

const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? null
const packagesIn = (meta: Metafile, outputs: string[]) =>
  [...new Set(outputs.flatMap((o) => Object.keys(meta.outputs[o].inputs).map(packageOf)).filter((p): p is string => p !== null))].sort()

/** Bundles `entry` (e.g. `functions/http.ts`) into `outdir` and reports what its cold start loads. */
export async function bundleFunction(entry: string, outdir: string): Promise<FunctionBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    // SST's nodejs functions resolve ES module builds first (jsonc-parser's UMD build cannot be bundled).
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node22',
    splitting: true,
    minify: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'silent',
    // SST's banner for ESM bundles: CommonJS dependencies call require().
    banner: { js: "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);" },
  })
  const meta = result.metafile
  const entryOut = Object.keys(meta.outputs).find((o) => meta.outputs[o].entryPoint === entry)!
  const start = new Set<string>()
  const visit = (o: string) => {
    if (start.has(o)) return
    start.add(o)
    for (const i of meta.outputs[o].imports) if (i.kind === 'import-statement' && meta.outputs[i.path]) visit(i.path)
  }
  visit(entryOut)
  const all = Object.keys(meta.outputs).filter((o) => o.endsWith('.mjs'))
  return {
    file: join(process.cwd(), entryOut),
    startBytes: [...start].reduce((n, o) => n + meta.outputs[o].bytes, 0),
    totalBytes: all.reduce((n, o) => n + meta.outputs[o].bytes, 0),
    startPackages: packagesIn(meta, [...start]),
    allPackages: packagesIn(meta, all),
  }
}
