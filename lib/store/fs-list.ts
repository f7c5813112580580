import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { compareKeys } from './key-order.js'

const code = (err: unknown) => (err as NodeJS.ErrnoException).code

/**
 * Keys of the files under `root` that start with `prefix` and sort after `startAfter`, in byte order, read lazily:
 * one folder at a time, each sorted on its own (a folder `b` sorts as `b/`, so `b-x` comes before `b/1` as in the
 * bucket), skipping folders that cannot hold a key in range. A caller that stops after `limit` keys reads only the
 * folders it needed. `hidden`: names at the top of `root` that are not keys (the driver's own folders).
 */
export async function* walkKeys(root: string, prefix: string, startAfter: string | undefined, hidden: ReadonlySet<string>): AsyncGenerator<string> {
  // Start in the deepest folder the prefix names in full.
  yield* walkFolder(root, prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix, startAfter, hidden)
}

async function* walkFolder(root: string, rel: string, prefix: string, startAfter: string | undefined, hidden: ReadonlySet<string>): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(join(root, ...rel.split('/')), { withFileTypes: true })
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return
    throw err
  }
  const items: { key: string; folder: boolean }[] = []
  for (const e of entries) {
    if (rel === '' && hidden.has(e.name)) continue
    const folder = e.isDirectory()
    if (folder || e.isFile()) items.push({ key: `${rel}${e.name}${folder ? '/' : ''}`, folder })
  }
  items.sort((a, b) => compareKeys(a.key, b.key))
  for (const { key, folder } of items) {
    if (folder) {
      // Every key below starts with `key`: skip the folder unless that can match the prefix and pass startAfter.
      if (!key.startsWith(prefix) && !prefix.startsWith(key)) continue
      if (startAfter !== undefined && !startAfter.startsWith(key) && compareKeys(key, startAfter) < 0) continue
      yield* walkFolder(root, key, prefix, startAfter, hidden)
    } else if (key.startsWith(prefix) && (startAfter === undefined || compareKeys(key, startAfter) > 0)) {
      yield key
    }
  }
}
