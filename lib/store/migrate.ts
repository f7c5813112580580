import { statSync } from 'node:fs'
import pLimit from 'p-limit'
import { walkKeys } from './fs-list.js'
import { createFsStore, FS_OWN_FOLDERS } from './fs-store.js'
import { isPreconditionFailed, type ObjectStore } from './object-store.js'
import { SQLITE_NAMES } from './sqlite/body-files.js'

/** What a copy did, per key. */
export interface CopySummary {
  /** Keys written to the destination. */
  copied: number
  /** Keys the destination already held with the same bytes (an earlier run copied them). */
  unchanged: number
  /** Keys the destination already held with other bytes: left as they are (they changed after an earlier run). */
  kept: string[]
}

/** Keys that are the sqlite store's own files when it shares a folder with the fs layout. */
export const isSqliteFile = (key: string) => SQLITE_NAMES.some((name) => key === name || key.startsWith(`${name}/`))

// The fs driver keeps no content types: give the common ones back by extension (S3 serves them on presigned URLs).
const TYPES: Record<string, string> = { json: 'application/json', eml: 'message/rfc822', txt: 'text/plain' }
const contentTypeOf = (key: string) => TYPES[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream'

/**
 * Copies every object of `from` into `to` under the same key, `pageSize` keys a listing, up to `concurrency`
 * copies at once (so a sqlite destination commits them in groups). Each write is create-only, so running it
 * again copies only what is new and never overwrites what the destination changed since: such keys are reported
 * in `kept`. `skip` leaves keys out (the destination's own files, say). Objects that vanish mid-copy are skipped.
 * @throws whatever either store throws.
 */
export async function copyObjects(
  from: ObjectStore,
  to: ObjectStore,
  opts: { skip?(key: string): boolean; concurrency?: number; pageSize?: number } = {},
): Promise<CopySummary> {
  const summary: CopySummary = { copied: 0, unchanged: 0, kept: [] }
  const limit = pLimit(opts.concurrency ?? 32)
  async function copyOne(key: string) {
    const source = await from.get(key)
    if (!source) return
    try {
      await to.put(key, source.body, { ifNoneMatch: '*', contentType: contentTypeOf(key) })
      summary.copied++
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      const existing = await to.get(key)
      if (existing?.body.equals(source.body)) summary.unchanged++
      else summary.kept.push(key)
    }
  }
  let after: string | undefined
  for (;;) {
    const keys = await from.list('', { startAfter: after, limit: opts.pageSize ?? 1000 })
    if (!keys.length) break
    await Promise.all(keys.filter((k) => !opts.skip?.(k)).map((k) => limit(() => copyOne(k))))
    after = keys[keys.length - 1]
  }
  summary.kept.sort()
  return summary
}

/**
 * The first key an `fs` store in `dir` holds under any of `prefixes`; `null` when there is none (or no folder).
 * Tells a data folder the fs driver filled from a new one, whatever other files a person keeps there.
 */
export async function firstFsKey(dir: string, prefixes: readonly string[]): Promise<string | null> {
  for (const prefix of prefixes) {
    for await (const key of walkKeys(dir, prefix, undefined, FS_OWN_FOLDERS)) return key
  }
  return null
}

/**
 * `postern migrate --from fs`: copies the data folder `dir`, written by the `fs` driver, into `to` (the configured
 * sqlite or S3 store) under the same keys, leaving the folder as it is. Safe to run again (copyObjects); the sqlite
 * store's own files, when it shares the folder, are not objects and stay out.
 * @throws when `dir` is not a folder; whatever either store throws.
 */
export async function migrateFsFolder(dir: string, to: ObjectStore): Promise<CopySummary> {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a folder`)
  return copyObjects(createFsStore(dir), to, { skip: isSqliteFile })
}

/** One line per fact of a copy, for the CLI. */
export function formatCopySummary(s: CopySummary): string {
  const lines = [`copied ${s.copied} objects; ${s.unchanged} were there already`]
  if (s.kept.length) {
    lines.push(`${s.kept.length} kept as the destination has them (changed there since an earlier run):`)
    for (const key of s.kept.slice(0, 20)) lines.push(`  ${key}`)
    if (s.kept.length > 20) lines.push(`  ... and ${s.kept.length - 20} more`)
  }
  return lines.join('\n')
}
