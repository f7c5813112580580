// Types of scripts/build.mjs (plain JavaScript: it runs before anything is built).

/** Whether dist/ is missing or older than a source. */
export function isStale(): boolean
/** Bundles functions/local.ts, functions/cli.ts and the sqlite writer thread into dist/. */
export function build(): Promise<void>
/** Builds when the bundles are missing or stale; returns the path of dist/<name>.js. */
export function ensureBuilt(name: 'local' | 'cli'): Promise<string>
