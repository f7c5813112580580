import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fdatasync, fstatSync, linkSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { walkKeys } from './fs-list.js'
import { assertSafeKey, PreconditionFailedError, type ListedObject, type ObjectStore, type PutOptions } from './object-store.js'

const TMP = '.tmp'
const LOCKS = '.locks'
/** The driver's own folders at the top of the data folder: never listed as keys. */
export const FS_OWN_FOLDERS: ReadonlySet<string> = new Set([TMP, LOCKS])
const STALE_LOCK_MS = 10_000
/** Objects up to this size (bytes) are read synchronously: cheaper than four thread-pool round trips. */
const SYNC_READ_MAX = 256 * 1024
const fdatasyncAsync = promisify(fdatasync)

/** Quoted MD5 of the body, the ETag S3 gives a single-part upload. */
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`
/** `{ etag }` hashed on first read: hashing a large body costs more than writing it, and most callers never ask. */
const lazyEtag = (body: Buffer) => {
  let etag: string | undefined
  return {
    get etag() {
      return (etag ??= etagOf(body))
    },
  }
}
const code = (err: unknown) => (err as NodeJS.ErrnoException).code

// Temp file names: unique across processes sharing a folder (pid, and random bytes drawn once, for two containers
// that both run as pid 1) and across stores in one process (one counter), without a random UUID per write.
const tmpPrefix = `${process.pid}-${randomBytes(6).toString('hex')}-`
let tmpCount = 0

/** unlink(2), where a missing file is no error. */
function unlinkQuiet(path: string) {
  try {
    unlinkSync(path)
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err
  }
}

/**
 * The `fs` driver: one file per key under `root`, laid out exactly like the bucket so a person can browse it.
 * A write goes to a temp file, is fsync'd (unless the caller says it need not be durable), then takes its key:
 * create-only writes by link(2), which fails atomically when the key exists; compare-and-swap under a lock that
 * is a hard link to the temp file, across read-compare-rename, so several processes may share a folder.
 * Metadata calls (open, link, rename, mkdir) and reads of small objects are synchronous: on a local disk they take
 * microseconds, far less than round trips through libuv's thread pool; fsync and large reads run there.
 */
export function createFsStore(root: string): ObjectStore {
  const pathOf = (key: string) => {
    assertSafeKey(key)
    return join(root, ...key.split('/'))
  }

  // Folders known to exist: mkdir -p on every write costs a syscall per level.
  const made = new Set<string>()
  function ensureDir(dir: string) {
    if (made.has(dir)) return
    mkdirSync(dir, { recursive: true })
    made.add(dir)
  }

  async function writeTemp(body: Buffer, durable: boolean): Promise<string> {
    const dir = join(root, TMP)
    ensureDir(dir)
    const tmp = join(dir, `${tmpPrefix}${tmpCount++}`)
    const fd = openSync(tmp, 'wx')
    let written = false
    try {
      for (let off = 0; off < body.length; ) off += writeSync(fd, body, off)
      if (durable) await fdatasyncAsync(fd)
      written = true
    } finally {
      closeSync(fd)
      // A write that failed (a full disk, say) leaves no temp file behind.
      if (!written) unlinkQuiet(tmp)
    }
    return tmp
  }

  /** Writes a stream to a new temp file (fsync'd unless not durable); returns its path and the body's ETag. */
  async function writeTempStream(body: AsyncIterable<unknown>, durable: boolean): Promise<{ tmp: string; etag: string }> {
    const dir = join(root, TMP)
    ensureDir(dir)
    const tmp = join(dir, `${tmpPrefix}${tmpCount++}`)
    const md5 = createHash('md5')
    const fh = await open(tmp, 'wx')
    let written = false
    try {
      for await (const c of body) {
        const chunk = c as Buffer
        md5.update(chunk)
        for (let off = 0; off < chunk.length; ) off += (await fh.write(chunk, off)).bytesWritten
      }
      if (durable) await fh.datasync()
      written = true
    } finally {
      await fh.close()
      if (!written) unlinkQuiet(tmp)
    }
    return { tmp, etag: `"${md5.digest('hex')}"` }
  }

  /**
   * Runs `fn` holding the key's lock. The lock is a hard link to the caller's temp file (link(2) fails atomically
   * when the lock exists), which costs no new inode; a lock older than STALE_LOCK_MS was left by a crash.
   */
  async function withLock<T>(key: string, tmp: string, fn: () => Promise<T>): Promise<T> {
    const dir = join(root, LOCKS)
    ensureDir(dir)
    const lock = join(dir, createHash('sha256').update(key).digest('hex'))
    for (let i = 0; ; i++) {
      try {
        linkSync(tmp, lock)
        break
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err
        let ctimeMs = Date.now()
        try {
          ctimeMs = statSync(lock).ctimeMs
        } catch {}
        if (Date.now() - ctimeMs > STALE_LOCK_MS) unlinkQuiet(lock)
        await sleep(Math.min(2 ** i, 50))
      }
    }
    try {
      return await fn()
    } finally {
      unlinkQuiet(lock)
    }
  }

  /** Moves a written temp file to its key, under the write's conditions. Returns whether `tmp` was consumed. */
  async function place(key: string, path: string, tmp: string, options: PutOptions): Promise<boolean> {
    if (options.ifNoneMatch === '*') {
      try {
        linkSync(tmp, path)
        return false
      } catch (err) {
        if (code(err) === 'EEXIST') throw new PreconditionFailedError(key, { cause: err })
        throw err
      }
    }
    if (options.ifMatch !== undefined) {
      await withLock(key, tmp, async () => {
        const current = await readCurrent(path)
        if (!current || etagOf(current) !== options.ifMatch) throw new PreconditionFailedError(key)
        renameSync(tmp, path)
      })
      return true
    }
    renameSync(tmp, path)
    return true
  }

  /** The file's bytes, or null when it does not exist. Small files are read synchronously; larger ones off the loop. */
  function readCurrent(path: string): Buffer | Promise<Buffer | null> | null {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch (err) {
      if (code(err) === 'ENOENT') return null
      throw err
    }
    try {
      const size = fstatSync(fd).size
      if (size > SYNC_READ_MAX) return readFile(path).catch((err) => (code(err) === 'ENOENT' ? null : Promise.reject(err)))
      const body = Buffer.allocUnsafe(size)
      let off = 0
      while (off < size) {
        const n = readSync(fd, body, off, size - off, off)
        if (n === 0) break
        off += n
      }
      return off === size ? body : body.subarray(0, off)
    } finally {
      closeSync(fd)
    }
  }

  /** Keys under `prefix` in byte order (ObjectStore.list): a lazy walk of the folders, stopping at `limit`. */
  async function listKeys(prefix: string, options: { startAfter?: string; limit?: number }): Promise<string[]> {
    const keys: string[] = []
    if (options.limit === 0) return keys
    for await (const key of walkKeys(root, prefix, options.startAfter, FS_OWN_FOLDERS)) {
      keys.push(key)
      if (keys.length === options.limit) break
    }
    return keys
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
        ensureDir(dirname(path))
        if (body.length === 0 && !options.ifMatch && !options.ifNoneMatch) {
          // An empty object (a queue entry) cannot be read half-written: create it in place, no temp file.
          const fd = openSync(path, 'w')
          try {
            if (options.durable !== false) await fdatasyncAsync(fd)
          } finally {
            closeSync(fd)
          }
          return
        }
        const tmp = await writeTemp(body, options.durable !== false)
        let consumed = false
        try {
          consumed = await place(key, path, tmp, options)
        } finally {
          if (!consumed) {
            try {
              unlinkSync(tmp)
            } catch {}
          }
        }
      }
      try {
        await write()
      } catch (err) {
        // A folder removed behind our back (a person tidying the data folder): make it again, once.
        if (code(err) !== 'ENOENT') throw err
        made.clear()
        await write()
      }
      return lazyEtag(body)
    },

    async putStream(key, body, options = {}) {
      const path = pathOf(key)
      const { tmp, etag } = await writeTempStream(body, options.durable !== false)
      try {
        try {
          ensureDir(dirname(path))
          renameSync(tmp, path)
        } catch (err) {
          // A folder removed behind our back: make it again, once.
          if (code(err) !== 'ENOENT') throw err
          made.clear()
          ensureDir(dirname(path))
          renameSync(tmp, path)
        }
      } catch (err) {
        unlinkQuiet(tmp)
        throw err
      }
      return { etag }
    },

    async delete(key) {
      unlinkQuiet(pathOf(key))
    },

    async list(prefix, options = {}) {
      return listKeys(prefix, options)
    },

    async listEntries(prefix, options = {}) {
      const keys = await listKeys(prefix, options)
      const out: ListedObject[] = []
      for (const key of keys) {
        try {
          out.push({ key, lastModifiedMs: statSync(pathOf(key)).mtimeMs })
        } catch (err) {
          if (code(err) !== 'ENOENT') throw err // deleted since the walk: not listed, as S3 would not
        }
      }
      return out
    },

    async urlFor(key) {
      return pathToFileURL(pathOf(key)).href
    },
  }
}
