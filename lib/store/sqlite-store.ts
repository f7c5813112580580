import { randomBytes } from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { compareKeys, prefixUpperBound } from './key-order.js'
import { assertSafeKey, PreconditionFailedError, type ObjectStore, type PutOptions } from './object-store.js'
import { exportVersion, readBodyFile, storePaths, writeBodyFile } from './sqlite/body-files.js'
import { openDatabase, type Database } from './sqlite/open-database.js'
import { startWriter } from './sqlite/writer-client.js'
import type { WriteResult } from './sqlite/write-batch.js'

/**
 * Bodies up to this many bytes are kept in the database row; larger ones in a file beside it. Measured on this
 * disk (docs/storage.md): up to 128 KiB a row costs less CPU to write than a file (no inode to allocate, one WAL
 * append) and reads in under 0.5 ms; from 512 KiB a file is cheaper to write, and a row is written twice (WAL,
 * then checkpoint) and read at several ms, on the thread that reads it.
 */
export const INLINE_MAX_BYTES = 128 * 1024

/** Keys a list statement returns at a time; the event loop runs between pages. */
const LIST_PAGE = 1000

export interface SqliteStoreOptions {
  /** Bodies larger than this (bytes) go to files; default INLINE_MAX_BYTES. */
  inlineMaxBytes?: number
  /** How long a write waits for another process's write lock before failing (ms); default 10 s. */
  busyTimeoutMs?: number
  /** Age (ms) past which a body file no row names is removed by the sweep; default 1 h. */
  orphanAgeMs?: number
  /** Interval of that sweep (ms); default 1 h, and once at start. */
  sweepEveryMs?: number
}

export interface SqliteStore extends ObjectStore {
  /** Transactions committed and writes they carried, since the store was made (writes / commits = group size). */
  stats(): { commits: number; writes: number }
  close(): Promise<void>
}

// ETags are version tags, not MD5s: 8 random bytes drawn once per process, then a counter. Unique across the
// processes sharing a database without hashing bodies or drawing random bytes per write.
const processTag = randomBytes(8).toString('hex')
let versions = 0
const newVersion = () => `${processTag}${(versions++).toString(16).padStart(16, '0')}`

const EMPTY = Buffer.alloc(0)

/**
 * The `sqlite` driver: objects as rows of one SQLite database in `dir` (WAL, `synchronous=FULL`), large bodies as
 * files beside it, safe for several processes at once. Writes go to one writer thread per process, which commits
 * whatever arrived together in one transaction (group commit, lib/store/sqlite/write-batch.ts); a put resolves
 * when its transaction is durable (or committed, for `durable: false`). Reads and listings run on the calling
 * thread over their own connection: WAL readers never wait for the writer. See docs/storage.md.
 * @throws at creation when the folder cannot be made or the database opened.
 */
export function createSqliteStore(dir: string, options: SqliteStoreOptions = {}): SqliteStore {
  const paths = storePaths(dir)
  mkdirSync(paths.bodies, { recursive: true })
  mkdirSync(paths.exports, { recursive: true })
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000
  const inlineMax = options.inlineMaxBytes ?? INLINE_MAX_BYTES
  // Creates the tables before the writer thread opens its own connection.
  const db: Database = openDatabase(paths.db, { busyTimeoutMs })
  const read = db.prepare<[string], { etag: string; body: Buffer | null; file: string | null }>('SELECT etag, body, file FROM objects WHERE key = ?')
  const listStatements = new Map<string, BetterSqlite3.Statement<unknown[], string>>()
  const listStatement = (after: boolean, bounded: boolean) => {
    const sql = `SELECT key FROM objects WHERE key ${after ? '>' : '>='} ?${bounded ? ' AND key < ?' : ''} ORDER BY key LIMIT ?`
    let stmt = listStatements.get(sql)
    if (!stmt) listStatements.set(sql, (stmt = db.prepare<unknown[], string>(sql).pluck()))
    return stmt
  }
  const writer = startWriter({
    paths,
    busyTimeoutMs,
    orphanAgeMs: options.orphanAgeMs ?? 3600_000,
    sweepEveryMs: options.sweepEveryMs ?? 3600_000,
    maxBatch: 500,
  })

  const failure = (key: string, r: Exclude<WriteResult, { ok: true }>) =>
    'precondition' in r ? new PreconditionFailedError(key) : Object.assign(new Error(`sqlite store: ${r.error}`), { code: r.code })

  /** The row and its body; `null` when absent. A body file removed under us (the row changed) reads the row again. */
  async function current(key: string): Promise<{ etag: string; body: Buffer; file: string | null } | null> {
    for (let tries = 0; ; tries++) {
      const row = read.get(key)
      if (!row) return null
      if (row.file === null) return { etag: row.etag, body: row.body ?? EMPTY, file: null }
      const body = await readBodyFile(paths.bodies, row.file)
      if (body) return { etag: row.etag, body, file: row.file }
      if (read.get(key)?.etag === row.etag || tries >= 10) throw new Error(`sqlite store: the body file bodies/${row.file} of ${key} is missing`)
    }
  }

  return {
    async get(key) {
      assertSafeKey(key)
      const obj = await current(key)
      return obj && { body: obj.body, etag: obj.etag }
    },

    async put(key, input, options: PutOptions = {}) {
      assertSafeKey(key)
      const body = typeof input === 'string' ? Buffer.from(input) : input
      const version = newVersion()
      const inline = body.byteLength <= inlineMax
      if (!inline) await writeBodyFile(paths.bodies, version, body)
      // An exact copy: only the body's bytes go to the thread (a Buffer may view a larger pool), moved, not cloned.
      const copy = inline ? new Uint8Array(body) : null
      const etag = `"${version}"`
      const result = await writer.write(
        {
          op: 'put',
          key,
          etag,
          contentType: options.contentType ?? 'application/octet-stream',
          size: body.byteLength,
          body: copy,
          file: inline ? null : version,
          ifNoneMatch: options.ifNoneMatch,
          ifMatch: options.ifMatch,
          durable: options.durable !== false,
        },
        copy?.buffer as ArrayBuffer | undefined,
      )
      if (result.ok) return { etag }
      if (!inline) await rm(join(paths.bodies, version), { force: true })
      throw failure(key, result)
    },

    async delete(key) {
      assertSafeKey(key)
      const result = await writer.write({ op: 'delete', key, durable: true })
      if (!result.ok) throw failure(key, result)
    },

    async list(prefix, options = {}) {
      const upper = prefixUpperBound(prefix)
      let after = options.startAfter !== undefined && compareKeys(options.startAfter, prefix) >= 0 ? options.startAfter : undefined
      const keys: string[] = []
      for (;;) {
        const want = options.limit === undefined ? LIST_PAGE : Math.min(LIST_PAGE, options.limit - keys.length)
        if (want <= 0) return keys
        const args: unknown[] = [after ?? prefix, ...(upper === null ? [] : [upper]), want]
        const page = listStatement(after !== undefined, upper !== null).all(...args)
        for (const k of page) keys.push(k)
        if (page.length < want) return keys
        after = page[page.length - 1]
        await yieldToLoop()
      }
    },

    /**
     * A `file://` URL of the object's bytes as they are now, kept in `exports/` under the version's ETag until the
     * URL expires (a hard link to a body file, or a copy of an inline body); the sweep removes it after that. A
     * missing key gives a URL that reads nothing, as a presigned URL of a missing S3 object answers 404.
     */
    async urlFor(key, expiresInS) {
      assertSafeKey(key)
      const expiresAt = Date.now() + expiresInS * 1000
      for (let tries = 0; tries < 10; tries++) {
        const row = read.get(key)
        if (!row) return pathToFileURL(join(paths.exports, 'absent')).href
        const source = row.file === null ? { body: row.body ?? EMPTY } : { file: row.file }
        const path = await exportVersion(paths, row.etag.slice(1, -1), source, expiresAt)
        if (path) return pathToFileURL(path).href
      }
      throw new Error(`sqlite store: ${key} kept changing while its URL was made`)
    },

    stats: () => writer.stats(),

    async close() {
      await writer.close()
      db.close()
    },
  }
}
