import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { assertSafeKey, PreconditionFailedError, type ListedObject, type ObjectStore, type PutOptions } from './object-store.js'
import { exportVersion, storePaths, writeBodyFile, writeBodyFileFromStream } from './sqlite/body-files.js'
import { openDatabase, type Database } from './sqlite/open-database.js'
import { createReadSide } from './sqlite/read-side.js'
import { startWriter } from './sqlite/writer-client.js'
import type { WriteResult } from './sqlite/write-batch.js'

/**
 * Bodies up to this many bytes are kept in the database row; larger ones in a file beside it. Measured on this
 * disk (`npm run bench:store`, docs/storage.md): up to 256 KiB a row costs several times less CPU than a file to
 * write (no inode to allocate and free, no file and folder fsync) and reads in under 0.2 ms on the calling thread;
 * from 512 KiB the two cross over from run to run, and a larger row holds the writer's transaction, and every
 * write grouped with it, for longer and is written twice (WAL, then checkpoint).
 */
export const INLINE_MAX_BYTES = 256 * 1024

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
  /** Transactions run (committed, or rolled back on an error) and the writes they carried, since the store was made. */
  stats(): { commits: number; writes: number }
  close(): Promise<void>
}

// ETags are version tags, not MD5s: 8 random bytes drawn once per process, then a counter. Unique across the
// processes sharing a database without hashing bodies or drawing random bytes per write.
const processTag = randomBytes(8).toString('hex')
let versions = 0
const newVersion = () => `${processTag}${(versions++).toString(16).padStart(16, '0')}`

const EMPTY = Buffer.alloc(0)
const encoder = new TextEncoder()

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
  const read = createReadSide(db, paths.bodies)
  const writer = startWriter({
    paths,
    busyTimeoutMs,
    orphanAgeMs: options.orphanAgeMs ?? 3600_000,
    sweepEveryMs: options.sweepEveryMs ?? 3600_000,
    maxBatch: 500,
  })

  const failure = (key: string, r: Exclude<WriteResult, { ok: true }>) =>
    'precondition' in r ? new PreconditionFailedError(key) : Object.assign(new Error(`sqlite store: ${r.error}`), { code: r.code })

  return {
    async get(key) {
      assertSafeKey(key)
      return read.object(key)
    },

    async put(key, input, options: PutOptions = {}) {
      assertSafeKey(key)
      // A string is encoded into bytes of its own; other bodies are copied: only the body's bytes may go to the
      // thread (a Buffer may view a larger pool) and they are moved there, not cloned again.
      const body = typeof input === 'string' ? encoder.encode(input) : input
      const version = newVersion()
      const inline = body.byteLength <= inlineMax
      if (!inline) await writeBodyFile(paths.bodies, version, body)
      const copy = !inline ? null : typeof input === 'string' ? body : new Uint8Array(body)
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

    async putStream(key, stream, options = {}) {
      assertSafeKey(key)
      const version = newVersion()
      // Always a file: the size is known only at the end, and a streamed body is a large one.
      const size = await writeBodyFileFromStream(paths.bodies, version, stream)
      const etag = `"${version}"`
      const result = await writer.write({
        op: 'put',
        key,
        etag,
        contentType: options.contentType ?? 'application/octet-stream',
        size,
        body: null,
        file: version,
        durable: options.durable !== false,
      })
      if (result.ok) return { etag }
      await rm(join(paths.bodies, version), { force: true })
      throw failure(key, result)
    },

    async delete(key) {
      assertSafeKey(key)
      const result = await writer.write({ op: 'delete', key, durable: true })
      if (!result.ok) throw failure(key, result)
    },

    list: (prefix, options) => read.list(prefix, options),

    async listEntries(prefix, options) {
      const out: ListedObject[] = []
      for (const key of await read.list(prefix, options)) {
        const lastModifiedMs = read.modifiedMs(key)
        if (lastModifiedMs !== null) out.push({ key, lastModifiedMs }) // deleted since the list: not listed
      }
      return out
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
        const row = read.row(key)
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
