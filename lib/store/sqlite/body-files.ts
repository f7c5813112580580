import { link, open, opendir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Where one sqlite store keeps its files, all inside its data folder. */
export interface StorePaths {
  /** The database (`postern.db`, with SQLite's `-wal` and `-shm` beside it). */
  db: string
  /** Bodies too large to keep inline: one file per object version, named by its ETag. */
  bodies: string
  /** Copies and links handed out by urlFor, each kept until its URL expires (the file's mtime). */
  exports: string
}

/** Names the sqlite store uses at the top of its data folder (never object keys of the `fs` layout). */
export const SQLITE_NAMES = ['postern.db', 'postern.db-wal', 'postern.db-shm', 'bodies', 'exports'] as const

export const storePaths = (dir: string): StorePaths => ({ db: join(dir, 'postern.db'), bodies: join(dir, 'bodies'), exports: join(dir, 'exports') })

const code = (err: unknown) => (err as NodeJS.ErrnoException).code

/** fsync(2) of a folder, so the names created in it survive a power failure as well as the files' bytes. */
async function syncFolder(dir: string) {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Writes a body file and makes it durable (its bytes, then its folder entry) before the row that names it is
 * committed. A write that fails removes what it wrote. Always synced, even for `durable: false` puts: a row
 * committed later by a durable batch must never name a file a power failure emptied.
 */
export async function writeBodyFile(dir: string, name: string, body: Uint8Array): Promise<void> {
  const path = join(dir, name)
  const fh = await open(path, 'wx')
  try {
    await fh.writeFile(body)
    await fh.datasync()
  } catch (err) {
    await fh.close()
    await rm(path, { force: true })
    throw err
  }
  await fh.close()
  await syncFolder(dir)
}

/**
 * Like writeBodyFile, from a stream, never holding the body whole: chunks are written as they come. Returns the
 * size in bytes. A stream that errors removes what was written.
 */
export async function writeBodyFileFromStream(dir: string, name: string, body: AsyncIterable<Uint8Array>): Promise<number> {
  const path = join(dir, name)
  const fh = await open(path, 'wx')
  let size = 0
  try {
    for await (const chunk of body) {
      for (let off = 0; off < chunk.byteLength; ) off += (await fh.write(chunk, off)).bytesWritten
      size += chunk.byteLength
    }
    await fh.datasync()
  } catch (err) {
    await fh.close()
    await rm(path, { force: true })
    throw err
  }
  await fh.close()
  await syncFolder(dir)
  return size
}

/** A body file's bytes; `null` when it is gone (replaced and removed since its row was read). */
export async function readBodyFile(dir: string, name: string): Promise<Buffer | null> {
  try {
    return await readFile(join(dir, name))
  } catch (err) {
    if (code(err) === 'ENOENT') return null
    throw err
  }
}

let exportTemp = 0

/**
 * Puts one object version in the exports folder as `<name>` and keeps it at least until `expiresAtMs` (its mtime):
 * a hard link to its body file (no copy; it outlives the body's replacement), or the inline bytes written to a temp
 * file and renamed in place. Returns the path, or `null` when `source.file` was removed meanwhile.
 */
export async function exportVersion(paths: StorePaths, name: string, source: { file: string } | { body: Buffer }, expiresAtMs: number): Promise<string | null> {
  const target = join(paths.exports, name)
  const existing = await stat(target).catch((err) => (code(err) === 'ENOENT' ? null : Promise.reject(err)))
  if (!existing) {
    if ('file' in source) {
      try {
        await link(join(paths.bodies, source.file), target)
      } catch (err) {
        if (code(err) === 'ENOENT') return null
        if (code(err) !== 'EEXIST') throw err
      }
    } else {
      // A dot name: the sweep leaves a temp file alone until it is old enough to be a crash's leftover.
      const tmp = join(paths.exports, `.${name}.${process.pid}-${exportTemp++}`)
      await writeFile(tmp, source.body)
      await rename(tmp, target)
    }
  }
  if (!existing || existing.mtimeMs < expiresAtMs) await utimes(target, new Date(), new Date(expiresAtMs))
  return target
}

/**
 * Removes what no row and no URL needs any more: body files no row names that are older than `orphanAgeMs` (left
 * by a crash between a body file and its commit, or between a commit and the old file's removal; younger ones
 * may belong to a commit under way in another process), and exports whose URL has expired. Async, a file at a
 * time, so a writer thread running it keeps committing in between. Stops early when `stopped()` turns true.
 * Returns how many files it removed.
 */
export async function sweepFiles(
  paths: StorePaths,
  opts: { isReferenced(name: string): boolean; orphanAgeMs: number; now(): number; stopped(): boolean },
): Promise<number> {
  let removed = 0
  const remove = (path: string) =>
    unlink(path).then(
      () => void removed++,
      (err) => (code(err) === 'ENOENT' ? undefined : Promise.reject(err)),
    )
  for await (const e of await opendir(paths.bodies)) {
    if (opts.stopped()) return removed
    if (!e.isFile() || opts.isReferenced(e.name)) continue
    const st = await stat(join(paths.bodies, e.name)).catch(() => null)
    // Checked again just before removing: a row may have been committed since.
    if (st && opts.now() - st.mtimeMs >= opts.orphanAgeMs && !opts.stopped() && !opts.isReferenced(e.name)) await remove(join(paths.bodies, e.name))
  }
  for await (const e of await opendir(paths.exports)) {
    if (opts.stopped()) return removed
    const st = await stat(join(paths.exports, e.name)).catch(() => null)
    if (!st) continue
    const expired = e.name.startsWith('.') ? opts.now() - st.mtimeMs >= opts.orphanAgeMs : st.mtimeMs <= opts.now()
    if (expired) await remove(join(paths.exports, e.name))
  }
  return removed
}
