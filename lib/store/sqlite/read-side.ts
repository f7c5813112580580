import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { compareKeys, prefixUpperBound } from '../key-order.js'
import { readBodyFile } from './body-files.js'
import type { Database, Statement } from './open-database.js'

/** Keys a list statement returns at a time; the event loop runs between pages. */
const LIST_PAGE = 1000
const EMPTY = Buffer.alloc(0)

/** A row as stored: an inline body, or the name of its body file. */
export interface StoredRow {
  etag: string
  body: Buffer | null
  file: string | null
}

/**
 * The sqlite store's reads, on the calling thread over their own connection (WAL readers never wait for the
 * writer). `row` is the row alone; `object` the row with its body; `list` keys in byte order by range scans of the
 * key index, a page at a time.
 */
export function createReadSide(db: Database, bodiesDir: string) {
  const rowOf = db.prepare<[string], StoredRow>('SELECT etag, body, file FROM objects WHERE key = ?')
  const listStatements = new Map<string, Statement<unknown[], string>>()
  const listStatement = (after: boolean, bounded: boolean) => {
    const sql = `SELECT key FROM objects WHERE key ${after ? '>' : '>='} ?${bounded ? ' AND key < ?' : ''} ORDER BY key LIMIT ?`
    let stmt = listStatements.get(sql)
    if (!stmt) listStatements.set(sql, (stmt = db.prepare<unknown[], string>(sql).pluck()))
    return stmt
  }

  const modifiedOf = db.prepare<[string], number>('SELECT modified_ms FROM objects WHERE key = ?').pluck()
  return {
    row: (key: string): StoredRow | null => rowOf.get(key) ?? null,
    /** When the object was last written (ms since the epoch; 0 for one written before the store kept it), or null. */
    modifiedMs: (key: string): number | null => modifiedOf.get(key) ?? null,

    /**
     * The object's body and ETag; `null` when absent. A body file removed under us (the row was replaced since it
     * was read) reads the row again. @throws when a row names a body file that is missing.
     */
    async object(key: string): Promise<{ etag: string; body: Buffer } | null> {
      for (let tries = 0; ; tries++) {
        const row = rowOf.get(key)
        if (!row) return null
        if (row.file === null) return { etag: row.etag, body: row.body ?? EMPTY }
        const body = await readBodyFile(bodiesDir, row.file)
        if (body) return { etag: row.etag, body }
        if (rowOf.get(key)?.etag === row.etag || tries >= 10) throw new Error(`sqlite store: the body file bodies/${row.file} of ${key} is missing`)
      }
    },

    /** Keys under `prefix` after `startAfter`, at most `limit`, in byte order (ObjectStore.list). */
    async list(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<string[]> {
      const upper = prefixUpperBound(prefix)
      let after = options.startAfter !== undefined && compareKeys(options.startAfter, prefix) >= 0 ? options.startAfter : undefined
      const keys: string[] = []
      for (;;) {
        const want = options.limit === undefined ? LIST_PAGE : Math.min(LIST_PAGE, options.limit - keys.length)
        if (want <= 0) return keys
        const page = listStatement(after !== undefined, upper !== null).all(after ?? prefix, ...(upper === null ? [] : [upper]), want)
        for (const k of page) keys.push(k)
        if (page.length < want) return keys
        after = page[page.length - 1]
        await yieldToLoop()
      }
    },
  }
}
