import type { Database } from './open-database.js'

/** One write as the writer thread receives it (structured-clonable). */
export type WriteOp =
  | {
      op: 'put'
      key: string
      /** The new version's ETag, made by the caller. */
      etag: string
      contentType: string
      /** Body length in bytes. */
      size: number
      /** The body, when stored inline; `null` when it is in `file`. */
      body: Uint8Array | null
      /** Name of the body file (already written and synced), when not inline. */
      file: string | null
      ifNoneMatch?: '*'
      ifMatch?: string
      durable: boolean
    }
  | { op: 'delete'; key: string; durable: boolean }

/** What became of one op: done, refused by its precondition, or failed with the whole transaction. */
export type WriteResult = { ok: true } | { ok: false; precondition: true } | { ok: false; error: string; code?: string }

export interface BatchOutcome {
  results: WriteResult[]
  /** Body files no row names any more (replaced or deleted in this batch): safe to remove after the commit. */
  freed: string[]
}

const PRECONDITION: WriteResult = { ok: false, precondition: true }
const OK: WriteResult = { ok: true }

/**
 * The writer's side of one connection. `apply` runs `ops` in order in one IMMEDIATE transaction, so they share one
 * commit and its one fsync (group commit). Each op's precondition is checked inside the transaction against the
 * rows as the ops before it left them: a failed one refuses that op alone. When any op is durable the commit is
 * `synchronous=FULL` (the WAL is fsync'd before `apply` returns); a batch of bookkeeping only (`durable: false`)
 * commits with `NORMAL`, without fsync, and becomes durable with the next FULL commit (the WAL is written in
 * order). An SQLite error (SQLITE_BUSY past the busy timeout, a full disk) rolls the whole batch back and fails
 * every op with it.
 */
export function createBatchWriter(db: Database) {
  const head = db.prepare<[string], { etag: string; file: string | null }>('SELECT etag, file FROM objects WHERE key = ?')
  const upsert = db.prepare<[string, string, string, number, Uint8Array | null, string | null, number]>(
    `INSERT INTO objects (key, etag, content_type, size, body, file, modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, content_type = excluded.content_type, size = excluded.size,
       body = excluded.body, file = excluded.file, modified_ms = excluded.modified_ms`,
  )
  const remove = db.prepare<[string]>('DELETE FROM objects WHERE key = ?')
  let full = true // openDatabase leaves the connection at FULL

  const run = db.transaction((ops: WriteOp[], outcome: BatchOutcome) => {
    for (const o of ops) {
      const current = head.get(o.key)
      if (o.op === 'delete') {
        if (current) remove.run(o.key)
      } else if ((o.ifNoneMatch === '*' && current) || (o.ifMatch !== undefined && current?.etag !== o.ifMatch)) {
        outcome.results.push(PRECONDITION)
        continue
      } else {
        upsert.run(o.key, o.etag, o.contentType, o.size, o.body, o.file, Date.now())
      }
      if (current?.file) outcome.freed.push(current.file)
      outcome.results.push(OK)
    }
  })

  return {
    apply(ops: WriteOp[]): BatchOutcome {
      const durable = ops.some((o) => o.durable)
      if (durable !== full) {
        db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`)
        full = durable
      }
      const outcome: BatchOutcome = { results: [], freed: [] }
      try {
        run.immediate(ops, outcome)
      } catch (err) {
        const failed: WriteResult = { ok: false, error: (err as Error).message, code: (err as { code?: string }).code }
        return { results: ops.map(() => failed), freed: [] }
      }
      return outcome
    },
  }
}
export type BatchWriter = ReturnType<typeof createBatchWriter>
