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
 * Each write is fsync'd before it becomes visible.
 */
export function createFsStore(root: string): ObjectStore {
  const pathOf = (key: string) => {
    assertSafeKey(key)
    return join(root, ...key.split('/'))
  }

  async function writeTemp(body: Buffer): Promise<string> {
    const tmp = join(root, TMP, randomUUID())
    await mkdir(dirname(tmp), { recursive: true })
    const fh = await open(tmp, 'wx')
    try {
      await fh.writeFile(body)
      await fh.datasync()
    } finally {
      await fh.close()
    }
    return tmp
  }

  async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lock = join(root, LOCKS, createHash('sha256').update(key).digest('hex'))
    await mkdir(dirname(lock), { recursive: true })
    for (let i = 0; ; i++) {
      try {
        await (await open(lock, 'wx')).close()
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const st = await stat(lock).catch(() => null)
        // A holder that crashed leaves its lock behind; writes take milliseconds, so an old lock is stale.
        if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true })
        await sleep(Math.min(2 ** i, 50))
      }
    }
    try {
      return await fn()
    } finally {
      await rm(lock, { force: true })
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
      await mkdir(dirname(path), { recursive: true })
      const tmp = await writeTemp(body)
      try {
        if (options.ifNoneMatch === '*') {
          try {
            await link(tmp, path)
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PreconditionFailedError(key, { cause: err })
            throw err
          }
        } else if (options.ifMatch !== undefined) {
          await withLock(key, async () => {
            const current = await readCurrent(path)
            if (!current || etagOf(current) !== options.ifMatch) throw new PreconditionFailedError(key)
            await rename(tmp, path)
          })
        } else {
          await rename(tmp, path)
        }
      } finally {
        await unlink(tmp).catch(() => {})
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
