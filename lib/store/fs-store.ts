import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, link } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertSafeKey, PreconditionFailedError, type ObjectStore, type PutOptions } from './object-store.js'

const TMP = '.tmp'
const LOCKS = '.locks'
const STALE_LOCK_MS = 10_000

/** Quoted MD5 of the body, the ETag S3 gives a single-part upload. */
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`

/**
 * The `fs` driver: one file per key under `root`, laid out exactly like the bucket so a person can browse it.
 * Create-only writes use link(2), which fails atomically when the target exists; compare-and-swap holds a
 * lock file (O_EXCL) across read-compare-rename, so several processes on one machine may share a folder.
 * Each write is fsync'd before it becomes visible, unless the caller says it need not be durable.
 */
export function createFsStore(root: string): ObjectStore {
  const pathOf = (key: string) => {
    assertSafeKey(key)
    return join(root, ...key.split('/'))
  }

  // Folders known to exist: mkdir -p on every write costs a syscall per level.
  const made = new Set<string>()
  async function ensureDir(dir: string) {
    if (made.has(dir)) return
    await mkdir(dir, { recursive: true })
    made.add(dir)
  }

  async function writeTemp(body: Buffer, durable: boolean): Promise<string> {
    const dir = join(root, TMP)
    await ensureDir(dir)
    const tmp = join(dir, randomUUID())
    const fh = await open(tmp, 'wx')
    try {
      await fh.writeFile(body)
      if (durable) await fh.datasync()
    } finally {
      await fh.close()
    }
    return tmp
  }

  /**
   * Runs `fn` holding the key's lock. The lock is a hard link to the caller's temp file (link(2) fails atomically
   * when the lock exists), which costs no new inode; a lock older than STALE_LOCK_MS was left by a crash.
   */
  async function withLock<T>(key: string, tmp: string, fn: () => Promise<T>): Promise<T> {
    const dir = join(root, LOCKS)
    await ensureDir(dir)
    const lock = join(dir, createHash('sha256').update(key).digest('hex'))
    for (let i = 0; ; i++) {
      try {
        await link(tmp, lock)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const st = await stat(lock).catch(() => null)
        if (st && Date.now() - st.ctimeMs > STALE_LOCK_MS) await rm(lock, { force: true })
        await sleep(Math.min(2 ** i, 50))
      }
    }
    try {
      return await fn()
    } finally {
      await rm(lock, { force: true })
    }
  }

  /** Moves a written temp file to its key, under the write's conditions. */
  async function place(key: string, path: string, tmp: string, options: PutOptions) {
    if (options.ifNoneMatch === '*') {
          try {
            await link(tmp, path)
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PreconditionFailedError(key, { cause: err })
            throw err
          }
        } else if (options.ifMatch !== undefined) {
          await withLock(key, tmp, async () => {
            const current = await readCurrent(path)
            if (!current || etagOf(current) !== options.ifMatch) throw new PreconditionFailedError(key)
            await rename(tmp, path)
          })
        } else {
          await rename(tmp, path)
        }
  }

  async function readCurrent(path: string): Promise<Buffer | null> {
    try {
      return await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  return {
    async get(key) {
      const body = await readCurrent(pathOf(key))
      return body ? { body, etag: etagOf(body) } : null
    },

    async put(key, input, options: PutOptions = {}) {
      const path = pathOf(key)
      const body = Buffer.isBuffer(input) ? input : Buffer.from(input)
      const write = async () => {
        await ensureDir(dirname(path))
        const tmp = await writeTemp(body, options.durable !== false)
        try {
          await place(key, path, tmp, options)
        } finally {
          await unlink(tmp).catch(() => {})
        }
      }
      try {
        await write()
      } catch (err) {
        // A folder removed behind our back (a person tidying the data folder): make it again, once.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        made.clear()
        await write()
      }
      return { etag: etagOf(body) }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true })
    },

    async list(prefix, options = {}) {
      // Walk only the deepest folder the prefix names in full.
      const cut = prefix.lastIndexOf('/')
      const base = cut >= 0 ? join(root, ...prefix.slice(0, cut).split('/')) : root
      let entries: string[]
      try {
        entries = (await readdir(base, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw err
      }
      const keys = entries
        .filter((k) => k.startsWith(prefix) && !k.startsWith(`${TMP}/`) && !k.startsWith(`${LOCKS}/`))
        .filter((k) => options.startAfter === undefined || k > options.startAfter)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      return options.limit === undefined ? keys : keys.slice(0, options.limit)
    },

    async urlFor(key) {
      return pathToFileURL(pathOf(key)).href
    },
  }
}
