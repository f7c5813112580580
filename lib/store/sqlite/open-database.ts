import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'

export type Database = BetterSqlite3.Database
export type Statement<P extends unknown[], R> = BetterSqlite3.Statement<P, R>

/** Layout version in `PRAGMA user_version`; a database from a newer Postern is refused rather than misread. */
const SCHEMA_VERSION = 2

/**
 * One row per object. `key` is unique (its index keeps keys in byte order: SQLite compares TEXT with memcmp over
 * UTF-8, so a prefix listing is a range scan of that index alone). The body is inline in `body`, or in a file
 * named `file` beside the database (lib/store/sqlite/body-files.ts); never both.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB,
  file TEXT,
  modified_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS objects_file ON objects(file) WHERE file IS NOT NULL;
`

export interface OpenOptions {
  /** How long a statement waits for another connection's lock before SQLITE_BUSY, in ms. */
  busyTimeoutMs: number
}

/**
 * Opens the store's database with the settings every connection needs: WAL (readers never wait for the writer,
 * and several processes can share the file), `synchronous=FULL` (a commit is on disk when it returns; the writer
 * lowers it for batches that are all `durable: false`), and a busy timeout for the write lock other processes hold.
 * better-sqlite3 is loaded here, on first use, so code that never opens a database never loads the native module.
 * @throws on I/O errors, or when the file was written by a newer layout.
 */
export function openDatabase(path: string, options: OpenOptions): Database {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
  const db = new Sqlite(path)
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs))}`)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    // Keep a WAL that a burst made large from staying large after the checkpoint (bytes).
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) throw new Error(`${path} has store layout ${version}; this Postern reads up to ${SCHEMA_VERSION}`)
    if (version < SCHEMA_VERSION) {
      // IMMEDIATE: two processes starting at once create the tables one after the other.
      db.transaction(() => {
        db.exec(SCHEMA)
        // Layout 1 had no modified_ms: its objects read as written at 0 (the epoch) until rewritten.
        const columns = (db.pragma('table_info(objects)') as { name: string }[]).map((c) => c.name)
        if (!columns.includes('modified_ms')) db.exec('ALTER TABLE objects ADD COLUMN modified_ms INTEGER NOT NULL DEFAULT 0')
        db.pragma(`user_version = ${SCHEMA_VERSION}`)
      }).immediate()
    }
    return db
  } catch (err) {
    db.close()
    throw err
  }
}
